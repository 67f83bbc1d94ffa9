/**
 * xbits / hostbits (bits on hosts and host pairs, shared across connections, lapsing after their
 * expire time) and stream_size (per-side TCP progress), end to end through the engine on captures
 * built here, plus their parse errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../helpers.js';
import { parseRules } from '../../../src/engine/detect/rules/parser.js';
import type { LogRecord } from '../../../src/engine/logs/schema.js';
import { XbitTable } from '../../../src/engine/detect/xbits.js';
import { LIMITS } from '../../../src/engine/support/limits.js';
import { ACK, PSH, SYN, buildPcap, writeTemp, type FrameSpec } from '../../support/build-pcap.js';
import { ruleError } from './keywords/rule-helpers.js';

async function sidsOf(frames: FrameSpec[], ruleText: string): Promise<{ sid: number; src: string; dst: string; ts: string }[]> {
  const parsed = parseRules(ruleText, { file: 'test.rules' });
  assert.deepEqual(parsed.errors, []);
  assert.equal(parsed.unsupported.size, 0);
  const { sink } = await run(writeTemp(buildPcap(frames), 'xbits.pcap'), { rules: parsed.rules, analyzers: [] });
  return sink.get('eve').map((e: LogRecord) => ({
    sid: (e.alert as { signature_id: number }).signature_id, src: e.src_ip as string, dst: e.dest_ip as string, ts: e.timestamp as string,
  }));
}

const udp = (ts: number, src: string, dst: string, sport: number, payload: string): FrameSpec =>
  ({ ts, proto: 'udp', src, dst, sport, dport: 9999, payload: Buffer.from(payload) });

const XBITS_RULES = [
  'alert udp any any -> any 9999 (msg:"beacon after drop"; content:"BEACON"; xbits:isset,dropped,track ip_src; sid:2;)',
  'alert udp any any -> any 9999 (msg:"dropper"; content:"DROP"; xbits:set,dropped,track ip_src,expire 60; noalert; sid:1;)',
  'alert udp any any -> any 9999 (msg:"pair seen"; content:"PAIR"; xbits:isset,talked,track ip_pair; sid:4;)',
  'alert udp any any -> any 9999 (msg:"pair set"; content:"HELLO"; xbits:set,talked,track ip_pair; noalert; sid:3;)',
  'alert udp any any -> any 9999 (msg:"clean beacon"; content:"BEACON"; xbits:isnotset,dropped,track ip_src; sid:5;)',
].join('\n');

test('xbits track ip_src: a bit set by one connection is seen by another of the same host, not by other hosts', async () => {
  const alerts = await sidsOf([
    udp(1, '10.0.0.1', '10.9.9.9', 5000, 'DROP payload'),
    udp(2, '10.0.0.1', '10.9.9.8', 5001, 'BEACON one'), // another connection, same source
    udp(3, '10.0.0.2', '10.9.9.9', 5002, 'BEACON two'), // another host
  ], XBITS_RULES);
  assert.deepEqual(alerts.map((a) => [a.sid, a.src]), [[2, '10.0.0.1'], [5, '10.0.0.2']]);
});

test('xbits lapse after their expire time (capture time), and unset clears them', async () => {
  const alerts = await sidsOf([
    udp(1, '10.0.0.1', '10.9.9.9', 5000, 'DROP payload'),
    udp(62, '10.0.0.1', '10.9.9.9', 5000, 'BEACON late'), // 61 s later: past expire 60
  ], XBITS_RULES);
  assert.deepEqual(alerts.map((a) => a.sid), [5]);
  const unset = await sidsOf([
    udp(1, '10.0.0.1', '10.9.9.9', 5000, 'DROP'),
    udp(2, '10.0.0.1', '10.9.9.9', 5000, 'CLEAN'),
    udp(3, '10.0.0.1', '10.9.9.9', 5000, 'BEACON'),
  ], XBITS_RULES + '\nalert udp any any -> any 9999 (msg:"clean"; content:"CLEAN"; xbits:unset,dropped,track ip_src; noalert; sid:6;)');
  assert.deepEqual(unset.map((a) => a.sid), [5]);
});

test('xbits track ip_pair holds for the pair in either direction, not for other pairs', async () => {
  const frames: FrameSpec[] = [
    udp(1, '10.0.0.1', '10.9.9.9', 5000, 'HELLO'),
    { ...udp(2, '10.9.9.9', '10.0.0.1', 9999, 'PAIR back'), dport: 5000 },
    udp(3, '10.0.0.3', '10.9.9.9', 5003, 'PAIR other'),
  ];
  const rules = XBITS_RULES.replace('-> any 9999 (msg:"pair seen"', '<> any any (msg:"pair seen"');
  const alerts = await sidsOf(frames, rules);
  assert.deepEqual(alerts.map((a) => [a.sid, a.src]), [[4, '10.9.9.9']]);
});

test('hostbits default to the source and accept dst; their errors are clear', async () => {
  const alerts = await sidsOf([
    udp(1, '10.0.0.1', '10.9.9.9', 5000, 'MARK'),
    udp(2, '10.0.0.7', '10.9.9.9', 5001, 'VICTIM?'),
    udp(3, '10.0.0.1', '10.9.9.8', 5002, 'AGAIN'),
  ], [
    'alert udp any any -> any 9999 (msg:"mark"; content:"MARK"; hostbits:set,marked; hostbits:set,target,dst; noalert; sid:10;)',
    'alert udp any any -> any 9999 (msg:"marked src again"; content:"AGAIN"; hostbits:isset,marked; sid:11;)',
    'alert udp any any -> any 9999 (msg:"to marked target"; content:"VICTIM"; hostbits:isset,target,dst; sid:12;)',
  ].join('\n'));
  assert.deepEqual(alerts.map((a) => a.sid), [12, 11]);
  assert.match(ruleError('xbits:set,x;'), /needs track/);
  assert.match(ruleError('xbits:set,x,track ip_host;'), /track must be/);
  assert.match(ruleError('xbits:flip,x,track ip_src;'), /unknown operation/);
  assert.match(ruleError('hostbits:set,x,ip_pair;'), /unknown option|xbits only/);
  assert.match(ruleError('xbits:set,x,track ip_src,expire 0;'), /expire/);
});

test('the xbits table stays within its limit, dropping lapsed bits first, then the oldest', () => {
  const t = new XbitTable();
  const max = LIMITS.detectMaxXbits;
  for (let i = 0; i < max; i++) t.set(XbitTable.hostKey(1, 0, 0, 0, i), i < 10 ? 0 : 1000, 5); // the first 10 lapse at 5
  assert.equal(t.size, max);
  t.set(XbitTable.hostKey(2, 0, 0, 0, 1), 100, 30); // at time 100: the 10 lapsed ones go
  assert.equal(t.size, max - 9);
  assert.ok(t.isSet(XbitTable.hostKey(1, 0, 0, 0, 10), 1000));
  for (let i = 0; i < 20; i++) t.set(XbitTable.hostKey(3, 0, 0, 0, i), 1000, 30);
  assert.equal(t.size, max);
  assert.ok(!t.isSet(XbitTable.hostKey(1, 0, 0, 0, 10), 1000), 'the oldest set bit was forgotten');
  assert.equal(XbitTable.pairKey(7, 1, 2, 3, 4, 0, 0, 0, 9), XbitTable.pairKey(7, 0, 0, 0, 9, 1, 2, 3, 4));
});

/** One TCP connection: handshake, then `client` and `server` payloads alternately. */
function tcpTalk(exchanges: [client: string, server: string][]): FrameSpec[] {
  const c = { src: '10.1.1.1', dst: '10.2.2.2', sport: 40000, dport: 7777 };
  const frames: FrameSpec[] = [
    { ts: 1, proto: 'tcp', src: c.src, dst: c.dst, sport: c.sport, dport: c.dport, flags: SYN, seq: 100 },
    { ts: 1.1, proto: 'tcp', src: c.dst, dst: c.src, sport: c.dport, dport: c.sport, flags: SYN | ACK, seq: 500, ack: 101 },
    { ts: 1.2, proto: 'tcp', src: c.src, dst: c.dst, sport: c.sport, dport: c.dport, flags: ACK, seq: 101, ack: 501 },
  ];
  let cseq = 101, sseq = 501, ts = 2;
  for (const [cl, sv] of exchanges) {
    frames.push({ ts: ts++, proto: 'tcp', src: c.src, dst: c.dst, sport: c.sport, dport: c.dport, flags: ACK | PSH, seq: cseq, ack: sseq, payload: Buffer.from(cl) });
    cseq += cl.length;
    frames.push({ ts: ts++, proto: 'tcp', src: c.dst, dst: c.src, sport: c.dport, dport: c.sport, flags: ACK | PSH, seq: sseq, ack: cseq, payload: Buffer.from(sv) });
    sseq += sv.length;
  }
  return frames;
}

