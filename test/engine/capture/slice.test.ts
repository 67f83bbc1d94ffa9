/**
 * Per-flow slices on shared captures, checked against tshark: every connection of each capture
 * sliced out has exactly conn.log's orig_pkts + resp_pkts packets by capinfos' count, its frames
 * are the source's bytes and timestamps, the format follows the source (pcapng stays pcapng, a
 * nanosecond pcap stays nanosecond), and tshark sees one conversation with the conn's 5-tuple.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flowSelectorOf, sliceFlow, type FlowSelector } from '../../../src/engine/capture/slice.js';
import { readCapture } from '../../../src/engine/capture/source.js';
import type { FrameSink } from '../../../src/engine/capture/frame-sink.js';
import { pcap, run } from '../../helpers.js';

let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'capdex-slice-')); });
after(() => { rmSync(dir, { recursive: true, force: true }); });

async function sliceToFile(input: string, sel: FlowSelector, name: string) {
  const chunks: Buffer[] = [];
  const r = await sliceFlow(input, sel, (c) => chunks.push(c));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat(chunks));
  return { ...r, path };
}

/** Packet counts of several files in one capinfos run. */
function capinfosCounts(paths: string[]): number[] {
  const out = execFileSync('capinfos', ['-T', '-r', '-c', ...paths], { encoding: 'utf8' });
  return out.trim().split('\n').map((l) => Number(l.split('\t')[1]));
}

interface Frame { ts: string; data: string }
async function frames(path: string): Promise<Frame[]> {
  const out: Frame[] = [];
  const sink: FrameSink = {
    frame(buf, off, capLen, _w, sec, nsec) { out.push({ ts: `${sec}.${nsec}`, data: buf.subarray(off, off + capLen).toString('hex') }); },
    captureWeird() {},
  };
  await readCapture(path, sink);
  return out;
}

// Link types (Ethernet, SLL, radiotap 802.11, MPLS), pcapng, IPv6, VLAN, tunnels (VXLAN, GRE, Geneve), ICMP, UDP.
const CAPTURES = [
  'http-pe-exe-download.pcap', 'malware-aurora-exploit.pcapng', 'link-sll-http-log4j-exploit.pcap',
  'link-radiotap-80211-http.pcap', 'http-ipv6.pcap', 'link-vlan-8021q-two-vlans.pcap', 'tunnel-vxlan.pcap',
  'tunnel-gre.pcap', 'tunnel-geneve.pcap', 'icmp-echo.pcapng', 'dns-tcp.pcap', 'malware-emotet.pcap',
  'container-pcap-nanosecond-sll-tcp-handshake.pcap',
  // A last ACK after both FINs: counted in the connection, outside its duration.
  'http-gzip-content-encoding.pcap', 'pop3.pcap',
  // unknown_transport connections (OSPF, EIGRP...): addresses only.
  'link-mpls-basic.pcap',
];

for (const file of CAPTURES) {
  test(`${file}: each connection's slice has conn.log's packet count (capinfos) and the source's frames`, async () => {
    const { sink } = await run(pcap(file));
    const conns = sink.get('conn');
    assert.ok(conns.length > 0);
    const source = await frames(pcap(file));
    const sourceSet = new Set(source.map((f) => `${f.ts} ${f.data}`));
    // By the source's magic, not its name (pop3.pcap is pcapng inside).
    const magic = readFileSync(pcap(file)).readUInt32BE(0);
    const sourceFormat = magic === 0x0a0d0d0a ? 'pcapng' : magic === 0x4d3cb2a1 || magic === 0xa1b23c4d ? 'pcap-ns' : 'pcap';
    const paths: string[] = [];
    const want: number[] = [];
    for (const [i, c] of conns.entries()) {
      const sel = flowSelectorOf(c, conns);
      assert.ok(sel, `conn ${String(c.uid)} gives a selector`);
      const r = await sliceToFile(pcap(file), sel, `${file}-${i}`);
      const expected = Number(c.orig_pkts ?? 0) + Number(c.resp_pkts ?? 0);
      assert.equal(r.packets, expected, `${String(c.uid)} ${String(c.proto)} ${String(c['id.orig_h'])}:${String(c['id.orig_p'])} → ${String(c['id.resp_h'])}:${String(c['id.resp_p'])}`);
      assert.equal(r.format, sourceFormat);
      for (const f of await frames(r.path)) assert.ok(sourceSet.has(`${f.ts} ${f.data}`), 'a sliced frame is a source frame, byte for byte');
      paths.push(r.path);
      want.push(expected);
    }
    assert.deepEqual(capinfosCounts(paths), want);
  });
}

