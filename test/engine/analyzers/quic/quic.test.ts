/**
 * QUIC: RFC 9001 Appendix A (Initial keys, the protected client Initial), RFC 9369 Appendix A
 * (v2 keys), truncated and garbage input, CRYPTO reassembly out of order, and quic.log against
 * tshark (which opens Initial packets itself) on the shared captures.
 *
 * Deliberate differences from tshark:
 * - quic-v2-sll.pcapng: the server clears the QUIC bit (RFC 9287 greasing) even on its Initial;
 *   we follow Zeek, which discards such packets (history 'x', no server_scid), where tshark
 *   parses them.
 * - mixed-arkime: two synthetic Initials (DCID 0101...) do not authenticate; tshark shows their
 *   headers only, we log a record from the headers (history 'I', as Zeek) and a weird.
 * - bad-snaplen-256-quic.pcap: every Initial is cut by the snaplen: no SNI anywhere (tshark has
 *   none either); we log the header-derived record and weird QUIC_truncated_packet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initialKeys, openInitial, QUIC_V1, QUIC_V2 } from '../../../../src/engine/analyzers/quic/initial-crypto.js';
import { parseInitialFrames, parseLongHeader, LongType } from '../../../../src/engine/analyzers/quic/packet.js';
import { CryptoStream } from '../../../../src/engine/analyzers/quic/crypto-stream.js';
import { QUIC_ANALYZER, probeQuic, versionString } from '../../../../src/engine/analyzers/quic/index.js';
import { parseClientHello } from '../../../../src/engine/analyzers/ssl/hello.js';
import type { AnalyzerContext } from '../../../../src/engine/analyzers/analyzer.js';
import type { LogRecord } from '../../../../src/engine/logs/schema.js';
import { pcap, run } from '../../../helpers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** RFC 9001 §A.2: the protected client Initial (1200 bytes). */
const A2 = Buffer.from(readFileSync(join(HERE, 'rfc9001-a2-client-initial.hex'), 'latin1').replace(/\s+/g, ''), 'hex');
const DCID = Buffer.from('8394c8f03e515708', 'hex');

test('RFC 9001 §A.1: client and server Initial keys', () => {
  const c = initialKeys(QUIC_V1, DCID, true);
  assert.equal(c.key.toString('hex'), '1f369613dd76d5467730efcbe3b1a22d');
  assert.equal(c.iv.toString('hex'), 'fa044b2f42a3fd3b46fb255c');
  assert.equal(c.hp.toString('hex'), '9f50449e04a0e810283a1e9933adedd2');
  const s = initialKeys(QUIC_V1, DCID, false);
  assert.equal(s.key.toString('hex'), 'cf3a5331653c364c88f0f379b6067e37');
  assert.equal(s.iv.toString('hex'), '0ac1493ca1905853b0bba03e');
  assert.equal(s.hp.toString('hex'), 'c206b8d9b9f0f37644430b490eeaa314');
});

test('RFC 9369 §A.1: QUIC v2 client Initial keys', () => {
  const c = initialKeys(QUIC_V2, DCID, true);
  assert.equal(c.key.toString('hex'), '8b1a0bc121284290a29e0971b5cd045d');
  assert.equal(c.iv.toString('hex'), '91f73e2351d8fa91660e909f');
  assert.equal(c.hp.toString('hex'), '45b95e15235d6f45a6b19cbcb0294ba9');
});

test('RFC 9001 §A.2: the client Initial opens to CRYPTO + PADDING holding the ClientHello', () => {
  assert.equal(A2.length, 1200);
  const h = parseLongHeader(A2, 0, A2.length, true);
  assert.ok(h && !h.truncated);
  assert.equal(h.type, LongType.Initial);
  assert.equal(h.dcid.toString('hex'), '8394c8f03e515708');
  assert.equal(h.pnOff, 18);
  assert.equal(h.end, 1200);
  const plain = openInitial(initialKeys(QUIC_V1, DCID, true), A2, 0, h.pnOff, h.end);
  assert.ok(plain);
  assert.equal(plain.length, 1162); // 1182 - 4 (packet number) - 16 (tag)
  assert.equal(plain.subarray(0, 8).toString('hex'), '060040f1010000ed');
  const f = parseInitialFrames(plain);
  assert.equal(f.bad, false);
  assert.equal(f.crypto.length, 1);
  assert.equal(f.crypto[0].offset, 0);
  assert.equal(f.crypto[0].data.length, 241);
  const ch = parseClientHello(f.crypto[0].data, 4, 241);
  assert.ok(ch);
  assert.deepEqual(ch.serverNames, ['example.com']);
  assert.deepEqual(ch.alpn, ['alpn']);
  // The server's keys do not authenticate it; nor does a flipped bit.
  assert.equal(openInitial(initialKeys(QUIC_V1, DCID, false), A2, 0, 18, 1200), undefined);
  const bad = Buffer.from(A2);
  bad[100] ^= 0xff;
  assert.equal(openInitial(initialKeys(QUIC_V1, DCID, true), bad, 0, 18, 1200), undefined);
  assert.equal(A2[0], 0xc0); // the capture's bytes are not modified by header protection removal
});

