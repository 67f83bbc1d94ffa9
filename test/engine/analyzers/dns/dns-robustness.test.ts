/**
 * Hostile input: seeded random corruptions and truncations of real DNS messages, fed to the
 * parser and to the UDP and TCP analyzers with a recording context. Nothing may throw, every
 * call must end, and what is logged stays bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalyzerContext } from '../../../../src/engine/analyzers/analyzer.js';
import { DNS_BY_PORT } from '../../../../src/engine/analyzers/dns/index.js';
import { parseDnsMessage } from '../../../../src/engine/analyzers/dns/parser.js';
import { LIMITS } from '../../../../src/engine/support/limits.js';
import { RESPONSE, header, name, ptr, question, rr, u16 } from './build-dns.js';
import { prng } from '../../../support/prng.js';


const SEEDS: Buffer[] = [
  Buffer.concat([header(1, RESPONSE, 1, 4), question(name('www.example.com'), 1),
    rr(ptr(12), 5, 60, Buffer.concat([Buffer.from([3]), Buffer.from('cdn'), ptr(16)])),
    rr(ptr(12), 1, 60, Buffer.from([1, 2, 3, 4])),
    rr(ptr(12), 16, 60, Buffer.from('\x05hello\x03abc', 'latin1')),
    rr(ptr(12), 65, 60, Buffer.concat([u16(1), name(''), u16(1), u16(3), Buffer.from([2, 0x68, 0x32])]))]),
  Buffer.from('ed6900000001000000000000c00cc007c010c017c020c027c030c0ffcf000000010001', 'hex'),
];

function fakeCtx(log: unknown[], respP = 53, weirds: string[] = []): AnalyzerContext {
  return {
    conn: { uid: 'Ctest', origH: '10.0.0.1', origP: 1000, respH: '10.0.0.2', respP, transport: 'udp', communityId: '' },
    now: () => 1,
    log: (_s, r) => { log.push(r); },
    connFields: () => ({ uid: 'Ctest' }),
    weird: (n: string) => { weirds.push(n); },
    confirm: () => {},
    inspecting: () => false,
    inspect: () => {},
    violation: () => {},
  } as AnalyzerContext;
}

function mutate(r: () => number, base: Buffer): Buffer {
  const b = Buffer.from(base);
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * b.length);
    const kind = r();
    if (kind < 0.6) b[at] = Math.floor(r() * 256);
    else if (kind < 0.8) b[at] = [0xc0, 0x3f, 0x40, 0xff, 0x00][Math.floor(r() * 5)];
    else b[at] ^= 1 << Math.floor(r() * 8);
  }
  return r() < 0.3 ? b.subarray(0, Math.floor(r() * b.length)) : b;
}

test('the parser survives 20000 corrupted messages', () => {
  const r = prng(1);
  for (let i = 0; i < 20000; i++) {
    const m = mutate(r, SEEDS[i % SEEDS.length]);
    const msg = parseDnsMessage(m, 0, m.length, { netbios: r() < 0.1 });
    if (msg) assert.ok(msg.answers.length <= LIMITS.dnsMaxAnswers);
  }
});

test('random bytes never crash the UDP and TCP analyzers', () => {
  const r = prng(2);
  const log: unknown[] = [];
  for (let i = 0; i < 300; i++) {
    const ctx = fakeCtx(log, r() < 0.2 ? 137 : 53);
    const d = DNS_BY_PORT.createDatagram!(ctx);
    const s = DNS_BY_PORT.createStream!(ctx);
    for (let j = 0; j < 20; j++) {
      const m = r() < 0.5 ? mutate(r, SEEDS[j % SEEDS.length]) : Buffer.from(Array.from({ length: Math.floor(r() * 80) }, () => Math.floor(r() * 256)));
      d.packet(r() < 0.5, m, 0, m.length);
      const framed = Buffer.concat([u16(r() < 0.8 ? m.length : Math.floor(r() * 65536)), m]);
      // Deliver in random pieces, sometimes with a gap.
      for (let p = 0; p < framed.length; ) {
        const n = 1 + Math.floor(r() * 20);
        s.data(true, framed, p, Math.min(n, framed.length - p));
        p += n;
        if (r() < 0.01) s.gap(true, 5);
      }
    }
    s.eof(true);
    s.eof(false);
    d.done();
    s.done();
  }
  assert.ok(log.length > 0);
});

test('unsolicited replies are not held without bound', () => {
  const log: unknown[] = [], weirds: string[] = [];
  const d = DNS_BY_PORT.createDatagram!(fakeCtx(log, 53, weirds));
  const answers = Array.from({ length: 300 }, (_x, i) => rr(ptr(12), 1, 1, Buffer.from([10, 0, i >> 8, i & 255])));
  for (let id = 0; id < 40; id++) {
    const m = Buffer.concat([header(id, RESPONSE, 1, answers.length), question(name('flood.example'), 1), ...answers]);
    d.packet(false, m, 0, m.length);
  }
  // Past 10000 answers waiting, the replies are written out unmatched before the connection ends.
  assert.ok(weirds.includes('dns_unmatched_msg_quantity'), JSON.stringify([...new Set(weirds)]));
  assert.ok(log.length > LIMITS.dnsMaxPendingAnswers / 300);
  d.done();
  assert.equal(log.length, 40);
});
