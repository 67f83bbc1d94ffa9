import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latin1Text, wireText } from '../../src/engine/support/wire-text.js';

test('wire text keeps ASCII and valid UTF-8, escapes everything else as \\xNN', () => {
  assert.equal(wireText(Buffer.from('example.com')), 'example.com');
  assert.equal(wireText(Buffer.from('caf\u00e9 \u2603', 'utf8')), 'caf\u00e9 \u2603');
  assert.equal(wireText(Buffer.from([0x61, 0x00, 0x0a, 0x7f, 0x62])), 'a\\x00\\x0a\\x7fb');
  assert.equal(wireText(Buffer.from([0xc3])), '\\xc3'); // truncated sequence
  assert.equal(wireText(Buffer.from([0xc0, 0xaf])), '\\xc0\\xaf'); // overlong
  assert.equal(wireText(Buffer.from([0xed, 0xa0, 0x80])), '\\xed\\xa0\\x80'); // surrogate
  assert.equal(wireText(Buffer.from('a\\x41')), 'a\\x5cx41'); // a literal backslash stays distinguishable
  assert.equal(wireText(Buffer.from('<script>')), '<script>'); // HTML is the UI's job to escape, not the log's
});

test('latin1Text equals toString(\'latin1\') for every byte value, length and offset', () => {
  const buf = Buffer.alloc(600);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 101 + 7) & 0xff; // every byte value, shuffled
  for (let off = 0; off < 300; off += 13) {
    for (let n = 0; n <= 80; n++) assert.equal(latin1Text(buf, off, off + n), buf.toString('latin1', off, off + n), `off ${off} n ${n}`);
  }
  // a view into a larger buffer, with an offset of its own
  const view = buf.subarray(100, 200);
  assert.equal(latin1Text(view, 5, 25), buf.toString('latin1', 105, 125));
  // a range reaching outside the buffer is cut to it, as toString does (never a string of NULs)
  const abc = Buffer.from('abc');
  for (const [o, e] of [[0, 4], [-2, 2], [2, 99], [3, 5], [5, 9], [2, 1]]) assert.equal(latin1Text(abc, o, e), abc.toString('latin1', o, e), `[${o}, ${e})`);
});
