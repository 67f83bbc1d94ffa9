/**
 * The analyzer driven directly: the same TLS conversation cut at every byte position (and into
 * random chunk sizes) logs exactly the same records, and random corruption of it never throws.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { AnalyzerContext } from '../../../../src/engine/analyzers/analyzer.js';
import type { LogRecord, LogSchema } from '../../../../src/engine/logs/schema.js';
import { SslAnalyzer } from '../../../../src/engine/analyzers/ssl/ssl-analyzer.js';
import { pcap } from '../../../helpers.js';

interface Out { logs: Array<[string, LogRecord]>; weirds: string[]; violations: string[] }

function fakeCtx(out: Out): AnalyzerContext {
  return {
    conn: { uid: 'Ctest', origH: '10.0.0.1', origP: 1, respH: '10.0.0.2', respP: 443, transport: 'tcp', communityId: '' },
    now: () => 1,
    log: (s: LogSchema, r: LogRecord) => { out.logs.push([s.path, r]); },
    connFields: () => ({ uid: 'Ctest' }),
    weird: (n: string) => { out.weirds.push(n); },
    confirm: () => {},
    inspecting: () => false,
    inspect: () => {},
    violation: (r: string) => { out.violations.push(r); },
    files: { begin: () => ({ fuid: 'F', mimeType: undefined, mimeHint: undefined, filename: undefined, data() {}, gap() {}, end() {} }) },
  };
}

/** Each side's TCP payload of a shared capture's first connection, in order. */
function streams(file: string): { orig: Buffer; resp: Buffer; order: Array<[boolean, Buffer]> } {
  const out = execFileSync('tshark', ['-r', pcap(file), '-Y', 'tcp.stream == 0 && tcp.len > 0', '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.payload'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const rows = out.split('\n').filter(Boolean).map((l) => l.split('\t'));
  const clientPort = rows[0][0];
  const order = rows.map(([p, h]) => [p === clientPort, Buffer.from(h, 'hex')] as [boolean, Buffer]);
  return {
    order,
    orig: Buffer.concat(order.filter(([o]) => o).map(([, b]) => b)),
    resp: Buffer.concat(order.filter(([o]) => !o).map(([, b]) => b)),
  };
}

function drive(order: Array<[boolean, Buffer]>, cut: (isOrig: boolean, b: Buffer) => Buffer[]): Out {
  const out: Out = { logs: [], weirds: [], violations: [] };
  const a = new SslAnalyzer(fakeCtx(out));
  for (const [isOrig, b] of order) for (const piece of cut(isOrig, b)) a.data(isOrig, piece, 0, piece.length);
  a.done();
  return out;
}

for (const file of ['tls12-openssl.pcap', 'tls-self-signed-cert.pcap', 'tls13-ech.pcapng']) {
  test(`${file}: every split point of each flight gives the same records`, () => {
    const { order } = streams(file);
    const whole = drive(order, (_o, b) => [b]);
    assert.ok(whole.logs.some(([p]) => p === 'ssl'));
    assert.deepEqual(whole.violations, []);
    // Cut every segment at each position in turn (one cut per run, per segment).
    const maxLen = Math.max(...order.map(([, b]) => b.length));
    for (let at = 1; at < maxLen; at += at < 64 ? 1 : 7) {
      const split = drive(order, (_o, b) => (at < b.length ? [b.subarray(0, at), b.subarray(at)] : [b]));
      assert.deepEqual(split, whole, `split at ${at}`);
    }
    // Byte by byte.
    assert.deepEqual(drive(order, (_o, b) => Array.from(b, (_, i) => b.subarray(i, i + 1))), whole);
  });
}

test('random corruption of a real conversation never throws', () => {
  const { order } = streams('tls12-openssl.pcap');
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
  for (let i = 0; i < 1500; i++) {
    const mutated = order.map(([o, b]) => {
      const m = Buffer.from(b);
      if (rnd() < 0.5) for (let k = 0; k < 3; k++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
      return [o, m] as [boolean, Buffer];
    });
    drive(mutated, (_o, b) => {
      const pieces: Buffer[] = [];
      for (let p = 0; p < b.length; ) { const n = 1 + Math.floor(rnd() * 600); pieces.push(b.subarray(p, p + n)); p += n; }
      return pieces;
    });
  }
});
