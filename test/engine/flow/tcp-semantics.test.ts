/**
 * conn.log semantics for TCP, checked on hand-built exchanges: conn_state, history letters,
 * byte counts from sequence numbers, originator choice, timers and connection reuse. The
 * expected values follow Zeek's TCP analyzer (see src/engine/flow/tcp-session.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACK, FIN, PSH, RST, SYN, buildPcap, writeTemp, type FrameSpec } from '../../support/build-pcap.js';
import { run } from '../../helpers.js';
import type { LogRecord } from '../../../src/engine/logs/schema.js';

const C = '10.0.0.1', S = '10.0.0.2';
const CP = 40000, SP = 80;

/** Client → server segment. */
const c2s = (ts: number, flags: number, seq: number, ack: number, payload = 0): FrameSpec =>
  ({ ts, src: C, dst: S, proto: 'tcp', sport: CP, dport: SP, flags, seq, ack, payload });
/** Server → client segment. */
const s2c = (ts: number, flags: number, seq: number, ack: number, payload = 0): FrameSpec =>
  ({ ts, src: S, dst: C, proto: 'tcp', sport: SP, dport: CP, flags, seq, ack, payload });

async function conns(frames: FrameSpec[], engine: Parameters<typeof run>[1] = {}): Promise<{ conns: LogRecord[]; weirds: LogRecord[] }> {
  const { sink } = await run(writeTemp(buildPcap(frames)), engine);
  return { conns: sink.get('conn'), weirds: sink.get('weird') };
}

const handshake = (t = 100): FrameSpec[] => [
  c2s(t, SYN, 1000, 0),
  s2c(t + 0.01, SYN | ACK, 5000, 1001),
  c2s(t + 0.02, ACK, 1001, 5001),
];

test('full exchange with FINs is SF, history ShADdFf, bytes from sequence numbers', async () => {
  const { conns: [c] } = await conns([
    ...handshake(),
    c2s(100.03, ACK | PSH, 1001, 5001, 100),
    s2c(100.04, ACK | PSH, 5001, 1101, 300),
    c2s(100.05, ACK | FIN, 1101, 5301),
    s2c(100.06, ACK | FIN, 5301, 1102),
    c2s(100.07, ACK, 1102, 5302),
  ]);
  assert.equal(c.conn_state, 'SF');
  assert.equal(c.history, 'ShADdFf'); // the server's data segment carries an ACK: d, not a
  assert.equal(c.orig_bytes, 100);
  assert.equal(c.resp_bytes, 300);
  assert.equal(c.orig_pkts, 5);
  assert.equal(c.resp_pkts, 3);
  assert.equal(c.orig_ip_bytes, 5 * 40 + 100);
  assert.equal(c.resp_ip_bytes, 3 * 40 + 300);
  assert.equal(c['id.orig_h'], C);
  assert.equal(c['id.resp_p'], SP);
  // Once both sides closed, Zeek stops advancing last_time: the final ACK does not count.
  assert.ok(Math.abs((c.duration as number) - 0.06) < 1e-6);
  assert.equal(c.proto, 'tcp');
  assert.equal(c.ip_proto, 6);
});

test('an unanswered SYN is S0', async () => {
  const { conns: [c] } = await conns([c2s(100, SYN, 1000, 0)]);
  assert.equal(c.conn_state, 'S0');
  assert.equal(c.history, 'S');
  assert.equal(c.orig_bytes, 0);
  assert.equal(c.duration, undefined);
});

test('SYN answered by RST is REJ', async () => {
  const { conns: [c] } = await conns([c2s(100, SYN, 1000, 0), s2c(100.01, RST | ACK, 0, 1001)]);
  assert.equal(c.conn_state, 'REJ');
  assert.equal(c.history, 'Sr');
});

test('originator aborts an established connection: RSTO', async () => {
  const { conns: [c] } = await conns([...handshake(), c2s(100.03, RST | ACK, 1001, 5001)]);
  assert.equal(c.conn_state, 'RSTO');
  assert.equal(c.history, 'ShAR');
});

test('responder aborts an established connection: RSTR', async () => {
  const { conns: [c] } = await conns([...handshake(), s2c(100.03, RST | ACK, 5001, 1001)]);
  assert.equal(c.conn_state, 'RSTR');
  assert.equal(c.history, 'ShAr');
});

test('established and never closed is S1', async () => {
  const { conns: [c] } = await conns([...handshake(), c2s(100.03, ACK | PSH, 1001, 5001, 10)]);
  assert.equal(c.conn_state, 'S1');
  assert.equal(c.history, 'ShAD');
  assert.equal(c.orig_bytes, 10);
});

test('originator closes, responder never does: S2; responder only: S3', async () => {
  const s2 = await conns([...handshake(), c2s(100.03, ACK | FIN, 1001, 5001)]);
  assert.equal(s2.conns[0].conn_state, 'S2');
  const s3 = await conns([...handshake(), s2c(100.03, ACK | FIN, 5001, 1001)]);
  assert.equal(s3.conns[0].conn_state, 'S3');
});

