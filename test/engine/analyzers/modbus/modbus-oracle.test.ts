/**
 * modbus.log over the shared captures, checked against tshark: one record per Modbus/TCP
 * message, in order, with its time, transaction id (mbtcp.trans_id), unit (mbtcp.unit_id),
 * function (modbus.func_code; tshark shows the code without the exception bit, so the exception
 * bit is added back when modbus.exception_code is present) and exception name.
 *
 * Deliberate differences / notes:
 * - Times: the engine's clock never goes backwards, so a frame whose capture time is earlier
 *   than a previous frame's gets the previous time (mixed-arkime ports 49700/49701).
 * - mixed-arkime frame 866 holds two messages: tid 257 with function 0x81 and no exception code
 *   byte (MBAP length 2), then tid 258. tshark shows only the second; we log only the second
 *   too (weird modbus_truncated_exception for the first: Zeek writes an exception record only
 *   from modbus_exception, which needs the code byte).
 * - pdu_type follows Zeek: "REQ" from the connection's originator, "RESP" from the responder,
 *   whatever the function code says (mixed-arkime port 49701: the first packet comes from port
 *   502, so the server is the originator there and its exception response is logged as "REQ").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pcap, run } from '../../../helpers.js';
import { exceptionName, functionName } from '../../../../src/engine/analyzers/modbus/modbus-analyzer.js';

function tshark(file: string, filter: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', pcap(file), '-Y', filter, '-T', 'fields', '-E', 'occurrence=f', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

for (const [file, count] of [['modbus-tcp.pcap', 102], ['mixed-arkime-synthetic-many-protocols.pcap', 8]] as const) {
  test(`${file}: modbus.log agrees with tshark`, async () => {
    const { sink } = await run(pcap(file));
    const recs = sink.get('modbus');
    // The engine's clock never goes backwards (the arkime capture has out-of-order frame times):
    // the expected time of a frame is the largest frame time up to it.
    const clock: number[] = [];
    for (const [t] of tshark(file, '', ['frame.time_epoch'])) clock.push(Math.max(Number(t), clock.length ? clock[clock.length - 1] : 0));
    const want = tshark(file, 'mbtcp', ['frame.number', 'tcp.srcport', 'tcp.dstport', 'mbtcp.trans_id', 'mbtcp.unit_id', 'modbus.func_code', 'modbus.exception_code'])
      .map(([n, sp, dp, tid, unit, fc, exc]) => ({ ts: clock[Number(n) - 1], ports: [Number(sp), Number(dp)].sort().join(','), tid: Number(tid), unit: Number(unit),
        func: functionName(Number(fc) | (exc ? 0x80 : 0)), exception: exc ? exceptionName(Number(exc)) : undefined }));
    assert.equal(want.length, count);
    assert.equal(recs.length, want.length);
    // Records are written per connection as the engine meets them; compare in capture order.
    const got = recs.map((r) => ({ ts: r.ts, ports: [r['id.orig_p'], r['id.resp_p']].sort().join(','), tid: r.tid, unit: r.unit, func: r.func, exception: r.exception }))
      .sort((a, b) => (a.ts as number) - (b.ts as number));
    want.sort((a, b) => a.ts - b.ts);
    got.forEach((g, i) => {
      assert.ok(Math.abs((g.ts as number) - want[i].ts) < 1e-6, `ts ${i}`);
      assert.deepEqual({ ...g, ts: 0 }, { ...want[i], ts: 0 }, `record ${i}`);
    });
    for (const c of sink.get('conn')) if (c['id.resp_p'] === 502 || c['id.orig_p'] === 502) assert.equal(c.service, 'modbus');
  });
}

test('modbus-tcp.pcap: requests and responses pair by transaction id', async () => {
  const { sink } = await run(pcap('modbus-tcp.pcap'));
  const recs = sink.get('modbus');
  // The last four requests carry tid 0 and are answered with tids 1..4 (as tshark shows too).
  for (let i = 0; i < recs.length; i += 2) {
    assert.equal(recs[i].pdu_type, 'REQ');
    assert.equal(recs[i + 1].pdu_type, 'RESP');
    if (i < 94) assert.equal(recs[i].tid, recs[i + 1].tid);
    else assert.deepEqual([recs[i].tid, recs[i + 1].tid], [0, (i - 92) / 2]);
    assert.equal(recs[i].func, recs[i + 1].func);
  }
});
