/**
 * The MISP core format (draft-dulaunoy-misp-core-format-18) as a JSON Schema (draft-07, for ajv),
 * for the event our exports write. No npm package ships a MISP schema, so this is written from the
 * RFC: every Event and Attribute key it says MUST be present, with its JSON type and values
 * (distribution, threat_level_id, analysis, uuids, Unix timestamps as strings, the date), and the
 * category-type table restricted to the types Capdex emits (a type is valid only in the categories
 * the RFC lists it under).
 *
 * Left out on purpose: the instance-local identifiers (Event id, org_id, orgc_id; Attribute id,
 * event_id) — "human-readable identifiers for a specific MISP instance", assigned by the instance
 * that imports the event, so an export from outside MISP has none to give.
 */

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';
const UNIX_TS = { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' };

/** The RFC's valid category-type combinations, for the types Capdex writes. */
export const CATEGORY_TYPES: Record<string, string[]> = {
  'Network activity': ['ip-src', 'ip-dst', 'hostname', 'domain', 'email', 'email-src', 'email-dst', 'url', 'uri', 'user-agent',
    'x509-fingerprint-md5', 'x509-fingerprint-sha1', 'x509-fingerprint-sha256', 'ja3-fingerprint-md5', 'hassh-md5', 'hasshserver-md5', 'community-id', 'comment', 'text'],
  'Payload delivery': ['md5', 'sha1', 'sha256', 'filename', 'ip-src', 'ip-dst', 'hostname', 'domain', 'email', 'email-src', 'email-dst', 'url', 'user-agent',
    'x509-fingerprint-md5', 'x509-fingerprint-sha1', 'x509-fingerprint-sha256', 'ja3-fingerprint-md5', 'hassh-md5', 'hasshserver-md5', 'comment', 'text'],
  'Artifacts dropped': ['md5', 'sha1', 'sha256', 'filename', 'x509-fingerprint-md5', 'x509-fingerprint-sha1', 'x509-fingerprint-sha256', 'comment', 'text'],
  Other: ['comment', 'text', 'other', 'port'],
};

/** Value shapes of the typed attributes (what an importing MISP validates). */
const VALUE_SHAPES: Record<string, string> = {
  md5: '^[0-9a-f]{32}$', sha1: '^[0-9a-f]{40}$', sha256: '^[0-9a-f]{64}$', 'ja3-fingerprint-md5': '^[0-9a-f]{32}$',
  'x509-fingerprint-sha1': '^[0-9a-fA-F]{40}$', 'x509-fingerprint-sha256': '^[0-9a-fA-F]{64}$',
  'ip-dst': '^([0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*)$', domain: '^[^\\s/]+$',
};

const ATTRIBUTE = {
  type: 'object',
  properties: {
    uuid: { type: 'string', pattern: UUID },
    type: { type: 'string' },
    category: { enum: Object.keys(CATEGORY_TYPES) },
    to_ids: { type: 'boolean' },
    value: { type: 'string', minLength: 1 },
    timestamp: UNIX_TS,
    // 0-4 as for events, and 5: inherit the event's.
    distribution: { enum: ['0', '1', '2', '3', '4', '5'] },
    sharing_group_id: { type: 'string', pattern: '^[0-9]+$' },
    deleted: { type: 'boolean' },
    comment: { type: 'string' },
    first_seen: { type: 'string' },
    last_seen: { type: ['string', 'null'] },
  },
  required: ['uuid', 'type', 'category', 'to_ids', 'value', 'timestamp', 'distribution', 'deleted'],
  allOf: [
    ...Object.entries(CATEGORY_TYPES).map(([category, types]) => ({ if: { properties: { category: { const: category } } }, then: { properties: { type: { enum: types } } } })),
    ...Object.entries(VALUE_SHAPES).map(([type, pattern]) => ({ if: { properties: { type: { const: type } } }, then: { properties: { value: { pattern } } } })),
  ],
};

export const MISP_EVENT_SCHEMA = {
  type: 'object',
  required: ['Event'],
  properties: {
    Event: {
      type: 'object',
      properties: {
        uuid: { type: 'string', pattern: UUID },
        published: { type: 'boolean' },
        // "SHOULD NOT be bigger than 256 characters and SHOULD NOT include new-lines".
        info: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^\\r\\n]*$' },
        threat_level_id: { enum: ['1', '2', '3', '4'] },
        analysis: { enum: ['0', '1', '2'] },
        date: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
        timestamp: UNIX_TS,
        publish_timestamp: UNIX_TS,
        distribution: { enum: ['0', '1', '2', '3', '4'] },
        sharing_group_id: { type: 'string', pattern: '^[0-9]+$' },
        attribute_count: { type: 'string', pattern: '^[0-9]+$' },
        Attribute: { type: 'array', items: ATTRIBUTE },
        Tag: { type: 'array', items: { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'] } },
      },
      required: ['uuid', 'published', 'info', 'date', 'timestamp', 'publish_timestamp', 'distribution', 'threat_level_id', 'analysis'],
      // A sharing group only with distribution 4; otherwise its id MUST be "0".
      if: { properties: { distribution: { not: { const: '4' } } } },
      then: { properties: { sharing_group_id: { const: '0' } } },
    },
  },
};