test('truncated and garbage packets: undefined, never a throw', () => {
  const keys = initialKeys(QUIC_V1, DCID, true);
  for (const n of [0, 1, 5, 7, 18, 24, 37, 38, 300, 1199]) {
    const cut = A2.subarray(0, n);
    const h = parseLongHeader(cut, 0, n, true);
    if (h) {
      assert.equal(h.truncated, true);
      assert.equal(openInitial(keys, cut, 0, h.pnOff, Math.min(h.end, n)), undefined);
    }
    assert.doesNotThrow(() => probeQuic(cut, 0, n));
  }
  assert.equal(probeQuic(Buffer.from('GET / HTTP/1.1\r\n\r\n'), 0, 18), 'no');
  assert.equal(probeQuic(Buffer.from('c0123456780400000000000000', 'hex'), 0, 13), 'no'); // unknown version
  assert.equal(probeQuic(A2, 0, A2.length), 'yes');
  // CID length beyond 20: not QUIC.
  const big = Buffer.from(A2);
  big[5] = 21;
  assert.equal(parseLongHeader(big, 0, big.length, true), undefined);
  // Frames: random bytes give a verdict, never a throw.
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let i = 0; i < 500; i++) {
    const b = Buffer.alloc(1 + (rnd() % 64));
    for (let k = 0; k < b.length; k++) b[k] = rnd();
    if (i % 3 === 0) b[0] = 0x06;
    assert.doesNotThrow(() => parseInitialFrames(b));
  }
});

function fakeCtx(logs: LogRecord[], weirds: string[], events: string[]): AnalyzerContext {
  return {
    conn: { uid: 'Ctest', origH: '10.0.0.1', origP: 5000, respH: '10.0.0.2', respP: 443, transport: 'udp', communityId: '' },
    now: () => 1,
    log: (_s, r) => { logs.push(r); },
    connFields: () => ({ uid: 'Ctest' }),
    weird: (n) => { weirds.push(n); },
    confirm: () => { events.push('confirm'); },
    inspecting: () => false,
    inspect: () => {},
    violation: (r) => { events.push('violation:' + r); },
    upgrade: () => false,
    shared: <T>(_k: string, init: () => T) => init(),
    files: undefined as never,
  };
}

test('the analyzer on the RFC packet: record, history, ja4; mutated copies never throw', () => {
  const logs: LogRecord[] = [], weirds: string[] = [], events: string[] = [];
  const a = QUIC_ANALYZER.createDatagram!(fakeCtx(logs, weirds, events));
  a.packet(true, A2, 0, A2.length);
  a.done();
  assert.deepEqual(events, ['confirm']);
  assert.equal(logs.length, 1);
  assert.equal(logs[0].version, '1');
  assert.equal(logs[0].client_initial_dcid, '8394c8f03e515708');
  assert.equal(logs[0].server_name, 'example.com');
  assert.equal(logs[0].client_protocol, 'alpn');
  assert.equal(logs[0].history, 'IS');
  assert.match(String(logs[0].ja4), /^q13d\d{4}an_[0-9a-f]{12}_[0-9a-f]{12}$/);
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16);
  for (let i = 0; i < 300; i++) {
    const m = Buffer.from(A2.subarray(0, 1 + (rnd() % A2.length)));
    for (let k = 0; k < 4; k++) m[rnd() % m.length] = rnd() & 0xff;
    const b = QUIC_ANALYZER.createDatagram!(fakeCtx([], [], []));
    assert.doesNotThrow(() => { b.packet(true, m, 0, m.length); b.packet(false, m, 0, m.length); b.done(); });
  }
});

test('CRYPTO data reassembled from out-of-order chunks; oversized hellos are refused', () => {
  const plain = openInitial(initialKeys(QUIC_V1, DCID, true), A2, 0, 18, 1200)!;
  const hello = parseInitialFrames(plain).crypto[0].data;
  const s = new CryptoStream();
  assert.equal(s.add(200, hello.subarray(200)), 'more');
  assert.equal(s.add(3, hello.subarray(3, 100)), 'more');
  assert.equal(s.add(0, hello.subarray(0, 3)), 'more');
  assert.equal(s.add(90, hello.subarray(90, 210)), 'complete');
  const m = s.message()!;
  assert.equal(m.type, 1);
  assert.equal(m.end, 241);
  assert.ok(m.buf.subarray(0, 241).equals(hello));
  assert.equal(new CryptoStream().add(1 << 20, Buffer.alloc(1)), 'too_large');
  assert.equal(new CryptoStream().add(0, Buffer.from([1, 0xff, 0xff, 0xff])), 'too_large');
});

