/**
 * Zeek-style JSON lines: one object per record, flat dotted keys, absent fields omitted, sets and
 * vectors as arrays, times as epoch seconds.
 */
import type { LogRecord, LogSchema } from './schema.js';
import { formatSeconds } from './format.js';

export function jsonLine(schema: LogSchema, rec: LogRecord): string {
  let out = '{';
  let first = true;
  for (const f of schema.fields) {
    const v = rec[f.name];
    if (v === undefined || v === null) continue;
    if (!first) out += ',';
    first = false;
    out += '"' + f.name + '":';
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
      default:
        out += JSON.stringify(v);
    }
  }
  return out + '}\n';
}
