/** conn.log semantics for UDP and ICMP "connections" (Zeek's UDP and ICMP analyzers). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPcap, writeTemp, type FrameSpec } from '../../support/build-pcap.js';
import { run } from '../../helpers.js';

async function conns(frames: FrameSpec[], engine: Parameters<typeof run>[1] = {}) {
  const { sink } = await run(writeTemp(buildPcap(frames)), engine);
  return sink.get('conn');
}

const q = (ts: number, len = 30): FrameSpec => ({ ts, src: '10.0.0.1', dst: '8.8.8.8', proto: 'udp', sport: 53000, dport: 53, payload: len });
const r = (ts: number, len = 80): FrameSpec => ({ ts, src: '8.8.8.8', dst: '10.0.0.1', proto: 'udp', sport: 53, dport: 53000, payload: len });

test('UDP request and reply: SF, history Dd, payload bytes', async () => {
  const [c] = await conns([q(100), r(100.02)]);
  assert.equal(c.conn_state, 'SF');
  assert.equal(c.history, 'Dd');
  assert.equal(c.orig_bytes, 30);
  assert.equal(c.resp_bytes, 80);
  assert.equal(c.orig_ip_bytes, 20 + 8 + 30);
  assert.equal(c.proto, 'udp');
});

test('UDP with only a request is S0; a reply seen first flips roles (^d) and is SHR', async () => {
  assert.equal((await conns([q(100)]))[0].conn_state, 'S0');
  const [c] = await conns([r(100)]);
  assert.equal(c['id.orig_h'], '10.0.0.1');
  assert.equal(c['id.resp_p'], 53);
  assert.equal(c.history, '^d');
  assert.equal(c.conn_state, 'SHR');
});

test('UDP inactivity timeout (60 s) splits a flow into two connections', async () => {
  const cs = await conns([q(100), r(100.1), q(200), r(200.1)]);
  assert.equal(cs.length, 2);
  assert.notEqual(cs[0].uid, cs[1].uid);
});

test('strict checksums: a bad UDP checksum is counted as a packet, marked c, and not as payload', async () => {
  const [c] = await conns([q(100), { ...r(100.1), badChecksum: true }], { checksums: 'strict' });
  assert.equal(c.resp_pkts, 1);
  assert.equal(c.resp_bytes, 0);
  assert.equal(c.history, 'Dc');
  assert.equal(c.conn_state, 'S0');
});

test('ICMP echo request and reply form one connection keyed by type and counterpart', async () => {
  const cs = await conns([
    { ts: 100, src: '10.0.0.1', dst: '10.0.0.2', proto: 'icmp', type: 8, payload: 56 },
    { ts: 100.001, src: '10.0.0.2', dst: '10.0.0.1', proto: 'icmp', type: 0, payload: 56 },
  ]);
  assert.equal(cs.length, 1);
  const c = cs[0];
  assert.equal(c.proto, 'icmp');
  assert.equal(c['id.orig_p'], 8);
  assert.equal(c['id.resp_p'], 0);
  assert.equal(c.orig_bytes, 56);
  assert.equal(c.resp_bytes, 56);
  assert.equal(c.conn_state, 'OTH');
  assert.equal(c.orig_pkts, 1);
  assert.equal(c.resp_pkts, 1);
});

test('one-way ICMP (unreachable) carries the code in the responder port', async () => {
  const [c] = await conns([{ ts: 100, src: '10.0.0.9', dst: '10.0.0.1', proto: 'icmp', type: 3, code: 3, payload: 28 }]);
  assert.equal(c['id.orig_p'], 3);
  assert.equal(c['id.resp_p'], 3);
});

test('ICMPv6 echo over IPv6', async () => {
  const cs = await conns([
    { ts: 100, src: '2001:db8::1', dst: '2001:db8::2', proto: 'icmp', type: 128, payload: 16 },
    { ts: 100.001, src: '2001:db8::2', dst: '2001:db8::1', proto: 'icmp', type: 129, payload: 16 },
  ]);
  assert.equal(cs.length, 1);
  assert.equal(cs[0]['id.orig_h'], '2001:db8::1');
  assert.equal(cs[0]['id.orig_p'], 128);
  assert.equal(cs[0]['id.resp_p'], 129);
  assert.equal(cs[0].orig_ip_bytes, 40 + 8 + 16);
});

test('default checksums (mark): a bad UDP checksum is marked c and the datagram still counts', async () => {
  const [c] = await conns([q(100), { ...r(100.1), badChecksum: true }]);
  assert.equal(c.history, 'Dcd');
  assert.equal(c.resp_bytes, 80);
  assert.equal(c.conn_state, 'SF');
});