test('SYN then FIN without reply is SH', async () => {
  const { conns: [c] } = await conns([c2s(100, SYN, 1000, 0), c2s(100.1, FIN, 1001, 0)]);
  assert.equal(c.conn_state, 'SH');
  assert.equal(c.history, 'SF');
});

test('SYN then RST from the originator is RSTOS0', async () => {
  const { conns: [c] } = await conns([c2s(100, SYN, 1000, 0), c2s(100.1, RST, 1001, 0)]);
  assert.equal(c.conn_state, 'RSTOS0');
  assert.equal(c.history, 'SR');
});

test('midstream traffic without a SYN is OTH, originator kept when the destination is a server port', async () => {
  const { conns: [c] } = await conns([c2s(100, ACK | PSH, 1001, 5001, 50), s2c(100.01, ACK | PSH, 5001, 1051, 70)]);
  assert.equal(c.conn_state, 'OTH');
  assert.equal(c.history, 'Dd');
  assert.equal(c['id.orig_h'], C);
  assert.equal(c.orig_bytes, 50);
  assert.equal(c.resp_bytes, 70);
});

test('first packet from a server port flips the roles and marks the history with ^', async () => {
  const { conns: [c] } = await conns([s2c(100, SYN | ACK, 5000, 1001), c2s(100.01, ACK, 1001, 5001)]);
  assert.equal(c['id.orig_h'], C);
  assert.equal(c['id.orig_p'], CP);
  assert.equal(c['id.resp_p'], SP);
  assert.equal(c.history, '^hA');
  assert.equal(c.orig_pkts, 1);
  assert.equal(c.resp_pkts, 1);
});

test('retransmitted data is T, repeated at the 10th occurrence', async () => {
  const frames = [...handshake(), c2s(100.03, ACK | PSH, 1001, 5001, 100)];
  for (let i = 0; i < 10; i++) frames.push(c2s(100.1 + i * 0.01, ACK | PSH, 1001, 5001, 100));
  const { conns: [c] } = await conns(frames);
  assert.equal(c.history, 'ShADTT');
  assert.equal(c.orig_bytes, 100);
});

test('a zero window is W', async () => {
  const frames = [...handshake(), { ...s2c(100.03, ACK, 5001, 1001), window: 0 }];
  const { conns: [c] } = await conns(frames);
  assert.equal(c.history, 'ShAaw'); // a pure ACK (a) announcing a zero window (w)
});

test('strict checksums (Zeek): segments with a bad checksum are C and not counted', async () => {
  const frames = [...handshake(), { ...c2s(100.03, ACK | PSH, 1001, 5001, 10), badChecksum: true }];
  const { conns: [c], weirds } = await conns(frames, { checksums: 'strict' });
  assert.equal(c.history, 'ShAC');
  assert.equal(c.orig_pkts, 2);
  assert.equal(c.orig_bytes, 0);
  assert.ok(weirds.some((w) => w.name === 'bad_TCP_checksum' && w.uid === c.uid));
});

test('default checksums (mark): a bad checksum is reported as C but the segment is analysed', async () => {
  const frames = [...handshake(), { ...c2s(100.03, ACK | PSH, 1001, 5001, 10), badChecksum: true }];
  const { conns: [c], weirds } = await conns(frames);
  assert.equal(c.history, 'ShACD');
  assert.equal(c.orig_pkts, 3);
  assert.equal(c.orig_bytes, 10);
  assert.ok(weirds.some((w) => w.name === 'bad_TCP_checksum'));
});

test('a new SYN after the connection closed starts a new connection with a new uid', async () => {
  const first = [...handshake(100), c2s(100.05, ACK | FIN, 1001, 5001), s2c(100.06, ACK | FIN, 5001, 1002), c2s(100.07, ACK, 1002, 5002)];
  const second = handshake(200).map((f) => ({ ...f, seq: (f.seq ?? 0) + 77777, ack: f.ack ? f.ack + 77777 : 0 }));
  const { conns: cs } = await conns([...first, ...second]);
  assert.equal(cs.length, 2);
  assert.notEqual(cs[0].uid, cs[1].uid);
  assert.equal(cs[0].conn_state, 'SF');
  assert.equal(cs[1].conn_state, 'S1');
});

test('an unanswered SYN retried after the attempt timer is a second S0 connection', async () => {
  const { conns: cs } = await conns([c2s(100, SYN, 1000, 0), c2s(101, SYN, 1000, 0), c2s(107, SYN, 1000, 0)]);
  assert.equal(cs.length, 2);
  assert.equal(cs[0].orig_pkts, 2);
  assert.equal(cs[0].conn_state, 'S0');
  assert.equal(cs[1].orig_pkts, 1);
});

test('uids are stable across runs of the same capture', async () => {
  const frames = handshake();
  const a = await conns(frames);
  const b = await conns(frames);
  assert.equal(a.conns[0].uid, b.conns[0].uid);
  assert.match(String(a.conns[0].uid), /^C[0-9A-Za-z]{17}$/);
});
