/**
 * The order of an address field (a schema field typed `addr`: `id.orig_h`, `id.resp_h`, ...) in a
 * panel's view: numeric, as an analyst reads addresses (9.x < 10.x < 192.x, 10.0.0.9 < 10.0.0.10),
 * IPv4 before IPv6, the same on both backends:
 *
 *   1. IPv4 in dotted-quad form (no leading zeros), by its 32-bit value;
 *   2. IPv6 in hex-groups form (`::` once, no embedded IPv4, no zone), by its 128-bit value;
 *   3. any other value present (a malformed or foreign one: captures are hostile), by its text in
 *      byte order;
 *   then records without the field (absent or null) last in both directions; ties by record id.
 *
 * SQLite has no address type: a deterministic function on the reader connection
 * (ADDR_SORT_KEY_FUNCTION, registered by sqlite-log-rows.ts) turns a value into a blob whose byte
 * order is the order above. PostgreSQL casts class 2 to `inet` (v6 inets compare by address) and
 * computes class 1's value from its four octets; the class comes from the same two patterns as the
 * JS key, and a cast is reached only for text those patterns accept, so no value can make the
 * statement fail. The view's order is computed once and kept (log-view-cache.ts): the key costs
 * one function call per record per view, not per page.
 */
import { type Dialect, type Fragment, frag, join } from './sql.js';

/** The SQLite function giving an address field's sort key (a blob, NULL for absent). */
export const ADDR_SORT_KEY_FUNCTION = 'capdex_addr_sort_key';

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/** Dotted-quad IPv4 (the same text as a POSIX regular expression for PostgreSQL). */
export const IPV4_PATTERN = `^${OCTET}(\\.${OCTET}){3}$`;
const G = '[0-9a-fA-F]{1,4}';
/** IPv6 written as hex groups, `::` at most once, at most 8 groups in all (every form inet accepts of these). */
export const IPV6_PATTERN = '^(' + [
  `(${G}:){7}${G}`,
  `(${G}:){1,7}:`,
  `(${G}:){1,6}:${G}`,
  `(${G}:){1,5}(:${G}){1,2}`,
  `(${G}:){1,4}(:${G}){1,3}`,
  `(${G}:){1,3}(:${G}){1,4}`,
  `(${G}:){1,2}(:${G}){1,5}`,
  `${G}:(:${G}){1,6}`,
  `:((:${G}){1,7}|:)`,
].join('|') + ')$';

const IPV4 = new RegExp(IPV4_PATTERN);
const IPV6 = new RegExp(IPV6_PATTERN);

/** The 16 bytes of an IPv6 address IPV6 accepted. */
function ipv6Bytes(s: string, out: Buffer, at: number): void {
  const dbl = s.indexOf('::');
  const head = dbl < 0 ? s.split(':') : s.slice(0, dbl).split(':').filter(Boolean);
  const tail = dbl < 0 ? [] : s.slice(dbl + 2).split(':').filter(Boolean);
  const groups = [...head, ...new Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  for (let i = 0; i < 8; i++) out.writeUInt16BE(parseInt(groups[i], 16), at + 2 * i);
}

/**
 * The sort key of a value as SQLite's json_extract gives it: null for absent/null, else a blob
 * (class byte, then the address bytes or the text's UTF-8) whose byte order is the documented order.
 */
export function addrSortKey(v: unknown): Buffer | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' && v.length <= 45) {
    if (IPV4.test(v)) {
      const b = Buffer.allocUnsafe(5);
      b[0] = 1;
      const o = v.split('.');
      for (let i = 0; i < 4; i++) b[1 + i] = Number(o[i]);
      return b;
    }
    if (IPV6.test(v)) {
      const b = Buffer.allocUnsafe(17);
      b[0] = 2;
      ipv6Bytes(v, b, 1);
      return b;
    }
  }
  const text = Buffer.from(typeof v === 'string' ? v : String(v));
  const b = Buffer.allocUnsafe(1 + text.length);
  b[0] = 3;
  text.copy(b, 1);
  return b;
}

/**
 * `SELECT id … ORDER BY` the address order of the value at `path` (one JSON path: the schema's),
 * over the records `where` selects. The patterns travel as parameters (their `?` is not SQL's).
 */
export function addressOrder(where: Fragment, path: readonly string[], dir: 'ASC' | 'DESC', dialect: Dialect): Fragment {
  if (dialect === 'sqlite') {
    return join([
      frag(`SELECT id FROM (SELECT records.id AS id, ${ADDR_SORT_KEY_FUNCTION}(json_extract(records.doc, ?)) AS k FROM records WHERE `,
        '$' + path.map((k) => `."${k}"`).join('')),
      where,
      `) ORDER BY (k IS NULL), k ${dir}, id ${dir}`,
    ]);
  }
  // The value's text and JSON type once per row, its class once, then the keys of its class.
  const v4 = [1, 2, 3, 4].map((i) => `split_part(s, '.', ${i})::bigint * ${256 ** (4 - i)}`).join(' + ');
  return join([
    frag("SELECT id FROM (SELECT id, s, (CASE WHEN t IS NULL OR t = 'null' THEN 0 WHEN t = 'string' AND s ~ ? THEN 1"
      + " WHEN t = 'string' AND s ~ ? THEN 2 ELSE 3 END) AS c FROM (SELECT records.id AS id, (records.doc #>> ?::text[]) AS s,"
      + ' jsonb_typeof(records.doc #> ?::text[]) AS t FROM records WHERE ', IPV4_PATTERN, IPV6_PATTERN, [...path], [...path]),
    where,
    `) AS a) AS b ORDER BY (c = 0), c ${dir}, (CASE WHEN c = 1 THEN ${v4} END) ${dir}, (CASE WHEN c = 2 THEN s::inet END) ${dir},`
      + ` (CASE WHEN c = 3 THEN s END) COLLATE "C" ${dir}, id ${dir}`,
  ]);
}