test('stream_size compares each side\'s progress (bytes sent + the SYN) at every packet', async () => {
  // Client sends 10 then 10 bytes; server 100 then 100.
  const frames = tcpTalk([['0123456789', 'S'.repeat(100)], ['abcdefghij', 'T'.repeat(100)]]);
  const alerts = await sidsOf(frames, [
    'alert tcp any any -> any 7777 (msg:"client past 15"; stream_size:client,>,15; flow:to_server; sid:20;)',
    'alert tcp any 7777 -> any any (msg:"server exactly 101"; stream_size:server,=,101; sid:21;)',
    'alert tcp any any <> any any (msg:"both over 5"; stream_size:both,>,5; dsize:>0; sid:22;)',
    'alert tcp any any <> any any (msg:"either at least 201"; stream_size:either,>=,201; sid:23;)',
    'alert udp any any -> any any (msg:"never on udp"; stream_size:client,>=,0; sid:24;)',
  ].join('\n'));
  const got = alerts.map((a) => a.sid);
  // sid 20: the second client data packet (client at 21). sid 21: the first server packet (101).
  // sid 22: from the first server packet (client 11, server 101) on: 3 packets. sid 23: the last.
  assert.deepEqual(got.filter((s) => s === 20).length, 1);
  assert.deepEqual(got.filter((s) => s === 21).length, 1);
  assert.deepEqual(got.filter((s) => s === 22).length, 3);
  assert.deepEqual(got.filter((s) => s === 23).length, 1);
  assert.ok(!got.includes(24));
  assert.match(ruleError('stream_size:client,~,5;'), /unknown operator/);
  assert.match(ruleError('stream_size:middle,>,5;'), /side must be/);
  assert.match(ruleError('stream_size:client,>;'), /needs side,operator,number/);
});
