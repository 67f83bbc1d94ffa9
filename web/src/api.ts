/**
 * The browser's only way to the server: typed calls to /api/*. Types come from the server's own
 * modules (type-only imports, erased at build), so the UI and the API cannot drift apart.
 * Every error is an ApiRequestError carrying the server's catalogued code and message.
 */
import type { CaptureRow, StoredRecord, AggregationRow, PivotHit } from '../../src/store/store.js';
import type { Job } from '../../src/jobs/jobs.js';

export type { CaptureRow, StoredRecord, AggregationRow, PivotHit, Job };

const API_KEY_STORAGE = 'capdex.apiKey';

export class ApiRequestError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

export const apiKey = {
  get: (): string | null => localStorage.getItem(API_KEY_STORAGE),
  set: (k: string | null): void => { if (k) localStorage.setItem(API_KEY_STORAGE, k); else localStorage.removeItem(API_KEY_STORAGE); },
};

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const key = apiKey.get();
  return key ? { ...extra, authorization: `Bearer ${key}` } : extra;
}

/** The server's refusal of `r` as an ApiRequestError (its catalogued code and message). */
export async function failure(r: Response): Promise<ApiRequestError> {
  try {
    const body = (await r.json()) as { error?: { code?: string; message?: string } & Record<string, unknown> };
    const { code = 'HTTP_' + r.status, message = r.statusText, ...extra } = body.error ?? {};
    return new ApiRequestError(r.status, code, message, extra);
  } catch {
    return new ApiRequestError(r.status, 'HTTP_' + r.status, r.statusText || 'request failed');
  }
}

type Params = Record<string, string | number | boolean | undefined>;

/** The query string of `params` (undefined values left out). */
export function query(params: Params = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function getJson<T>(path: string, params?: Params, signal?: AbortSignal): Promise<T> {
  const r = await fetch(path + query(params), { headers: headers({ accept: 'application/json' }), signal });
  if (!r.ok) throw await failure(r);
  return (await r.json()) as T;
}

export async function sendJson<T>(method: 'POST' | 'DELETE' | 'PUT', path: string, body?: unknown): Promise<T> {
  const r = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw await failure(r);
  return (await r.json()) as T;
}

/** `/api/captures/{id}` with the id escaped (ids are hex, but nothing unescaped reaches a URL). */
export const capturePath = (id: string, rest = ''): string => `/api/captures/${encodeURIComponent(id)}${rest}`;

export interface CaptureList { captures: CaptureRow[]; pending: Job[] }
export interface CaptureDetail { id: string; capture: CaptureRow | null; job: Job | null }
export interface LogPage { captureId: string; log: string; status?: string; partial?: boolean; records: StoredRecord[] }
export interface SearchAnswer { rows?: StoredRecord[]; aggregation?: AggregationRow[] }
/** MD5 and SHA-1 only for a capture analysed before (the analysis job computes them). */
export interface UploadAnswer { id: string; md5?: string; sha1?: string; size: number; existing: boolean; job: Job }

export const api = {
  captures: (p: { limit?: number; offset?: number } = {}, signal?: AbortSignal) => getJson<CaptureList>('/api/captures', p, signal),
  capture: (id: string, signal?: AbortSignal) => getJson<CaptureDetail>(capturePath(id), undefined, signal),
  logs: (id: string, log: string, p: { limit?: number; offset?: number; sort?: 'ts' | '-ts' } = {}, signal?: AbortSignal) =>
    getJson<LogPage>(capturePath(id, `/logs/${encodeURIComponent(log)}`), p, signal),
  search: (q: string, p: { limit?: number; offset?: number } = {}, signal?: AbortSignal) => getJson<SearchAnswer>('/api/search', { q, ...p }, signal),
  pivot: (type: string, value: string, p: { limit?: number; offset?: number } = {}, signal?: AbortSignal) =>
    getJson<{ hits: PivotHit[] }>(`/api/pivot/${encodeURIComponent(type)}/${encodeURIComponent(value)}`, p, signal),
};

/**
 * Uploads a capture with progress (fetch cannot report upload progress; XMLHttpRequest can).
 * Resolves with the server's answer, rejects with an ApiRequestError (the server's reason) or on abort.
 */
export function uploadCapture(
  file: Blob, opts: { name?: string; visibility?: 'public' | 'private'; reanalyse?: boolean; onProgress?: (sent: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<UploadAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/captures' + query({ name: opts.name, visibility: opts.visibility, reanalyse: opts.reanalyse || undefined }));
    for (const [k, v] of Object.entries(headers({ 'content-type': 'application/octet-stream' }))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => opts.onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      let body: unknown;
      try { body = JSON.parse(xhr.responseText); } catch { body = undefined; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as UploadAnswer);
      else {
        const err = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
        reject(new ApiRequestError(xhr.status, err?.code ?? `HTTP_${xhr.status}`, err?.message ?? (xhr.statusText || 'upload failed')));
      }
    };
    xhr.onerror = () => reject(new ApiRequestError(0, 'NETWORK', 'The server could not be reached.'));
    xhr.onabort = () => reject(new ApiRequestError(0, 'ABORTED', 'Upload cancelled.'));
    opts.signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}

/** Characters of one server-sent event: a job is a few hundred; past this the stream is not ours. */
const SSE_EVENT_MAX_CHARS = 64 * 1024;

/**
 * Follows a capture's job by Server-Sent Events: `onJob` on every progress event and once on the
 * final one. Returns a function that stops following. Read with fetch, not EventSource: an
 * EventSource cannot send the API key, and a private capture's events are "not found" without it.
 */
export function followJob(id: string, onJob: (job: Job, final: boolean) => void, onError?: (e: Error) => void): () => void {
  const ac = new AbortController();
  let finished = false;
  const dispatch = (block: string): void => {
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trimStart();
    }
    if (event !== 'progress' && event !== 'done' && event !== 'failed') return;
    finished ||= event !== 'progress';
    try { onJob(JSON.parse(data) as Job, event !== 'progress'); } catch { /* a malformed event is skipped */ }
  };
  void (async () => {
    const r = await fetch(capturePath(id, '/events'), { headers: headers({ accept: 'text/event-stream' }), signal: ac.signal });
    if (!r.ok || !r.body) throw await failure(r);
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value.replace(/\r\n?/g, '\n');
      for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
        dispatch(buf.slice(0, end));
        buf = buf.slice(end + 2);
      }
      if (buf.length > SSE_EVENT_MAX_CHARS) throw new ApiRequestError(0, 'BAD_EVENT_STREAM', 'The progress stream sent an oversized event.');
    }
    if (!finished) throw new ApiRequestError(0, 'NETWORK', 'The progress stream ended before the job did.');
  })().catch((e: Error) => { if (!ac.signal.aborted) onError?.(e); });
  return () => ac.abort();
}