test('the slice of an HTTP download is one TCP conversation to tshark, with conn.log\'s 5-tuple and frames', async () => {
  const file = pcap('http-pe-exe-download.pcap');
  const { sink } = await run(file);
  const c = sink.get('conn').find((r) => r.service === 'http' || (Array.isArray(r.service) && r.service.includes('http')))!;
  const r = await sliceToFile(file, flowSelectorOf(c, sink.get('conn'))!, 'http-conv.pcap');
  const out = execFileSync('tshark', ['-r', r.path, '-q', '-z', 'conv,tcp'], { encoding: 'utf8' });
  const rows = out.split('\n').filter((l) => l.includes('<->'));
  assert.equal(rows.length, 1, out);
  const [a, , b] = rows[0].trim().split(/\s+/);
  const ends = [a, b].sort();
  assert.deepEqual(ends, [`${String(c['id.orig_h'])}:${String(c['id.orig_p'])}`, `${String(c['id.resp_h'])}:${String(c['id.resp_p'])}`].sort());
  // Total frames of the conversation (the column after both directions' frames and bytes).
  const nums = rows[0].trim().split(/\s+/).slice(3).map((x) => Number(x.replace(/,/g, '')));
  assert.ok(nums.includes(Number(c.orig_pkts) + Number(c.resp_pkts)), rows[0]);
});

test('fragments: an IPv4 datagram cut in fragments is sliced with every fragment', async () => {
  const file = pcap('frag-ipv4.pcapng');
  const { sink } = await run(file);
  const [c] = sink.get('conn');
  const r = await sliceToFile(file, flowSelectorOf(c)!, 'frag.pcapng');
  const frags = Number(execFileSync('sh', ['-c', `tshark -r '${r.path}' -Y 'ip.flags.mf == 1 || ip.frag_offset > 0' | wc -l`], { encoding: 'utf8' }));
  assert.ok(frags > 0);
  assert.equal(r.packets, capinfosCounts([pcap('frag-ipv4.pcapng')])[0]);
});

test('no packet of the flow, or a selector that names nothing: a valid empty capture, no throw', async () => {
  const file = pcap('http-pe-exe-download.pcap');
  const { sink } = await run(file);
  const sel = flowSelectorOf(sink.get('conn')[0])!;
  const wrongPort = await sliceToFile(file, { ...sel, respP: sel.respP + 1 }, 'none.pcap');
  const badAddr = await sliceToFile(file, { ...sel, origH: 'not an address', proto: 'nonsense' }, 'bad.pcap');
  const later = await sliceToFile(file, { ...sel, from: sel.from + 1000, until: sel.from + 2000 }, 'later.pcap');
  for (const r of [wrongPort, badAddr, later]) {
    assert.equal(r.packets, 0);
    assert.equal(readFileSync(r.path).length, 24, 'just the pcap file header');
  }
  assert.deepEqual(capinfosCounts([wrongPort.path, badAddr.path, later.path]), [0, 0, 0]);
  assert.equal(flowSelectorOf({ 'id.orig_h': '1.2.3.4' }), undefined);
  assert.equal(flowSelectorOf({ 'id.orig_h': '1.2.3.4', 'id.resp_h': '1.2.3.5', 'id.orig_p': 1, 'id.resp_p': 2, proto: 'tcp', ts: 'x' }), undefined);
});

test('a gzip\'d capture slices like the plain one', async () => {
  const file = pcap('http-pe-exe-download.pcap');
  const { gzipSync } = await import('node:zlib');
  const gz = join(dir, 'http.pcap.gz');
  writeFileSync(gz, gzipSync(readFileSync(file)));
  const { sink } = await run(file);
  const sel = flowSelectorOf(sink.get('conn')[0])!;
  const plain = await sliceToFile(file, sel, 'plain.pcap');
  const zipped = await sliceToFile(gz, sel, 'zipped.pcap');
  assert.ok(plain.packets > 0);
  assert.deepEqual(readFileSync(zipped.path), readFileSync(plain.path));
});
