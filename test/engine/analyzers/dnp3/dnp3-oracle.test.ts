/**
 * dnp3.log over dnp3.pcap, checked against tshark: tshark's application-layer function codes
 * (dnp3.al.func) and IIN (dnp3.al.iin) of every reassembled fragment, in capture order, are run
 * through Zeek's dnp3 script logic (a request sets fc_request, a reply sets fc_reply/iin/ts and
 * writes the record, a request left over is written at the end) and compared with our records.
 * Each segment of this capture is sent three times; the retransmissions are left out of tshark's
 * list (the engine's reassembly delivers each byte once).
 *
 * Notes:
 * - port 2803: the master's frames start with 0x0505 instead of 0x0564; tshark does not decode
 *   them and neither do we (weird dnp3_header_lacks_magic), so the outstation's unsolicited
 *   response is the only record.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pcap, run } from '../../../helpers.js';
import { functionName } from '../../../../src/engine/analyzers/dnp3/dnp3-analyzer.js';
import { buildPcap, type FrameSpec, writeTemp } from '../../../support/build-pcap.js';

function tshark(file: string, filter: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', pcap(file), '-Y', filter, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

test('dnp3.pcap: dnp3.log agrees with tshark through Zeek\'s logic', async () => {
  const { sink } = await run(pcap('dnp3.pcap'));
  const recs = sink.get('dnp3');
  type Rec = { ts: number; fc_request?: string; fc_reply?: string; iin?: number };
  const want = new Map<number, Rec[]>();
  const pending = new Map<number, Rec>();
  for (const [t, sp, dp, funcs, iins] of tshark('dnp3.pcap', 'dnp3.al.func && !tcp.analysis.retransmission', ['frame.time_epoch', 'tcp.srcport', 'tcp.dstport', 'dnp3.al.func', 'dnp3.al.iin'])) {
    const isOrig = Number(dp) === 20000;
    const client = isOrig ? Number(sp) : Number(dp);
    const iinList = iins ? iins.split(',') : [];
    for (const fc of funcs.split(',')) {
      const r = pending.get(client) ?? { ts: Number(t) };
      r.ts = Number(t);
      if (isOrig) { r.fc_request = functionName(Number(fc)); pending.set(client, r); continue; }
      r.fc_reply = functionName(Number(fc));
      r.iin = Number(iinList.shift());
      if (!want.has(client)) want.set(client, []);
      want.get(client)!.push(r);
      pending.delete(client);
    }
  }
  for (const [client, r] of pending) { if (!want.has(client)) want.set(client, []); want.get(client)!.push(r); }
  let total = 0;
  for (const [client, list] of want) {
    const got = recs.filter((r) => r['id.orig_p'] === client);
    assert.equal(got.length, list.length, `port ${client}`);
    list.forEach((w, i) => {
      const g = got[i];
      assert.ok(Math.abs((g.ts as number) - w.ts) < 1e-6, `port ${client} record ${i} ts`);
      assert.deepEqual([g.fc_request, g.fc_reply, g.iin], [w.fc_request, w.fc_reply, w.iin], `port ${client} record ${i}`);
    });
    total += list.length;
  }
  assert.equal(recs.length, total);
  assert.equal(total, 55);
  assert.equal(sink.get('conn').filter((c) => c.service === 'dnp3').length, 8);
  assert.deepEqual(sink.get('weird').map((w) => w.name), ['dnp3_header_lacks_magic']);
});

test('DNP3 over UDP 20000: the same frames in datagrams give the same dnp3.log as over TCP', async () => {
  // Every TCP payload of dnp3.pcap (tshark lists them; retransmissions left out), replayed as
  // one UDP datagram each between the same endpoints.
  const rows = execFileSync('tshark', ['-r', pcap('dnp3.pcap'), '-Y', 'tcp.len > 0 && !tcp.analysis.retransmission', '-T', 'fields',
    '-e', 'frame.time_epoch', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.payload'], { encoding: 'utf8' })
    .split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  const frames: FrameSpec[] = rows.map(([ts, src, dst, sport, dport, hex]) => (
    { ts: Number(ts), src, dst, proto: 'udp', sport: Number(sport), dport: Number(dport), payload: Buffer.from(hex.replace(/:/g, ''), 'hex') }));
  const udp = await run(writeTemp(buildPcap(frames), 'dnp3-udp.pcap'));
  const tcp = await run(pcap('dnp3.pcap'));
  const fields = (r: Record<string, unknown>) => [r['id.orig_p'], r.ts, r.fc_request, r.fc_reply, r.iin];
  assert.equal(udp.sink.get('conn')[0].service, 'dnp3');
  assert.ok(tcp.sink.get('dnp3').length > 0);
  assert.deepEqual(udp.sink.get('dnp3').map(fields), tcp.sink.get('dnp3').map(fields));
});
