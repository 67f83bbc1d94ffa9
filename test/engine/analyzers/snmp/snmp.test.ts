/**
 * SNMP: BER bounds, the parser on built messages (every PDU type, v3, truncation, garbage), the
 * engine (one record per connection, community masked unless showCredentials, up_since,
 * display_string, the probe on other ports), and the shared captures against tshark.
 *
 * Deliberate differences from tshark: snmp-v3-rawip4.pcap's v3 messages and three of its v2c
 * messages have variable bindings whose lengths run past their PDU; tshark shows no bindings for
 * them and neither do we (weird SNMP_malformed_PDU), but we still count them for the session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { oidValue, readTlv } from '../../../../src/engine/analyzers/snmp/ber.js';
import { snmpAnalyzers } from '../../../../src/engine/analyzers/snmp/index.js';
import { parseSnmp } from '../../../../src/engine/analyzers/snmp/parser.js';
import { pcap, run } from '../../../helpers.js';
import { buildPcap, writeTemp, type FrameSpec } from '../../../support/build-pcap.js';

/** One BER element (definite length, long form when needed). */
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const c = Buffer.concat(content);
  const len = c.length < 128 ? Buffer.from([c.length]) : c.length < 256 ? Buffer.from([0x81, c.length]) : Buffer.from([0x82, c.length >> 8, c.length & 255]);
  return Buffer.concat([Buffer.from([tag]), len, c]);
}
const int = (n: number) => tlv(0x02, Buffer.from([n]));
const oct = (s: string) => tlv(0x04, Buffer.from(s, 'latin1'));
function oid(s: string): Buffer {
  const a = s.split('.').map(Number);
  const out = [40 * a[0] + a[1]];
  for (const v of a.slice(2)) {
    const bytes = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) bytes.unshift(0x80 | (x & 0x7f));
    out.push(...bytes);
  }
  return tlv(0x06, Buffer.from(out));
}
const NULL = Buffer.from([0x05, 0x00]);
const vb = (name: string, value: Buffer = NULL) => tlv(0x30, oid(name), value);
const pdu = (tag: number, ...binds: Buffer[]) => tlv(tag, int(1), int(0), int(0), tlv(0x30, ...binds));
const msg = (version: number, community: string, p: Buffer) => tlv(0x30, int(version), oct(community), p);
const ticks = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return tlv(0x43, b); };

test('BER: long-form lengths, indefinite and oversize lengths refused, OIDs decoded', () => {
  const long = tlv(0x04, Buffer.alloc(300, 0x41));
  const t = readTlv(long, 0, long.length)!;
  assert.deepEqual([t.tag, t.off, t.end], [0x04, 4, 304]);
  assert.equal(readTlv(long, 0, long.length - 1), undefined); // content past the end
  assert.equal(readTlv(Buffer.from([0x30, 0x80, 0, 0]), 0, 4), undefined); // indefinite
  assert.equal(readTlv(Buffer.from([0x30, 0x85, 1, 1, 1, 1, 1]), 0, 7), undefined);
  assert.equal(readTlv(Buffer.from([0x1f, 0x01, 0]), 0, 3), undefined); // high tag number
  const o = oid('1.3.6.1.4.1.311.21.20');
  assert.equal(oidValue(o, readTlv(o, 0, o.length)!), '1.3.6.1.4.1.311.21.20');
  assert.equal(oidValue(Buffer.from([0x06, 0x02, 0x2b, 0x86]), { tag: 6, off: 2, end: 4 }), undefined); // unfinished arc
});

