/**
 * Store.logRows on every backend (run from suite.ts): one log of one capture filtered by the query
 * language and sorted by any field, paged, with the filtered total. Orders are checked against a
 * comparator written from the documented rule (query/log-view.ts), over records holding numbers,
 * booleans, text (mixed case, non-ASCII), absent and null values, and a real capture's conn log.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANONYMOUS, type CaptureMeta, type Store, type StoredRecord } from '../../src/store/store.js';
import { CONN_LOG } from '../../src/engine/logs/conn-log.js';
import { DNS_LOG } from '../../src/engine/analyzers/dns/dns-log.js';
import { importCaptureFile } from '../../src/cli/capture-import.js';
import { LOG_VIEW_MAX_ROWS } from '../../src/store/limits.js';
import { LOG_FIELDS_PAGE_MAX, scanLogFields } from '../../src/store/log-rows.js';
import type { LogRecord } from '../../src/engine/logs/schema.js';
import { pcap } from '../helpers.js';

const ID_A = 'c'.repeat(64);
const ID_B = 'd'.repeat(64);
const meta = (id: string, extra: Partial<CaptureMeta> = {}): CaptureMeta => ({ id, md5: id.slice(0, 32), sha1: id.slice(0, 40), size: 1, name: 'views', ...extra });

const SERVICES = ['http', 'DNS', 'ssl', 'éclair', 'Zed', 'a b', undefined];
/** conn records: duration a number, absent or null; service text or absent; orig_h a spread of addresses. */
function conns(n: number, ts0: number): LogRecord[] {
  const out: LogRecord[] = [];
  for (let i = 0; i < n; i++) {
    const rec: LogRecord = {
      ts: ts0 + ((i * 37) % n), uid: `CView${String(i).padStart(13, '0')}`, 'id.orig_h': `10.0.${i % 3}.${(i * 7) % 250}`,
      'id.orig_p': 1000 + i, 'id.resp_h': i % 4 === 0 ? '192.0.2.1' : '198.51.100.9', 'id.resp_p': i % 2 ? 443 : 53, proto: 'tcp',
      orig_bytes: (i * 7919) % 1000,
    };
    if (i % 5 !== 0) rec.duration = ((i * 13) % 17) / 4;
    const s = SERVICES[i % SERVICES.length];
    if (s !== undefined) rec.service = s;
    out.push(rec);
  }
  return out;
}

/** The documented order of a document value: present before absent/null, numbers (bools 0/1), text by bytes, JSON. */
function rank(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return 2;
  return 3;
}
function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a); const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) return Number(a) - Number(b);
  if (ra === 2) return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string));
  return 0;
}
/** Address fields of conn (schema type addr): IPv4 then IPv6 by value, then other text by bytes (address-order.ts). */
const ADDR_FIELDS = new Set(['id.orig_h', 'id.resp_h']);
function addrClass(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string' && isIPv4(v) && !/(^|\.)0\d/.test(v)) return 1;
  if (typeof v === 'string' && isIPv6(v) && !/[.%]/.test(v)) return 2;
  return 3;
}
/** An address's value: IPv4 from its octets, IPv6 from its groups with `::` expanded. */
function addrValue(v: string): bigint {
  if (v.includes('.')) return v.split('.').reduce((n, o) => n * 256n + BigInt(o), 0n);
  const [head, tail] = v.includes('::') ? v.split('::').map((x) => (x ? x.split(':') : [])) : [v.split(':'), []];
  return [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail].reduce((n, g) => n * 65536n + BigInt(parseInt(g, 16)), 0n);
}
function compareAddrs(a: unknown, b: unknown): number {
  const ca = addrClass(a); const cb = addrClass(b);
  if (ca !== cb) return ca - cb;
  if (ca === 1 || ca === 2) { const x = addrValue(a as string); const y = addrValue(b as string); return x < y ? -1 : x > y ? 1 : 0; }
  if (ca === 3) return Buffer.compare(Buffer.from(String(a)), Buffer.from(String(b)));
  return 0;
}

