/**
 * SIP: the head parser (start lines, headers, truncation, garbage), Zeek's record keeping, TCP
 * framing (split heads, bodies skipped, gaps), the probe, and the shared captures against tshark.
 *
 * Deliberate differences from tshark: none in the values compared. Zeek's script (and so
 * sip.log) overwrites a pending record with the next request of the same side and accumulates
 * its Via paths; tshark's per-message fields are compared with the parser, not with sip.log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parseSipHead } from '../../../../src/engine/analyzers/sip/parser.js';
import { pcap, run } from '../../../helpers.js';
import { ACK, FIN, PSH, SYN, buildPcap, writeTemp, type FrameSpec } from '../../../support/build-pcap.js';

const head = (s: string) => { const b = Buffer.from(s, 'latin1'); return parseSipHead(b, 0, b.length); };

const INVITE = 'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds\r\n' +
  'From: Alice <sip:alice@example.com>;tag=1928301774\r\nTo: Bob <sip:bob@example.com>\r\nCall-ID: a84b4c76e66710\r\n' +
  'CSeq: 314159 INVITE\r\nUser-Agent: UA/1.0\r\nSubject: lunch\r\nContent-Length: 4\r\n\r\nv=0\n';
const reply = (code: number, reason: string, cseq = '314159 INVITE', body = '') =>
  `SIP/2.0 ${code} ${reason}\r\nVia: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds\r\nFrom: Alice <sip:alice@example.com>;tag=1928301774\r\n` +
  `To: Bob <sip:bob@example.com>;tag=a6c85cf\r\nCall-ID: a84b4c76e66710\r\nCSeq: ${cseq}\r\nContent-Type: application/sdp\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

test('heads: request and status lines, headers upper-cased, compact forms, bare LF', () => {
  const h = head(INVITE)!;
  assert.deepEqual([h.request, h.method, h.uri, h.version, h.complete, h.contentLength], [true, 'INVITE', 'sip:bob@example.com', '2.0', true, 4]);
  assert.deepEqual(h.headers[1], ['FROM', 'Alice <sip:alice@example.com>;tag=1928301774']);
  const r = head('SIP/2.0 180 Ringing\nl: 0\n\n')!;
  assert.deepEqual([r.request, r.code, r.reason, r.complete, r.contentLength], [false, 180, 'Ringing', true, 0]);
  assert.equal(head('SIP/2.0 200\r\n\r\n')!.reason, '');
});

test('heads: not SIP, truncated, bad header lines; random bytes never throw', () => {
  for (const s of ['GET / HTTP/1.1\r\n\r\n', 'INVITE sip:x SIP/2.0', 'INV1TE sip:x SIP/2.0\r\n', 'SIP/2.0 2x0 OK\r\n', '', '\r\n']) assert.equal(head(s), undefined, s);
  const cut = head(INVITE.slice(0, 60))!;
  assert.equal(cut.complete, false);
  const bad = head('OPTIONS sip:x SIP/2.0\r\nno colon here\r\nTo: y\r\n\r\n')!;
  assert.deepEqual(bad.weirds, ['SIP_bad_header']);
  assert.deepEqual(bad.headers, [['TO', 'y']]);
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  const base = Buffer.from(INVITE, 'latin1');
  for (let i = 0; i < 3000; i++) {
    const b = Buffer.from(base);
    for (let k = 0; k < 4; k++) b[rnd() % b.length] = rnd();
    parseSipHead(b, 0, rnd() % b.length);
  }
  const many = 'OPTIONS sip:x SIP/2.0\r\n' + 'X: y\r\n'.repeat(1000) + '\r\n';
  const m = head(many)!;
  assert.equal(m.headers.length, 256);
  assert.ok(m.weirds!.includes('SIP_too_many_headers'));
});

const C = '10.0.0.1', S = '10.0.0.2';
const u = (ts: number, fromClient: boolean, s: string, port = 5060): FrameSpec => fromClient
  ? { ts, src: C, dst: S, proto: 'udp', sport: 5062, dport: port, payload: Buffer.from(s, 'latin1') }
  : { ts, src: S, dst: C, proto: 'udp', sport: port, dport: 5062, payload: Buffer.from(s, 'latin1') };

test("UDP: Zeek's records: provisional and final responses each write; fields from both sides", async () => {
  const { sink } = await run(writeTemp(buildPcap([u(1, true, INVITE), u(1.1, false, reply(100, 'Trying')), u(1.5, false, reply(200, 'OK', undefined, 'v=0\n'))])));
  const recs = sink.get('sip');
  assert.equal(recs.length, 2);
  const [a, b] = recs;
  assert.deepEqual([a.status_code, b.status_code], [100, 200]);
  assert.equal(b.ts, 1);
  assert.equal(b.trans_depth, 0);
  assert.equal(b.method, 'INVITE');
  assert.equal(b.uri, 'sip:bob@example.com');
  assert.equal(b.request_from, 'Alice <sip:alice@example.com>'); // tag stripped
  assert.equal(b.request_to, 'Bob <sip:bob@example.com>');
  assert.equal(b.response_from, 'Alice <sip:alice@example.com>');
  assert.equal(b.response_to, 'Bob <sip:bob@example.com>;tag=a6c85cf');
  assert.equal(b.call_id, 'a84b4c76e66710');
  assert.equal(b.seq, '314159 INVITE');
  assert.equal(b.subject, 'lunch');
  assert.equal(b.user_agent, 'UA/1.0');
  assert.deepEqual(b.request_path, ['SIP/2.0/UDP pc33.example.com']);
  assert.deepEqual(b.response_path, ['SIP/2.0/UDP pc33.example.com', 'SIP/2.0/UDP pc33.example.com']);
  assert.equal(b.request_body_len, 4);
  assert.equal(b.response_body_len, 4);
  assert.equal(b.content_type, 'application/sdp');
  assert.equal(b.status_msg, 'OK');
  assert.equal(sink.get('conn')[0].service, 'sip');
});

test('UDP: a request without response is written at the end; unknown methods are weird; garbage is a violation', async () => {
  const { sink } = await run(writeTemp(buildPcap([
    u(1, true, 'PUBLISH sip:x SIP/2.0\r\nCall-ID: 1\r\n\r\n'),
    { ...u(2, true, 'hello world\r\n'), sport: 5070 },
  ])));
  const recs = sink.get('sip');
  assert.equal(recs.length, 1);
  assert.equal(recs[0].method, 'PUBLISH');
  assert.equal(recs[0].status_code, undefined);
  const weirds = sink.get('weird');
  assert.ok(weirds.some((w) => w.name === 'unknown_SIP_method' && w.addl === 'PUBLISH'));
  assert.ok(weirds.some((w) => w.name === 'protocol_violation'));
});

test('the probe finds SIP on another UDP port', async () => {
  const { sink } = await run(writeTemp(buildPcap([u(1, true, INVITE, 15060), u(1.2, false, reply(486, 'Busy Here'), 15060)])));
  const recs = sink.get('sip');
  assert.equal(recs.length, 1);
  assert.equal(recs[0].status_code, 486);
});

/** A TCP connection carrying `chunks` in order ([fromClient, text]); `skip` client bytes are
 *  never captured before the client's second chunk. */
