/**
 * The bundled ruleset (rules/capdex.rules): every rule loads, and on the shared captures it alerts
 * where the traffic is hostile or risky and stays silent on ordinary traffic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pcap, run } from '../../helpers.js';
import { BUNDLED_RULES_FILE, loadRuleset } from '../../../src/engine/detect/ruleset.js';
import type { LogRecord } from '../../../src/engine/logs/schema.js';

const bundled = loadRuleset([]);

async function sidsOn(name: string): Promise<{ sids: Set<number>; eve: LogRecord[] }> {
  const { sink } = await run(pcap(name), { rules: bundled.rules });
  const eve = sink.get('eve');
  return { sids: new Set(eve.map((e) => (e.alert as { signature_id: number }).signature_id)), eve };
}

test('the bundled rules all load: no errors, no unsupported keywords, dozens of rules, own sid range', () => {
  assert.deepEqual(bundled.errors, []);
  assert.equal(bundled.unsupported.size, 0);
  assert.ok(bundled.rules.length >= 60, `${bundled.rules.length} rules`);
  for (const r of bundled.rules) {
    assert.ok(r.sid >= 9100000 && r.sid <= 9100999, `sid ${r.sid} in Capdex's range`);
    assert.ok(r.msg.startsWith('CAPDEX '), r.msg);
    assert.equal(r.file, BUNDLED_RULES_FILE);
  }
});

const EXPECTED: Record<string, number[]> = {
  // Executable disguised as a PNG: MZ/PE body for a .png URI, with an image Content-Type.
  'http-pe-download-disguised-as-png.pcap': [9100001, 9100002],
  // Log4Shell: JNDI URL in the User-Agent and URL-encoded in the body, then Java fetching Exploit.class.
  'link-sll-http-log4j-exploit.pcap': [9100011, 9100012, 9100015],
  'attack-http-sql-injection.pcap': [9100020, 9100021],
  'ftp-login.pcap': [9100100, 9100101],
  'pop3.pcap': [9100102],
  'imap.pcap': [9100103],
  'tor.pcap': [9100110],
  'tls-sslbl-listed-cert.pcapng': [9100114],
};

for (const [name, sids] of Object.entries(EXPECTED)) {
  test(`bundled rules alert on ${name}: ${sids.join(', ')}`, async () => {
    const got = await sidsOn(name);
    for (const sid of sids) assert.ok(got.sids.has(sid), `sid ${sid} on ${name}; got ${[...got.sids].join(', ')}`);
  });
}

test('the disguised-PNG alert names the URI tshark sees, from the server to the client', async () => {
  const file = pcap('http-pe-download-disguised-as-png.pcap');
  const { eve } = await sidsOn('http-pe-download-disguised-as-png.pcap');
  const a = eve.find((e) => (e.alert as { signature_id: number }).signature_id === 9100001)!;
  const [uri, client] = execFileSync('tshark', ['-r', file, '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.uri', '-e', 'ip.src'], { encoding: 'utf8' }).trim().split('\t');
  assert.equal((a.http as { url: string }).url, uri);
  assert.equal(a.dest_ip, client);
  assert.equal(a.direction, 'to_client');
  assert.equal((a.alert as { severity: number }).severity, 1);
  assert.equal((a.alert as { category: string }).category, 'A Network Trojan was detected');
});

const BENIGN = [
  'tls13.pcap', 'tls12-openssl.pcap', 'dns-tcp.pcap', 'dns-dnssec.pcap', 'ssh2.pcap', 'dhcp-dora.pcap', 'ntp.pcap',
  'http-get-simple.pcap', 'http-post-upload.pcap', 'icmp-echo.pcapng', 'link-null-tls-alpn-h2.pcap', 'smtp-starttls.pcap',
  'quic-ietf-handshake.pcap', 'snmp-v2c-get.pcap',
];

for (const name of BENIGN) {
  test(`bundled rules stay silent on ${name}`, async () => {
    const { eve } = await sidsOn(name);
    assert.deepEqual(eve.map((e) => (e.alert as { signature: string }).signature), []);
  });
}