function expectedOrder(recs: StoredRecord[], field: string, desc: boolean): number[] {
  const val = (r: StoredRecord) => (field === 'ts' ? r.ts : r.doc[field]);
  if (ADDR_FIELDS.has(field)) {
    return [...recs].sort((x, y) => {
      const ax = addrClass(val(x)) === 0; const ay = addrClass(val(y)) === 0;
      if (ax !== ay) return ax ? 1 : -1;
      const c = compareAddrs(val(x), val(y)) || x.id - y.id;
      return desc ? -c : c;
    }).map((r) => r.id);
  }
  return [...recs].sort((x, y) => {
    const ax = rank(val(x)) === 0; const ay = rank(val(y)) === 0;
    // ts as the plain log pages: a record without one is the smallest; other fields: absent last both ways.
    if (ax !== ay && field === 'ts') return (ax ? -1 : 1) * (desc ? -1 : 1);
    if (ax !== ay) return ax ? 1 : -1;
    const c = compareValues(val(x), val(y)) || x.id - y.id;
    return desc ? -c : c;
  }).map((r) => r.id);
}

async function allPages(store: Store, id: string, log: string, q: string | undefined, sort: string, page: number): Promise<{ ids: number[]; total: number }> {
  const ids: number[] = [];
  let total = -1;
  for (let offset = 0; ; offset += page) {
    const r = await store.logRows(id, log, { q, sort, limit: page, offset });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    if (total >= 0) assert.equal(r.total, total, 'the total is the same on every page');
    total = r.total;
    ids.push(...r.rows.map((x) => x.id));
    for (const x of r.rows) assert.deepEqual([x.captureId, x.log], [id, log]);
    if (r.rows.length < page) break;
  }
  return { ids, total };
}

