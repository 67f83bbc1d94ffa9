/**
 * Decoder paths the shared captures do not exercise, on hand-built frames: SCTP, AYIYA, MPLS
 * pseudowires, GTP-U extension headers, Teredo indicators, ERSPAN III, GRE options, 802.11
 * address variants, radiotap FCS, Frame Relay NLPID, big-endian NFLOG, compressed PPP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INNER_UDP, ether, hex, ipv4, runFrames, udp } from './frames.js';
import { expectConns, decodeWeirds } from './expect-conns.js';

const LINK_ETHERNET = 1;
const LINK_RAW = 101;
const inner = { proto: 'udp', orig: '10.9.0.1', origPort: 40000, resp: '10.9.0.2', respPort: 7777, origPkts: 1, respPkts: 0 } as const;

test('SCTP: ports from the common header, both directions in one conn', () => {
  const chunk = hex('00030004');
  const a = ipv4('10.1.0.1', '10.1.0.2', 132, Buffer.concat([hex('b0a3 0b59 00000000 00000000'), chunk]));
  const b = ipv4('10.1.0.2', '10.1.0.1', 132, Buffer.concat([hex('0b59 b0a3 12345678 00000000'), chunk]));
  const sink = runFrames([{ linkType: LINK_RAW, bytes: a }, { linkType: LINK_RAW, bytes: b }]);
  const conns = sink.get('conn');
  assert.equal(conns.length, 1);
  assert.equal(conns[0].proto, 'sctp');
  assert.equal(conns[0]['id.orig_p'], 0xb0a3);
  assert.equal(conns[0]['id.resp_p'], 2905);
  assert.equal(conns[0].orig_pkts, 1);
  assert.equal(conns[0].resp_pkts, 1);
  // A header cut short is a weird, not a conn.
  const cut = runFrames([{ linkType: LINK_RAW, bytes: ipv4('10.1.0.1', '10.1.0.2', 132, hex('b0a30b59')) }]);
  assert.equal(cut.get('conn').length, 0);
  assert.ok(cut.get('weird').some((w) => w.name === 'truncated_header'));
});

test('AYIYA forward carrying IPv4', () => {
  // idlen 4 (16-byte id), siglen 5 (20-byte SHA-1), opcode 1 (forward), next header 4.
  const hdr = Buffer.concat([hex('41 52 21 04 00000000'), Buffer.alloc(16), Buffer.alloc(20)]);
  const pkt = ipv4('192.0.2.1', '192.0.2.2', 17, udp(33000, 5072, Buffer.concat([hdr, INNER_UDP()])));
  const sink = runFrames([{ linkType: LINK_RAW, bytes: pkt }]);
  expectConns(sink, [{ ...inner, tunnel: 'Tunnel::AYIYA' }]);
  // Heartbeat (opcode 0): no tunnel, no inner packet.
  const hb = ipv4('192.0.2.1', '192.0.2.2', 17, udp(33000, 5072, Buffer.concat([hex('41 52 20 3b 00000000'), Buffer.alloc(36)])));
  assert.equal(runFrames([{ linkType: LINK_RAW, bytes: hb }]).get('tunnel').length, 0);
});

test('MPLS: two labels then an Ethernet pseudowire with control word', () => {
  const labels = hex('00010040 00020140'); // label 16, then label 32 with S set
  const frame = ether(0x8847, Buffer.concat([labels, hex('00000000'), ether(0x0800, INNER_UDP())]));
  expectConns(runFrames([{ linkType: LINK_ETHERNET, bytes: frame }]), [inner]);
  // A stack that never ends is cut at the limit.
  const endless = ether(0x8847, Buffer.alloc(4 * 40, 0));
  assert.ok(runFrames([{ linkType: LINK_ETHERNET, bytes: endless }]).get('weird').some((w) => w.name === 'too_many_MPLS_labels'));
});

test('GTP-U with sequence number and a PDU session container extension header', () => {
  const ip = INNER_UDP();
  const opt = hex('0000 00 85'); // seq, N-PDU, next extension 0x85
  const ext = hex('01 1000 00'); // length 1 (4 bytes), content, next 0
  const body = Buffer.concat([opt, ext, ip]);
  const gtp = Buffer.concat([hex('36 ff'), Buffer.from([body.length >> 8, body.length & 0xff]), hex('00000001'), body]);
  const pkt = ipv4('192.0.2.1', '192.0.2.2', 17, udp(2152, 2152, gtp));
  expectConns(runFrames([{ linkType: LINK_RAW, bytes: pkt }]), [{ ...inner, tunnel: 'Tunnel::GTPv1' }]);
  // Echo request (type 1): not a tunnel.
  const echo = ipv4('192.0.2.1', '192.0.2.2', 17, udp(2152, 2152, hex('32 01 0004 00000000 0000 0000')));
  assert.equal(runFrames([{ linkType: LINK_RAW, bytes: echo }]).get('tunnel').length, 0);
});

test('Teredo with authentication and origin indication; non-IPv6 payload is ignored', () => {
  const v6 = Buffer.concat([hex('60000000 0000 3b 40'), Buffer.alloc(16, 0x11), Buffer.alloc(16, 0x22)]); // bubble
  const auth = hex('0001 00 00 0102030405060708 00');
  const origin = hex('0000 1234 c0000201');
  const pkt = ipv4('192.0.2.1', '192.0.2.2', 17, udp(40001, 3544, Buffer.concat([auth, origin, v6])));
  const sink = runFrames([{ linkType: LINK_RAW, bytes: pkt }]);
  const tunnels = sink.get('tunnel').filter((t) => t.action === 'Tunnel::DISCOVER');
  assert.equal(tunnels.length, 1);
  assert.equal(tunnels[0].tunnel_type, 'Tunnel::TEREDO');
  assert.ok(sink.get('conn').some((c) => c.proto === 'unknown_transport' && c['id.orig_h'] === '1111:1111:1111:1111:1111:1111:1111:1111'));
  // An IPv6 header claiming more than the datagram holds is not Teredo; a bubble with trailing
  // bytes is, with a weird.
  const long = Buffer.from(v6);
  long.writeUInt16BE(100, 4);
  assert.equal(runFrames([{ linkType: LINK_RAW, bytes: ipv4('192.0.2.1', '192.0.2.2', 17, udp(40001, 3544, long)) }]).get('tunnel').length, 0);
  const padded = runFrames([{ linkType: LINK_RAW, bytes: ipv4('192.0.2.1', '192.0.2.2', 17, udp(40001, 3544, Buffer.concat([v6, Buffer.alloc(4)]))) }]);
  assert.ok(padded.get('weird').some((w) => w.name === 'Teredo_bubble_with_payload'));
  assert.equal(padded.get('tunnel').filter((t) => t.action === 'Tunnel::DISCOVER').length, 1);
  const junk = ipv4('192.0.2.1', '192.0.2.2', 17, udp(40001, 3544, Buffer.alloc(60, 0x45)));
  const j = runFrames([{ linkType: LINK_RAW, bytes: junk }]);
  assert.equal(j.get('tunnel').length, 0);
  assert.deepEqual(decodeWeirds(j), []);
});

test('VXLAN without a payload, GRE with reserved flags or routing: weirds, no tunnel', () => {
  const empty = runFrames([{ linkType: LINK_RAW, bytes: ipv4('192.0.2.1', '192.0.2.2', 17, udp(40002, 4789, hex('0800000000000100'))) }]);
  assert.ok(empty.get('weird').some((w) => w.name === 'vxlan_empty_packet'));
  assert.equal(empty.get('tunnel').length, 0);
  for (const [flags, name] of [['0008', 'unknown_gre_flags'], ['4000', 'gre_routing']]) {
    const g = runFrames([{ linkType: LINK_RAW, bytes: ipv4('192.0.2.1', '192.0.2.2', 47, Buffer.concat([hex(flags + '0800 00000000'), INNER_UDP()])) }]);
    assert.ok(g.get('weird').some((w) => w.name === name), name);
    assert.equal(g.get('tunnel').length, 0);
  }
});

test('GRE with checksum, key and sequence; ERSPAN III with platform subheader', () => {
  const g = Buffer.concat([hex('b000 0800 00000000 00000007 00000001'), INNER_UDP()]);
  expectConns(runFrames([{ linkType: LINK_RAW, bytes: ipv4('192.0.2.1', '192.0.2.2', 47, g) }]), [{ ...inner, tunnel: 'Tunnel::GRE' }]);
  const erspan3 = Buffer.concat([hex('20000001 00000000 00000001'), Buffer.alloc(8), ether(0x0800, INNER_UDP())]);
  const e = Buffer.concat([hex('1000 22eb 00000001'), erspan3]);
  expectConns(runFrames([{ linkType: LINK_RAW, bytes: ipv4('192.0.2.1', '192.0.2.2', 47, e) }]), [{ ...inner, tunnel: 'Tunnel::GRE' }]);
  // ERSPAN's type outside GRE (a bare Ethernet EtherType) is not ERSPAN to Zeek or tshark.
  const bare = ether(0x88be, Buffer.concat([hex('10000000 00000000'), ether(0x0800, INNER_UDP())]));
  assert.equal(runFrames([{ linkType: LINK_ETHERNET, bytes: bare }]).get('conn').length, 0);
});

test('PPTP enhanced GRE (version 1) with acknowledgement carrying PPP with address/control', () => {
  const pppFrame = Buffer.concat([hex('ff03 0021'), INNER_UDP()]);
  const g = Buffer.concat([hex('3081 880b'), Buffer.from([0, pppFrame.length]), hex('0001 00000005 00000004'), pppFrame]);
  expectConns(runFrames([{ linkType: LINK_RAW, bytes: ipv4('192.0.2.1', '192.0.2.2', 47, g) }]), [{ ...inner, tunnel: 'Tunnel::GRE' }]);
  // Acknowledgement only: payload length 0, no PPP frame, nothing to report.
  const ack = runFrames([{ linkType: LINK_RAW, bytes: ipv4('192.0.2.1', '192.0.2.2', 47, hex('2081 880b 0000 0001 00000005')) }]);
  assert.deepEqual(decodeWeirds(ack), []);
  assert.equal(ack.get('tunnel').length, 0);
});

test('802.11: QoS data with four addresses and +HTC; radiotap with TSFT and FCS flag', () => {
  const snap = hex('aaaa03 000000 0800');
  // type data (2), subtype QoS data (8): fc0 = 0x88; To DS + From DS + Order: flags 0x83.
  const wlan = Buffer.concat([hex('8883 0000'), Buffer.alloc(18, 1), hex('0000'), Buffer.alloc(6, 2), hex('0000'), hex('00000000'), snap, INNER_UDP()]);
  expectConns(runFrames([{ linkType: 105, bytes: wlan }]), [inner]);
  // Radiotap: present = TSFT | Flags; TSFT aligned at 8, flags byte 0x10 (FCS at end).
  const rt = Buffer.concat([hex('00 00 1200 03000000'), Buffer.alloc(8), hex('10 00')]);
  const plain = Buffer.concat([hex('0801 0000'), Buffer.alloc(18, 1), hex('0000'), snap, INNER_UDP()]);
  const frame = Buffer.concat([rt, plain, hex('deadbeef')]);
  const sink = runFrames([{ linkType: 127, bytes: frame }]);
  expectConns(sink, [inner]);
  assert.deepEqual(decodeWeirds(sink), []);
  // Protected frames are skipped silently.
  const prot = Buffer.concat([hex('0841 0000'), Buffer.alloc(18, 1), hex('0000'), Buffer.alloc(40, 9)]);
  const p = runFrames([{ linkType: 105, bytes: prot }]);
  assert.equal(p.get('conn').length + decodeWeirds(p).length, 0);
});

test('802.11 A-MSDU: every subframe is decoded; Aruba GRE carries 802.11', () => {
  const snap = hex('aaaa03 000000 0800');
  const second = ipv4('10.9.0.3', '10.9.0.4', 17, udp(40001, 7778, Buffer.from('hi')));
  const sub = (body: Buffer): Buffer => {
    const h = Buffer.concat([Buffer.alloc(12, 3), Buffer.from([body.length >> 8, body.length & 0xff])]);
    const pad = (4 - ((h.length + body.length) % 4)) % 4;
    return Buffer.concat([h, body, Buffer.alloc(pad)]);
  };
  // QoS data, From DS; QoS control 0x0080 (A-MSDU present).
  const wlan = Buffer.concat([hex('8802 0000'), Buffer.alloc(18, 1), hex('0000'), hex('8000'),
    sub(Buffer.concat([snap, INNER_UDP()])), sub(Buffer.concat([snap, second]))]);
  const sink = runFrames([{ linkType: 105, bytes: wlan }]);
  expectConns(sink, [inner, { ...inner, orig: '10.9.0.3', resp: '10.9.0.4', origPort: 40001, respPort: 7778 }]);
  assert.deepEqual(decodeWeirds(sink), []);
  const plain = Buffer.concat([hex('0801 0000'), Buffer.alloc(18, 1), hex('0000'), snap, INNER_UDP()]);
  const aruba = ipv4('192.0.2.1', '192.0.2.2', 47, Buffer.concat([hex('0000 8210'), plain]));
  expectConns(runFrames([{ linkType: LINK_RAW, bytes: aruba }]), [{ ...inner, tunnel: 'Tunnel::GRE' }]);
});

test('Frame Relay RFC 2427 NLPID IPv4, and SNAP', () => {
  expectConns(runFrames([{ linkType: 107, bytes: Buffer.concat([hex('1861 03 cc'), INNER_UDP()]) }]), [inner]);
  expectConns(runFrames([{ linkType: 107, bytes: Buffer.concat([hex('1861 03 00 80 000000 0800'), INNER_UDP()]) }]), [inner]);
  // RFC 2427 §5.2 bridged Ethernet (PID 0x0007, no FCS).
  expectConns(runFrames([{ linkType: 107, bytes: Buffer.concat([hex('1861 03 00 80 0080c2 0007'), ether(0x0800, INNER_UDP())]) }]), [inner]);
});

test('NFLOG written big-endian; PPP with a compressed protocol field; PPPoE discovery ignored', () => {
  const ip = INNER_UDP();
  const tlvLen = 4 + ip.length;
  const nf = Buffer.concat([hex('02 00 0000'), hex('0008 0001 00000800'), Buffer.from([tlvLen >> 8, tlvLen & 0xff, 0, 9]), ip]);
  expectConns(runFrames([{ linkType: 239, bytes: nf }]), [inner]);
  expectConns(runFrames([{ linkType: 9, bytes: Buffer.concat([hex('21'), ip]) }]), [inner]);
  expectConns(runFrames([{ linkType: 9, bytes: Buffer.concat([hex('ff03 0021'), ip]) }]), [inner]);
  const padi = ether(0x8863, hex('1109 0000 0004 01010000'));
  const s = runFrames([{ linkType: LINK_ETHERNET, bytes: padi }]);
  assert.equal(s.get('conn').length + decodeWeirds(s).length, 0);
  const sess = ether(0x8864, Buffer.concat([hex('1100 0001'), Buffer.from([0, ip.length + 2]), hex('0021'), ip, Buffer.alloc(6)]));
  expectConns(runFrames([{ linkType: LINK_ETHERNET, bytes: sess }]), [inner]);
});

test('Cisco HDLC, as its own link type and inside a link type 50 capture', () => {
  const frame = Buffer.concat([hex('0f00 0800'), INNER_UDP()]);
  expectConns(runFrames([{ linkType: 104, bytes: frame }]), [inner]);
  expectConns(runFrames([{ linkType: 50, bytes: frame }]), [inner]);
});

test('PPI carrying raw 802.11', () => {
  const wlan = Buffer.concat([hex('0802 0000'), Buffer.alloc(18, 1), hex('0000'), hex('aaaa03 000000 0800'), INNER_UDP()]);
  expectConns(runFrames([{ linkType: 192, bytes: Buffer.concat([hex('00 00 0800 69000000'), wlan]) }]), [inner]);
});
