/**
 * Zeek-style JSON lines: one object per record, flat dotted keys, absent fields omitted, sets and
 * vectors as arrays, times as epoch seconds.
 *
 * Each schema gets its own encoder, generated once: a function that reads the schema's fields by
 * their literal names, in order, with the formatting of each field's type written in place. A
 * generic loop (`rec[field.name]`, then a switch on the type) made every property read a
 * megamorphic keyed lookup across all the logs' record shapes; the generated reads are named
 * loads that V8 caches per record shape, which took about a fifth off encoding a line (a log line
 * is written for every record the engine makes: it was the largest single cost above the packet
 * path). The generated code only contains field names (our own, quoted with JSON.stringify) and
 * the fixed expressions below; no text from traffic ever reaches it.
 */
import type { FieldSpec, LogRecord, LogSchema } from './schema.js';
import { formatSeconds } from './format.js';

/** A schema's line encoder: the record as one JSON line, newline included. */
export type JsonLineEncoder = (rec: LogRecord) => string;

const encoders = new WeakMap<LogSchema, JsonLineEncoder>();

/** The encoder for `schema`, generated on first use. */
export function jsonEncoder(schema: LogSchema): JsonLineEncoder {
  let enc = encoders.get(schema);
  if (!enc) {
    enc = compileEncoder(schema);
    encoders.set(schema, enc);
  }
  return enc;
}

export function jsonLine(schema: LogSchema, rec: LogRecord): string {
  return jsonEncoder(schema)(rec);
}

/**
 * Characters JSON.stringify would escape in a string: the quote, the backslash, controls, and
 * surrogates (it escapes lone ones; paired ones are left to it too, being rare).
 */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `JSON.stringify(v)`, byte for byte, with a fast path for the common case of a string with
 * nothing to escape: a native JSON.stringify call per field value was ~1 % of a full analysis
 * (building and truncating its result string), the regex test far less. Arrays go to
 * JSON.stringify as before: a loop here is inlined into every compiled encoder.
 */
function jsonText(v: unknown): string {
  return typeof v === 'string' && !NEEDS_ESCAPE.test(v) ? '"' + v + '"' : JSON.stringify(v);
}

/** The JavaScript expression formatting a present value `v` of field `f`. */
function valueExpression(f: FieldSpec): string {
  switch (f.type) {
    case 'time': case 'interval': case 'double':
      return 'fmt(v)';
    case 'count': case 'int': case 'port':
      return 'String(v)';
    case 'bool':
      return "(v ? 'true' : 'false')";
    case 'vector[interval]':
      return "'[' + v.map(fmt).join(',') + ']'";
    case 'vector[count]':
      return "'[' + v.join(',') + ']'";
    case 'addr':
      return `'"' + v + '"'`; // formatted by us: digits, hex, dots and colons
    default:
      return f.plain ? `'"' + v + '"'` : 'json(v)';
  }
}

function compileEncoder(schema: LogSchema): JsonLineEncoder {
  const q = (s: string) => JSON.stringify(s);
  // `s.length === 1`: nothing but the opening brace yet, so no comma before this key.
  const body = schema.fields.map((f) => {
    const key = q(f.name) + ':';
    return `v = rec[${q(f.name)}];\n` +
      `if (v !== undefined && v !== null) s += (s.length === 1 ? ${q(key)} : ${q(',' + key)}) + ${valueExpression(f)};\n`;
  }).join('');
  const name = `${schema.path.replace(/[^A-Za-z0-9_]/g, '_')}JsonLine`;
  const make = new Function('fmt', 'json', `return function ${name}(rec) {\nlet s = '{', v;\n${body}return s + '}\\n';\n};`);
  return make(formatSeconds, jsonText) as JsonLineEncoder;
}
