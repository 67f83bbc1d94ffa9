/**
 * Heuristics on the shared captures: each malicious capture raises the notice its behaviour
 * calls for (with tshark as the oracle for the evidence it can see: query names, the URI, the
 * port), benign captures raise none, and every notice's uids join conn.log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { allCaptures, pcap, run } from '../../../helpers.js';
import type { LogRecord } from '../../../../src/engine/logs/schema.js';
import type { MemorySink } from '../../../../src/engine/logs/file-sink.js';
import { analyze } from '../../../../src/engine/pipeline.js';
import { MemorySink as Sink } from '../../../../src/engine/logs/file-sink.js';
import { analyzersShowingCredentials } from '../../../../src/engine/analyzers/index.js';

function tshark(file: string, args: string[]): string[] {
  return execFileSync('tshark', ['-r', pcap(file), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter((l) => l !== '');
}

function notices(sink: MemorySink, note?: string): LogRecord[] {
  return sink.get('notice').filter((n) => note === undefined || n.note === note);
}

/** Every uid a notice names is a connection of the capture: notices join the other logs. */
function assertUidsJoin(sink: MemorySink): void {
  const conns = new Set(sink.get('conn').map((c) => c.uid));
  for (const n of notices(sink)) {
    if (n.uid !== undefined) assert.ok(conns.has(n.uid), `${n.note} uid ${n.uid} not in conn.log`);
    for (const u of (n.uids as string[] | undefined) ?? []) assert.ok(conns.has(u), `${n.note} uids ${u} not in conn.log`);
    assert.ok(typeof n.msg === 'string' && (n.msg as string).length > 10, 'a notice explains itself');
  }
}

test('dns-tunnel-iodine: one DNS_Tunnel notice under pirate.sea, counted within tshark\'s queries', async () => {
  const { sink } = await run(pcap('dns-tunnel-iodine.pcap'));
  const [n, ...rest] = notices(sink, 'Capdex::DNS_Tunnel');
  assert.equal(rest.length, 0);
  assert.match(n.msg as string, /under pirate\.sea/);
  assert.equal(n.src, '10.0.2.30');
  const queries = tshark('dns-tunnel-iodine.pcap', ['-Y', 'dns.flags.response==0', '-T', 'fields', '-e', 'dns.qry.name']).filter((q) => q.endsWith('.pirate.sea'));
  assert.equal(queries.length, 222);
  assert.ok((n.n as number) >= queries.length / 2 && (n.n as number) <= queries.length, `n ${n.n}`);
  assert.match(n.sub as string, /TXT\/NULL queries \d+/);
  assert.equal(notices(sink, 'Capdex::DGA_Domain').length, 0, 'pirate.sea is a word, not a DGA name');
  assertUidsJoin(sink);
});

test('dns-exfiltration: dnscat2 queries (no domain of their own) are one tunnel, all of tshark\'s queries', async () => {
  const { sink } = await run(pcap('dns-exfiltration.pcap'));
  const [n, ...rest] = notices(sink, 'Capdex::DNS_Tunnel');
  assert.equal(rest.length, 0);
  assert.match(n.msg as string, /under dnscat:/);
  const queries = tshark('dns-exfiltration.pcap', ['-Y', 'dns.flags.response==0', '-T', 'fields', '-e', 'dns.qry.name']);
  assert.equal(n.n, queries.filter((q) => q.startsWith('dnscat.')).length);
  assertUidsJoin(sink);
});

test('tls-self-signed-cert: self-signed server certificate and no SNI; the valid certificate raises no validity notice', async () => {
  const { sink } = await run(pcap('tls-self-signed-cert.pcap'));
  const [ss, ...more] = notices(sink, 'Capdex::Self_Signed_Cert');
  assert.equal(more.length, 0, 'the client certificate (also self-signed) is not the server\'s');
  assert.equal(ss['id.resp_p'], 4443);
  assert.match(ss.msg as string, /CN=molochftw/);
  const fp = sink.get('x509').find((x) => x['certificate.subject'] === 'CN=molochftw')!.fingerprint as string;
  assert.match(ss.sub as string, new RegExp(fp));
  assert.equal(notices(sink, 'Capdex::TLS_Bare_IP').length, 1);
  assert.equal(tshark('tls-self-signed-cert.pcap', ['-Y', 'tls.handshake.extensions_server_name', '-T', 'fields', '-e', 'frame.number']).length, 0, 'tshark sees no SNI either');
  assert.equal(notices(sink, 'Capdex::Certificate_Expired').length + notices(sink, 'Capdex::Certificate_Not_Valid_Yet').length, 0);
  assertUidsJoin(sink);
});

test('http-pe-download-disguised-as-png: a PE executable fetched as /tablone.png', async () => {
  const { sink } = await run(pcap('http-pe-download-disguised-as-png.pcap'));
  const [n, ...rest] = notices(sink, 'Capdex::Disguised_Executable');
  assert.equal(rest.length, 0);
  assert.deepEqual(tshark('http-pe-download-disguised-as-png.pcap', ['-Y', 'http.request', '-T', 'fields', '-e', 'http.request.uri']), ['/tablone.png']);
  assert.equal(n.file_mime_type, 'application/x-dosexec');
  assert.match(n.file_desc as string, /\/tablone\.png$/);
  assert.equal(n.fuid, sink.get('files')[0].fuid);
  assert.equal(n.uid, sink.get('http')[0].uid);
  assertUidsJoin(sink);
});

