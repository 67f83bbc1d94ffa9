/**
 * Kerberos: the shared capture against tshark, the session logic on built messages (AS
 * exchange, KRB-ERROR with its Zeek names, ignored pre-authentication errors), and robustness
 * (every truncation, deep and garbage ASN.1, TCP records split at every byte).
 *
 * Deliberate differences from tshark: none in the compared fields. kerberos.log's client is
 * Zeek's "name/REALM" (tshark shows CNameString and realm apart); service is the ticket's sname
 * from the reply (tshark lists the sname of the AP-REQ ticket in the request's padata first).
 * mixed-arkime-synthetic-many-protocols.pcap: its synthetic KRB-ERROR (frame 559) lacks the
 * required stime/susec; tshark reports BER errors and shows no error_code, we read error-code [6]
 * (KDC_ERR_C_PRINCIPAL_UNKNOWN) as Zeek's tag-driven parser does. Its raw AS-REQs over TCP
 * without the 4-byte prefix (frame 418) and a record whose prefix claims 65792 bytes (frame 769)
 * are not parsed; tshark does not decode them either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { AnalyzerContext } from '../../../../src/engine/analyzers/analyzer.js';
import { KERBEROS_ANALYZERS } from '../../../../src/engine/analyzers/kerberos/index.js';
import { MSG, parseKrb } from '../../../../src/engine/analyzers/kerberos/parser.js';
import { LIMITS } from '../../../../src/engine/support/limits.js';
import { pcap, run } from '../../../helpers.js';
import { buildPcap, writeTemp, type FrameSpec } from '../../../support/build-pcap.js';

const CAPTURE = 'kerberos-login.pcap';

function tshark(fields: string[], filter: string): string[][] {
  const out = execFileSync('tshark', ['-r', pcap(CAPTURE), '-Y', filter, '-T', 'fields', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

// ---- DER builders ----
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const c = Buffer.concat(content);
  const len = c.length < 128 ? Buffer.from([c.length]) : c.length < 256 ? Buffer.from([0x81, c.length]) : Buffer.from([0x82, c.length >> 8, c.length & 255]);
  return Buffer.concat([Buffer.from([tag]), len, c]);
}
const ctx = (n: number, ...c: Buffer[]) => tlv(0xa0 | n, ...c);
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const int = (n: number) => tlv(0x02, Buffer.from([n]));
const gstr = (s: string) => tlv(0x1b, Buffer.from(s, 'latin1'));
const gtime = (s: string) => tlv(0x18, Buffer.from(s, 'latin1'));
const pname = (...parts: string[]) => seq(ctx(0, int(1)), ctx(1, seq(...parts.map(gstr))));

function asReq(opts: number[], cname: string[], realm: string, sname: string[]): Buffer {
  const body = seq(ctx(0, tlv(0x03, Buffer.from([0, ...opts]))), ctx(1, pname(...cname)), ctx(2, gstr(realm)), ctx(3, pname(...sname)),
    ctx(4, gtime('20240102030405Z')), ctx(5, gtime('20370913024805Z')), ctx(7, int(7)), ctx(8, seq(int(18), int(23))));
  return tlv(0x6a, seq(ctx(1, int(5)), ctx(2, int(10)), ctx(4, body)));
}
function asRep(cname: string[], realm: string, sname: string[], etype: number): Buffer {
  const ticket = tlv(0x61, seq(ctx(0, int(5)), ctx(1, gstr(realm)), ctx(2, pname(...sname)), ctx(3, seq(ctx(0, int(etype)), ctx(2, tlv(0x04, Buffer.alloc(16)))))));
  return tlv(0x6b, seq(ctx(0, int(5)), ctx(1, int(11)), ctx(3, gstr(realm)), ctx(4, pname(...cname)), ctx(5, ticket),
    ctx(6, seq(ctx(0, int(etype)), ctx(2, tlv(0x04, Buffer.alloc(8)))))));
}
function krbError(code: number, realm: string, sname: string[], text?: string, cname?: string[]): Buffer {
  return tlv(0x7e, seq(ctx(0, int(5)), ctx(1, int(30)), ctx(4, gtime('20240102030405Z')), ctx(5, int(0)), ctx(6, int(code)),
    ...(cname ? [ctx(7, gstr(realm)), ctx(8, pname(...cname))] : []), ctx(9, gstr(realm)), ctx(10, pname(...sname)),
    ...(text !== undefined ? [ctx(11, gstr(text))] : [])));
}

const C = '10.0.0.1', K = '10.0.0.88';
const req = (ts: number, b: Buffer, sport = 40000): FrameSpec => ({ ts, src: C, dst: K, proto: 'udp', sport, dport: 88, payload: b });
const rsp = (ts: number, b: Buffer, dport = 40000): FrameSpec => ({ ts, src: K, dst: C, proto: 'udp', sport: 88, dport, payload: b });

test(`${CAPTURE}: one TGS record per exchange, names, cipher, till and options as tshark shows them`, async () => {
  const { sink } = await run(pcap(CAPTURE));
  const recs = sink.get('kerberos');
  const reqs = tshark(['udp.srcport', 'tcp.srcport', 'kerberos.till', 'kerberos.kdc_options'], 'kerberos.msg_type == 12');
  const reps = tshark(['udp.dstport', 'tcp.dstport', 'kerberos.CNameString', 'kerberos.SNameString', 'kerberos.realm', 'kerberos.etype'], 'kerberos.msg_type == 13');
  assert.equal(reqs.length, 13);
  assert.equal(reps.length, 13);
  assert.equal(recs.length, 13);
  assert.equal(tshark(['frame.number'], 'kerberos.msg_type == 30').length, 0); // no KRB-ERROR in this capture
  for (const rep of reps) {
    const port = Number(rep[0] || rep[1]);
    const r = recs.find((x) => x['id.orig_p'] === port);
    assert.ok(r, `record for port ${port}`);
    assert.equal(r.request_type, 'TGS');
    assert.equal(r.success, true);
    assert.equal(r.client, `${rep[2]}/${rep[4].split(',')[0]}`);
    assert.equal(r.service, rep[3].split(',').join('/'));
    assert.equal(r.cipher, { 23: 'rc4-hmac', 18: 'aes256-cts-hmac-sha1-96', 3: 'des-cbc-md5' }[rep[5].split(',')[0]]);
    const q = reqs.find((x) => Number(x[0] || x[1]) === port)!;
    const opts = parseInt(q[3], 16);
    assert.equal(r.forwardable, (opts & 0x40000000) !== 0);
    assert.equal(r.renewable, (opts & 0x00800000) !== 0);
    assert.equal(r.till, Date.parse(q[2].replace(/\.0+ UTC$/, ' UTC')) / 1000);
  }
  const conns = sink.get('conn').filter((c) => c['id.resp_p'] === 88);
  assert.deepEqual(conns.map((c) => c.service).sort(), [...Array(12).fill('krb'), 'krb_tcp']);
});

test('AS exchange: client from the request, cipher of the ticket, options and times', async () => {
  const { sink } = await run(writeTemp(buildPcap([
    req(1, asReq([0x40, 0x80, 0x00, 0x10], ['alice'], 'EXAMPLE.ORG', ['krbtgt', 'EXAMPLE.ORG'])),
    rsp(1.5, asRep(['alice'], 'EXAMPLE.ORG', ['krbtgt', 'EXAMPLE.ORG'], 18)),
  ])));
  const [r, ...rest] = sink.get('kerberos');
  assert.equal(rest.length, 0);
  assert.equal(r.ts, 1);
  assert.deepEqual([r.request_type, r.client, r.service, r.cipher, r.success, r.forwardable, r.renewable],
    ['AS', 'alice/EXAMPLE.ORG', 'krbtgt/EXAMPLE.ORG', 'aes256-cts-hmac-sha1-96', true, true, true]);
  assert.equal(r.from, Date.UTC(2024, 0, 2, 3, 4, 5) / 1000);
  assert.equal(r.till, 2136422885);
});

test('KRB-ERROR: Zeek error names, e-text first, ignored pre-authentication errors drop the record', async () => {
  const { sink } = await run(writeTemp(buildPcap([
    req(1, asReq([0, 0, 0, 0], ['bob'], 'EX', ['krbtgt', 'EX']), 40001),
    rsp(1.1, krbError(6, 'EX', ['krbtgt', 'EX']), 40001),
    req(2, asReq([0, 0, 0, 0], ['carol'], 'EX', ['krbtgt', 'EX']), 40002),
    rsp(2.1, krbError(25, 'EX', ['krbtgt', 'EX'], 'NEEDED_PREAUTH'), 40002),
    req(3, asReq([0, 0, 0, 0], ['dave'], 'EX', ['krbtgt', 'EX']), 40003),
    rsp(3.1, krbError(99, 'EX', ['krbtgt', 'EX']), 40003),
    rsp(4, krbError(24, 'EX', ['host', 'h.ex'], 'bad password', ['erin']), 40004),
  ])));
  const recs = sink.get('kerberos');
  assert.deepEqual(recs.map((r) => [r['id.orig_p'], r.client, r.service, r.success, r.error_msg, r.forwardable]), [
    [40001, 'bob/EX', 'krbtgt/EX', false, 'KDC_ERR_C_PRINCIPAL_UNKNOWN', false],
    [40003, 'dave/EX', 'krbtgt/EX', false, undefined, false], // 99 is not in KRB::error_msg
    [40004, 'erin/EX', 'host/h.ex', false, 'bad password', undefined],
  ]);
});

test('principal names: more than three parts are "unknown", as Zeek formats them', () => {
  const r = parseKrb(...whole(asReq([0, 0, 0, 0], ['a', 'b', 'c', 'd'], 'R', ['s', 'x\u0001y'])));
  assert.ok('msg' in r);
  assert.equal(r.msg.clientName, 'unknown');
  assert.equal(r.msg.serviceName, 's/x\\x01y'); // wireText escaping
});

function whole(b: Buffer): [Buffer, number, number] {
  return [b, 0, b.length];
}

function samples(): Buffer[] {
  const udp = tshark(['udp.payload'], 'udp && kerberos').map((f) => Buffer.from(f[0], 'hex'));
  return [...udp.slice(0, 2), asReq([0x40, 0x80, 0, 0], ['a'], 'R', ['b', 'c']), asRep(['a'], 'R', ['b'], 17), krbError(6, 'R', ['s'], 'x', ['c'])];
}

test('every truncation of real and built messages is rejected, never thrown', () => {
  for (const m of samples()) {
    assert.ok('msg' in parseKrb(m, 0, m.length));
    for (let n = 0; n < m.length; n++) {
      const r = parseKrb(m, 0, n);
      assert.ok('error' in r, `truncated at ${n} of ${m.length}`);
    }
  }
});

test('deep and garbage ASN.1: nesting past the limit, indefinite lengths, random bytes', () => {
  let deep = tlv(0x04, Buffer.from('x'));
  for (let i = 0; i < LIMITS.krbMaxAsn1Depth + 5; i++) deep = seq(deep);
  const m = tlv(0x6c, seq(ctx(1, int(5)), ctx(2, int(12)), ctx(3, deep)));
  assert.ok('error' in parseKrb(m, 0, m.length));
  const indef = Buffer.from([0x6c, 0x80, 0x30, 0x80, 0, 0, 0, 0]);
  assert.ok('error' in parseKrb(indef, 0, indef.length));
  const notKrb = seq(int(1));
  assert.ok('error' in parseKrb(notKrb, 0, notKrb.length));
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
  const base = samples();
  for (let i = 0; i < 20000; i++) {
    const b = Buffer.from(base[i % base.length]);
    for (let k = 0; k < 1 + Math.floor(rnd() * 5); k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    const r = parseKrb(b, 0, Math.floor(rnd() * (b.length + 1)));
    assert.ok('msg' in r || 'error' in r);
  }
  const g = Buffer.alloc(4096);
  for (let i = 0; i < g.length; i++) g[i] = Math.floor(rnd() * 256);
  g[0] = 0x6c;
  assert.ok('error' in parseKrb(g, 0, g.length));
});

function fakeCtx(logs: unknown[], weirds: string[], events: string[]): AnalyzerContext {
  return {
    conn: { uid: 'Ctest', origH: C, origP: 40000, respH: K, respP: 88, transport: 'tcp', communityId: '' },
    now: () => 1,
    log: (_s, r) => { logs.push(r); },
    connFields: () => ({ uid: 'Ctest' }),
    weird: (n: string) => { weirds.push(n); },
    confirm: () => { events.push('confirm'); },
    inspecting: () => false,
    inspect: () => {},
    violation: (r: string) => { events.push('violation:' + r); },
  } as AnalyzerContext;
}

const framed = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, b.length >> 8, b.length & 255]), b]);
const tcpDescriptor = KERBEROS_ANALYZERS.find((d) => d.createStream)!;

test('TCP framing: records split at every byte, and two records in one chunk', () => {
  const q = framed(asReq([0x40, 0, 0, 0], ['a'], 'R', ['b', 'c']));
  const p = framed(asRep(['a'], 'R', ['b', 'c'], 23));
  for (let cut = 0; cut <= q.length; cut++) {
    const logs: Record<string, unknown>[] = [], weirds: string[] = [], events: string[] = [];
    const s = tcpDescriptor.createStream!(fakeCtx(logs, weirds, events));
    s.data(true, q, 0, cut);
    s.data(true, q, cut, q.length - cut);
    for (let i = 0; i < p.length; i++) s.data(false, p, i, 1); // one byte at a time
    s.done();
    assert.deepEqual(weirds, []);
    assert.deepEqual(events, ['confirm']);
    assert.equal(logs.length, 1);
    assert.deepEqual([logs[0].request_type, logs[0].client, logs[0].service, logs[0].cipher, logs[0].forwardable], ['AS', 'a/R', 'b/c', 'rc4-hmac', true]);
  }
  const logs: Record<string, unknown>[] = [], weirds: string[] = [], events: string[] = [];
  const s = tcpDescriptor.createStream!(fakeCtx(logs, weirds, events));
  const both = Buffer.concat([q, framed(krbError(6, 'R', ['b']))]);
  s.data(true, both, 0, both.length);
  s.done();
  assert.equal(logs.length, 1);
  assert.equal(logs[0].error_msg, 'KDC_ERR_C_PRINCIPAL_UNKNOWN');
});

test('TCP framing: an oversized or reserved-bit length is a violation; a gap stops that side', () => {
  const logs: unknown[] = [], weirds: string[] = [], events: string[] = [];
  const s = tcpDescriptor.createStream!(fakeCtx(logs, weirds, events));
  const bad = Buffer.from([0x80, 0, 0, 5, 1, 2, 3, 4, 5]);
  s.data(true, bad, 0, bad.length);
  assert.deepEqual(weirds, ['KRB_TCP_message_too_long']);
  assert.equal(events.length, 1);
  assert.ok(events[0].startsWith('violation:'));

  const logs2: unknown[] = [], weirds2: string[] = [], events2: string[] = [];
  const s2 = tcpDescriptor.createStream!(fakeCtx(logs2, weirds2, events2));
  const q = framed(asReq([0, 0, 0, 0], ['a'], 'R', ['b']));
  s2.data(true, q, 0, 10);
  s2.gap(true, 20);
  s2.data(true, q, 30, q.length - 30);
  s2.done();
  assert.deepEqual([logs2, weirds2, events2], [[], [], []]);
});

test('UDP: garbage on port 88 is a violation, not a record', async () => {
  const { sink } = await run(writeTemp(buildPcap([req(1, Buffer.from('definitely not kerberos'))])));
  assert.equal(sink.get('kerberos').length, 0);
  assert.ok(sink.get('weird').some((w) => w.name === 'KRB_malformed_message'));
  assert.equal(MSG.ERROR, 30);
});

test('probe: Kerberos on another port is found; near misses are not', async () => {
  const q = asReq([0x40, 0, 0, 0], ['a'], 'R', ['b']);
  const p = asRep(['a'], 'R', ['b'], 23);
  const { sink } = await run(writeTemp(buildPcap([
    { ts: 1, src: C, dst: K, proto: 'udp', sport: 40000, dport: 8888, payload: q },
    { ts: 2, src: K, dst: C, proto: 'udp', sport: 8888, dport: 40000, payload: p },
  ])));
  assert.equal(sink.get('kerberos').length, 1);
  assert.equal(sink.get('conn')[0].service, 'krb');
  const udpProbe = KERBEROS_ANALYZERS.find((d) => d.probe && d.createDatagram)!.probe!;
  const tcpProbe = KERBEROS_ANALYZERS.find((d) => d.probe && d.createStream)!.probe!;
  assert.equal(udpProbe(true, q, 0, q.length, 'udp'), 'yes');
  assert.equal(udpProbe(true, q, 0, q.length - 1, 'udp'), 'no');
  const ap = tlv(0x6e, seq(ctx(0, int(5)), ctx(1, int(14))));
  assert.equal(udpProbe(true, ap, 0, ap.length, 'udp'), 'no'); // AP-REQ alone is not enough evidence
  const wrongType = tlv(0x6a, seq(ctx(1, int(5)), ctx(2, int(12))));
  assert.equal(udpProbe(true, wrongType, 0, wrongType.length, 'udp'), 'no');
  const f = framed(q);
  assert.equal(tcpProbe(true, f, 0, 2, 'tcp'), 'more');
  assert.equal(tcpProbe(true, f, 0, 10, 'tcp'), 'more');
  assert.equal(tcpProbe(true, f, 0, f.length, 'tcp'), 'yes');
  assert.equal(tcpProbe(true, Buffer.from('GET / HTTP/1.1\r\n'), 0, 16, 'tcp'), 'no');
});

test('mixed-arkime-synthetic-many-protocols.pcap: an AS-REQ answered by KRB-ERROR, and one left unanswered', async () => {
  const { sink } = await run(pcap('mixed-arkime-synthetic-many-protocols.pcap'));
  const recs = sink.get('kerberos');
  assert.deepEqual(recs.map((r) => [r['id.orig_p'], r.request_type, r.client, r.service, r.success, r.error_msg]), [
    [49700, 'AS', 'testuser/EXAMPLE.COM', 'krbtgt/EXAMPLE.COM', false, 'KDC_ERR_C_PRINCIPAL_UNKNOWN'],
    [49501, 'AS', 'xxxxxxxxxxx$/xxxxxxxxxxxxxx.xxxxxx.xxx.COM', 'krbtgt/xxxxxxxxxxxxxx.xxxxxx.xxx.COM', undefined, undefined],
  ]);
  const mixed = execFileSync('tshark', ['-r', pcap('mixed-arkime-synthetic-many-protocols.pcap'), '-Y', 'kerberos.msg_type == 10', '-T', 'fields',
    '-e', 'udp.srcport', '-e', 'tcp.srcport', '-e', 'kerberos.CNameString', '-e', 'kerberos.realm'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter((l) => l).map((l) => l.split('\t'));
  for (const [u, t, cname, realm] of mixed) {
    const r = recs.find((x) => x['id.orig_p'] === Number(u || t));
    if (r) assert.equal(r.client, `${cname}/${realm}`);
  }
  assert.equal(mixed.filter(([u, t]) => recs.some((x) => x['id.orig_p'] === Number(u || t))).length, 2);
});
