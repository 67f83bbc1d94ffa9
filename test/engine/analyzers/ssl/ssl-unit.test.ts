/**
 * The TLS analyzer on built traffic: records and handshake messages split anywhere, malformed
 * lengths, GREASE in the fingerprints, and JA3/JA4 against their published vectors
 * (salesforce/ja3 README; FoxIO-LLC/ja4 technical_details/JA4.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { pcap, run } from '../../../helpers.js';
import { ACK, PSH, SYN, buildPcap, writeTemp, type FrameSpec } from '../../../support/build-pcap.js';
import { parseClientHello } from '../../../../src/engine/analyzers/ssl/hello.js';
import { ja3, ja3String, ja4, ja4Raw } from '../../../../src/engine/analyzers/ssl/fingerprints.js';
import { probeTls } from '../../../../src/engine/analyzers/ssl/index.js';

const u16 = (v: number) => Buffer.from([v >> 8, v & 0xff]);
const u24 = (v: number) => Buffer.from([v >> 16, (v >> 8) & 0xff, v & 0xff]);
const list16 = (vals: number[], lenBytes: 1 | 2 = 2) => {
  const body = Buffer.concat(vals.map(u16));
  return Buffer.concat([lenBytes === 1 ? Buffer.from([body.length]) : u16(body.length), body]);
};

function ext(type: number, data: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([u16(type), u16(data.length), data]);
}

function sni(name: string): Buffer {
  const n = Buffer.from(name);
  const entry = Buffer.concat([Buffer.from([0]), u16(n.length), n]);
  return Buffer.concat([u16(entry.length), entry]);
}

function alpn(protos: string[]): Buffer {
  const body = Buffer.concat(protos.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'latin1')])));
  return Buffer.concat([u16(body.length), body]);
}

function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u24(body.length), body]);
}

function record(type: number, body: Buffer, version = 0x0303): Buffer {
  return Buffer.concat([Buffer.from([type]), u16(version), u16(body.length), body]);
}

function clientHelloBody(version: number, ciphers: number[], exts: Buffer[], sid = Buffer.alloc(0)): Buffer {
  const extBlock = Buffer.concat(exts);
  return Buffer.concat([
    u16(version), Buffer.alloc(32, 7), Buffer.from([sid.length]), sid, list16(ciphers), Buffer.from([1, 0]),
    u16(extBlock.length), extBlock,
  ]);
}

/** FoxIO's JA4 example ClientHello (JA4_ro order), with GREASE values sprinkled in. */
function foxioHello(): Buffer {
  const ciphers = [0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
  const sig = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
  const exts = [
    ext(0x1a1a), ext(0x001b, Buffer.from([2, 0, 2])), ext(0x0000, sni('example.com')), ext(0x0033, Buffer.from([0, 0])),
    ext(0x0010, alpn(['h2', 'http/1.1'])), ext(0x4469, Buffer.from([0, 3, 2, 0x68, 0x32])), ext(0x0017), ext(0x002d, Buffer.from([1, 1])),
    ext(0x000d, list16(sig)), ext(0x0005, Buffer.from([1, 0, 0, 0, 0])), ext(0x0023), ext(0x0012),
    ext(0x002b, list16([0x2a2a, 0x0304, 0x0303], 1)), ext(0xff01, Buffer.from([0])), ext(0x000b, Buffer.from([1, 0])),
    ext(0x000a, list16([0x3a3a, 0x001d, 0x0017, 0x0018])), ext(0x0015, Buffer.alloc(8)), ext(0x4a4a, Buffer.from([0])),
  ];
  return clientHelloBody(0x0303, ciphers, exts);
}

test('JA4 of FoxIO\'s published example, GREASE ignored everywhere', () => {
  const body = foxioHello();
  const h = parseClientHello(body, 0, body.length)!;
  assert.ok(h);
  const r = ja4Raw(h);
  assert.equal(`${r.a}_${r.b}_${r.c}`, 't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601');
  assert.equal(ja4(h), 't13d1516h2_8daaf6152771_e5627efa2ab1');
  // Without signature algorithms the extension list is hashed alone (JA4.md: 6d807ffa2a79).
  h.sigAlgs = [];
  assert.equal(ja4(h).slice(-12), '6d807ffa2a79');
  // GREASE is absent from JA3 as well.
  assert.doesNotMatch(ja3String(h), /(^|[-,])(2570|6682|10794|14906|19018)($|[-,])/);
});

test('JA4 edge cases: no SNI, no ALPN, non-alphanumeric ALPN, no ciphers/extensions', () => {
  const bare = clientHelloBody(0x0301, [0x002f], []);
  assert.equal(ja4(parseClientHello(bare, 0, bare.length)!), 't10i010000_' + createHash('sha256').update('002f').digest('hex').slice(0, 12) + '_000000000000');
  const odd = clientHelloBody(0x0303, [0x002f], [ext(0x0010, alpn(['\x30\xab']))]);
  assert.match(ja4(parseClientHello(odd, 0, odd.length)!), /^t12i01013b_/);
  const one = clientHelloBody(0x0303, [0x002f], [ext(0x0010, alpn(['h']))]);
  assert.match(ja4(parseClientHello(one, 0, one.length)!), /^t12i0101hh_/);
});

test('JA3 of the salesforce/ja3 README vector', () => {
  const body = clientHelloBody(0x0301, [0x0a0a, 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4], [
    ext(0x2a2a), ext(0, sni('a.example')), ext(10, list16([0x1a1a, 23, 24, 25])), ext(11, Buffer.from([1, 0])),
  ]);
  const h = parseClientHello(body, 0, body.length)!;
  assert.equal(ja3String(h), '769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0');
  assert.equal(ja3(h), 'ada70206e40642a3e4461f35503241d5');
});

test('JA3 and JA4 of a published Chrome 143 hello (ECH, X25519MLKEM768, ALPS 0x44cd), GREASE removed', () => {
  // Values published with the hello by a fingerprinting service: ja3_text/ja3_hash, ja4, ja4_ro.
  const ciphers = [0x5a5a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
  const sig = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
  const exts = [
    ext(0xdada), ext(0x002d, Buffer.from([1, 1])), ext(0x0033, Buffer.from([0, 0])), ext(0x0010, alpn(['h2', 'http/1.1'])),
    ext(0xfe0d, Buffer.alloc(10)), ext(0x0017), ext(0x44cd, Buffer.from([0, 3, 2, 0x68, 0x32])), ext(0x0000, sni('tls.example')),
    ext(0x000b, Buffer.from([1, 0])), ext(0x000a, list16([0x6a6a, 4588, 29, 23, 24])), ext(0x002b, list16([0x8a8a, 0x0304, 0x0303], 1)),
    ext(0xff01, Buffer.from([0])), ext(0x0023), ext(0x0012), ext(0x0005, Buffer.from([1, 0, 0, 0, 0])), ext(0x000d, list16(sig)),
    ext(0x001b, Buffer.from([2, 0, 2])), ext(0xbaba, Buffer.from([0])),
  ];
  const body = clientHelloBody(0x0303, ciphers, exts);
  const h = parseClientHello(body, 0, body.length)!;
  assert.equal(ja3String(h), '771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0');
  assert.equal(ja3(h), '98487aa16281980e7d1120d399efb6a4');
  assert.equal(ja4(h), 't13d1516h2_8daaf6152771_d8a2da3f94cd');
  assert.equal(h.ech, true);
});

// ---- through the engine ----

const C = '10.1.1.1', S = '10.2.2.2';
function conn(orig: Buffer[], resp: Buffer[], sport = 50000, dport = 8443): string {
  const frames: FrameSpec[] = [
    { ts: 1, src: C, dst: S, proto: 'tcp', sport, dport, flags: SYN, seq: 100, ack: 0 },
    { ts: 1.1, src: S, dst: C, proto: 'tcp', sport: dport, dport: sport, flags: SYN | ACK, seq: 900, ack: 101 },
    { ts: 1.2, src: C, dst: S, proto: 'tcp', sport, dport, flags: ACK, seq: 101, ack: 901 },
  ];
  let cs = 101, ss = 901, ts = 1.3;
  const n = Math.max(orig.length, resp.length);
  for (let i = 0; i < n; i++) {
    if (orig[i]) { frames.push({ ts, src: C, dst: S, proto: 'tcp', sport, dport, flags: ACK | PSH, seq: cs, ack: ss, payload: orig[i] }); cs += orig[i].length; ts += 0.01; }
    if (resp[i]) { frames.push({ ts, src: S, dst: C, proto: 'tcp', sport: dport, dport: sport, flags: ACK | PSH, seq: ss, ack: cs, payload: resp[i] }); ss += resp[i].length; ts += 0.01; }
  }
  return writeTemp(buildPcap(frames), `ssl-${Math.random().toString(36).slice(2)}.pcap`);
}

function serverHello(cipher = 0xc02f): Buffer {
  return handshake(2, Buffer.concat([u16(0x0303), Buffer.alloc(32, 9), Buffer.from([0]), u16(cipher), Buffer.from([0]), u16(0)]));
}

function selfSignedDer(): Buffer {
  const out = execFileSync('tshark', ['-r', pcap('tls-self-signed-cert.pcap'), '-Y', 'tls.handshake.type == 11', '-T', 'fields', '-e', 'tls.handshake.certificate'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return Buffer.from(out.split('\n')[0].split(',')[0], 'hex');
}

test('a ClientHello split across three TCP segments is parsed once, on a non-TLS port', async () => {
  const ch = record(22, handshake(1, foxioHello()), 0x0301);
  const a = Math.floor(ch.length / 3);
  const { sink } = await run(conn([ch.subarray(0, 3), ch.subarray(3, a), ch.subarray(a)], []));
  const [s] = sink.get('ssl');
  assert.equal(s.server_name, 'example.com');
  assert.equal(s.ja4, 't13d1516h2_8daaf6152771_e5627efa2ab1');
  assert.equal(s.ssl_history, 'C');
  assert.equal(s.established, false);
  assert.equal(sink.get('conn')[0].service, 'ssl');
});

test('a Certificate message across two records, several messages in one record, then established', async () => {
  const der = selfSignedDer();
  const cert = handshake(11, Buffer.concat([u24(der.length + 3), u24(der.length), der]));
  const flight = Buffer.concat([serverHello(), cert, handshake(14, Buffer.alloc(0))]);
  const cut = 60 + Math.floor(der.length / 2);
  const server1 = Buffer.concat([record(22, flight.subarray(0, cut)), record(22, flight.subarray(cut))]);
  const ch = record(22, handshake(1, clientHelloBody(0x0303, [0xc02f], [ext(0, sni('example.com'))])), 0x0301);
  const client2 = Buffer.concat([record(22, handshake(16, Buffer.alloc(66, 1))), record(20, Buffer.from([1])), record(22, Buffer.alloc(40, 2))]);
  const server2 = Buffer.concat([record(20, Buffer.from([1])), record(22, Buffer.alloc(40, 3))]);
  const { sink } = await run(conn([ch, client2], [server1, server2]));
  const [s] = sink.get('ssl');
  assert.equal(s.version, 'TLSv12');
  assert.equal(s.cipher, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
  assert.equal(s.ssl_history, 'CsxnGIi');
  assert.equal(s.established, true);
  const fp = createHash('sha256').update(der).digest('hex');
  assert.deepEqual(s.cert_chain_fps, [fp]);
  assert.deepEqual(s.client_cert_chain_fps, []);
  assert.equal(s.sni_matches_cert, false);
  const x = sink.get('x509');
  assert.equal(x.length, 1);
  assert.equal(x[0].fingerprint, fp);
  assert.equal(x[0].host_cert, true);
  assert.equal(x[0].client_cert, false);
});

test('malformed lengths become weirds, never a crash', async () => {
  // A ClientHello whose cipher-suite length runs past the message.
  const bad = clientHelloBody(0x0303, [0xc02f], []);
  bad.writeUInt16BE(0x4000, 35);
  // A Certificate whose list claims more than the message holds, and one cert that is not DER.
  const junk = Buffer.from('30820fff0102', 'hex');
  const cert = handshake(11, Buffer.concat([u24(junk.length + 3), u24(junk.length), junk]));
  const badList = handshake(11, Buffer.concat([u24(5000), u24(1), Buffer.from([0])]));
  const { sink } = await run(conn(
    [record(22, handshake(1, bad), 0x0301)],
    [record(22, Buffer.concat([serverHello(), cert, badList]))],
  ));
  const weirds = sink.get('weird').map((w) => w.name);
  assert.ok(weirds.includes('SSL_malformed_client_hello'), weirds.join());
  assert.ok(weirds.includes('x509_certificate_parsing_failed'), weirds.join());
  assert.ok(weirds.includes('SSL_malformed_certificate'), weirds.join());
  const [s] = sink.get('ssl');
  assert.equal(s.ssl_history, 'Csxx');
  assert.equal(sink.get('x509').length, 0);
});

test('an oversized handshake message is skipped by its length; a bad record version is a violation', async () => {
  const huge = Buffer.concat([Buffer.from([11]), u24(300 * 1024)]);
  const ch = record(22, handshake(1, clientHelloBody(0x0303, [0xc02f], [])), 0x0301);
  const { sink } = await run(conn([ch], [record(22, serverHello()), record(22, huge), Buffer.from([22, 9, 9, 0, 1, 0])], 50001, 443));
  const weirds = sink.get('weird');
  assert.ok(weirds.some((w) => w.name === 'SSL_handshake_message_too_large'));
  assert.ok(weirds.some((w) => w.name === 'protocol_violation' && /Invalid version/.test(String(w.addl))));
  assert.equal(sink.get('ssl')[0].ssl_history, 'Cs');
});

test('probe: hello records yes, other bytes no, short prefixes more', () => {
  const ch = record(22, handshake(1, foxioHello()), 0x0301);
  assert.equal(probeTls(ch, 0, ch.length), 'yes');
  assert.equal(probeTls(ch, 0, 4), 'more');
  assert.equal(probeTls(Buffer.from('GET / HTTP/1.1\r\n'), 0, 16), 'no');
  assert.equal(probeTls(Buffer.from([23, 3, 3, 0, 10, 1, 2, 3, 4, 5, 6]), 0, 11), 'no');
  // SSLv2 CLIENT-HELLO (2-byte header): 3 cipher kinds, 16-byte challenge.
  const v2 = Buffer.concat([Buffer.from([0x80, 9 + 9 + 16, 1, 3, 0]), u16(9), u16(0), u16(16), Buffer.alloc(9, 1), Buffer.alloc(16, 2)]);
  assert.equal(probeTls(v2, 0, v2.length), 'yes');
});

test('SSLv2: CLIENT-HELLO, SERVER-HELLO with a certificate, CLIENT-MASTER-KEY establishes', async () => {
  const der = selfSignedDer();
  const v2 = (body: Buffer) => Buffer.concat([u16(0x8000 | body.length), body]);
  const kinds = Buffer.from([0x01, 0x00, 0x80, 0x07, 0x00, 0xc0]); // RC4_128_WITH_MD5, DES_192_EDE3_CBC_WITH_MD5
  const hello = v2(Buffer.concat([Buffer.from([1]), u16(0x0002), u16(kinds.length), u16(0), u16(16), kinds, Buffer.alloc(16, 5)]));
  const server = v2(Buffer.concat([Buffer.from([4, 0, 1]), u16(0x0002), u16(der.length), u16(3), u16(16), der, kinds.subarray(0, 3), Buffer.alloc(16, 6)]));
  const cmk = v2(Buffer.concat([Buffer.from([2]), kinds.subarray(0, 3), u16(0), u16(8), u16(0), Buffer.alloc(8, 7)]));
  const { sink } = await run(conn([hello, cmk], [server]));
  const [s] = sink.get('ssl');
  assert.equal(s.version, 'SSLv2');
  assert.equal(s.cipher, 'SSLv20_CK_RC4_128_WITH_MD5');
  assert.equal(s.ssl_history, 'Cs');
  assert.equal(s.established, true);
  assert.equal(s.ja3, undefined); // JA3/JA4 are defined on TLS ClientHellos only
  assert.deepEqual(s.cert_chain_fps, [createHash('sha256').update(der).digest('hex')]);
});

test('certificate state is bounded: a flood of Certificate messages stops at the limit', async () => {
  const der = selfSignedDer();
  const cert = handshake(11, Buffer.concat([u24(der.length + 3), u24(der.length), der]));
  const flood = Array.from({ length: 40 }, () => record(22, cert));
  const ch = record(22, handshake(1, clientHelloBody(0x0303, [0xc02f], [])), 0x0301);
  const { sink } = await run(conn([ch], [Buffer.concat([record(22, serverHello()), ...flood.slice(0, 20)]), Buffer.concat(flood.slice(20))]));
  const [s] = sink.get('ssl');
  assert.equal((s.cert_chain_fps as string[]).length, 32);
  assert.ok(sink.get('weird').some((w) => w.name === 'SSL_too_many_certificates'));
  assert.equal(sink.get('x509').length, 1); // the same host certificate each time: logged once
});

test('SNI bytes reach the log as Zeek writes them (control bytes and invalid UTF-8 as \\xNN)', () => {
  const body = clientHelloBody(0x0303, [0xc02f], [ext(0, sni('a\x01b\\.ex\u00e4mple'))]);
  const h = parseClientHello(body, 0, body.length)!;
  assert.equal(h.serverNames[0], 'a\\x01b\\x5c.exämple');
});
