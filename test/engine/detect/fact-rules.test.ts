/**
 * Rules made only of fact tests (filesize, filemd5, dns.opcode, krb5_msg_type, ...): they run on
 * the units that carry those facts, once per unit — never on every packet of the connection
 * (which a rule without any buffer would otherwise do).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pcap, run } from '../../helpers.js';
import { parseRules } from '../../../src/engine/detect/rules/parser.js';

async function sids(capture: string, ruleText: string): Promise<number[]> {
  const parsed = parseRules(ruleText, { file: 'test.rules' });
  assert.deepEqual(parsed.errors, []);
  const { sink } = await run(pcap(capture), { rules: parsed.rules });
  return sink.get('eve').map((e) => (e.alert as { signature_id: number }).signature_id);
}

test('filesize alone alerts once per file that satisfies it, never per packet', async () => {
  const got = await sids('http-get-simple.pcap', [
    'alert http any any -> any any (msg:"any file"; filesize:>1; sid:1;)',
    'alert tcp any any -> any any (msg:"a gigabyte file"; filesize:>1000000000; sid:2;)',
  ].join('\n'));
  assert.deepEqual(got, [1]);
});

test('dns.opcode alone alerts once per DNS message, not per packet of other protocols', async () => {
  const { sink } = await run(pcap('dns-tcp.pcap'));
  const messages = sink.get('dns').length;
  assert.ok(messages > 0);
  const got = await sids('dns-tcp.pcap', 'alert dns any any -> any any (msg:"standard query"; dns.opcode:0; flow:to_server; sid:3;)');
  assert.ok(got.length > 0 && got.length <= messages, `${got.length} alerts for ${messages} dns records`);
  assert.deepEqual(await sids('dns-tcp.pcap', 'alert dns any any -> any any (msg:"update"; dns.opcode:5; sid:4;)'), []);
});