test('v1/v2c messages: PDU types, bindings, community; v3 plaintext and encrypted', () => {
  const get = msg(1, 'public', pdu(0xa0, vb('1.3.6.1.2.1.1.1.0'), vb('1.3.6.1.2.1.1.3.0')));
  const r = parseSnmp(get, 0, get.length);
  assert.ok('msg' in r);
  assert.equal(r.msg.version, 1);
  assert.equal(r.msg.community, 'public');
  assert.equal(r.msg.pduTag, 0xa0);
  assert.deepEqual(r.msg.bindings.map((b) => b.oid), ['1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.3.0']);
  const trap = tlv(0x30, int(0), oct('c'), tlv(0xa4, oid('1.3.6.1.4.1.9'), tlv(0x40, Buffer.from([10, 0, 0, 1])), int(6), int(1), ticks(5), tlv(0x30, vb('1.3.6.1.2.1.2.2.1.1.3', int(3)))));
  const rt = parseSnmp(trap, 0, trap.length);
  assert.ok('msg' in rt && rt.msg.bindings.length === 1 && rt.msg.version === 0);
  const v3 = (flags: number, scoped: Buffer) => tlv(0x30, int(3), tlv(0x30, int(1), int(100), tlv(0x04, Buffer.from([flags])), int(3)), oct('usm'), scoped);
  const plain = v3(0x04, tlv(0x30, oct('engine'), oct(''), pdu(0xa1, vb('1.3.6.1'))));
  const rp = parseSnmp(plain, 0, plain.length);
  assert.ok('msg' in rp);
  assert.deepEqual([rp.msg.version, rp.msg.pduTag, rp.msg.bindings.length, rp.msg.community], [3, 0xa1, 1, undefined]);
  const enc = v3(0x07, oct('\x99\x98 ciphertext'));
  const re = parseSnmp(enc, 0, enc.length);
  assert.ok('msg' in re && re.msg.encrypted && re.msg.pduTag === undefined && !re.msg.weirds);
});

test('errors: not BER, unknown version, broken PDU, bad binding', () => {
  const cases: Array<[Buffer, string]> = [
    [Buffer.from('GET / HTTP/1.1\r\n'), 'SNMP_malformed'],
    [msg(2, 'public', pdu(0xa0)), 'SNMP_unknown_header_version'],
  ];
  for (const [b, w] of cases) {
    const r = parseSnmp(b, 0, b.length);
    assert.ok('error' in r && r.weird === w, JSON.stringify(r));
  }
  const broken = msg(1, 'public', tlv(0xa0, int(1), int(0)));
  const rb = parseSnmp(broken, 0, broken.length);
  assert.ok('msg' in rb && rb.msg.weirds?.[0] === 'SNMP_malformed_PDU' && rb.msg.community === 'public');
  const badName = msg(1, 'public', pdu(0xa0, vb('1.3.6.1.2.1.1.1.0'), tlv(0x30, oct('x'), NULL)));
  const rn = parseSnmp(badName, 0, badName.length);
  assert.ok('msg' in rn && rn.msg.bindings.length === 1 && rn.msg.weirds?.[0] === 'SNMP_bad_varbind');
});

test('every truncation and random mutations never throw; bindings are bounded', () => {
  const full = msg(1, 'public', pdu(0xa2, vb('1.3.6.1.2.1.1.1.0', oct('Linux box')), vb('1.3.6.1.2.1.1.3.0', ticks(12345))));
  for (let n = 0; n <= full.length; n++) parseSnmp(full, 0, n);
  let seed = 99;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let i = 0; i < 5000; i++) {
    const b = Buffer.from(full);
    for (let k = 0; k < 3; k++) b[rnd() % b.length] = rnd();
    parseSnmp(b, 0, b.length);
  }
  const many = msg(1, 'public', pdu(0xa0, ...Array.from({ length: 3000 }, () => vb('1.3'))));
  const r = parseSnmp(many, 0, many.length);
  assert.ok('msg' in r && r.msg.bindings.length === 2048 && r.msg.weirds?.includes('SNMP_too_many_bindings'));
});

const C = '10.0.0.1', A = '10.0.0.161';
const req = (ts: number, b: Buffer, dport = 161): FrameSpec => ({ ts, src: C, dst: A, proto: 'udp', sport: 40000, dport, payload: b });
const rsp = (ts: number, b: Buffer, sport = 161): FrameSpec => ({ ts, src: A, dst: C, proto: 'udp', sport, dport: 40000, payload: b });

