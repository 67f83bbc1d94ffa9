/**
 * Link-layer decoders against the shared captures. Expected flows were read off tshark
 * (`-z conv,tcp/udp/ip`, `-T fields -e ip.src ...`), which dissects every one of these files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pcap, run } from '../../helpers.js';
import { expectConns, decodeWeirds } from './expect-conns.js';

test('MPLS: labelled and plain IP both reach conn.log (RSVP only exists under MPLS)', async () => {
  const { sink } = await run(pcap('link-mpls-basic.pcap'));
  expectConns(sink, [
    { proto: 'tcp', orig: '10.1.2.1', origPort: 11001, resp: '10.34.0.1', respPort: 23, origPkts: 11, respPkts: 8 },
    { proto: 'icmp', orig: '10.1.2.1', origPort: 8, resp: '10.34.0.1', respPort: 0, origPkts: 5, respPkts: 5 },
    { proto: 'unknown_transport', orig: '10.31.0.1', origPort: 0, resp: '10.34.0.1', respPort: 0, origPkts: 1, respPkts: 0 },
    { proto: 'udp', orig: '10.1.2.1', origPort: 711, resp: '255.255.255.255', respPort: 711, origPkts: 6, respPkts: 0 },
  ]);
  assert.deepEqual(decodeWeirds(sink), []);
});

test('PPPoE session: PPP/IPv4 TCP', async () => {
  const { sink } = await run(pcap('link-pppoe.pcap'));
  expectConns(sink, [
    { proto: 'tcp', orig: '172.202.246.57', origPort: 1063, resp: '64.12.189.217', respPort: 443, origPkts: 5, respPkts: 5 },
  ]);
  assert.equal(sink.get('conn').length, 1);
  assert.deepEqual(decodeWeirds(sink), []);
});

test('PPP in HDLC framing (link type 50) with odd control byte and a stray flag byte', async () => {
  // The frame's IPv4 header checksum is wrong (a tcpdump test frame), so checksums are off here.
  const { sink } = await run(pcap('link-ppp-dns.pcap'), { validateChecksums: false });
  expectConns(sink, [
    { proto: 'udp', orig: '192.168.0.111', origPort: 1024, resp: '69.168.178.248', respPort: 53, origPkts: 0, respPkts: 1 },
  ]);
});

test('radiotap + 802.11 data frames: HTTP over TCP', async () => {
  const { sink } = await run(pcap('link-radiotap-80211-http.pcap'));
  expectConns(sink, [
    { proto: 'tcp', orig: '172.5.5.113', origPort: 49417, resp: '14.17.32.211', respPort: 80, origPkts: 17, respPkts: 9 },
  ]);
  assert.equal(sink.get('conn').length, 1);
  assert.deepEqual(decodeWeirds(sink), []);
});

test('802.11 beacon: management frame skipped silently', async () => {
  const { sink, result } = await run(pcap('link-80211-beacon.pcapng'));
  assert.equal(result.stats.packets, 1);
  assert.equal(sink.get('conn').length, 0);
  assert.deepEqual(decodeWeirds(sink), []);
});

test('NFLOG: payload TLV carries IPv4', async () => {
  // Every IPv4 header checksum in this file is wrong (tshark agrees): whatever the checksum policy
  // does with such packets, it reports them; with checking off the flow is analysed normally.
  const checked = await run(pcap('link-nflog.pcap'));
  assert.ok(checked.sink.get('weird').some((w) => w.name === 'bad_IP_checksum'));
  const { sink } = await run(pcap('link-nflog.pcap'), { validateChecksums: false });
  expectConns(sink, [
    { proto: 'tcp', orig: '10.10.10.10', origPort: 54064, resp: '52.43.228.156', respPort: 80, origPkts: 6, respPkts: 4 },
  ]);
});

test('Frame Relay (link type 107, Cisco encapsulation: EtherType after the Q.922 address)', async () => {
  const { sink } = await run(pcap('link-frame-relay-icmp.pcap'));
  expectConns(sink, [
    { proto: 'icmp', orig: '10.0.0.1', origPort: 8, resp: '10.0.0.2', respPort: 0, origPkts: 5, respPkts: 5 },
  ]);
  assert.deepEqual(decodeWeirds(sink), []);
});

test('PPI wrapping Ethernet in a nanosecond pcap', async () => {
  const { sink } = await run(pcap('link-ppi-nanosecond-someip.pcap'));
  expectConns(sink, [
    { proto: 'udp', orig: '192.168.88.77', origPort: 30490, resp: '192.168.88.73', respPort: 30490, origPkts: 2, respPkts: 2 },
    { proto: 'udp', orig: '192.168.88.73', origPort: 30490, resp: '235.2.3.5', respPort: 30490, origPkts: 2, respPkts: 0 },
  ]);
  assert.deepEqual(decodeWeirds(sink), []);
});
