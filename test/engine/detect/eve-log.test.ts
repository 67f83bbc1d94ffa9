import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVE_LOG, eveAlert, eveFlowId, eveTimestamp } from '../../../src/engine/detect/eve-log.js';
import { FileSink } from '../../../src/engine/logs/file-sink.js';

const where = {
  uid: 'CHhAvVGS1DHFjwGM9', origH: '10.0.0.1', origP: 51000, respH: '93.184.216.34', respP: 80,
  communityId: '1:abc=', isOrig: false, transport: 'tcp',
};
const alert = { action: 'allowed' as const, gid: 1, signature_id: 9000001, rev: 2, signature: 'test "quoted"\n', category: 'Misc activity', severity: 3 };

test('EVE timestamps are ISO 8601 UTC with microseconds and a +0000 offset', () => {
  assert.equal(eveTimestamp(1259098029.534255), '2009-11-24T21:27:09.534255+0000');
  assert.equal(eveTimestamp(0), '1970-01-01T00:00:00.000000+0000');
  // Rounding up to a whole second carries into the seconds.
  assert.equal(eveTimestamp(9.9999999), '1970-01-01T00:00:10.000000+0000');
  assert.equal(eveTimestamp(Number.NaN), '1970-01-01T00:00:00.000000+0000');
});

test('EVE timestamps stay right whether the second is the one formatted last or not', () => {
  const direct = (ts: number) => {
    const sec = Math.floor(ts);
    const usec = Math.round((ts - sec) * 1e6);
    return new Date(sec * 1000).toISOString().slice(0, 19) + '.' + String(usec).padStart(6, '0') + '+0000';
  };
  // Repeats of one second, alternations of two (an alert's time, then its flow's start), a jump back.
  const times = [1600000000.25, 1600000000.5, 1600000000.75, 1600000001.000001, 1600000000.5, 1600000001.5, 1500000000.123456, 1600000001.999];
  for (const ts of times) assert.equal(eveTimestamp(ts), direct(ts), String(ts));
  assert.equal(eveTimestamp(1600000000.9999999), '2020-09-13T12:26:41.000000+0000'); // the carry moves to the next second
  assert.equal(eveTimestamp(1600000000.5), '2020-09-13T12:26:40.500000+0000');
});

test('flow_id is a stable 53-bit integer per uid', () => {
  const a = eveFlowId('CHhAvVGS1DHFjwGM9');
  assert.equal(a, eveFlowId('CHhAvVGS1DHFjwGM9'));
  assert.notEqual(a, eveFlowId('CHhAvVGS1DHFjwGM8'));
  assert.ok(Number.isSafeInteger(a) && a >= 0);
});

test('an alert seen from the server side swaps src and dest, keeps uid and community_id', () => {
  const r = eveAlert({ ts: 1, where, alert, appProto: 'http', txId: 0, extra: { http: { url: '/x' }, tls: undefined } });
  assert.deepEqual(Object.keys(r), ['timestamp', 'flow_id', 'event_type', 'src_ip', 'src_port', 'dest_ip', 'dest_port', 'proto', 'app_proto', 'direction', 'community_id', 'tx_id', 'uid', 'alert', 'http']);
  assert.equal(r.src_ip, '93.184.216.34');
  assert.equal(r.src_port, 80);
  assert.equal(r.dest_ip, '10.0.0.1');
  assert.equal(r.dest_port, 51000);
  assert.equal(r.proto, 'TCP');
  assert.equal(r.direction, 'to_client');
  assert.equal(r.uid, where.uid);
  assert.equal((r.alert as Record<string, unknown>).signature_id, 9000001);
  const icmp = eveAlert({ ts: 1, where: { ...where, isOrig: true, transport: 'icmp', noPorts: true }, alert });
  assert.equal(icmp.src_port, undefined);
  assert.equal(icmp.proto, 'ICMP');
});

test('the file sink writes EVE to eve.json as JSON lines even when the format is TSV', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-eve-'));
  try {
    const sink = new FileSink(dir, 'tsv');
    sink.write(EVE_LOG, eveAlert({ ts: 1, where, alert }));
    sink.write(EVE_LOG, eveAlert({ ts: 2, where, alert }));
    sink.close();
    assert.deepEqual(readdirSync(dir), ['eve.json']);
    const lines = readFileSync(join(dir, 'eve.json'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
    const first = JSON.parse(lines[0]);
    assert.equal(first.alert.signature, 'test "quoted"\n');
    assert.equal(first.event_type, 'alert');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
