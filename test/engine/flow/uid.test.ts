/**
 * Uids are stable across runs and versions (a uid in a saved report must still be found): pinned
 * values computed by the earlier string-building implementation, including the 96-bit extremes
 * and a prefix longer than one character.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base62Uid, uidFor } from '../../../src/engine/flow/uid.js';

test('base62Uid: pinned values, 18 characters for a one-letter prefix', () => {
  assert.equal(base62Uid('C', 0, 0, 0), 'C00000000000000000');
  assert.equal(base62Uid('C', 0xffffffff, 0xffffffff, 0xffffffff), 'C1f2SI9UJPXvb7vdJ1');
  assert.equal(base62Uid('F', 1, 2, 3), 'F000000LygHaATUlwR');
  assert.equal(base62Uid('Cx', 0x80000000, 7, 0xdeadbeef), 'Cx0pWE94k9hlyOSS6hD');
  // The scratch buffer is reused: earlier results are not changed by later calls.
  const a = base62Uid('C', 1, 2, 3);
  base62Uid('C', 0xffffffff, 0xffffffff, 0xffffffff);
  assert.equal(a, 'C000000LygHaATUlwR');
});

test('uidFor: a connection identity gives the same uid as before', () => {
  assert.equal(uidFor('C', [6, 0, 0, 65535, 0x0a000001, 1234, 0, 0, 65535, 0x0a000002, 80, 1700000000, 123456]), 'C065b9HfPHj27o5127');
  assert.match(uidFor('C', [17, 1, 2, 3]), /^C[0-9A-Za-z]{17}$/);
});
