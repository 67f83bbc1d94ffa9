/** Cleartext credentials are masked in logs unless asked for (`--show-credentials`). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, pcap } from '../helpers.js';

function snmpCommunities(extra: string[]): string[] {
  const out = mkdtempSync(join(tmpdir(), 'capdex-cred-'));
  execFileSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'analyze', pcap('snmp-v2c-get.pcap'), '--out', out, '-q', ...extra]);
  return readFileSync(join(out, 'snmp.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).community as string);
}

test('SNMP communities are *** by default and shown with --show-credentials', () => {
  const masked = snmpCommunities([]);
  assert.ok(masked.length > 0 && masked.every((c) => c === '***'), JSON.stringify(masked));
  const shown = snmpCommunities(['--show-credentials']);
  assert.ok(shown.every((c) => c !== '***' && c.length > 0), JSON.stringify(shown));
});
