/**
 * The DHCP analyzer through the engine: the shared DORA captures, Zeek's merging across
 * connections and its expiry rule, the per-record limits, the client/server split, garbage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dhcpAnalyzer } from '../../../../src/engine/analyzers/dhcp/index.js';
import { DhcpJoin } from '../../../../src/engine/analyzers/dhcp/state.js';
import { pcap, run } from '../../../helpers.js';
import { buildPcap, writeTemp, type FrameSpec } from '../../../support/build-pcap.js';
import { dhcp, ip, u32 } from './build-dhcp.js';

const fromClient = (ts: number, payload: Buffer, src = '0.0.0.0', sport = 68): FrameSpec =>
  ({ ts, src, dst: '255.255.255.255', proto: 'udp', sport, dport: 67, payload });
const fromServer = (ts: number, payload: Buffer, dst = '255.255.255.255'): FrameSpec =>
  ({ ts, src: '10.0.0.1', dst, proto: 'udp', sport: 67, dport: 68, payload });

async function dhcpRun(frames: FrameSpec[]) {
  const join = new DhcpJoin();
  const { sink } = await run(writeTemp(buildPcap(frames)), { analyzers: [dhcpAnalyzer(join)] });
  assert.equal(join.pending, 0, 'nothing outlives the run');
  return { recs: sink.get('dhcp'), sink };
}

test('dhcp-dora.pcap: two transactions, each over both connections', async () => {
  const { sink } = await run(pcap('dhcp-dora.pcap'));
  const conns = sink.get('conn');
  assert.ok(conns.every((c) => c.service === 'dhcp'));
  const uids = conns.map((c) => c.uid);
  const recs = sink.get('dhcp');
  assert.equal(recs.length, 2);
  const common = { uids, client_addr: '192.168.0.10', server_addr: '192.168.0.1', mac: '00:0b:82:01:fc:42', assigned_addr: '192.168.0.10', lease_time: 3600 };
  assert.deepEqual({ ...recs[0], duration: undefined }, { ...common, ts: 1102274184.317453, requested_addr: '0.0.0.0', msg_types: ['DISCOVER', 'OFFER'], duration: undefined });
  assert.deepEqual({ ...recs[1], duration: undefined }, { ...common, ts: 1102274184.387484, requested_addr: '192.168.0.10', msg_types: ['REQUEST', 'ACK'], duration: undefined });
  assert.ok(Math.abs((recs[0].duration as number) - 0.000295) < 1e-6);
});

test('mixed-arkime: the same xid three minutes apart makes two records', async () => {
  const { sink } = await run(pcap('mixed-arkime-synthetic-many-protocols.pcap'));
  const recs = sink.get('dhcp').sort((a, b) => (a.ts as number) - (b.ts as number));
  assert.equal(recs.length, 2);
  assert.equal(recs[0].host_name, 'testhost');
  assert.deepEqual(recs[0].msg_types, ['DISCOVER']);
  assert.equal(recs[0].mac, '00:00:00:00:aa:bb');
  assert.equal(recs[1].host_name, 'testclient');
  assert.deepEqual(recs[1].msg_types, ['DISCOVER', 'OFFER']);
  assert.equal(recs[1].assigned_addr, '192.168.1.100');
  assert.equal(recs[1].lease_time, 86400);
  assert.equal(recs[1].duration, 1);
});

test("Zeek's expiry: checked at 10 s then every 5 s; idle over 5 s or older than 30 s ends it", async () => {
  const req = (xid: number) => dhcp({ xid, options: [[53, 3]] });
  const ack = (xid: number) => dhcp({ op: 2, xid, yiaddr: '10.0.0.9', options: [[53, 5]] });
  // xid 1: 0, 1, 8 merge (checks at 10: idle 2; at 15: idle 7 -> written); 16 starts anew.
  const a = await dhcpRun([fromClient(100, req(1)), fromServer(101, ack(1)), fromClient(108, req(1)), fromServer(116, ack(1))]);
  assert.deepEqual(a.recs.map((r) => r.msg_types), [['REQUEST', 'ACK', 'REQUEST'], ['ACK']]);
  assert.equal(a.recs[0].duration, 8);
  // xid 2: a message every 4 s keeps it alive until the check at 35 (older than 30 s).
  const frames: FrameSpec[] = [];
  for (let t = 0; t <= 36; t += 4) frames.push(fromClient(200 + t, req(2)));
  const b = await dhcpRun(frames);
  assert.deepEqual(b.recs.map((r) => r.msg_types.length), [9, 1]);
});

test('ten connections fill a record: written at once, as DHCP::max_uids_per_log_entry', async () => {
  const frames: FrameSpec[] = [];
  for (let i = 0; i < 12; i++) frames.push(fromClient(10 + i * 0.1, dhcp({ xid: 3, options: [[53, 8]] }), `10.0.1.${i + 1}`));
  const { recs } = await dhcpRun(frames);
  assert.deepEqual(recs.map((r) => (r.uids as string[]).length), [10, 2]);
  assert.equal(recs[0].client_addr, '10.0.1.10'); // INFORM from a unicast address: the last client
});

test('client and server details: client id, FQDN, messages, chaddr fallback', async () => {
  const { recs } = await dhcpRun([
    fromClient(1, dhcp({ xid: 4, chaddr: '02:00:00:00:00:01', options: [[53, 4], [61, Buffer.from([1, 2, 0, 0, 0, 0, 2])], [81, Buffer.from([0, 0, 0, 0x68, 0x2e, 0x64])], [56, 'address in use'], [50, ip('10.0.0.7')]] })),
    fromServer(1.5, dhcp({ op: 2, xid: 4, yiaddr: '10.0.0.7', options: [[53, 6], [56, 'wrong network'], [15, 'lan'], [51, u32(60)]] }), '10.0.0.7'),
    fromClient(2, dhcp({ xid: 5, chaddr: '02:00:00:00:00:03', options: [[53, 1]] })),
  ]);
  assert.equal(recs.length, 2);
  const [r4, r5] = recs.sort((a, b) => (a.ts as number) - (b.ts as number));
  assert.equal(r4.mac, '02:00:00:00:00:02'); // from the client identifier, not chaddr
  assert.equal(r4.client_fqdn, 'h.d');
  assert.equal(r4.client_message, 'address in use');
  assert.equal(r4.server_message, 'wrong network');
  assert.equal(r4.requested_addr, '10.0.0.7');
  assert.equal(r4.server_addr, '10.0.0.1');
  assert.equal(r4.client_addr, '10.0.0.7');
  assert.equal(r4.domain, 'lan');
  assert.equal(r4.lease_time, 60);
  assert.deepEqual(r4.msg_types, ['DECLINE', 'NAK']);
  assert.equal(r5.mac, '02:00:00:00:00:03'); // the client's chaddr, filled in at write time
  assert.equal(r5.client_addr, undefined);
});

test('garbage on port 67 is a violation, logs nothing; weirds for damaged options', async () => {
  const bad = Buffer.alloc(300, 0x41);
  const damaged = dhcp({ xid: 6, options: [[53, 1], [12, 'abcdef']], noEnd: true });
  const { recs, sink } = await dhcpRun([
    fromClient(1, bad, '10.0.0.5', 40000),
    fromClient(2, damaged.subarray(0, damaged.length - 3)),
  ]);
  const weirds = sink.get('weird').map((w) => `${w.name}${w.addl ? ' ' + w.addl : ''}`);
  assert.ok(weirds.includes('DHCP_bad_op'));
  assert.ok(weirds.some((w) => w.startsWith('protocol_violation dhcp: Unknown DHCP message op code')));
  assert.ok(weirds.includes('DHCP_truncated_option'));
  assert.equal(recs.length, 1);
  assert.deepEqual(recs[0].msg_types, ['DISCOVER']);
  const conns = sink.get('conn');
  assert.equal(conns.find((c) => c['id.orig_h'] === '10.0.0.5')!.service, undefined);
});

test('a transaction left over by an interrupted run is not joined by a later run with earlier times', async () => {
  const join = new DhcpJoin();
  const desc = dhcpAnalyzer(join);
  // A run that never ends its connections: messages fed straight into the join table.
  const written: unknown[] = [];
  const fakeCtx = {
    conn: { uid: 'Cstale', origH: '0.0.0.0', origP: 68, respH: '255.255.255.255', respP: 67, transport: 'udp', communityId: '' },
    log: (_s: unknown, r: unknown) => written.push(r), now: () => 5000, connFields: () => ({ uid: 'Cstale' }),
  } as never;
  join.message(fakeCtx, true, { op: 1, xid: 77, chaddr: '00:00:00:00:00:01', ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '0.0.0.0', msgType: 1, options: [53] }, 5000);
  const { sink } = await run(writeTemp(buildPcap([fromClient(100, dhcp({ xid: 77, options: [[53, 3]] }))])), { analyzers: [desc] });
  assert.equal(written.length, 1); // the stale one, to its own run
  const recs = sink.get('dhcp');
  assert.deepEqual(recs.map((r) => r.msg_types), [['REQUEST']]);
  assert.equal(join.pending, 0);
});
