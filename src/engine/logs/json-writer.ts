/**
 * Zeek-style JSON lines: one object per record, flat dotted keys, absent fields omitted, sets and
 * vectors as arrays, times as epoch seconds.
 */
import type { LogRecord, LogSchema } from './schema.js';
import { formatSeconds } from './format.js';

/** Per schema, the `"name":` key text of every field, built once (field names are our own). */
const keyCache = new WeakMap<LogSchema, string[]>();

function keysOf(schema: LogSchema): string[] {
  let keys = keyCache.get(schema);
  if (!keys) {
    keys = schema.fields.map((f) => JSON.stringify(f.name) + ':');
    keyCache.set(schema, keys);
  }
  return keys;
}

export function jsonLine(schema: LogSchema, rec: LogRecord): string {
  const keys = keysOf(schema);
  const fields = schema.fields;
  let out = '{';
  let first = true;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const v = rec[f.name];
    if (v === undefined || v === null) continue;
    out += first ? keys[i] : ',' + keys[i];
    first = false;
    switch (f.type) {
      case 'time': case 'interval': case 'double':
        out += formatSeconds(v as number);
        break;
      case 'count': case 'int': case 'port':
        out += String(v);
        break;
      case 'bool':
        out += v ? 'true' : 'false';
        break;
      case 'vector[interval]':
        out += '[' + (v as number[]).map(formatSeconds).join(',') + ']';
        break;
      case 'vector[count]':
        out += '[' + (v as number[]).join(',') + ']';
        break;
      case 'addr':
        out += '"' + (v as string) + '"'; // formatted by us: digits, hex, dots and colons
        break;
      default:
        out += f.plain ? '"' + (v as string) + '"' : JSON.stringify(v);
    }
  }
  return out + '}\n';
}
