import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule, ruleError } from './rule-helpers.js';
import { isFlowintTest } from '../../../../src/engine/detect/rules/rule.js';

test('meta: msg, sid, rev, gid, classtype (category and priority), priority override, reference, metadata, target', () => {
  const r = rule('msg:"ET MALWARE Test \\"quoted\\" \\; semi"; sid:2024001; rev:5; gid:3; classtype:trojan-activity; reference:url,example.com/a,b; reference:cve,2021-44228; metadata:affected_product Any, created_at 2021_12_10; target:dest_ip;');
  assert.equal(r.msg, 'ET MALWARE Test "quoted" ; semi');
  assert.deepEqual([r.sid, r.rev, r.gid], [2024001, 5, 3]);
  assert.equal(r.classtype, 'trojan-activity');
  assert.equal(r.category, 'A Network Trojan was detected');
  assert.equal(r.priority, 1);
  assert.deepEqual(r.references, [{ system: 'url', value: 'example.com/a,b' }, { system: 'cve', value: '2021-44228' }]);
  assert.deepEqual(r.metadata, [['affected_product', 'Any'], ['created_at', '2021_12_10']]);
  assert.equal(r.target, 'dest_ip');
  assert.equal(rule('classtype:misc-activity; priority:1;').priority, 1);
  assert.equal(rule('msg:"x";').priority, 3);
  assert.match(ruleError('classtype:no-such-class;'), /unknown classtype/);
  assert.match(ruleError('msg:"x"; sid:abc;'), /sid: expected an integer/);
});

test('flow: options parsed, contradictions rejected', () => {
  assert.deepEqual(rule('flow:established,to_server;').flow, { established: true, toServer: true });
  assert.deepEqual(rule('flow:from_server,not_established,no_stream;').flow, { established: false, toServer: false, noStream: true });
  assert.deepEqual(rule('flow:stateless,only_stream;').flow, { stateless: true, onlyStream: true });
  assert.match(ruleError('flow:to_server,to_client;'), /contradicts/);
  assert.match(ruleError('flow:sideways;'), /unknown option/);
  assert.deepEqual(rule('msg:"x";', 'alert tcp-pkt any any -> any any').flow, { noStream: true });
});

test('flowbits and flowint: ops as data, noalert', () => {
  const r = rule('flowbits:set,ET.a; flowbits:isset,b|c; flowbits:unset,x&y; flowbits:noalert; flowint:cnt,+,1; flowint:cnt,>,5; flowint:other,notset; flowint:a,==,b;');
  assert.deepEqual(r.flowbits, [
    { op: 'set', names: ['ET.a'], mode: 'and' },
    { op: 'isset', names: ['b', 'c'], mode: 'or' },
    { op: 'unset', names: ['x', 'y'], mode: 'and' },
  ]);
  assert.equal(r.noalert, true);
  assert.deepEqual(r.flowints, [
    { name: 'cnt', op: '+', value: 1 }, { name: 'cnt', op: '>', value: 5 }, { name: 'other', op: 'notset' }, { name: 'a', op: '==', value: 'b' },
  ]);
  assert.equal(isFlowintTest('>'), true);
  assert.equal(isFlowintTest('+'), false);
  assert.match(ruleError('flowbits:explode,x;'), /unknown operation/);
  assert.match(ruleError('flowbits:set,a|b;'), /only for isset/);
  assert.match(ruleError('flowint:c,%,1;'), /unknown operator/);
  assert.match(ruleError('flowint:c,+;'), /needs a value/);
});

test('threshold and detection_filter', () => {
  const r = rule('threshold: type limit, track by_src, count 1, seconds 60; detection_filter:track by_dst, count 5, seconds 10;');
  assert.deepEqual(r.threshold, { type: 'limit', track: 'by_src', count: 1, seconds: 60 });
  assert.deepEqual(r.detectionFilter, { type: 'detection_filter', track: 'by_dst', count: 5, seconds: 10 });
  assert.match(ruleError('threshold:type limit, track by_src, count 1;'), /missing seconds/);
  assert.match(ruleError('threshold:type sometimes, track by_src, count 1, seconds 1;'), /unknown type/);
  assert.match(ruleError('detection_filter:track by_nobody, count 1, seconds 1;'), /unknown track/);
});
