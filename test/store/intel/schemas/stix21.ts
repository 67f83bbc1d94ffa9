/**
 * The part of STIX 2.1 our exports use, as a JSON Schema (draft-07, for ajv). No npm package ships
 * the STIX 2.1 JSON schemas (the OASIS ones live only in their repository; npm's STIX packages are
 * libraries without them), so this is written from the specification (STIX 2.1 OS, §2 common data
 * types, §3 common properties, §4 SDOs, §5 SROs, §6 SCOs) for the objects we emit: bundle,
 * identity, indicator, malware, campaign, threat-actor, relationship, observed-data, and the SCOs
 * domain-name, ipv4-addr, ipv6-addr, file and x509-certificate. Where the specification says MUST,
 * the schema does; open vocabularies stay open (any string), as the spec allows.
 */

/** §2.9 identifier: `<type>--<UUID>` (RFC 4122, any version 1-5; 2.1 SCOs use v5). */
const IDENTIFIER = '^[a-z][a-z0-9-]+[a-z0-9]--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$';
/** §2.14 timestamp: RFC 3339, UTC with Z. */
const TIMESTAMP = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$';
/** §3.2: created and modified MUST be precise to the nearest millisecond. */
const TIMESTAMP_MILLIS = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$';

const id = (type: string) => ({ type: 'string', allOf: [{ pattern: IDENTIFIER }, { pattern: `^${type}--` }] });
const ref = { type: 'string', pattern: IDENTIFIER };
const ts = { type: 'string', pattern: TIMESTAMP };
const strings = { type: 'array', minItems: 1, items: { type: 'string' } };

/** §3.1: property names are a-z, 0-9 and _, 3 to 250 characters (`id` is the one defined shorter). */
const PROPERTY_NAMES = { anyOf: [{ enum: ['id'] }, { pattern: '^[a-z0-9_]{3,250}$' }] };

/** §3.2 common properties of SDOs and SROs. */
function sdo(type: string, properties: Record<string, unknown>, required: string[], extra: Record<string, unknown> = {}) {
  return {
    type: 'object',
    propertyNames: PROPERTY_NAMES,
    properties: {
      type: { const: type },
      spec_version: { const: '2.1' },
      id: id(type),
      created_by_ref: ref,
      created: { type: 'string', pattern: TIMESTAMP_MILLIS },
      modified: { type: 'string', pattern: TIMESTAMP_MILLIS },
      revoked: { type: 'boolean' },
      labels: strings,
      confidence: { type: 'integer', minimum: 0, maximum: 100 },
      lang: { type: 'string' },
      object_marking_refs: { type: 'array', minItems: 1, items: ref },
      ...properties,
    },
    required: ['type', 'spec_version', 'id', 'created', 'modified', ...required],
    ...extra,
  };
}

/** §6.1 common properties of SCOs (no created/modified: they are not versioned). */
function sco(type: string, properties: Record<string, unknown>, extra: Record<string, unknown>) {
  return {
    type: 'object',
    propertyNames: PROPERTY_NAMES,
    properties: { type: { const: type }, spec_version: { const: '2.1' }, id: id(type), defanged: { type: 'boolean' }, ...properties },
    not: { anyOf: [{ required: ['created'] }, { required: ['modified'] }] },
    required: ['type', 'id'],
    ...extra,
  };
}

/** §2.7 hashes: hash-algorithm-ov keys; the values of the ones we emit have fixed lengths. */
const HASHES = {
  type: 'object', minProperties: 1,
  propertyNames: { pattern: '^[a-zA-Z0-9_-]{3,250}$' },
  properties: {
    MD5: { type: 'string', pattern: '^[a-fA-F0-9]{32}$' },
    'SHA-1': { type: 'string', pattern: '^[a-fA-F0-9]{40}$' },
    'SHA-256': { type: 'string', pattern: '^[a-fA-F0-9]{64}$' },
  },
  additionalProperties: { type: 'string' },
};

