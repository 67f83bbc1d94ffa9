/**
 * The per-run summaries read off the analyzers' records: credentials.log, software.log,
 * known_services.log. Values are checked against tshark's dissectors where one shows them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pcap, run } from '../../helpers.js';
import { analyzersShowingCredentials } from '../../../src/engine/analyzers/index.js';
import { parseSoftware } from '../../../src/engine/summaries/software-version.js';

function tshark(file: string, filter: string, ...fields: string[]): string[][] {
  return execFileSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' })
    .split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

test('credentials: FTP USER/PASS (not in ftp.log) with the 230 outcome, masked by default', async () => {
  const file = pcap('ftp-login.pcap');
  const [[user]] = tshark(file, 'ftp.request.command == "USER"', 'ftp.request.arg');
  const [[pass]] = tshark(file, 'ftp.request.command == "PASS"', 'ftp.request.arg');
  const { sink } = await run(file);
  assert.deepEqual(sink.get('credentials').map((c) => [c.service, c.method, c.username, c.password, c.success]), [['ftp', 'USER/PASS', user, '<hidden>', true]]);
  const shown = await run(file, { analyzers: analyzersShowingCredentials(), showCredentials: true });
  assert.equal(shown.sink.get('credentials')[0].password, pass);
});

test('credentials: POP3 USER/PASS and AUTH PLAIN, one record per connection and user', async () => {
  const file = pcap('pop3.pcap');
  const [[user]] = tshark(file, 'pop.request.command == "user"', 'pop.request.parameter');
  const { sink } = await run(file);
  const creds = sink.get('credentials');
  assert.ok(creds.some((c) => c.service === 'pop3' && c.method === 'USER/PASS' && c.username === user));
  assert.ok(creds.some((c) => c.method === 'AUTH' && c.username === 'digitalinvestigator@networksims.com'));
  assert.ok(creds.every((c) => c.password === '<hidden>'));
  const keys = creds.map((c) => `${c.uid} ${c.username} ${c.method}`);
  assert.equal(new Set(keys).size, keys.length);
});

test('credentials: IMAP LOGIN and SNMP communities', async () => {
  const imap = pcap('imap.pcap');
  const [[user]] = tshark(imap, 'imap.request.username', 'imap.request.username');
  const a = await run(imap);
  assert.deepEqual(a.sink.get('credentials').map((c) => [c.service, c.username]), [['imap', user.replace(/^"|"$/g, '')]]);
  const snmp = pcap('snmp-v2c-get.pcap');
  const communities = new Set(tshark(snmp, 'snmp', 'snmp.community').map(([c]) => c));
  const b = await run(snmp, { analyzers: analyzersShowingCredentials(), showCredentials: true });
  const seen = b.sink.get('credentials');
  assert.ok(seen.length > 0);
  for (const c of seen) assert.ok(c.method === 'community' && communities.has(c.password as string), String(c.password));
  const masked = await run(snmp);
  assert.ok(masked.sink.get('credentials').every((c) => c.password === '<hidden>'));
});

test('software: SSH banners of both sides agree with tshark', async () => {
  const file = pcap('ssh2.pcap');
  const banners = new Map(tshark(file, 'ssh.protocol', 'ip.src', 'ssh.protocol').map(([h, p]) => [h, p]));
  const { sink } = await run(file);
  const sw = sink.get('software');
  assert.equal(sw.length, 2);
  for (const r of sw) {
    const banner = banners.get(r.host as string)!;
    assert.ok(banner.endsWith(r.unparsed_version as string), `${banner} / ${r.unparsed_version}`);
    assert.equal(r.name, 'OpenSSH');
  }
  const server = sw.find((r) => r.software_type === 'SSH::SERVER')!;
  assert.deepEqual([server.host_p, server['version.major'], server['version.minor'], server['version.addl']], [22, 3, 9, 'p1']);
});

test('software: each host, type and name is logged once per version', async () => {
  const { sink } = await run(pcap('mixed-arkime-synthetic-many-protocols.pcap'));
  const sw = sink.get('software');
  assert.ok(sw.length > 0);
  const keys = sw.map((r) => `${r.host} ${r.software_type} ${r.name} ${r['version.major']}.${r['version.minor']}${r['version.addl'] ?? ''}`);
  assert.equal(new Set(keys).size, keys.length);
});

test('software versions: browsers by their real name, generic name/version, no backtracking blow-up', () => {
  assert.deepEqual(parseSoftware('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36 Edg/120.0.2210.77'),
    { name: 'Edge', major: 120, minor: 0, minor2: 2210, minor3: 77 });
  assert.deepEqual(parseSoftware('OpenSSH_8.9p1 Ubuntu-3ubuntu0.6'), { name: 'OpenSSH', major: 8, minor: 9, addl: 'p1' });
  assert.deepEqual(parseSoftware('python-requests/2.31.0'), { name: 'python-requests', major: 2, minor: 31, minor2: 0 });
  assert.deepEqual(parseSoftware('WinHttp'), { name: 'WinHttp' });
  // A name built to make a backtracking pattern exponential comes back at once.
  assert.equal(parseSoftware('a-'.repeat(300) + '!').name, ('a-'.repeat(300) + '!').slice(0, 512));
});

test('known_services: every confirmed, answered service once, matching conn.log', async () => {
  const { sink } = await run(pcap('mixed-arkime-synthetic-many-protocols.pcap'));
  const known = sink.get('known_services');
  const keys = known.map((k) => `${k.host} ${k.port_num} ${k.port_proto} ${(k.service as string[]).join(',')}`);
  assert.equal(new Set(keys).size, keys.length, 'no duplicates');
  const conns = sink.get('conn').filter((c) => c.service && (c.proto === 'udp' ? (c.resp_pkts as number) > 0 : /[hd]/.test(c.history as string)));
  const expected = new Set(conns.map((c) => `${c['id.resp_h']} ${c['id.resp_p']} ${c.proto} ${(c.service as string).split(',').sort().join(',')}`));
  assert.deepEqual(new Set(keys), expected);
  assert.ok(known.some((k) => (k.service as string[]).includes('dns')));
});

test('known_services with local networks set: only local responders', async () => {
  const { sink } = await run(pcap('mixed-arkime-synthetic-many-protocols.pcap'), { localNets: ['10.0.0.0/8'] });
  const known = sink.get('known_services');
  assert.ok(known.length > 0);
  assert.ok(known.every((k) => (k.host as string).startsWith('10.')));
});