function tcp(chunks: Array<[boolean, string]>, opts: { skip?: number } = {}): FrameSpec[] {
  const frames: FrameSpec[] = [];
  let t = 1;
  const c = (flags: number, seq: number, ack: number, s?: string): FrameSpec => ({ ts: (t += 0.01), src: C, dst: S, proto: 'tcp', sport: 40000, dport: 5060, flags, seq, ack, payload: s === undefined ? undefined : Buffer.from(s, 'latin1') });
  const sv = (flags: number, seq: number, ack: number, s?: string): FrameSpec => ({ ts: (t += 0.01), src: S, dst: C, proto: 'tcp', sport: 5060, dport: 40000, flags, seq, ack, payload: s === undefined ? undefined : Buffer.from(s, 'latin1') });
  frames.push(c(SYN, 100, 0), sv(SYN | ACK, 500, 101), c(ACK, 101, 501));
  let cs = 101, ss = 501, nc = 0;
  for (const [fromClient, s] of chunks) {
    if (fromClient) {
      if (nc++ === 1 && opts.skip) cs += opts.skip;
      frames.push(c(ACK | PSH, cs, ss, s));
      cs += s.length;
    } else {
      frames.push(sv(ACK | PSH, ss, cs, s));
      ss += s.length;
    }
  }
  frames.push(c(FIN | ACK, cs, ss), sv(FIN | ACK, ss, cs + 1), c(ACK, cs + 1, ss + 1));
  return frames;
}

