/** DNS, TLS and SSH inspection units on real captures, against tshark and openssl. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { pcap } from '../../../helpers.js';
import { record, text, tshark, values } from './recorder.js';
import { suricataName, suricataSerial } from '../../../../src/engine/analyzers/ssl/inspection.js';

test('dns-tcp: one unit per message, dns.query as tshark, isOrig for queries, txId the message id', async () => {
  const file = pcap('dns-tcp.pcap');
  const { inspector } = await record(file, new Set(['dns']));
  const units = inspector.of('dns');
  const oracle = tshark(file, 'dns', 'dns.flags.response', 'dns.id', 'dns.qry.name');
  assert.equal(units.length, oracle.length);
  for (let i = 0; i < oracle.length; i++) {
    const [resp, id, name] = oracle[i].split('\t');
    assert.equal(units[i].isOrig, resp === '0');
    assert.equal(units[i].txId, Number(id));
    assert.deepEqual(values(units[i], 'dns.query'), name.split('|'));
  }
});

test('dns-many-record-types: names keep their case and have no trailing dot', async () => {
  const file = pcap('dns-many-record-types.pcap');
  const { inspector } = await record(file, new Set(['dns']));
  const ours = inspector.of('dns').flatMap((u) => values(u, 'dns.query'));
  const theirs = tshark(file, 'dns', 'dns.qry.name').flatMap((l) => l.split('|')).map((n) => (n === '<Root>' ? '' : n));
  assert.ok(ours.length > 0);
  assert.deepEqual(ours, theirs);
  for (const n of ours) assert.ok(!n.endsWith('.'));
});

test('tls12-openssl: ClientHello, ServerHello and Certificate units match tshark and openssl', async () => {
  const file = pcap('tls12-openssl.pcap');
  const { inspector } = await record(file, new Set(['tls']));
  const units = inspector.of('tls');
  const ch = units.find((u) => u.buffers['ja3.hash'] !== undefined)!;
  const [sni, ja3, ja3Full] = tshark(file, 'tls.handshake.type == 1', 'tls.handshake.extensions_server_name', 'tls.handshake.ja3', 'tls.handshake.ja3_full')[0].split('\t');
  assert.equal(ch.isOrig, true);
  assert.equal(sni, '');
  assert.equal(ch.buffers['tls.sni'], undefined);
  assert.equal(text(ch, 'ja3.hash'), ja3);
  assert.equal(text(ch, 'ja3.string'), ja3Full);
  assert.match(text(ch, 'ja4.hash')!, /^t12[di]\d{4}\w{2}_[0-9a-f]{12}_[0-9a-f]{12}$/);

  const sh = units.find((u) => u.buffers['ja3s.hash'] !== undefined)!;
  const [ja3s, version] = tshark(file, 'tls.handshake.type == 2', 'tls.handshake.ja3s', 'tls.handshake.version')[0].split('\t');
  assert.equal(sh.isOrig, false);
  assert.equal(text(sh, 'ja3s.hash'), ja3s);
  assert.equal(sh.facts?.version, Number(version));
  assert.equal(text(sh, 'tls.version'), 'TLS 1.2');

  const cert = units.find((u) => u.buffers['tls.certs'] !== undefined)!;
  assert.equal(cert.isOrig, false);
  const ders = tshark(file, 'tls.handshake.type == 11', 'tls.handshake.certificate')[0].split(/[|,]/).map((h) => Buffer.from(h, 'hex'));
  const certs = values(cert, 'tls.certs').map((s) => Buffer.from(s, 'latin1'));
  assert.equal(certs.length, ders.length);
  for (let i = 0; i < ders.length; i++) assert.ok(certs[i].equals(ders[i]));
  // openssl's view of the leaf (node:crypto is OpenSSL): Suricata prints the same strings.
  const x = new X509Certificate(ders[0]);
  assert.equal(text(cert, 'tls.cert_fingerprint'), x.fingerprint.toLowerCase());
  assert.equal(text(cert, 'tls.cert_serial'), x.serialNumber.match(/../g)!.join(':'));
  assert.equal(text(cert, 'tls.cert_subject'), 'C=US, ST=California, L=Mountain View, O=Google Inc, CN=*.google.com');
  assert.equal(text(cert, 'tls.cert_issuer'), 'C=US, O=Google Inc, CN=Google Internet Authority G2');
  assert.equal(text(cert, 'tls.cert_fingerprint'), createHash('sha1').update(ders[0]).digest('hex').match(/../g)!.join(':'));
});

test('tls13: tls.sni and ja3 as tshark; no certificate unit (encrypted in 1.3)', async () => {
  const file = pcap('tls13.pcap');
  const { inspector } = await record(file, new Set(['tls']));
  const [sni, ja3] = tshark(file, 'tls.handshake.type == 1', 'tls.handshake.extensions_server_name', 'tls.handshake.ja3')[0].split('\t');
  const ch = inspector.of('tls', true)[0];
  assert.equal(text(ch, 'tls.sni'), sni);
  assert.equal(text(ch, 'ja3.hash'), ja3);
  assert.ok(values(ch, 'tls.alpn').length > 0);
  assert.equal(inspector.of('tls').filter((u) => u.buffers['tls.certs']).length, 0);
});

test('Suricata name and serial forms', () => {
  assert.equal(suricataName('CN=a\\, b,O=Org+OU=Unit,C=US').toString('latin1'), 'C=US, O=Org + OU=Unit, CN=a, b');
  assert.equal(suricataName('CN=caf\\C3\\A9').toString('utf8'), 'CN=café');
  assert.equal(suricataSerial('7A5B'), '7A:5B');
  assert.equal(suricataSerial('A1'), '00:A1');
  assert.equal(suricataSerial('1'), '01');
});

test('ssh2: banners give ssh.proto / ssh.software, KEXINITs give hassh and hassh.server as tshark', async () => {
  const file = pcap('ssh2.pcap');
  const { inspector } = await record(file, new Set(['ssh']));
  const units = inspector.of('ssh');
  const banners = units.filter((u) => u.buffers['ssh.proto'] !== undefined);
  assert.equal(banners.length, 2);
  const client = banners.find((u) => u.isOrig)!, server = banners.find((u) => !u.isOrig)!;
  // The originator (SYN sender, 10.0.0.1) said SSH-2.0-OpenSSH_5.3, the server SSH-1.99-OpenSSH_3.9p1.
  const origin = tshark(file, 'tcp.flags.syn == 1 && tcp.flags.ack == 0', 'ip.src')[0];
  const bannerOf = (ip: string) => tshark(file, `ssh.protocol && ip.src == ${ip}`, 'ssh.protocol')[0];
  assert.equal(`SSH-${text(client, 'ssh.proto')}-${text(client, 'ssh.software')}`, bannerOf(origin));
  assert.equal(text(client, 'ssh.proto'), '2.0');
  assert.equal(text(server, 'ssh.proto'), '1.99');
  assert.equal(text(server, 'ssh.software'), 'OpenSSH_3.9p1');
  const [hassh, hasshAlgs] = tshark(file, 'ssh.kex.hassh', 'ssh.kex.hassh', 'ssh.kex.hassh_algorithms')[0].split('\t');
  const [hasshServer, hasshServerAlgs] = tshark(file, 'ssh.kex.hasshserver', 'ssh.kex.hasshserver', 'ssh.kex.hasshserver_algorithms')[0].split('\t');
  const c = units.find((u) => u.buffers['ssh.hassh'] !== undefined)!;
  const s = units.find((u) => u.buffers['ssh.hassh.server'] !== undefined)!;
  assert.equal(c.isOrig, true);
  assert.equal(text(c, 'ssh.hassh'), hassh);
  assert.equal(text(c, 'ssh.hassh.string'), hasshAlgs);
  assert.equal(s.isOrig, false);
  assert.equal(text(s, 'ssh.hassh.server'), hasshServer);
  assert.equal(text(s, 'ssh.hassh.server.string'), hasshServerAlgs);
});
