import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule, ruleError } from './rule-helpers.js';
import { emptyPacketFacts, type PacketFacts, type Rule } from '../../../../src/engine/detect/rules/rule.js';
import { ipOptBit } from '../../../../src/engine/detect/keywords/header.js';

const facts = (f: Partial<PacketFacts>): PacketFacts => ({ ...emptyPacketFacts(), ...f });
const passes = (r: Rule, f: Partial<PacketFacts>): boolean => r.packetTests.every((t) => t.test(facts(f)));

test('ttl, tos, id, dsize: numbers with < > ! and ranges; absent fields never match', () => {
  assert.equal(passes(rule('ttl:<5;'), { ttl: 3 }), true);
  assert.equal(passes(rule('ttl:<5;'), { ttl: 5 }), false);
  assert.equal(passes(rule('ttl:<5;'), {}), false);
  assert.equal(passes(rule('ttl:64;'), { ttl: 64 }), true);
  assert.equal(passes(rule('ttl:10-20;'), { ttl: 15 }), true);
  assert.equal(passes(rule('ttl:10-20;'), { ttl: 10 }), false);
  assert.equal(passes(rule('tos:!8;'), { tos: 0 }), true);
  assert.equal(passes(rule('tos:!8;'), { tos: 8 }), false);
  assert.equal(passes(rule('id:31337;'), { ipId: 31337 }), true);
  assert.equal(passes(rule('dsize:>100;'), { dsize: 101 }), true);
  assert.equal(passes(rule('dsize:300<>400;'), { dsize: 350 }), true);
  assert.equal(passes(rule('dsize:300<>400;'), { dsize: 400 }), false);
  assert.equal(passes(rule('dsize:!0;'), { dsize: 0 }), false);
  assert.match(ruleError('ttl:300;'), /ttl/);
  assert.match(ruleError('dsize:abc;'), /cannot read/);
});

test('flags: exact, +, *, !, ignore mask, 0', () => {
  const SYN = 0x02, ACK = 0x10, FIN = 0x01, PSH = 0x08, CWR = 0x80, ECE = 0x40;
  assert.equal(passes(rule('flags:S;'), { tcpFlags: SYN }), true);
  assert.equal(passes(rule('flags:S;'), { tcpFlags: SYN | ACK }), false);
  assert.equal(passes(rule('flags:S+;'), { tcpFlags: SYN | ACK }), true);
  assert.equal(passes(rule('flags:+S;'), { tcpFlags: ACK }), false);
  assert.equal(passes(rule('flags:*SF;'), { tcpFlags: FIN | PSH }), true);
  assert.equal(passes(rule('flags:!R;'), { tcpFlags: ACK }), true);
  assert.equal(passes(rule('flags:S,CE;'), { tcpFlags: SYN | CWR | ECE }), true);
  assert.equal(passes(rule('flags:0;'), { tcpFlags: 0 }), true);
  assert.equal(passes(rule('flags:S;'), {}), false);
  assert.match(ruleError('flags:SX;'), /unknown flag/);
});

test('itype, icode, icmp_id, icmp_seq, ip_proto, sameip, fragbits, ipopts, window', () => {
  assert.equal(passes(rule('itype:8; icode:0;', 'alert icmp any any -> any any'), { icmpType: 8, icmpCode: 0 }), true);
  assert.equal(passes(rule('itype:>30;', 'alert icmp any any -> any any'), { icmpType: 8 }), false);
  assert.equal(passes(rule('icmp_id:1234; icmp_seq:1;', 'alert icmp any any -> any any'), { icmpId: 1234, icmpSeq: 1 }), true);
  assert.equal(passes(rule('ip_proto:gre;', 'alert ip any any -> any any'), { ipProto: 47 }), true);
  assert.equal(passes(rule('ip_proto:!6;', 'alert ip any any -> any any'), { ipProto: 6 }), false);
  assert.equal(passes(rule('sameip;', 'alert ip any any -> any any'), { sameIp: true }), true);
  assert.equal(passes(rule('sameip;', 'alert ip any any -> any any'), { sameIp: false }), false);
  assert.equal(passes(rule('fragbits:M+;', 'alert ip any any -> any any'), { ipVersion: 4, fragBits: 3 }), true);
  assert.equal(passes(rule('fragbits:D;', 'alert ip any any -> any any'), { ipVersion: 4, fragBits: 3 }), false);
  assert.equal(passes(rule('ipopts:lsrr;', 'alert ip any any -> any any'), { ipOpts: ipOptBit(131) }), true);
  assert.equal(passes(rule('ipopts:rr;', 'alert ip any any -> any any'), { ipOpts: ipOptBit(131) }), false);
  assert.equal(passes(rule('ipopts:any;', 'alert ip any any -> any any'), { ipOpts: ipOptBit(7) }), true);
  assert.equal(passes(rule('window:!0;'), { tcpWindow: 0 }), false);
  assert.match(ruleError('ip_proto:nonsense;'), /unknown protocol/);
  assert.match(ruleError('ipopts:bogus;'), /unknown option/);
});
