/**
 * RDP: the shared set has RDP only over UDP (rdp.pcap, RDPEUDP, which Zeek does not log in
 * rdp.log either), so these tests build TCP connections byte by byte from [MS-RDPBCGR] and check
 * them against tshark's RDP dissector: a TLS connection (cookie, security protocol, "encrypted",
 * then ssl.log and x509.log from real TLS bytes of a shared capture), native RDP security (client
 * core/network data, server security data and proprietary certificate), a negotiation failure,
 * the probe on another port, and every truncation of the messages.
 *
 * Deliberate differences from tshark: none in the compared fields (names are Zeek's: keyboard
 * layout, client build and encryption names from consts.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pcap, run } from '../../../helpers.js';
import { tcpPcap, utf16 } from '../smb/windows-builders.js';

const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const be16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };

function tpkt(x224: Buffer): Buffer {
  return Buffer.concat([Buffer.from([3, 0]), be16(x224.length + 4), x224]);
}
function connectRequest(cookie: string | undefined, requested: number | undefined): Buffer {
  const v = Buffer.concat([
    cookie !== undefined ? Buffer.from(`Cookie: mstshash=${cookie}\r\n`, 'latin1') : Buffer.alloc(0),
    requested !== undefined ? Buffer.concat([Buffer.from([1, 0]), u16(8), u32(requested)]) : Buffer.alloc(0),
  ]);
  return tpkt(Buffer.concat([Buffer.from([6 + v.length, 0xe0, 0, 0, 0x12, 0x34, 0]), v]));
}
function connectConfirm(type: 2 | 3, value: number): Buffer {
  return tpkt(Buffer.concat([Buffer.from([14, 0xd0, 0x12, 0x34, 0x56, 0x78, 0]), Buffer.from([type, 0]), u16(8), u32(value)]));
}
function ber(tag: number[], content: Buffer): Buffer {
  const len = content.length < 128 ? Buffer.from([content.length]) : Buffer.from([0x82, content.length >> 8, content.length & 255]);
  return Buffer.concat([Buffer.from(tag), len, content]);
}
const int = (n: number) => ber([2], n < 256 ? Buffer.from([n]) : be16(n));
const domainParams = () => ber([0x30], Buffer.concat([int(34), int(2), int(0), int(1), int(0), int(1), int(65535), int(2)]));
function dt(mcs: Buffer): Buffer {
  return tpkt(Buffer.concat([Buffer.from([2, 0xf0, 0x80]), mcs]));
}
function perLen(n: number): Buffer {
  return n < 128 ? Buffer.from([n]) : Buffer.from([0x80 | (n >> 8), n & 255]);
}
function block(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(body.length + 4), body]);
}
function fixedUtf16(s: string, bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  utf16(s).copy(b);
  return b;
}

interface Core { width: number; height: number; layout: number; build: number; name: string; highColor: number; early: number; product: string }
function clientConnectInitial(core: Core, channels: string[]): Buffer {
  const cs = block(0xc001, Buffer.concat([
    u32(0x00080004), u16(core.width), u16(core.height), u16(0xca01), u16(0xaa03), u32(core.layout), u32(core.build),
    fixedUtf16(core.name, 32), u32(4), u32(0), u32(12), Buffer.alloc(64), u16(0xca01), u16(1), u32(0), u16(core.highColor), u16(7),
    u16(core.early), fixedUtf16(core.product, 64), Buffer.from([0, 0]), u32(0),
  ]));
  const sec = block(0xc002, Buffer.concat([u32(0x1b), u32(0)]));
  const net = block(0xc003, Buffer.concat([u32(channels.length), ...channels.map((c) => { const n = Buffer.alloc(8); n.write(c, 'latin1'); return Buffer.concat([n, u32(0x80800000)]); })]));
  const blocks = Buffer.concat([cs, sec, net]);
  const ccr = Buffer.concat([Buffer.from([0x00, 0x08, 0x00, 0x10, 0x00, 0x01, 0xc0, 0x00]), Buffer.from('Duca', 'latin1'), perLen(blocks.length), blocks]);
  const gcc = Buffer.concat([Buffer.from([0, 5, 0, 0x14, 0x7c, 0, 1]), perLen(ccr.length), ccr]);
  const body = Buffer.concat([ber([4], Buffer.from([1])), ber([4], Buffer.from([1])), ber([1], Buffer.from([0xff])), domainParams(), domainParams(), domainParams(), ber([4], gcc)]);
  return dt(ber([0x7f, 0x65], body));
}
function serverConnectResponse(method: number, level: number, certVersion: number): Buffer {
  const rsaKey = Buffer.concat([Buffer.from('RSA1', 'latin1'), u32(72), u32(512), u32(63), u32(65537), Buffer.alloc(72, 0x5a)]);
  const cert = Buffer.concat([u32(certVersion), u32(1), u32(1), u16(6), u16(rsaKey.length), rsaKey, u16(8), u16(72), Buffer.alloc(72, 0x6b)]);
  const sec = block(0x0c02, Buffer.concat([u32(method), u32(level), u32(32), u32(cert.length), Buffer.alloc(32, 0x77), cert]));
  const core = block(0x0c01, Buffer.concat([u32(0x00080004), u32(0)]));
  const net = block(0x0c03, Buffer.concat([u16(0x3eb), u16(1), u16(0x3ec), u16(0)]));
  const blocks = Buffer.concat([core, net, sec]);
  const ccr = Buffer.concat([Buffer.from([0x14, 0x76, 0x0a, 0x01, 0x01, 0x00, 0x01, 0xc0, 0x00]), Buffer.from('McDn', 'latin1'), perLen(blocks.length), blocks]);
  const gcc = Buffer.concat([Buffer.from([0, 5, 0, 0x14, 0x7c, 0, 1]), perLen(ccr.length), ccr]);
  const body = Buffer.concat([ber([0x0a], Buffer.from([0])), int(0), domainParams(), ber([4], gcc)]);
  return dt(ber([0x7f, 0x66], body));
}

/** The first value tshark's RDP dissector gives each field, anywhere in the capture. */
function tsharkFields(file: string, fields: string[]): string[] {
  const out = execFileSync('tshark', ['-r', file, '-d', 'tcp.port==3389,tpkt', '-Y', 'rdp', '-T', 'fields', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const rows = out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
  return fields.map((_, i) => rows.map((r) => r[i] ?? '').find((v) => v !== '') ?? '');
}

const CORE: Core = { width: 1920, height: 1080, layout: 1031, build: 7601, name: 'WS-ANALYST7', highColor: 24, early: 0x0001, product: '69712-783-0357974-42714' };

test('native RDP security: client core and network data, server encryption and certificate, as tshark dissects them', async () => {
  const file = tcpPcap(3389, [
    [true, connectRequest('administrator', 0)],
    [false, connectConfirm(2, 0)],
    [true, clientConnectInitial(CORE, ['rdpdr', 'cliprdr', 'rdpsnd'])],
    [false, serverConnectResponse(2, 2, 1)],
    [true, Buffer.from([0x44, 0x05, 0x01, 0x02, 0x03])], // fast-path input: encrypted, ignored
  ]);
  const { sink } = await run(file);
  const [r, ...rest] = sink.get('rdp');
  assert.equal(rest.length, 0);
  const [cookie, width, height, layout, build, name, product, method, level, selected] = tsharkFields(file, [
    'rdp.rt_cookie', 'rdp.desktop.width', 'rdp.desktop.height', 'rdp.keyboardLayout', 'rdp.client.build', 'rdp.client.name',
    'rdp.client.digProductId', 'rdp.encryptionMethod', 'rdp.encryptionLevel', 'rdp.negReq.selectedProtocol',
  ]);
  assert.equal(`Cookie: mstshash=${r.cookie}`, cookie);
  assert.equal(r.desktop_width, Number(width));
  assert.equal(r.desktop_height, Number(height));
  assert.equal(Number(layout), 1031, layout);
  assert.equal(r.keyboard_layout, 'German - Germany');
  assert.equal(Number(build), 7601);
  assert.equal(r.client_build, 'RDP 7.1');
  assert.equal(r.client_name, name);
  assert.equal(r.client_dig_product_id, product);
  assert.equal(Number(method), 2);
  assert.equal(r.encryption_method, '128bit');
  assert.equal(Number(level), 2);
  assert.equal(r.encryption_level, 'Client compatible');
  assert.equal(selected, '0x00000000'); // PROTOCOL_RDP
  assert.deepEqual([r.security_protocol, r.result, r.requested_color_depth, r.cert_type, r.cert_count, r.cert_permanent],
    ['RDP', 'Success', '24bit', 'RSA', 1, true]);
  assert.deepEqual(r.client_channels, ['rdpdr', 'cliprdr', 'rdpsnd']);
  assert.equal(sink.get('conn')[0].service, 'rdp');
});

test('TLS: the connection is handed to the ssl analyzer after the confirm; ssl.log and x509.log follow', async () => {
  const tls = execFileSync('tshark', ['-r', pcap('link-null-tls-alpn-h2.pcap'), '-Y', 'tcp.len > 0', '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.payload'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').map((l) => l.split('\t'))
    .map(([port, hex]) => [port !== '443', Buffer.from(hex, 'hex')] as [boolean, Buffer]);
  const { sink } = await run(tcpPcap(3389, [[true, connectRequest('bob', 3)], [false, connectConfirm(2, 2)], ...tls]));
  const [r] = sink.get('rdp');
  assert.deepEqual([r.cookie, r.security_protocol, r.result, r.cert_count], ['bob', 'HYBRID', 'encrypted', 0]);
  const [ssl] = sink.get('ssl');
  assert.ok(ssl, 'ssl.log record');
  assert.ok(sink.get('x509').length >= 1, 'x509.log records');
  assert.deepEqual(String(sink.get('conn')[0].service).split(',').sort(), ['rdp', 'ssl']);
});

test('negotiation failure and the probe on another port', async () => {
  const file = tcpPcap(13389, [[true, connectRequest('eve', 0)], [false, connectConfirm(3, 5)]]);
  const { sink } = await run(file);
  const [r] = sink.get('rdp');
  assert.deepEqual([r.cookie, r.result, r.security_protocol], ['eve', 'HYBRID_REQUIRED_BY_SERVER', undefined]);
  assert.equal(sink.get('conn')[0].service, 'rdp');
  // A connection request without a cookie still makes a record once the server answers.
  const plain = (await run(tcpPcap(3389, [[true, connectRequest(undefined, 1)], [false, connectConfirm(2, 1)]]))).sink;
  assert.deepEqual(plain.get('rdp').map((x) => [x.cookie, x.security_protocol, x.result]), [[undefined, 'SSL', 'encrypted']]);
});

test('truncated and corrupted RDP messages never throw; not-RDP on 3389 is a violation', async () => {
  const msgs = [connectRequest('u', 0), clientConnectInitial(CORE, ['a', 'b']), serverConnectResponse(1, 3, 2)];
  for (const m of msgs) {
    const segs: Array<[boolean, Buffer]> = [[true, connectRequest('t', 0)]];
    for (let cut = 5; cut < m.length; cut += 7) {
      // The TPKT claims the whole message, the X.224/MCS inside is cut: framing stays intact.
      const part = Buffer.from(m.subarray(0, cut));
      part.writeUInt16BE(cut, 2);
      segs.push([m !== msgs[2], part]);
    }
    const { sink } = await run(tcpPcap(3389, segs));
    assert.equal(sink.get('rdp').length, 1);
  }
  const { sink } = await run(tcpPcap(3389, [[true, Buffer.from('GET / HTTP/1.1\r\n\r\n')], [false, Buffer.from('no')]]));
  assert.equal(sink.get('rdp').length, 0);
  assert.notEqual(sink.get('conn')[0].service, 'rdp');
});

test('rdp.pcap (RDPEUDP): connections whose SYN and SYN+ACK tshark sees are "rdpeudp"; one captured mid-stream is not', async () => {
  const out = execFileSync('tshark', ['-r', pcap('rdp.pcap'), '-Y', 'rdpudp.flags.syn == 1', '-T', 'fields', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'rdpudp.flags.ack'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const rows = out.trim().split('\n').map((l) => l.split('\t'));
  const clients = new Set(rows.filter((r) => r[1] === '3389' && r[2] !== '1').map((r) => Number(r[0])));
  const answered = new Set(rows.filter((r) => r[0] === '3389' && r[2] === '1').map((r) => Number(r[1])));
  const handshakes = [...clients].filter((p) => answered.has(p)).sort();
  const { sink } = await run(pcap('rdp.pcap'));
  const conns = sink.get('conn').filter((c) => c['id.resp_p'] === 3389);
  assert.deepEqual(conns.filter((c) => c.service === 'rdpeudp').map((c) => c['id.orig_p']).sort(), handshakes);
  assert.ok(handshakes.length >= 1 && conns.length > handshakes.length);
  assert.equal(sink.get('rdp').length, 0); // Zeek writes no rdp.log for RDPEUDP either
});

test('the probe leaves other ISO-on-TCP connection requests alone (an S7comm COTP CR on another port)', async () => {
  const s7cr = Buffer.from('0300001611e00000000100c0010ac1020100c2020102', 'hex');
  const { sink } = await run(tcpPcap(10102, [[true, s7cr], [false, Buffer.from('0300001611d00001000100c0010ac1020100c2020102', 'hex')]]));
  assert.equal(sink.get('conn')[0].service, undefined);
  assert.equal(sink.get('rdp').length, 0);
});