export function logViewSuite(backend: string, open: () => Promise<Store>): void {
  describe(`Store.logRows on ${backend}`, () => {
    it('sorts by any field in both directions, pages consistently, and counts the whole log', async () => {
      const store = await open();
      try {
        await store.importCapture(meta(ID_A), async (sink) => {
          const recs = conns(300, 1_700_000_000);
          for (const i of [5, 150, 299]) delete recs[i].ts; // no time: records from elsewhere may lack one
          for (const r of recs) sink.write(CONN_LOG, r);
          sink.write(DNS_LOG, { ts: 1_700_000_000, uid: 'CDns00000000000001', 'id.orig_h': '10.0.0.1', 'id.orig_p': 1, 'id.resp_h': '10.0.0.2', 'id.resp_p': 53, proto: 'udp', query: 'example.com' });
        });
        await store.importCapture(meta(ID_B), async (sink) => { for (const r of conns(40, 1_600_000_000)) sink.write(CONN_LOG, r); });
        const all = await store.records(ID_A, 'conn', { limit: 1000 });
        assert.equal(all.length, 300);
        for (const field of ['duration', 'service', 'orig_bytes', 'id.orig_h', 'ts', 'uid']) {
          for (const desc of [false, true]) {
            const sort = desc ? `-${field}` : field;
            const got = await allPages(store, ID_A, 'conn', undefined, sort, 47);
            assert.equal(got.total, 300, sort);
            assert.deepEqual(got.ids, expectedOrder(all, field, desc), sort);
          }
        }
        // A field no record holds: every record, in id order (absent everywhere).
        const none = await allPages(store, ID_A, 'conn', undefined, 'no_such_field', 100);
        assert.deepEqual(none.ids, all.map((r) => r.id).sort((a, b) => a - b));
        // ts through the ids path (a filter matching everything) pages as the plain view, both ways.
        for (const sort of ['ts', '-ts']) {
          assert.deepEqual((await allPages(store, ID_A, 'conn', '*', sort, 64)).ids, (await allPages(store, ID_A, 'conn', undefined, sort, 64)).ids, sort);
        }
        assert.equal(all.filter((r) => r.ts === null).length, 3);
        // The plain view (no filter, ts) agrees with records() and counts the log alone (not dns, not capture B).
        const plain = await store.logRows(ID_A, 'conn', { limit: 5, sort: '-ts' });
        assert.equal(plain.total, 300);
        assert.deepEqual(plain.rows.map((r) => r.id), (await store.records(ID_A, 'conn', { limit: 5, sort: '-ts' })).map((r) => r.id));
        assert.equal((await store.logRows(ID_A, 'dns')).total, 1);
      } finally {
        await store.close();
      }
    });

    it('filters with the query language inside the capture and log, with the filtered total', async () => {
      const store = await open();
      try {
        await store.importCapture(meta(ID_A), async (sink) => { for (const r of conns(300, 1_700_000_000)) sink.write(CONN_LOG, r); });
        await store.importCapture(meta(ID_B), async (sink) => { for (const r of conns(40, 1_600_000_000)) sink.write(CONN_LOG, r); });
        const all = await store.records(ID_A, 'conn', { limit: 1000 });
        const cases: [string, (r: StoredRecord) => boolean][] = [
          ['id.resp_h:192.0.2.1', (r) => r.doc['id.resp_h'] === '192.0.2.1'],
          ['id.orig_h:10.0.1.0/24', (r) => String(r.doc['id.orig_h']).startsWith('10.0.1.')],
          ['conn.duration:>2', (r) => typeof r.doc.duration === 'number' && r.doc.duration > 2],
          ['conn.duration:<1 AND id.resp_p:443', (r) => typeof r.doc.duration === 'number' && r.doc.duration < 1 && r.doc['id.resp_p'] === 443],
          ['conn.service:*cl*', (r) => typeof r.doc.service === 'string' && r.doc.service.toLowerCase().includes('cl')],
          ['conn.service:"a b"', (r) => r.doc.service === 'a b'],
          ['NOT conn.service:http', (r) => r.doc.service !== 'http'],
        ];
        for (const [q, keep] of cases) {
          const expected = expectedOrder(all.filter(keep), 'orig_bytes', true);
          assert.ok(expected.length > 0 && expected.length < 300, `${q}: ${expected.length}`);
          const got = await allPages(store, ID_A, 'conn', q, '-orig_bytes', 33);
          assert.equal(got.total, expected.length, q);
          assert.deepEqual(got.ids, expected, q);
          // ts order through the same filter (the ids path, not the plain one).
          assert.deepEqual((await allPages(store, ID_A, 'conn', q, 'ts', 1000)).ids, expectedOrder(all.filter(keep), 'ts', false), `${q} by ts`);
        }
        // The filter cannot reach out of its capture or log.
        const other = await store.logRows(ID_A, 'conn', { q: 'capture:' + ID_B, limit: 10 });
        assert.deepEqual([other.total, other.rows.length], [0, 0]);
      } finally {
        await store.close();
      }
    });

    it('answers bad filters and sort fields with an error, hides what the viewer may not see, and forgets a replaced import', async () => {
      const store = await open();
      try {
        await store.importCapture(meta(ID_A, { visibility: 'private', submitter: 'key_000000000001' }), async (sink) => { for (const r of conns(30, 1_700_000_000)) sink.write(CONN_LOG, r); });
        for (const [q, sort] of [['conn.duration:', 'ts'], ['conn.nope:1', 'ts'], ['* | count', 'ts'], ['', 'bad field'], ['', '-'], ['', 'x'.repeat(200)], ['', "a'); DROP TABLE records; --"]]) {
          const r = await store.logRows(ID_A, 'conn', { q, sort });
          assert.ok(r.error, `${q} / ${sort}`);
          assert.deepEqual([r.rows.length, r.total], [0, 0]);
        }
        assert.equal((await store.logRows(ID_A, 'conn', { sort: 'duration' })).total, 30);
        const hidden = await store.logRows(ID_A, 'conn', { sort: 'duration', viewer: ANONYMOUS });
        assert.deepEqual([hidden.rows.length, hidden.total], [0, 0]);
        assert.equal((await store.logRows(ID_A, 'conn', { sort: 'duration', viewer: { keyId: 'key_000000000001' } })).total, 30);
        // Re-imported with other records: the cached order of the first import is not served.
        await store.importCapture(meta(ID_A), async (sink) => { for (const r of conns(12, 1_700_000_000)) sink.write(CONN_LOG, r); });
        const again = await store.logRows(ID_A, 'conn', { sort: 'duration', limit: 100 });
        assert.equal(again.total, 12);
        assert.deepEqual(again.rows.map((r) => r.id), expectedOrder(await store.records(ID_A, 'conn', { limit: 100 }), 'duration', false));
        assert.ok(LOG_VIEW_MAX_ROWS >= 1_000_000, 'a 1M-record log stays sortable');
      } finally {
        await store.close();
      }
    });

    it('sorts address fields numerically, IPv4 before IPv6, anything else after by text, in both directions', async () => {
      const store = await open();
      try {
        const values = [
          '192.168.0.1', '10.0.0.10', '9.1.1.1', '10.0.0.9', '10.0.0.100', '255.255.255.255', '0.0.0.0', '2001:db8::1', '::1', '::',
          '2001:db8:0:0:0:0:0:2', 'fe80::1:2', 'FE80::1:1', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8',
          // Not addresses in the forms ordered by value: by text, after them.
          'not-an-ip', '999.1.1.1', '01.2.3.4', '::ffff:1.2.3.4', 'fe80::1%eth0', '1:2:3:4:5:6::7:8', '1::2::3', '', '10.0.0.1 ', 'ä',
          undefined,
        ];
        await store.importCapture(meta(ID_A), async (sink) => {
          values.forEach((v, i) => {
            const rec: LogRecord = { ts: 1_700_000_000 + i, uid: `CAddr${String(i).padStart(13, '0')}`, 'id.orig_h': '10.0.0.1', 'id.orig_p': 1, 'id.resp_p': i % 2 ? 443 : 80, proto: 'tcp' };
            if (v !== undefined) rec['id.resp_h'] = v;
            sink.write(CONN_LOG, rec);
          });
        });
        const all = await store.records(ID_A, 'conn', { limit: 1000 });
        assert.equal(all.length, values.length);
        const byId = new Map(all.map((r) => [r.id, r.doc['id.resp_h']]));
        for (const sort of ['id.resp_h', '-id.resp_h']) {
          const got = await allPages(store, ID_A, 'conn', undefined, sort, 10);
          assert.deepEqual(got.ids.map((i) => byId.get(i)), expectedOrder(all, 'id.resp_h', sort.startsWith('-')).map((i) => byId.get(i)), sort);
        }
        const asc = (await allPages(store, ID_A, 'conn', undefined, 'id.resp_h', 100)).ids.map((i) => byId.get(i));
        assert.deepEqual(asc.slice(0, 5), ['0.0.0.0', '9.1.1.1', '10.0.0.9', '10.0.0.10', '10.0.0.100'], 'numeric, not text');
        assert.ok(asc.indexOf('255.255.255.255') < asc.indexOf('::'), 'IPv4 before IPv6');
        assert.ok(asc.indexOf('FE80::1:1') < asc.indexOf('fe80::1:2'), 'IPv6 by value, whatever the case of its digits');
        assert.equal(asc.at(-1), undefined, 'absent last');
        // A filter through the same order.
        const filtered = await allPages(store, ID_A, 'conn', 'id.resp_p:443', '-id.resp_h', 7);
        assert.equal(filtered.total, Math.floor(values.length / 2));
        assert.deepEqual(filtered.ids, expectedOrder(all.filter((r) => r.doc['id.resp_p'] === 443), 'id.resp_h', true));
      } finally {
        await store.close();
      }
    });

    it('reads chosen fields of a whole log in ts order, a page at a time after a cursor (Store.logFields)', async () => {
      const store = await open();
      try {
        await store.importCapture(meta(ID_A), async (sink) => {
          const recs = conns(300, 1_700_000_000);
          for (const i of [5, 150, 299]) delete recs[i].ts;
          recs.forEach((r, i) => { if (i % 3 === 0) r.local_orig = i % 2 === 0; });
          for (const r of recs) sink.write(CONN_LOG, r);
          sink.write(DNS_LOG, { ts: 1_700_000_000, uid: 'CDns00000000000001', 'id.orig_h': '10.0.0.1', 'id.orig_p': 1, 'id.resp_h': '10.0.0.2', 'id.resp_p': 53, proto: 'udp', query: 'example.com' });
        });
        await store.importCapture(meta(ID_B), async (sink) => { for (const r of conns(40, 1_600_000_000)) sink.write(CONN_LOG, r); });
        const all = await store.records(ID_A, 'conn', { limit: 1000 });
        const paths = [['id.orig_h'], ['duration'], ['local_orig'], ['service'], ['orig_bytes']];
        const expected = all.map((r) => [r.ts, ...paths.map(([k]) => r.doc[k] ?? null)]);
        // Pages of 7 cross the records without ts (first) into the rest; one page of all; one path alone.
        for (const pageRows of [7, 1000]) {
          const got: unknown[][] = [];
          const r = await scanLogFields(store, ID_A, 'conn', paths, (ts, v) => got.push([ts, ...v]), { max: 10_000, pageRows });
          assert.deepEqual(r, { read: 300, complete: true });
          assert.deepEqual(got, expected, `pages of ${pageRows}`);
        }
        const one = await store.logFields(ID_A, 'conn', [['uid']], { limit: 5 });
        assert.deepEqual(one.map((x) => [x.id, x.ts, x.values]), all.slice(0, 5).map((x) => [x.id, x.ts, [x.uid]]));
        // Cut at `max`: the first records in ts order, reported incomplete; exactly `max`: complete.
        const cut: unknown[][] = [];
        assert.deepEqual(await scanLogFields(store, ID_A, 'conn', paths, (ts, v) => cut.push([ts, ...v]), { max: 100, pageRows: 30 }), { read: 100, complete: false });
        assert.deepEqual(cut, expected.slice(0, 100));
        assert.deepEqual(await scanLogFields(store, ID_A, 'dns', [['query']], () => {}, { max: 1, pageRows: 30 }), { read: 1, complete: true });
        // The page size is capped; a path that could leave its quotes is refused.
        assert.ok((await store.logFields(ID_A, 'conn', [['uid']], { limit: 1e9 })).length <= LOG_FIELDS_PAGE_MAX);
        assert.throws(() => store.logFields(ID_A, 'conn', [['a"); DROP TABLE records; --']], { limit: 5 }), TypeError);
        assert.throws(() => store.logFields(ID_A, 'conn', [], { limit: 5 }), TypeError);
        assert.deepEqual(await store.logFields('e'.repeat(64), 'conn', [['uid']], { limit: 5 }), []);
      } finally {
        await store.close();
      }
    });

    it('sorts a real capture\'s conn log by bytes as the documents say', async () => {
      const store = await open();
      try {
        const r = await importCaptureFile(store, pcap('mixed-arkime-synthetic-many-protocols.pcap'));
        const all = await store.records(r.captureId, 'conn', { limit: 10_000 });
        assert.ok(all.length > 20);
        const got = await allPages(store, r.captureId, 'conn', undefined, '-resp_bytes', 200);
        assert.deepEqual(got.ids, expectedOrder(all, 'resp_bytes', true));
        const dnsOnly = await allPages(store, r.captureId, 'conn', 'conn.service:dns', 'duration', 200);
        assert.deepEqual(dnsOnly.ids, expectedOrder(all.filter((x) => x.doc.service === 'dns'), 'duration', false));
      } finally {
        await store.close();
      }
    });
  });
}
