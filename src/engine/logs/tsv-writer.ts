/**
 * Zeek's tab-separated format: `#separator`, `#set_separator`, `#empty_field`, `#unset_field`,
 * `#path`, `#open`, `#fields`, `#types` header lines, a `#close` trailer, and non-printable or
 * separator bytes written as \xNN.
 */
import type { LogRecord, LogSchema } from './schema.js';

export function tsvTimestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}-${p(d.getUTCHours())}-${p(d.getUTCMinutes())}-${p(d.getUTCSeconds())}`;
}

export function tsvHeader(schema: LogSchema, openedAt: Date): string {
  return [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    `#path\t${schema.path}`,
    `#open\t${tsvTimestamp(openedAt)}`,
    '#fields\t' + schema.fields.map((f) => f.name).join('\t'),
    '#types\t' + schema.fields.map((f) => f.type).join('\t'),
  ].join('\n') + '\n';
}

export function tsvTrailer(closedAt: Date): string {
  return `#close\t${tsvTimestamp(closedAt)}\n`;
}

/** Escapes a string value: backslash, tab, newline and other non-printables as \xNN. */
export function escapeTsv(s: string, inSet: boolean): string {
  if (s === '') return inSet ? '' : '';
  if (s === '-' || s === '(empty)') return '\\x' + s.charCodeAt(0).toString(16).padStart(2, '0') + s.slice(1);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x5c /* \ */ || (inSet && c === 0x2c /* , */)) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += s[i];
  }
  return out;
}

export function tsvLine(schema: LogSchema, rec: LogRecord): string {
  const cols: string[] = [];
  for (const f of schema.fields) {
    const v = rec[f.name];
    if (v === undefined || v === null) { cols.push('-'); continue; }
    switch (f.type) {
      case 'time': case 'interval': case 'double':
        cols.push((v as number).toFixed(6));
        break;
      case 'bool':
        cols.push(v ? 'T' : 'F');
        break;
      case 'count': case 'int': case 'port':
        cols.push(String(v));
        break;
      case 'set[string]': case 'set[addr]': case 'set[enum]': case 'vector[string]': case 'vector[addr]':
      case 'vector[count]': case 'vector[interval]': {
        const arr = v as unknown[];
        const fmt = f.type === 'vector[interval]' ? (x: unknown) => (x as number).toFixed(6)
          : (x: unknown) => (typeof x === 'number' ? String(x) : escapeTsv(String(x), true));
        cols.push(arr.length === 0 ? '(empty)' : arr.map(fmt).join(','));
        break;
      }
      default:
        cols.push(v === '' ? '(empty)' : escapeTsv(String(v), false));
    }
  }
  return cols.join('\t') + '\n';
}