export const OBJECT_SCHEMAS: Record<string, Record<string, unknown>> = {
  identity: sdo('identity', { name: { type: 'string', minLength: 1 }, identity_class: { type: 'string' }, description: { type: 'string' } }, ['name']),
  indicator: sdo('indicator', {
    name: { type: 'string' }, description: { type: 'string' }, indicator_types: strings,
    pattern: { type: 'string', minLength: 1 }, pattern_type: { type: 'string', minLength: 1 }, pattern_version: { type: 'string' },
    valid_from: ts, valid_until: ts,
  }, ['pattern', 'pattern_type', 'valid_from']),
  // §4.11: is_family required; a family MUST have a name.
  malware: sdo('malware', { name: { type: 'string', minLength: 1 }, is_family: { type: 'boolean' }, malware_types: strings },
    ['is_family'], { if: { properties: { is_family: { const: true } } }, then: { required: ['name'] } }),
  campaign: sdo('campaign', { name: { type: 'string', minLength: 1 }, description: { type: 'string' } }, ['name']),
  'threat-actor': sdo('threat-actor', { name: { type: 'string', minLength: 1 }, threat_actor_types: strings }, ['name']),
  relationship: sdo('relationship', {
    relationship_type: { type: 'string', pattern: '^[a-z0-9-]+$' }, source_ref: ref, target_ref: ref, description: { type: 'string' },
  }, ['relationship_type', 'source_ref', 'target_ref']),
  // §4.13: number_observed 1..999,999,999; exactly one of objects (deprecated) and object_refs.
  'observed-data': sdo('observed-data', {
    first_observed: ts, last_observed: ts, number_observed: { type: 'integer', minimum: 1, maximum: 999_999_999 },
    object_refs: { type: 'array', minItems: 1, items: ref },
  }, ['first_observed', 'last_observed', 'number_observed'], { oneOf: [{ required: ['object_refs'] }, { required: ['objects'] }] }),
  'domain-name': sco('domain-name', { value: { type: 'string', minLength: 1 } }, { required: ['type', 'id', 'value'] }),
  'ipv4-addr': sco('ipv4-addr', { value: { type: 'string', pattern: '^[0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]{1,2})?$' } }, { required: ['type', 'id', 'value'] }),
  'ipv6-addr': sco('ipv6-addr', { value: { type: 'string', pattern: '^[0-9a-fA-F:.]+(/[0-9]{1,3})?$' } }, { required: ['type', 'id', 'value'] }),
  // §6.7: a file has hashes or a name.
  file: sco('file', { hashes: HASHES, name: { type: 'string' }, size: { type: 'integer', minimum: 0 } }, { anyOf: [{ required: ['hashes'] }, { required: ['name'] }] }),
  // §6.18: at least one property of the certificate besides the common ones.
  'x509-certificate': sco('x509-certificate', { hashes: HASHES, serial_number: { type: 'string' }, subject: { type: 'string' }, issuer: { type: 'string' } },
    { anyOf: ['hashes', 'serial_number', 'subject', 'issuer', 'version', 'is_self_signed', 'validity_not_before', 'validity_not_after'].map((p) => ({ required: [p] })) }),
};

/** §8 bundle: `type`, `id`; every object one of the types above (each checked against its schema). */
export const STIX21_BUNDLE_SCHEMA = {
  type: 'object',
  properties: {
    type: { const: 'bundle' },
    id: id('bundle'),
    objects: {
      type: 'array', minItems: 1,
      items: {
        type: 'object', required: ['type'],
        properties: { type: { enum: Object.keys(OBJECT_SCHEMAS) } },
        allOf: Object.entries(OBJECT_SCHEMAS).map(([type, schema]) => ({ if: { properties: { type: { const: type } } }, then: schema })),
      },
    },
  },
  required: ['type', 'id'],
  // §8: a bundle is not a STIX object: no spec_version (2.0 had one), no created.
  not: { anyOf: [{ required: ['spec_version'] }, { required: ['created'] }] },
};
