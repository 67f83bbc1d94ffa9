/** The TCP stream reassembler: order, retransmissions, overlaps (first wins), gaps, limits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReassemblyBudget, TcpStream } from '../../../src/engine/reassembly/tcp-stream.js';

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
