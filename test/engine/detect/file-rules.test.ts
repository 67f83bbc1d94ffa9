/**
 * Which units file.* rules read: an http rule on file.data reads the HTTP body (and no 'file'
 * units are made for it), one that names the file reads the files framework's 'file' units,
 * the only ones that carry file.name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pcap, run } from '../../helpers.js';
import { parseRules } from '../../../src/engine/detect/rules/parser.js';
import { Detector } from '../../../src/engine/detect/engine.js';
import { MemorySink } from '../../../src/engine/logs/file-sink.js';

const CAPTURE = 'http-pe-download-disguised-as-png.pcap';

test('an http rule on file.name alerts once, on the file tshark sees requested; file.data alone needs no file units', async () => {
  const uri = execFileSync('tshark', ['-r', pcap(CAPTURE), '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.uri'], { encoding: 'utf8' }).trim();
  const ext = uri.slice(uri.lastIndexOf('.'));
  assert.ok(ext.length > 1);
  const { rules, errors } = parseRules([
    `alert http any any -> any any (msg:"by name"; file.name; content:"${ext}"; endswith; sid:1;)`,
    'alert http any any -> any any (msg:"by body"; flow:to_client; file.data; content:"MZ"; startswith; sid:2;)',
  ].join('\n'), { file: 't' });
  assert.deepEqual(errors, []);
  const { sink } = await run(pcap(CAPTURE), { rules });
  assert.deepEqual(sink.get('eve').map((e) => (e.alert as { signature_id: number }).signature_id).sort(), [1, 2]);
  const bodyOnly = new Detector(rules.filter((r) => r.sid === 2), { sink: new MemorySink(), communityId: () => '' });
  assert.equal(bodyOnly.wants('file'), false);
  assert.equal(bodyOnly.wants('http'), true);
  assert.equal(new Detector(rules, { sink: new MemorySink(), communityId: () => '' }).wants('file'), true);
});