test('ftp-login: cleartext FTP login reported as a guest login, the password never shown', async () => {
  const { sink } = await run(pcap('ftp-login.pcap'), { analyzers: analyzersShowingCredentials() });
  const [n, ...rest] = notices(sink, 'Capdex::Cleartext_Credentials');
  assert.equal(rest.length, 0);
  assert.match(n.msg as string, /user "anonymous" \(guest login\) in cleartext over FTP/);
  const [pass] = tshark('ftp-login.pcap', ['-Y', 'ftp.request.command == "PASS"', '-T', 'fields', '-e', 'ftp.request.arg']);
  assert.equal(pass, 'ftp@example.com');
  assert.ok(!JSON.stringify(notices(sink)).includes(pass), 'the secret is not in notice.log, even with --show-credentials');
  assertUidsJoin(sink);
});

test('malware-emotet: self-signed C2 certificate without SNI, SMTP AUTH in cleartext (secret not shown)', async () => {
  const sink = new Sink();
  await analyze(pcap('malware-emotet.pcap'), sink, { engine: { analyzers: analyzersShowingCredentials() } });
  const ss = notices(sink, 'Capdex::Self_Signed_Cert');
  assert.deepEqual(ss.map((n) => `${n['id.resp_h']}:${n['id.resp_p']}`), ['138.197.147.101:443']);
  assert.deepEqual(notices(sink, 'Capdex::TLS_Bare_IP').map((n) => n.dst), ['138.197.147.101']);
  const [cred] = notices(sink, 'Capdex::Cleartext_Credentials').filter((n) => /SMTP/.test(n.msg as string));
  assert.match(cred.msg as string, /raulparedes@wanadoo\.fr/);
  const password = sink.get('smtp').map((r) => r.password).find((p) => typeof p === 'string') as string;
  assert.ok(password && password.length > 3, 'the smtp record shows the password with --show-credentials');
  assert.ok(!JSON.stringify(notices(sink)).includes(password));
  assertUidsJoin(sink);
});

test('malware-trickbot: HTTP C2 on port 7080 is a port/protocol mismatch (tshark decodes it as HTTP when told)', async () => {
  const { sink } = await run(pcap('malware-trickbot.pcap'));
  const [n, ...rest] = notices(sink, 'Capdex::Port_Protocol_Mismatch');
  assert.equal(rest.length, 0);
  const [req] = tshark('malware-trickbot.pcap', ['-d', 'tcp.port==7080,http', '-Y', 'http.request', '-T', 'fields', '-e', 'ip.dst', '-e', 'tcp.dstport']);
  assert.equal(`${n.dst}\t${n.p}`, req);
  assert.match(n.msg as string, /^HTTP on port 7080\/tcp/);
  assertUidsJoin(sink);
});

test('malware-cryptowall4-c2: the hard-coded MSIE 7.0 User-Agent of the check-ins is suspicious', async () => {
  const { sink } = await run(pcap('malware-cryptowall4-c2.pcapng'));
  const [n, ...rest] = notices(sink, 'Capdex::Suspicious_User_Agent');
  assert.equal(rest.length, 0);
  assert.match(n.msg as string, /ancient browser/);
  const uas = new Set(tshark('malware-cryptowall4-c2.pcapng', ['-Y', 'http.request', '-T', 'fields', '-e', 'http.user_agent']));
  assert.equal(uas.size, 1);
  assert.ok((n.sub as string).includes(JSON.stringify([...uas][0])));
  assert.equal(n.n, 3, 'three check-ins');
  assertUidsJoin(sink);
});

for (const benign of ['tls13.pcap', 'http-get-simple.pcap', 'dns-tcp.pcap']) {
  test(`${benign}: benign traffic raises no notice`, async () => {
    const { sink } = await run(pcap(benign));
    assert.ok(sink.get('conn').length > 0);
    assert.deepEqual(notices(sink).map((n) => n.note), []);
  });
}

test('heuristics off (analyze({ heuristics: false })): no notice.log at all', async () => {
  const sink = new Sink();
  await analyze(pcap('tls-self-signed-cert.pcap'), sink, { heuristics: false });
  assert.equal(sink.get('notice').length, 0);
  assert.ok(sink.get('ssl').length > 0);
});

test('false positives over every shared capture: no DGA name, DNS tunnels only in the two tunnel captures, no disguised executable but the one', async () => {
  const seen: Record<string, string[]> = {};
  for (const file of allCaptures()) {
    const { sink } = await run(pcap(file));
    for (const n of notices(sink)) (seen[n.note as string] ??= []).push(file);
  }
  assert.deepEqual(seen['Capdex::DGA_Domain'] ?? [], []);
  assert.deepEqual(seen['Capdex::DNS_Tunnel'], ['dns-exfiltration.pcap', 'dns-tunnel-iodine.pcap']);
  assert.deepEqual(seen['Capdex::Disguised_Executable'], ['http-pe-download-disguised-as-png.pcap']);
});