test('TCP: heads split anywhere (even inside CRLF CRLF), bodies skipped, two messages in a chunk', async () => {
  const second = 'BYE sip:bob@example.com SIP/2.0\r\nCall-ID: a84b4c76e66710\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n';
  const cut1 = INVITE.indexOf('\r\n\r\n') + 1, cut2 = INVITE.indexOf('\r\n\r\n') + 3;
  const r200 = reply(200, 'OK', '314159 INVITE', 'body');
  const bye200 = reply(200, 'OK', '2 BYE');
  // The INVITE split inside its CRLF CRLF and inside its body; the 200 split in its status line
  // and sent with the BYE's answer... after the BYE.
  const { sink } = await run(writeTemp(buildPcap(tcp([
    [true, INVITE.slice(0, cut1)], [true, INVITE.slice(cut1, cut2)], [true, INVITE.slice(cut2)],
    [false, r200.slice(0, 7)], [false, r200.slice(7)], [true, second], [false, bye200 + bye200.slice(0, 20)],
  ]))));
  const recs = sink.get('sip');
  // The third: the head cut short by the end of the stream, its status line parsed, written
  // pending at the end (after the BYE's 200 reset the state, it has no request).
  assert.deepEqual(recs.map((r) => [r.method, r.status_code]), [['INVITE', 200], ['BYE', 200], [undefined, 200]]);
  assert.equal(recs[0].request_body_len, 4);
  assert.equal(sink.get('conn')[0].service, 'sip');
});

test('TCP: after a gap that side is not parsed any more', async () => {
  const { sink } = await run(writeTemp(buildPcap(tcp([[true, INVITE], [true, 'OPTIONS sip:x SIP/2.0\r\n\r\n'], [false, reply(200, 'OK')]], { skip: 50 }))));
  assert.ok(sink.get('weird').some((w) => w.name === 'SIP_content_gap'));
  const recs = sink.get('sip');
  assert.equal(recs.length, 1);
  assert.equal(recs[0].method, 'INVITE');
});

const F = ['frame.number', 'udp.payload', 'sip.Method', 'sip.r-uri', 'sip.Status-Code', 'sip.Call-ID', 'sip.CSeq', 'sip.User-Agent', 'sip.Content-Length'];

for (const file of ['sip.pcap', 'mixed-arkime-synthetic-many-protocols.pcap']) {
  test(`${file}: every SIP head parses as tshark dissects it`, () => {
    const out = execFileSync('tshark', ['-r', pcap(file), '-Y', 'sip && udp', '-T', 'fields', '-E', 'occurrence=f', ...F.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
    const rows = out.split('\n').filter(Boolean).map((l) => l.split('\t'));
    assert.ok(rows.length > 0);
    for (const [no, hex, method, ruri, code, callId, cseq, ua, clen] of rows) {
      const b = Buffer.from(hex, 'hex');
      const h = parseSipHead(b, 0, b.length);
      assert.ok(h, `frame ${no}`);
      const get = (n: string) => h.headers.find(([k]) => k === n)?.[1] ?? '';
      assert.equal(h.method ?? '', method, `frame ${no}`);
      assert.equal(h.uri ?? '', ruri, `frame ${no}`);
      assert.equal(h.code === undefined ? '' : String(h.code), code, `frame ${no}`);
      assert.equal(get('CALL-ID') || get('I'), callId, `frame ${no}`);
      assert.equal(get('CSEQ'), cseq, `frame ${no}`);
      assert.equal(get('USER-AGENT'), ua, `frame ${no}`);
      if (clen !== '') assert.equal(h.contentLength, Number(clen), `frame ${no}`);
    }
  });
}

test('sip.pcap: a record per message from the responder plus what is pending at the end', async () => {
  const out = execFileSync('tshark', ['-r', pcap('sip.pcap'), '-Y', 'sip', '-T', 'fields', '-e', 'ip.src', '-e', 'sip.Status-Code'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const rows = out.split('\n').filter(Boolean).map((l) => l.split('\t'));
  const replies = rows.filter((r) => r[1] !== '').length;
  const { sink } = await run(pcap('sip.pcap'));
  const recs = sink.get('sip');
  // Every response comes from the responder here; each writes the record once.
  assert.equal(recs.filter((r) => r.status_code !== undefined).length, replies);
  assert.ok(recs.every((r) => r.call_id !== undefined));
});
