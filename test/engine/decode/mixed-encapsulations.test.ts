/**
 * The synthetic Arkime capture packs one or two packets of many encapsulations; each must reach
 * conn.log as tshark dissects it (`-T fields -e frame.protocols -e ip.src -e ip.dst`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pcap, run } from '../../helpers.js';
import { expectConns } from './expect-conns.js';

test('mixed capture: every tunnel, MPLS, PPPoE, NSH, Cisco MetaData and SCTP flow is decoded', async () => {
  const { sink } = await run(pcap('mixed-arkime-synthetic-many-protocols.pcap'));
  const echo = (orig: string, resp: string, tunnel?: string, origPkts = 1) =>
    ({ proto: 'icmp', orig, origPort: 8, resp, respPort: 0, origPkts, respPkts: 0, tunnel }) as const;
  expectConns(sink, [
    echo('192.168.1.1', '192.168.1.2', 'Tunnel::GRE'),
    echo('172.16.1.1', '172.16.1.2', 'Tunnel::GRE'),
    echo('192.168.2.1', '192.168.2.2', 'Tunnel::VXLAN'),
    echo('192.168.100.1', '192.168.100.2', 'Tunnel::VXLAN'),
    echo('192.168.5.1', '192.168.5.2', 'Tunnel::GTPv1'),
    echo('192.168.6.1', '192.168.6.2', 'Tunnel::GENEVE'),
    echo('192.168.200.1', '192.168.200.2', 'Tunnel::GENEVE'),
    echo('192.168.8.1', '192.168.8.2'), // MPLS
    echo('192.168.9.1', '192.168.9.2'), // PPPoE
    echo('192.168.10.1', '192.168.10.2', undefined, 2), // NSH, then Cisco MetaData
    { proto: 'udp', orig: '10.111.111.10', origPort: 5353, resp: '10.111.111.20', respPort: 53, origPkts: 1, respPkts: 1, tunnel: 'Tunnel::GENEVE' },
    // IPv4 and IPv6 in IPv6 behind a destination options header
    { proto: 'udp', orig: '10.9.10.1', origPort: 40200, resp: '10.9.10.2', respPort: 40201, origPkts: 1, respPkts: 0, tunnel: 'Tunnel::IP' },
    { proto: 'udp', orig: '2001:db8:902::1', origPort: 40300, resp: '2001:db8:902::2', respPort: 40301, origPkts: 1, respPkts: 0, tunnel: 'Tunnel::IP' },
    { proto: 'sctp', orig: '10.9.6.1', origPort: 38001, resp: '10.9.6.2', respPort: 38002, origPkts: 4, respPkts: 1 },
  ]);
  // VXLAN-GPE (UDP 4790) is left undecoded on purpose, as Zeek has no analyzer for it (the oracle
  // test lists the difference from tshark).
  assert.ok(!sink.get('conn').some((c) => c['id.orig_h'] === '192.0.2.10'));
  const sctp = sink.get('conn').filter((c) => c.proto === 'sctp');
  assert.equal(sctp.length, 3);
  // ERSPAN type II around an LLC frame: no connection inside, so (as in Zeek, which announces a
  // tunnel from new_connection) no Tunnel::DISCOVER either.
  assert.ok(!sink.get('tunnel').some((t) => t['id.orig_h'] === '10.5.10.100'));
});
