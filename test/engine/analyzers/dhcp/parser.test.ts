/** DHCP message parsing: every option the log uses, bounds, truncation and garbage. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtMac, messageTypeName, parseDhcp, type DhcpMessage } from '../../../../src/engine/analyzers/dhcp/parser.js';
import { dhcp, ip, u32 } from './build-dhcp.js';

function ok(b: Buffer): DhcpMessage {
  const r = parseDhcp(b, 0, b.length);
  assert.ok('msg' in r, JSON.stringify(r));
  return r.msg;
}

test('the fixed header and every logged option', () => {
  const fqdnWire = Buffer.from([0x04, 0, 0, 2, 0x70, 0x63, 3, 0x6c, 0x61, 0x6e, 0]); // E flag: "pc.lan"
  const relay = Buffer.from([1, 3, 0x65, 0x74, 0x30, 2, 2, 0xab, 0xcd]);
  const m = ok(dhcp({
    op: 2, xid: 0xdeadbeef, yiaddr: '10.1.2.3',
    options: [[53, 5], [12, 'host\x01'], [15, 'corp.example'], [50, ip('10.1.2.3')], [51, u32(3600)], [54, ip('10.1.2.1')],
      [55, Buffer.from([1, 3, 6])], [56, 'no'], [60, 'MSFT 5.0'], [61, Buffer.from([1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff])],
      [81, fqdnWire], [82, relay]],
  }));
  assert.equal(m.op, 2);
  assert.equal(m.xid, 0xdeadbeef);
  assert.equal(m.yiaddr, '10.1.2.3');
  assert.equal(m.chaddr, '00:0b:82:01:fc:42');
  assert.equal(m.msgType, 5);
  assert.equal(m.hostName, 'host\\x01'); // control bytes escaped as Zeek writes them
  assert.equal(m.domainName, 'corp.example');
  assert.equal(m.requestedAddr, '10.1.2.3');
  assert.equal(m.leaseTime, 3600);
  assert.equal(m.serverId, '10.1.2.1');
  assert.deepEqual(m.paramList, [1, 3, 6]);
  assert.equal(m.message, 'no');
  assert.equal(m.vendorClass, 'MSFT 5.0');
  assert.equal(m.clientIdType, 1);
  assert.equal(m.clientIdHwAddr, 'aa:bb:cc:dd:ee:ff');
  assert.equal(m.clientFqdn, 'pc.lan');
  assert.equal(m.circuitId, 'et0');
  assert.equal(m.remoteId, '\\xab\\xcd');
  assert.deepEqual(m.options, [53, 12, 15, 50, 51, 54, 55, 56, 60, 61, 81, 82]);
  assert.equal(m.weirds, undefined);
});

test('client FQDN without the E flag is ASCII; pads are skipped; a missing end option is fine', () => {
  const b = dhcp({ xid: 1, options: [[53, 1], [81, Buffer.concat([Buffer.from([0, 0, 0]), Buffer.from('a.b.c')])]], noEnd: true });
  const m = ok(Buffer.concat([b.subarray(0, 240), Buffer.from([0, 0, 0]), b.subarray(240)]));
  assert.equal(m.clientFqdn, 'a.b.c');
  assert.equal(m.msgType, 1);
});

test('not DHCP: short, bad op, bad cookie', () => {
  for (const [b, weird] of [
    [dhcp({ xid: 1 }).subarray(0, 239), 'DHCP_truncated'],
    [dhcp({ xid: 1, op: 3 }), 'DHCP_bad_op'],
    [dhcp({ xid: 1, cookie: 0x01020304 }), 'DHCP_bad_cookie'],
  ] as const) {
    const r = parseDhcp(b, 0, b.length);
    assert.ok('error' in r);
    assert.equal(r.weird, weird);
  }
});

test('an option running past the datagram ends the options; what was read is kept', () => {
  const b = dhcp({ xid: 7, options: [[53, 3], [12, 'abcdef']], noEnd: true });
  const m = ok(b.subarray(0, b.length - 2));
  assert.equal(m.msgType, 3);
  assert.equal(m.hostName, undefined);
  assert.deepEqual(m.weirds, ['DHCP_truncated_option']);
  const m2 = ok(Buffer.concat([dhcp({ xid: 7, options: [[53, 3]], noEnd: true }), Buffer.from([12])]));
  assert.deepEqual(m2.weirds, ['DHCP_truncated_option']);
});

test('a wrong length for a fixed-size option costs that option only', () => {
  const m = ok(dhcp({ xid: 7, options: [[53, 3], [51, Buffer.from([0, 0, 1])], [50, ip('1.2.3.4')], [82, Buffer.from([1, 9, 0])]] }));
  assert.equal(m.leaseTime, undefined);
  assert.equal(m.requestedAddr, '1.2.3.4');
  assert.deepEqual(m.weirds, ['DHCP_bad_option_length', 'DHCP_bad_option_length']);
});

test('no message type option is reported', () => {
  const m = ok(dhcp({ xid: 7, options: [[12, 'x']] }));
  assert.equal(m.msgType, 0);
  assert.deepEqual(m.weirds, ['DHCP_no_message_type']);
});

test('every truncation of a full message and random garbage parse without throwing', () => {
  const full = dhcp({ xid: 9, options: [[53, 3], [12, 'name'], [61, Buffer.from([1, 1, 2, 3, 4, 5, 6])], [81, Buffer.from([4, 0, 0, 3, 0x61, 0x62])], [82, Buffer.from([1, 1, 0x41])]] });
  for (let n = 0; n <= full.length; n++) parseDhcp(full, 0, n);
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(full);
    for (let k = 240; k < b.length; k++) if (rnd() < 64) b[k] = rnd();
    const r = parseDhcp(b, 0, b.length);
    if ('msg' in r) assert.ok(r.msg.options.length <= b.length);
  }
  // A datagram of nothing but pad options.
  const pads = Buffer.concat([dhcp({ xid: 1, noEnd: true }), Buffer.alloc(60000)]);
  assert.equal(ok(pads).options.length, 0);
  // A datagram of 30000 empty options: bounded.
  const many = Buffer.concat([dhcp({ xid: 1, options: [[53, 1]], noEnd: true }), Buffer.alloc(60000, 0x2b).fill(Buffer.from([0x2b, 0]))]);
  const m = ok(many);
  assert.ok(m.options.length <= 512);
  assert.ok(m.weirds?.includes('DHCP_too_many_options'));
});

test("Zeek's fmt_mac and message type names", () => {
  assert.equal(fmtMac(Buffer.from([1, 2, 3, 4, 5, 6, 0, 0, 9]), 0, 16), '01:02:03:04:05:06');
  assert.equal(fmtMac(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]), 0, 8), '01:02:03:04:05:06:07:08');
  assert.equal(fmtMac(Buffer.from([1, 2, 3]), 0, 3), '');
  assert.equal(messageTypeName(8), 'INFORM');
  assert.equal(messageTypeName(99), 'unknown-message-type-99');
});
