/**
 * RADIUS: the parser (bounds, truncation, garbage), Zeek's record rules through the engine, and
 * radius.log against tshark on the shared captures.
 *
 * Deliberate differences from tshark: none in the values compared (tshark prints the
 * Calling-Station-Id as sent; Zeek's normalize_mac form is compared).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { normalizeMac, parseRadius } from '../../../../src/engine/analyzers/radius/parser.js';
import { pcap, run } from '../../../helpers.js';
import { buildPcap, writeTemp, type FrameSpec } from '../../../support/build-pcap.js';

const attr = (t: number, v: Buffer | string) => { const b = typeof v === 'string' ? Buffer.from(v, 'latin1') : v; return Buffer.concat([Buffer.from([t, b.length + 2]), b]); };
function radius(code: number, id: number, ...attrs: Buffer[]): Buffer {
  const body = Buffer.concat(attrs);
  const h = Buffer.alloc(20);
  h[0] = code; h[1] = id; h.writeUInt16BE(20 + body.length, 2);
  return Buffer.concat([h, body]);
}

test('attributes by type, in order; normalize_mac', () => {
  const b = radius(1, 7, attr(1, 'alice'), attr(31, 'AA-BB-CC-DD-EE-FF'), attr(1, 'second'), attr(2, Buffer.alloc(16)));
  const r = parseRadius(b, 0, b.length);
  assert.ok('msg' in r);
  assert.deepEqual([r.msg.code, r.msg.id], [1, 7]);
  assert.deepEqual(r.msg.attrs.get(1)!.map(String), ['alice', 'second']);
  assert.equal(normalizeMac('AA-BB-CC-DD-EE-FF'), 'aa:bb:cc:dd:ee:ff');
  assert.equal(normalizeMac('aabb.ccdd.eeff'), 'aa:bb:cc:dd:ee:ff');
  assert.equal(normalizeMac('not a mac'), '');
});

test('bounds: short header, bad length, truncated packet, broken attribute, random bytes', () => {
  assert.ok('error' in parseRadius(Buffer.alloc(19), 0, 19));
  const badLen = radius(1, 1); badLen.writeUInt16BE(5000, 2);
  assert.ok('error' in parseRadius(badLen, 0, badLen.length));
  const full = radius(1, 1, attr(1, 'bob'), attr(18, 'hello there'));
  const cut = parseRadius(full, 0, full.length - 3);
  assert.ok('msg' in cut);
  assert.deepEqual(cut.msg.weirds, ['RADIUS_truncated', 'RADIUS_bad_attribute']);
  assert.equal(String(cut.msg.attrs.get(1)![0]), 'bob');
  const zero = Buffer.concat([radius(1, 1), Buffer.from([1, 0, 1, 1])]); zero.writeUInt16BE(24, 2);
  const rz = parseRadius(zero, 0, zero.length);
  assert.ok('msg' in rz && rz.msg.weirds?.[0] === 'RADIUS_bad_attribute'); // length 0 would never advance
  // Octets past the length field are padding (RFC 2865 §3).
  const padded = Buffer.concat([full, Buffer.alloc(10, 0xff)]);
  const rp = parseRadius(padded, 0, padded.length);
  assert.ok('msg' in rp && !rp.msg.weirds);
  let seed = 3;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let i = 0; i < 3000; i++) {
    const b = Buffer.alloc(20 + (rnd() % 60));
    for (let k = 0; k < b.length; k++) b[k] = rnd();
    if (i % 2) b.writeUInt16BE(b.length, 2);
    parseRadius(b, 0, b.length);
  }
});

const C = '10.0.0.1', S = '10.0.0.100';
const req = (ts: number, b: Buffer, sport = 40000): FrameSpec => ({ ts, src: C, dst: S, proto: 'udp', sport, dport: 1812, payload: b });
const rsp = (ts: number, b: Buffer, dport = 40000): FrameSpec => ({ ts, src: S, dst: C, proto: 'udp', sport: 1812, dport, payload: b });

test("engine: Zeek's record rules (first values kept, verdict writes, pending is unknown)", async () => {
  const { sink } = await run(writeTemp(buildPcap([
    req(10, radius(1, 1, attr(1, 'alice'), attr(31, '00:11:22:33:44:55'), attr(66, '192.0.2.9'), attr(77, '100000000 802.11'))),
    rsp(10.5, radius(11, 1, attr(8, Buffer.from([10, 9, 8, 7])), attr(18, 'PIN?'))),
    req(11, radius(1, 2, attr(1, 'ignored'))),
    rsp(11.25, radius(3, 2)),
    req(20, radius(1, 3, attr(1, 'carol'), attr(66, 'vpn.example'))),
  ])));
  const recs = sink.get('radius');
  assert.equal(recs.length, 2);
  assert.deepEqual({ ...recs[0], uid: undefined }, {
    ts: 10, uid: undefined, 'id.orig_h': C, 'id.orig_p': 40000, 'id.resp_h': S, 'id.resp_p': 1812,
    username: 'alice', mac: '00:11:22:33:44:55', tunnel_client: '192.0.2.9', remote_ip: '192.0.2.9', connect_info: '100000000 802.11',
    framed_addr: '10.9.8.7', reply_msg: 'PIN?', result: 'failed', ttl: 1.25,
  });
  assert.equal(recs[1].username, 'carol');
  assert.equal(recs[1].tunnel_client, 'vpn.example');
  assert.equal(recs[1].remote_ip, undefined);
  assert.equal(recs[1].result, 'unknown');
  assert.equal(recs[1].ttl, undefined);
  assert.equal(sink.get('conn')[0].service, 'radius');
});

test('engine: garbage on 1812 is a violation and logs nothing', async () => {
  const { sink } = await run(writeTemp(buildPcap([req(1, Buffer.from('hello, not radius'))])));
  assert.equal(sink.get('radius').length, 0);
  assert.ok(sink.get('weird').some((w) => w.name === 'protocol_violation'));
});

test('radius.pcap: one authentication, as tshark shows it', async () => {
  const out = execFileSync('tshark', ['-r', pcap('radius.pcap'), '-Y', 'radius', '-T', 'fields', '-E', 'occurrence=f', '-e', 'frame.time_epoch', '-e', 'radius.code', '-e', 'radius.User_Name', '-e', 'radius.Calling_Station_Id', '-e', 'radius.Framed-IP-Address', '-e', 'radius.Reply_Message'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const rows = out.split('\n').filter(Boolean).map((l) => l.split('\t'));
  const { sink } = await run(pcap('radius.pcap'));
  const [r, ...rest] = sink.get('radius');
  assert.equal(rest.length, 0);
  const request = rows.find((x) => x[1] === '1')!, challenge = rows.find((x) => x[1] === '11')!, accept = rows.find((x) => x[1] === '2')!;
  assert.equal(r.ts, Number(rows[0][0]));
  assert.equal(r.username, request[2]);
  assert.equal(r.mac, normalizeMac(request[3]));
  assert.equal(r.framed_addr, challenge[4]);
  assert.equal(r.reply_msg, challenge[5]);
  assert.equal(r.result, 'success');
  assert.ok(Math.abs((r.ttl as number) - (Number(accept[0]) - Number(rows[0][0]))) < 1e-6);
});