test('engine: one record per connection; counts, display_string, up_since; community masked', async () => {
  const frames = [
    req(100, msg(1, 's3cret', pdu(0xa0, vb('1.3.6.1.2.1.1.1.0'), vb('1.3.6.1.2.1.1.3.0')))),
    rsp(100.5, msg(1, 's3cret', pdu(0xa2, vb('1.3.6.1.2.1.1.1.0', oct('Cisco IOS\x01')), vb('1.3.6.1.2.1.1.3.0', ticks(360000))))),
    req(101, msg(1, 'other', pdu(0xa3, vb('1.3.6.1.2.1.1.5.0', oct('x'))))),
    req(102, msg(1, 'other', tlv(0xa5, int(1), int(0), int(10), tlv(0x30, vb('1.3.6'), vb('1.3.7'), vb('1.3.8'))))),
  ];
  const file = writeTemp(buildPcap(frames));
  const { sink } = await run(file);
  const [r, ...rest] = sink.get('snmp');
  assert.equal(rest.length, 0);
  assert.equal(r.ts, 100);
  assert.equal(r.duration, 2);
  assert.equal(r.version, '2c');
  assert.equal(r.community, '***');
  assert.deepEqual([r.get_requests, r.get_responses, r.set_requests, r.get_bulk_requests], [2, 2, 1, 3]);
  assert.equal(r.display_string, 'Cisco IOS\\x01');
  assert.equal(r.up_since, 100.5 - 3600);
  assert.equal(sink.get('conn')[0].service, 'snmp');
  const shown = await run(file, { analyzers: snmpAnalyzers({ showCredentials: true }) });
  assert.equal(shown.sink.get('snmp')[0].community, 's3cret'); // the first community, as Zeek
});

test('engine: the probe finds SNMP on another port and refuses look-alikes', async () => {
  const good = msg(1, 'public', pdu(0xa0, vb('1.3.6.1.2.1.1.1.0')));
  const { sink } = await run(writeTemp(buildPcap([
    req(1, good, 16100),
    { ...req(2, Buffer.concat([good, Buffer.from([0])]), 16101), sport: 40001 }, // trailing byte
    { ...req(3, Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]), 16102), sport: 40002 },
  ])));
  const byPort = new Map(sink.get('conn').map((c) => [c['id.resp_p'], c.service]));
  assert.equal(byPort.get(16100), 'snmp');
  assert.equal(byPort.get(16101), undefined);
  assert.equal(byPort.get(16102), undefined);
  assert.equal(sink.get('snmp').length, 1);
});

test('engine: garbage on 161 is a violation and logs nothing', async () => {
  const { sink } = await run(writeTemp(buildPcap([req(1, Buffer.from('not snmp at all'))])));
  assert.equal(sink.get('snmp').length, 0);
  assert.ok(sink.get('weird').some((w) => w.name === 'protocol_violation' && String(w.addl).startsWith('snmp:')));
});

function tsharkSnmp(file: string): string[][] {
  const out = execFileSync('tshark', ['-r', pcap(file), '-Y', 'snmp', '-T', 'fields', '-E', 'aggregator=,', '-e', 'udp.payload', '-e', 'snmp.version', '-e', 'snmp.msgVersion', '-e', 'snmp.community', '-e', 'snmp.data', '-e', 'snmp.name'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter(Boolean).map((l) => l.split('\t'));
}

for (const file of ['snmp-v2c-get.pcap', 'snmp-v3-rawip4.pcap', 'mixed-arkime-synthetic-many-protocols.pcap']) {
  test(`${file}: every SNMP message parses as tshark dissects it`, () => {
    for (const [hex, version, msgVersion, community, data, names] of tsharkSnmp(file)) {
      const b = Buffer.from(hex, 'hex');
      const r = parseSnmp(b, 0, b.length);
      const v = Number(version || msgVersion);
      if (v !== 0 && v !== 1 && v !== 3) {
        assert.ok('error' in r && r.weird === 'SNMP_unknown_header_version');
        continue;
      }
      assert.ok('msg' in r, hex);
      assert.equal(r.msg.version, v);
      if (v !== 3) assert.equal(r.msg.community, community);
      const malformed = r.msg.weirds?.includes('SNMP_malformed_PDU');
      if (data !== '' && !malformed) assert.equal((r.msg.pduTag ?? 0) - 0xa0, Number(data), hex);
      const ours = r.msg.bindings.map((x) => x.oid).join(',');
      assert.equal(ours, names, hex);
    }
  });
}

test('snmp-v2c-get.pcap: four sessions, each one request and one response; sysUpTime gives up_since', async () => {
  const { sink } = await run(pcap('snmp-v2c-get.pcap'));
  const recs = sink.get('snmp');
  assert.equal(recs.length, 4);
  for (const r of recs) {
    assert.deepEqual([r.version, r.community, r.get_requests, r.get_responses], ['2c', '***', 1, 1]);
  }
  // tshark: sysUpTime.0 = 76705700 ticks in the response at 1222366202.195237.
  assert.ok(Math.abs((recs[1].up_since as number) - (1222366202.195237 - 767057)) < 1e-6);
});
