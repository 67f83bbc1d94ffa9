/** GrowingBuffer: storage follows the bytes that arrive, never the declared length alone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GrowingBuffer } from '../../src/engine/support/growing-buffer.js';
import { utf16Text, utf16TextZ, oemText } from '../../src/engine/support/utf16-text.js';

test('a declared 16 MiB message reserves only what arrived; pieces gather in order; the rest is refused', () => {
  const g = new GrowingBuffer();
  g.start(16 * 1024 * 1024);
  assert.ok(g.bytes.length <= 1024);
  const piece = Buffer.alloc(3000, 1);
  assert.equal(g.append(piece, 0, piece.length), 3000);
  assert.ok(g.bytes.length >= 3000 && g.bytes.length < 16 * 1024);
  g.start(10);
  const src = Buffer.from('0123456789abcdef');
  assert.equal(g.append(src, 0, 4), 4);
  assert.equal(g.append(src, 4, 12), 6); // only what the message still lacks
  assert.ok(g.complete);
  assert.equal(g.bytes.subarray(0, g.have).toString(), '0123456789');
  g.release();
  assert.equal(g.have, 0);
});

test('UTF-16LE wire text: names and paths as they are, controls and lone surrogates escaped, bounds clamped', () => {
  const u = (s: string) => Buffer.from(s, 'utf16le');
  assert.equal(utf16Text(u('\\\\SRV\\IPC$'), 0, 20), '\\\\SRV\\IPC$');
  assert.equal(utf16Text(u('Grüße 日本'), 0, 100), 'Grüße 日本');
  assert.equal(utf16Text(u('a\u0000b\u001b'), 0, 8), 'a\\x00b\\x1b');
  assert.equal(utf16Text(Buffer.from([0x00, 0xd8, 0x41, 0x00]), 0, 4), '\ufffdA');
  assert.equal(utf16Text(u('abc'), 0, 5), 'ab'); // odd byte dropped
  assert.equal(utf16Text(u('abc'), -4, 999), 'abc');
  assert.equal(utf16TextZ(Buffer.concat([u('HOST'), Buffer.alloc(10)]), 0, 18), 'HOST');
  assert.equal(oemText(Buffer.from('\\PIPE\\x\x01'), 0, 9), '\\PIPE\\x\\x01');
});
