/**
 * The DNS analyzer through the whole engine on built captures: TCP framing (a message over
 * three segments, two messages in one segment, a gap), Zeek's pairing (rtt, unmatched replies,
 * unanswered queries at the end, queues per transaction id), and the probe on other ports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../../helpers.js';
import { ACK, FIN, PSH, SYN, buildPcap, writeTemp, type FrameSpec } from '../../../support/build-pcap.js';
import { QUERY, RESPONSE, header, name, ptr, question, rr, u16 } from './build-dns.js';

const C = '10.0.0.1', S = '10.0.0.53';

function query(id: number, qname: string, qtype = 1): Buffer {
  return Buffer.concat([header(id, QUERY, 1, 0), question(name(qname), qtype)]);
}

function answer(id: number, qname: string, ...addrs: number[][]): Buffer {
  return Buffer.concat([header(id, RESPONSE, 1, addrs.length), question(name(qname), 1), ...addrs.map((a) => rr(ptr(12), 1, 300, Buffer.from(a)))]);
}

const udp = (ts: number, fromClient: boolean, payload: Buffer, port = 53): FrameSpec => fromClient
  ? { ts, src: C, dst: S, proto: 'udp', sport: 40000, dport: port, payload }
  : { ts, src: S, dst: C, proto: 'udp', sport: port, dport: 40000, payload };

const framed = (m: Buffer) => Buffer.concat([u16(m.length), m]);

function tcpFrames(clientChunks: Buffer[], serverChunks: Buffer[], opts: { skipClientBytes?: number } = {}): FrameSpec[] {
  const frames: FrameSpec[] = [];
  let t = 1;
  const c = (flags: number, seq: number, ack: number, payload?: Buffer): FrameSpec =>
    ({ ts: (t += 0.01), src: C, dst: S, proto: 'tcp', sport: 40001, dport: 53, flags, seq, ack, payload });
  const s = (flags: number, seq: number, ack: number, payload?: Buffer): FrameSpec =>
    ({ ts: (t += 0.01), src: S, dst: C, proto: 'tcp', sport: 53, dport: 40001, flags, seq, ack, payload });
  frames.push(c(SYN, 100, 0), s(SYN | ACK, 500, 101), c(ACK, 101, 501));
  let cs = 101, ss = 501;
  clientChunks.forEach((b, i) => {
    if (i === 1 && opts.skipClientBytes) cs += opts.skipClientBytes; // a segment never captured
    frames.push(c(ACK | PSH, cs, ss, b));
    cs += b.length;
  });
  for (const b of serverChunks) {
    frames.push(s(ACK | PSH, ss, cs, b));
    ss += b.length;
  }
  frames.push(c(FIN | ACK, cs, ss), s(FIN | ACK, ss, cs + 1), c(ACK, cs + 1, ss + 1));
  return frames;
}

test('UDP: query and reply paired, rtt and answers; ts is the query time', async () => {
  const frames = [udp(10, true, query(0x1111, 'Example.ORG')), udp(10.25, false, answer(0x1111, 'example.org', [192, 0, 2, 7], [192, 0, 2, 8]))];
  const { sink } = await run(writeTemp(buildPcap(frames)));
  const [r, ...rest] = sink.get('dns');
  assert.equal(rest.length, 0);
  assert.equal(r.ts, 10);
  assert.equal(r.proto, 'udp');
  assert.equal(r.trans_id, 0x1111);
  assert.equal(r.query, 'example.org');
  assert.equal(r.qtype_name, 'A');
  assert.equal(r.qclass_name, 'C_INTERNET');
  assert.equal(r.rcode_name, 'NOERROR');
  assert.ok(Math.abs((r.rtt as number) - 0.25) < 1e-6);
  assert.deepEqual(r.answers, ['192.0.2.7', '192.0.2.8']);
  assert.deepEqual(r.TTLs, [300, 300]);
  assert.equal(r.RD, true);
  assert.equal(r.RA, true);
  assert.equal(r.rejected, false);
  assert.equal(sink.get('conn')[0].service, 'dns');
});

test('UDP: an unanswered query and a reply without query are both logged at the end', async () => {
  const frames = [udp(1, true, query(1, 'a.example')), udp(2, false, answer(2, 'b.example', [10, 0, 0, 2]))];
  const { sink } = await run(writeTemp(buildPcap(frames)));
  const recs = sink.get('dns');
  assert.equal(recs.length, 2);
  const q = recs.find((r) => r.trans_id === 1)!, a = recs.find((r) => r.trans_id === 2)!;
  assert.equal(q.query, 'a.example');
  assert.equal(q.rcode, undefined);
  assert.equal(a.query, 'b.example'); // from the answer's owner
  assert.equal(a.qtype, undefined);
  assert.deepEqual(a.answers, ['10.0.0.2']);
  assert.equal(a.rtt, undefined);
  const weirds = sink.get('weird').map((w) => w.name);
  assert.ok(weirds.includes('dns_unmatched_reply'));
  assert.ok(weirds.includes('dns_unmatched_msg'));
});

test('UDP: queries sharing an id are answered first in, first out', async () => {
  const frames = [
    udp(1, true, query(5, 'first.example')), udp(2, true, query(5, 'second.example')),
    udp(3, false, answer(5, 'first.example', [1, 1, 1, 1])), udp(4, false, answer(5, 'second.example', [2, 2, 2, 2])),
  ];
  const { sink } = await run(writeTemp(buildPcap(frames)));
  const recs = sink.get('dns').map((r) => [r.query, r.answers]);
  assert.deepEqual(recs, [['first.example', ['1.1.1.1']], ['second.example', ['2.2.2.2']]]);
});

test('UDP: NXDOMAIN without records is rejected; AA/RA only with answers (as Zeek)', async () => {
  const nx = Buffer.concat([header(9, 0x8183, 1, 0), question(name('nope.example'), 1)]);
  const { sink } = await run(writeTemp(buildPcap([udp(1, true, query(9, 'nope.example')), udp(1.5, false, nx)])));
  const [r] = sink.get('dns');
  assert.equal(r.rcode, 3);
  assert.equal(r.rcode_name, 'NXDOMAIN');
  assert.equal(r.rejected, true);
  assert.equal(r.RA, false);
  assert.equal(r.rtt, undefined);
});

test('a reply cut short keeps the answers before the cut (Zeek reports what it parsed)', async () => {
  const full = answer(4, 'cut.example', [10, 0, 0, 1], [10, 0, 0, 2]);
  const frames = [udp(1, true, query(4, 'cut.example')), udp(1.1, false, full.subarray(0, full.length - 2))];
  const { sink } = await run(writeTemp(buildPcap(frames)));
  const [r] = sink.get('dns');
  assert.equal(r.query, 'cut.example');
  assert.deepEqual(r.answers, ['10.0.0.1']);
  assert.ok(sink.get('weird').some((w) => w.name === 'DNS_truncated_RR_rdlength_lt_len'));
});

test('a damaged first reply does not stop the analysis of a DNS port', async () => {
  const full = answer(4, 'cut.example', [10, 0, 0, 1]);
  const frames = [udp(1, false, full.subarray(0, full.length - 2)), udp(2, true, query(5, 'next.example')), udp(2.1, false, answer(5, 'next.example', [10, 0, 0, 5]))];
  const { sink } = await run(writeTemp(buildPcap(frames)));
  assert.deepEqual(sink.get('dns').map((r) => [r.trans_id, r.answers]), [[5, ['10.0.0.5']], [4, undefined]]);
  assert.equal(sink.get('conn')[0].service, 'dns');
});

test('TCP: a message split over three segments, and two messages in one segment', async () => {
  const q1 = framed(query(0x2001, 'split.example'));
  const q2 = framed(query(0x2002, 'two.example')), q3 = framed(query(0x2003, 'three.example'));
  const a1 = framed(answer(0x2001, 'split.example', [10, 1, 1, 1]));
  const a23 = Buffer.concat([framed(answer(0x2002, 'two.example', [10, 2, 2, 2])), framed(answer(0x2003, 'three.example', [10, 3, 3, 3]))]);
  // The first query in three pieces, the split inside the length prefix and inside the name.
  const clientChunks = [q1.subarray(0, 1), q1.subarray(1, 9), q1.subarray(9), Buffer.concat([q2, q3])];
  const { sink } = await run(writeTemp(buildPcap(tcpFrames(clientChunks, [a1, a23]))));
  const recs = sink.get('dns');
  assert.deepEqual(recs.map((r) => [r.proto, r.trans_id, r.query, r.answers]), [
    ['tcp', 0x2001, 'split.example', ['10.1.1.1']],
    ['tcp', 0x2002, 'two.example', ['10.2.2.2']],
    ['tcp', 0x2003, 'three.example', ['10.3.3.3']],
  ]);
  assert.equal(sink.get('conn')[0].service, 'dns');
});

test('TCP: after a content gap the side stops being parsed, the other goes on', async () => {
  const q1 = framed(query(1, 'one.example')), q2 = framed(query(2, 'two.example'));
  const a1 = framed(answer(1, 'one.example', [10, 0, 0, 1]));
  const { sink } = await run(writeTemp(buildPcap(tcpFrames([q1, q2], [a1], { skipClientBytes: 7 }))));
  const recs = sink.get('dns');
  assert.deepEqual(recs.map((r) => [r.trans_id, r.query, r.answers]), [[1, 'one.example', ['10.0.0.1']]]);
});

test('probe: DNS on another UDP port is found; garbage there is not DNS', async () => {
  const frames = [udp(1, true, query(3, 'odd.example'), 5300), udp(2, false, answer(3, 'odd.example', [10, 9, 9, 9]), 5300)];
  const { sink } = await run(writeTemp(buildPcap(frames)));
  assert.equal(sink.get('dns').length, 1);
  assert.equal(sink.get('conn')[0].service, 'dns');
  const junk = [udp(1, true, Buffer.from('hello, this is not a dns message at all'), 5301)];
  const r2 = await run(writeTemp(buildPcap(junk)));
  assert.equal(r2.sink.get('dns').length, 0);
  assert.equal(r2.sink.get('conn')[0].service, undefined);
});

test('port 53 garbage: weirds and a violation, no record, no service', async () => {
  const { sink } = await run(writeTemp(buildPcap([udp(1, true, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))])));
  assert.equal(sink.get('dns').length, 0);
  assert.equal(sink.get('conn')[0].service, undefined);
  assert.ok(sink.get('weird').some((w) => w.name === 'protocol_violation'));
});
