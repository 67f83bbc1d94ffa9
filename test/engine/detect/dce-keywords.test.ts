/**
 * dce_iface, dce_opnum and dce_stub_data on the real srvsvc call over an SMB2 named pipe in
 * smb2-smb3-windows10.pcap. tshark is the oracle for the call: the bound interface (SRVSVC,
 * version 3), the request's opnum (15, NetrShareEnum) and the stub bytes of request and response.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pcap, run } from '../../helpers.js';
import { parseRules } from '../../../src/engine/detect/rules/parser.js';
import { ruleError } from './keywords/rule-helpers.js';

const CAPTURE = pcap('smb2-smb3-windows10.pcap');
const SRVSVC = '4b324fc8-1670-01d3-1278-5a47bf6ee188';

function tshark(filter: string, ...fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', CAPTURE, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  return out.trim().split('\n').filter(Boolean).map((l) => l.split('\t'));
}

async function alerts(ruleText: string): Promise<{ sid: number; direction: string }[]> {
  const parsed = parseRules(ruleText, { file: 'test.rules' });
  assert.deepEqual(parsed.errors, []);
  assert.equal(parsed.unsupported.size, 0);
  const { sink } = await run(CAPTURE, { rules: parsed.rules });
  return sink.get('eve').map((e) => ({ sid: (e.alert as { signature_id: number }).signature_id, direction: e.direction as string }));
}

test('tshark sees one srvsvc request with opnum 15 on interface version 3 (the oracle)', () => {
  const requests = tshark('dcerpc.pkt_type == 0', 'dcerpc.opnum');
  assert.deepEqual(requests, [['15']]);
  assert.equal(tshark('dcerpc.pkt_type == 11', 'dcerpc.cn_bind_to_uuid')[0][0].split(',')[0], SRVSVC);
});

test('dce_iface and dce_opnum alone: one alert per request, none for other interfaces, opnums or versions', async () => {
  const got = await alerts([
    `alert tcp any any -> any any (msg:"srvsvc"; dce_iface:${SRVSVC.toUpperCase()}; flow:to_server; sid:1;)`,
    `alert tcp any any -> any any (msg:"srvsvc v3 op 15"; dce_iface:${SRVSVC},=3; dce_opnum:10-16,40; flow:to_server; sid:2;)`,
    `alert tcp any any -> any any (msg:"srvsvc op 16"; dce_iface:${SRVSVC}; dce_opnum:16; sid:3;)`,
    `alert tcp any any -> any any (msg:"srvsvc v4+"; dce_iface:${SRVSVC},>3,any_frag; sid:4;)`,
    'alert tcp any any -> any any (msg:"samr"; dce_iface:12345778-1234-abcd-ef00-0123456789ac; sid:5;)',
    'alert tcp any any -> any any (msg:"op 15 any iface"; dce_opnum:15; sid:6;)',
  ].join('\n'));
  const sids = got.map((a) => a.sid).sort();
  // sid 6 has no direction: the request (to_server) and its response (which answers opnum 15) both match.
  assert.deepEqual(sids, [1, 2, 6, 6]);
});

test('dce_stub_data sees the request stub (server name) and the response stub (share names), fragments joined', async () => {
  // The request stub carries the server name as UTF-16; the response lists the shares (IPC$ is always there).
  const utf16 = (s: string) => [...Buffer.from(s, 'utf16le')].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const got = await alerts([
    `alert tcp any any -> any any (msg:"server name in request"; dce_iface:${SRVSVC}; dce_stub_data; content:"|${utf16('\\\\')}|"; flow:to_server; sid:10;)`,
    `alert tcp any any -> any any (msg:"IPC$ in response"; dce_stub_data; content:"|${utf16('IPC$')}|"; flow:to_client; sid:11;)`,
    `alert tcp any any -> any any (msg:"IPC$ in request"; dce_stub_data; content:"|${utf16('IPC$')}|"; flow:to_server; sid:12;)`,
  ].join('\n'));
  assert.deepEqual(got.map((a) => a.sid).sort(), [10, 11]);
  // The oracle for sid 11 and 12: the response's frame bytes hold IPC$ in UTF-16, the request's do not.
  const frameHex = (filter: string) => execFileSync('tshark', ['-r', CAPTURE, '-Y', filter, '-T', 'json', '-x'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.ok(frameHex('dcerpc.pkt_type == 2').includes('4900500043002400'));
  assert.ok(!frameHex('dcerpc.pkt_type == 0').includes('4900500043002400'));
});

test('dce keyword errors are clear', () => {
  assert.match(ruleError('dce_iface:not-a-uuid;'), /not a UUID/);
  assert.match(ruleError(`dce_iface:${SRVSVC},~3;`), /version must be/);
  assert.match(ruleError('dce_opnum:5-2;'), /is empty/);
  assert.match(ruleError('dce_opnum:x;'), /cannot read/);
  assert.match(ruleError('dce_stub_data;'), /no content/);
});
