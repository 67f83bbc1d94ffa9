import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wireText } from '../../src/engine/support/wire-text.js';

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
