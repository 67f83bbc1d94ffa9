/** The TCP stream reassembler: order, retransmissions, overlaps (first wins), gaps, limits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReassemblyBudget, TcpStream } from '../../../src/engine/reassembly/tcp-stream.js';
import { LIMITS } from '../../../src/engine/support/limits.js';

function harness(budget = new ReassemblyBudget()) {
  const out: string[] = [];
  const weirds: string[] = [];
  const s = new TcpStream({
    data: (buf, off, len) => out.push(buf.toString('latin1', off, off + len)),
    gap: (len) => out.push(`<gap ${len}>`),
  }, budget, (name) => weirds.push(name));
  const seg = (seq: number, text: string) => s.segment(seq, Buffer.from(text, 'latin1'), 0, text.length);
  return { s, seg, out, weirds, text: () => out.join('') };
}

test('in-order segments are delivered as they come', () => {
  const h = harness();
  h.seg(1, 'hello ');
  h.seg(7, 'world');
  assert.equal(h.text(), 'hello world');
  assert.equal(h.s.delivered, 11);
});

test('out-of-order segments wait for the hole to fill', () => {
  const h = harness();
  h.seg(7, 'world');
  assert.equal(h.text(), '');
  h.seg(1, 'hello ');
  assert.equal(h.text(), 'hello world');
});

test('an identical retransmission is dropped silently', () => {
  const h = harness();
  h.seg(1, 'hello ');
  h.seg(1, 'hello ');
  h.seg(7, 'world');
  assert.equal(h.text(), 'hello world');
  assert.deepEqual(h.weirds, []);
});

test('a retransmission with different bytes keeps the first and is a weird', () => {
  const h = harness();
  h.seg(1, 'GET /a');
  h.seg(1, 'GET /b');
  assert.equal(h.text(), 'GET /a');
  assert.deepEqual(h.weirds, ['rexmit_inconsistency']);
});

test('overlapping out-of-order data: first wins, differences are a weird', () => {
  const h = harness();
  h.seg(5, 'EFGH');
  h.seg(3, 'CDxx'); // overlaps EF with different bytes
  h.seg(1, 'AB');
  assert.equal(h.text(), 'ABCDEFGH');
  assert.deepEqual(h.weirds, ['rexmit_inconsistency']);
});

test('a segment straddling delivered data delivers only the new part', () => {
  const h = harness();
  h.seg(1, 'abcd');
  h.seg(3, 'cdef');
  assert.equal(h.text(), 'abcdef');
});

test('acknowledged but unseen bytes become a gap, and delivery resumes after it', () => {
  const h = harness();
  h.seg(1, 'abc');
  h.seg(10, 'jkl');
  h.s.ack(10);
  assert.equal(h.text(), 'abc<gap 6>jkl');
  assert.equal(h.s.gapBytes, 6);
});

test('the ack of a FIN is not a gap', () => {
  const h = harness();
  h.seg(1, 'abc');
  h.s.fin(4);
  h.s.ack(5);
  assert.equal(h.text(), 'abc');
});

test('flush at the end delivers buffered data across holes', () => {
  const h = harness();
  h.seg(1, 'ab');
  h.seg(6, 'fg');
  h.s.flush();
  assert.equal(h.text(), 'ab<gap 3>fg');
});

test('the shared memory budget caps buffering with a weird, never unbounded growth', () => {
  const budget = new ReassemblyBudget(10);
  const h = harness(budget);
  h.seg(100, '0123456789');
  h.seg(200, 'abcdefghij');
  assert.ok(h.weirds.includes('reassembly_buffer_limit'));
  assert.ok(budget.used <= 10);
  h.s.release();
  assert.equal(budget.used, 0);
});

test('a released stream\'s retained bytes serve a new stream without leaking into its checks', () => {
  const budget = new ReassemblyBudget();
  const a = harness(budget);
  a.seg(1, 'A'.repeat(5000));
  a.s.release();
  assert.equal(budget.spareTails.length, 1);
  a.s.release(); // twice: nothing handed over twice
  assert.equal(budget.spareTails.length, 1);
  const b = harness(budget);
  b.seg(1, 'hello');
  assert.equal(budget.spareTails.length, 0);
  b.seg(1, 'hello'); // identical retransmission: compared with b's bytes, not a's
  assert.deepEqual(b.weirds, []);
  b.seg(1, 'jello');
  assert.deepEqual(b.weirds, ['rexmit_inconsistency']);
  assert.equal(b.s.retainedLen, 5);
  assert.equal(b.s.retained.toString('latin1', 0, 5), 'hello');
});

test('the retained bytes are always the stream\'s last ones, across the tail\'s growth and every move to its front', () => {
  const cap = LIMITS.reassemblyRetainBytes;
  const sent: number[] = [];
  const checks: string[] = [];
  let s!: TcpStream;
  s = new TcpStream({
    // Checked during delivery, as the detection engine reads them: the chunk is their end.
    data: (buf, off, len) => {
      const want = Buffer.from(sent.slice(-Math.min(cap, sent.length)));
      const got = s.retained.subarray(s.retainedStart, s.retainedStart + s.retainedLen);
      if (!got.equals(want)) checks.push(`after ${sent.length} bytes`);
      const n = Math.min(len, cap);
      if (!got.subarray(got.length - n).equals(buf.subarray(off + len - n, off + len))) checks.push(`chunk at ${sent.length}`);
    },
    gap: () => {},
  }, new ReassemblyBudget(), () => {});
  // Sizes that land the end of the doubled buffer at many different offsets, one chunk of exactly
  // cap and one larger (copied whole), and single bytes.
  const sizes = [1, 300, 1460, 1460, 1460, 1460, 1, 1, 2000, cap - 1, 1, cap, 7, cap + 904, 3, 1460, 1460, 1460, 1460, 1460, 1460, 999, 2047, 2049, 1];
  let seq = 1;
  let v = 0;
  for (const n of sizes) {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) { b[i] = (v * 31 + 7) & 0xff; v++; }
    sent.push(...b);
    s.segment(seq, b, 0, n);
    seq += n;
  }
  assert.deepEqual(checks, []);
  assert.equal(s.retainedLen, cap);
  // A retransmission of bytes remembered before the last move is checked against them.
  const last = Buffer.from(sent.slice(-3000));
  const wk: string[] = [];
  const t = new TcpStream({ data: () => {}, gap: () => {} }, new ReassemblyBudget(), (name) => wk.push(name));
  let q = 1;
  for (const n of sizes) { t.segment(q, Buffer.from(sent.slice(q - 1, q - 1 + n)), 0, n); q += n; }
  t.segment(q - 3000, last, 0, 3000);
  assert.deepEqual(wk, []);
  last[10] ^= 1;
  t.segment(q - 3000, last, 0, 3000);
  assert.deepEqual(wk, ['rexmit_inconsistency']);
});