test('version strings as Zeek names them', () => {
  assert.equal(versionString(1), '1');
  assert.equal(versionString(0x6b3343cf), 'quicv2');
  assert.equal(versionString(0xff00001d), 'draft-29');
  assert.equal(versionString(0xfaceb002), 'mvfst (faceb002)');
  assert.equal(versionString(0x12345678), 'unknown-12345678');
});

/** tshark's first client Initial per UDP stream: version, SNI, ALPN. */
function tsharkHellos(file: string): Map<number, { version: string; sni: string; alpn: string }> {
  const out = execFileSync('tshark', ['-r', pcap(file), '-Y', 'quic && tls.handshake.type == 1', '-T', 'fields',
    '-e', 'udp.srcport', '-e', 'quic.version', '-e', 'tls.handshake.extensions_server_name', '-e', 'tls.handshake.extensions_alpn_str'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const m = new Map<number, { version: string; sni: string; alpn: string }>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [port, ver, sni, alpn] = line.split('\t');
    if (!m.has(Number(port))) m.set(Number(port), { version: ver.split(',')[0], sni, alpn: alpn.split(',')[0] });
  }
  return m;
}

const TSHARK_VERSION: Record<string, string> = { '0x00000001': '1', '0x6b3343cf': 'quicv2' };

for (const [file, expected] of [
  ['quic-ietf-handshake.pcap', 1],
  ['quic-v2-sll.pcapng', 1],
  ['mixed-arkime-synthetic-many-protocols.pcap', 1],
] as const) {
  test(`quic.log agrees with tshark on ${file}`, async () => {
    const { sink } = await run(pcap(file));
    const logs = sink.get('quic');
    const hellos = tsharkHellos(file);
    assert.equal(hellos.size, expected);
    for (const [port, t] of hellos) {
      const r = logs.find((l) => l['id.orig_p'] === port && l.server_name !== undefined);
      assert.ok(r, `no record with SNI for port ${port}`);
      assert.equal(r.version, TSHARK_VERSION[t.version]);
      assert.equal(r.server_name, t.sni);
      assert.equal(r.client_protocol, t.alpn);
      assert.match(String(r.ja4), /^q13d/);
      assert.match(String(r.history), /^I+S/);
    }
    const conn = sink.get('conn').filter((c) => c.service === 'quic');
    assert.ok(conn.length >= 1);
  });
}

test('quic-ietf-handshake.pcap: the whole record', async () => {
  const { sink } = await run(pcap('quic-ietf-handshake.pcap'));
  const [r] = sink.get('quic');
  assert.equal(r.client_initial_dcid, '84acac06b42ed863');
  assert.equal(r.client_scid, '');
  assert.equal(r.server_scid, '51d1e44dc57a579e'); // tshark: quic.scid of the server's Initial
  assert.equal(r.history, 'ISishhIHHhooOOoO');
});

test('bad-snaplen-256-quic.pcap: truncated Initials give a header-only record and a weird', async () => {
  const { sink } = await run(pcap('bad-snaplen-256-quic.pcap'));
  const logs = sink.get('quic');
  assert.equal(logs.length, 1);
  assert.equal(logs[0].version, '1');
  assert.equal(logs[0].client_initial_dcid, 'f71ae16671baa8b7');
  assert.equal(logs[0].server_scid, 'beb256567ee5698c');
  assert.equal(logs[0].server_name, undefined);
  assert.ok(sink.get('weird').some((w) => w.name === 'QUIC_truncated_packet'));
});

test('quic-v2-sll.pcapng: v2 on port 4443 found by the probe; a QUIC-bit-greasing server is discarded as Zeek does', async () => {
  const { sink } = await run(pcap('quic-v2-sll.pcapng'));
  const [r] = sink.get('quic');
  assert.equal(r.version, 'quicv2');
  assert.equal(r.client_initial_dcid, '0726272642fc2eb2');
  assert.equal(r.client_scid, '11fffdea452422b8');
  assert.equal(r.server_scid, undefined); // tshark: 11fffdea... from the greased Initial
  assert.equal(r.history, 'ISZxoXXoxxOXxxOoXx');
});

test('mixed-arkime: Initials that do not authenticate give a header-only record and a weird, no service', async () => {
  const { sink } = await run(pcap('mixed-arkime-synthetic-many-protocols.pcap'));
  const bad = sink.get('quic').filter((r) => r.client_initial_dcid === '0101010101010101');
  assert.equal(bad.length, 2);
  for (const r of bad) {
    assert.equal(r.history, 'I');
    assert.equal(r.server_name, undefined);
    assert.ok(sink.get('weird').some((w) => w.uid === r.uid && w.name === 'QUIC_decryption_failed'));
    assert.notEqual(sink.get('conn').find((c) => c.uid === r.uid)?.service, 'quic');
  }
  const good = sink.get('quic').find((r) => r.server_name === 'config.edge.skype.com');
  assert.equal(good?.history, 'IIS'); // the ClientHello spans two Initial packets
});
