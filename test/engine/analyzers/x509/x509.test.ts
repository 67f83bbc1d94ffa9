/**
 * Our X.509 parser against node:crypto's X509Certificate (the oracle, never used by the parser)
 * on the certificates of the shared captures, and on every truncation and random corruption of
 * one: it must never throw, and must either refuse or return consistent values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcap } from '../../../helpers.js';
import { parseCertificate, certMatchesHost } from '../../../../src/engine/analyzers/x509/x509.js';

function certs(file: string): Buffer[] {
  const out = execFileSync('tshark', ['-r', pcap(file), '-Y', 'tls.handshake.certificate', '-T', 'fields', '-e', 'tls.handshake.certificate'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter(Boolean).flatMap((l) => l.split(',')).map((h) => Buffer.from(h, 'hex'));
}

test('fields of real certificates match node:crypto', () => {
  const all = [...certs('tls12-openssl.pcap'), ...certs('tls-sslbl-listed-cert.pcapng'), ...certs('link-null-tls-alpn-h2.pcap'), ...certs('tls-self-signed-cert.pcap')];
  assert.ok(all.length >= 8);
  for (const der of all) {
    const ours = parseCertificate(der);
    assert.ok(ours);
    const c = new X509Certificate(der);
    assert.equal(ours.serial, c.serialNumber.toUpperCase().replace(/^(00)+(?=.)/, ''));
    assert.equal(ours.subject, c.subject.split('\n').reverse().join(','));
    assert.equal(ours.notValidAfter, Date.parse(c.validTo) / 1000);
    assert.equal(ours.selfSigned, c.checkIssued(c) && c.verify(c.publicKey));
  }
});

test('hostname matching: SAN dNSNames with one-label wildcards, CN only without SANs', () => {
  const [leaf] = certs('link-null-tls-alpn-h2.pcap');
  const info = parseCertificate(leaf)!;
  assert.ok(certMatchesHost(info, 'www.cloudflare.com'));
  assert.equal(certMatchesHost(info, 'example.org'), false);
  const wild = { ...info, san: { dns: ['*.example.com'], uri: [], email: [], ip: [] } };
  assert.ok(certMatchesHost(wild, 'a.example.com'));
  assert.equal(certMatchesHost(wild, 'a.b.example.com'), false);
  assert.equal(certMatchesHost(wild, 'example.com'), false);
});

test('every truncation and 2000 random corruptions never throw', () => {
  const [der] = certs('tls12-openssl.pcap');
  for (let n = 0; n < der.length; n++) {
    const r = parseCertificate(der.subarray(0, n));
    assert.equal(r, undefined, `truncated at ${n}`);
  }
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
  for (let i = 0; i < 2000; i++) {
    const m = Buffer.from(der);
    for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
    const r = parseCertificate(m);
    if (r) assert.equal(typeof r.subject, 'string');
  }
});

test('names, SAN kinds, basic constraints and EC keys of an openssl-made certificate match openssl', () => {
  const dir = mkdtempSync(join(tmpdir(), 'x509-'));
  const key = join(dir, 'k.pem'), pem = join(dir, 'c.pem'), der = join(dir, 'c.der');
  const ossl = (args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  ossl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1', '-nodes', '-keyout', key, '-out', pem, '-days', '10', '-utf8',
    '-subj', '/C=CH/L=Zürich/O=A, B+OU=x"y/CN= host.example',
    '-addext', 'subjectAltName=DNS:host.example,IP:10.0.0.1,IP:2001:db8::1,email:a@b.c,URI:https://x.example/',
    '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:2']);
  ossl(['x509', '-in', pem, '-outform', 'der', '-out', der]);
  const info = parseCertificate(readFileSync(der))!;
  assert.ok(info);
  const subject = ossl(['x509', '-in', pem, '-noout', '-subject', '-nameopt', 'RFC2253']).trim().replace(/^subject=/, '');
  assert.equal(info.subject, subject); // CN=\ host.example,O=A\, B+OU=x\"y,L=Z\C3\BCrich,C=CH
  assert.equal(info.issuer, subject);
  assert.deepEqual(info.san, { dns: ['host.example'], uri: ['https://x.example/'], email: ['a@b.c'], ip: ['10.0.0.1', '2001:db8::1'] });
  assert.deepEqual(info.basicConstraints, { ca: true, pathLen: 2 });
  assert.equal(info.keyType, 'ec');
  assert.equal(info.curve, 'secp384r1');
  assert.equal(info.keyLength, 384);
  assert.equal(info.keyAlg, 'id-ecPublicKey');
  assert.equal(info.sigAlg, 'ecdsa-with-SHA256');
  assert.equal(info.version, 3);
  assert.equal(info.selfSigned, true);
  const serial = ossl(['x509', '-in', pem, '-noout', '-serial']).trim().replace(/^serial=/, '');
  assert.equal(info.serial, serial.replace(/^(00)+(?=.)/, ''));
});
