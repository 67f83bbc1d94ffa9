/**
 * The API's one catalog of errors: a stable code per failure (clients switch on it), its HTTP
 * status, and a message that says what to fix. Every error response is `{ error: { code, message, ... } }`.
 */
export const ERRORS = {
  EMPTY_UPLOAD: { status: 400, message: 'The upload is empty: send the capture file as the request body or as a multipart "file" field.' },
  NOT_A_CAPTURE: { status: 415, message: 'Not a packet capture: upload a pcap or pcapng file (gzip\'d is fine).' },
  TRUNCATED_CAPTURE: { status: 415, message: 'The capture ends inside its file header: upload the whole file.' },
  UPLOAD_TOO_LARGE: { status: 413, message: 'The upload is larger than this server accepts: split the capture (editcap -c) or raise --max-upload.' },
  NO_FILE_FIELD: { status: 400, message: 'The multipart request has no file part: send the capture in a part named "file".' },
  BAD_REQUEST: { status: 400, message: 'The request does not match the API: see /openapi.json.' },
  BAD_QUERY: { status: 400, message: 'The search query does not parse: fix it at the position given.' },
  BAD_WHOIS_QUERY: { status: 400, message: 'Whois answers for a public IP address or a domain name only.' },
  WHOIS_UNAVAILABLE: { status: 502, message: 'The whois server did not answer (timeout, refused or empty): try again later.' },
  BAD_OBSERVABLE_TYPE: { status: 400, message: 'Unknown observable type: use one the pivot endpoint lists in /openapi.json.' },
  CAPTURE_NOT_FOUND: { status: 404, message: 'No capture with that id: use a full sha256 (or md5, sha1, or a sha256 prefix of 8+ hex digits) from GET /api/captures.' },
  NOT_FOUND: { status: 404, message: 'No such endpoint: see /openapi.json.' },
  LABEL_NOT_FOUND: { status: 404, message: 'No such label (on the capture, or on any capture you can see): list a capture\'s with GET /api/captures/{id}/labels, all with GET /api/archive.' },
  ZIP_TOO_LARGE: { status: 413, message: 'The captures together are larger than one download may be: narrow it (?kind=) or fetch them one by one (GET /api/captures/{id}/pcap).' },
  LABEL_NOT_YOURS: { status: 403, message: 'Only the key that added a label, the capture\'s submitter or an admin key can remove it.' },
  BAD_RULES: { status: 400, message: 'The ruleset does not parse: fix the rules at the lines given (capdex rules check FILE shows the same).' },
  HUNTS_BUSY: { status: 409, message: 'As many retro-hunts as this server runs at once are running: wait for one to finish (GET /api/retro-hunts).' },
  HUNT_NOT_FOUND: { status: 404, message: 'No retro-hunt with that id for this key: list them with GET /api/retro-hunts (the newest 50 are listed).' },
  FILE_NOT_FOUND: { status: 404, message: 'No extracted file with that SHA-256 in a capture you can see: list them with GET /api/captures/{id}/files.' },
  UID_NOT_FOUND: { status: 404, message: 'The capture has no connection with that uid or Community ID: take one from its conn log (GET /api/captures/{id}/logs/conn).' },
  BAD_API_KEY: { status: 401, message: 'The API key is unknown, revoked or malformed: send "Authorization: Bearer cdx_…" (or X-Api-Key) with a key from capdex keys add.' },
  KEY_REQUIRED: { status: 401, message: 'This needs an API key: create one with capdex keys add and send it as "Authorization: Bearer cdx_…".' },
  RATE_LIMITED: { status: 429, message: 'Too many requests from this key or address: wait retryAfterS seconds (the Retry-After header) and try again.' },
  NOT_READY: { status: 503, message: 'The store is not answering: check the data directory and the server log.' },
  INTERNAL: { status: 500, message: 'Something went wrong on the server: the server log has the details.' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class ApiError extends Error {
  readonly status: number;
  constructor(readonly errorCode: ErrorCode, readonly detail?: string, readonly extra?: Record<string, unknown>) {
    super(detail ? `${ERRORS[errorCode].message} (${detail})` : ERRORS[errorCode].message);
    this.status = ERRORS[errorCode].status;
  }

  body(): { error: Record<string, unknown> } {
    return { error: { code: this.errorCode, message: this.message, ...this.extra } };
  }
}

/** The JSON schema of an error response, for the OpenAPI document. */
export const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', enum: Object.keys(ERRORS) }, message: { type: 'string' },
        // BAD_QUERY: where the query went wrong (0-based offset) and what was expected there.
        position: { type: 'integer' }, expected: { type: 'string' },
        // ZIP_TOO_LARGE: the captures' stored bytes together, the cap, how many captures.
        bytes: { type: 'integer' }, maxBytes: { type: 'integer' }, captures: { type: 'integer' },
      },
      required: ['code', 'message'],
    },
  },
} as const;
