/**
 * DCE/RPC over TCP: the shared captures against tshark (interface UUIDs and opnums of
 * mixed-arkime, NTLMSSP in the auth verifiers of ntlm-synthetic), and built endpoint-mapper
 * conversations: names from the interface table, rtt, alter_context, fragmented requests and
 * PDUs split across segments, faults, ignored operations, the probe on a dynamic port, hostile
 * fragment lengths.
 *
 * Deliberate differences from Zeek: a call without a response is written at the end without rtt
 * (mixed-arkime frame 575); Zeek's finalize hook writes the binding's last state instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pcap, run } from '../../../helpers.js';
import { endpointName, operationName } from '../../../../src/engine/analyzers/dce-rpc/consts.js';
import { LIMITS } from '../../../../src/engine/support/limits.js';
import { dceBind, dceBindAck, dceRequest, dceResponse, ntlmAuthenticate, ntlmChallenge, ntlmNegotiate, segments, tcpPcap } from '../smb/windows-builders.js';

function tshark(capture: string, filter: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', pcap(capture), '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

const EPM = 'e1af8308-5d1f-11c9-91a4-08002b14a0fa';
const DRSUAPI = 'e3514235-4b06-11d1-ab04-00c04fc2dcd2';
const WINREG = '338cd001-2244-31f1-aaaa-900038001003';

test('mixed-arkime: the bound UUID and the opnum of the unanswered request, as tshark reads them', async () => {
  const CAP = 'mixed-arkime-synthetic-many-protocols.pcap';
  const { sink } = await run(pcap(CAP));
  const [[uuid]] = tshark(CAP, 'dcerpc.pkt_type == 11', ['dcerpc.cn_bind_to_uuid']);
  const [[opnum]] = tshark(CAP, 'dcerpc.pkt_type == 0', ['dcerpc.opnum']);
  const [r, ...rest] = sink.get('dce_rpc');
  assert.equal(rest.length, 0);
  assert.deepEqual([r.endpoint, r.operation, r.rtt], [`unknown-${uuid}`, `unknown-${opnum}`, undefined]);
  assert.equal(sink.get('conn').find((c) => c.uid === r.uid)!.service, 'dce_rpc');
});

test('ntlm-synthetic: NTLMSSP in bind / alter_context auth verifiers becomes ntlm.log, as tshark decodes it', async () => {
  const CAP = 'ntlm-synthetic.pcap';
  const { sink } = await run(pcap(CAP));
  const auths = tshark(CAP, 'dcerpc && ntlmssp.messagetype == 3', ['tcp.srcport', 'ntlmssp.auth.username', 'ntlmssp.auth.hostname', 'ntlmssp.auth.domain']);
  const rpcPorts = new Set(tshark(CAP, 'dcerpc && ntlmssp', ['tcp.srcport', 'tcp.dstport']).map((r) => (r[0] === '135' ? r[1] : r[0])));
  const recs = sink.get('ntlm').filter((r) => r['id.resp_p'] === 135);
  assert.equal(recs.length, rpcPorts.size); // one per connection, the one without AUTHENTICATE too
  for (const a of auths) {
    const r = recs.find((x) => x['id.orig_p'] === Number(a[0]))!;
    assert.deepEqual([r.username, r.hostname, r.domainname], [a[1], a[2], a[3]]);
  }
});

test('an endpoint-mapper conversation with NTLM: ept_map with rtt, alter_context to DRSUAPI, faults and ignored operations', async () => {
  const segs: Array<[boolean, Buffer]> = [
    [true, dceBind(1, [[0, EPM]], ntlmNegotiate())],
    [false, dceBindAck(1, '135', ntlmChallenge('DC01', 'dc01.corp.example', 'corp.example'))],
    [true, dceRequest(2, 0, 3)],
    [false, dceResponse(2, 0)],
    [true, dceBind(3, [[1, DRSUAPI], [2, WINREG]], ntlmAuthenticate('CORP', 'svc_backup', 'WS9'))],
    [false, dceBindAck(3, '135')],
    [true, dceRequest(4, 1, 3)], // DRSGetNCChanges: DCSync
    [false, dceResponse(4, 1)],
    [true, dceRequest(5, 2, 5)], // winreg BaseRegCloseKey: ignored, as Zeek does
    [false, dceResponse(5, 2)],
    [true, dceRequest(6, 1, 12)],
    [false, Buffer.from([5, 0, 3, 3, 0x10, 0, 0, 0, 32, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0])], // fault
  ];
  const { sink } = await run(tcpPcap(135, segs));
  assert.deepEqual(sink.get('dce_rpc').map((r) => [r.named_pipe, r.endpoint, r.operation, typeof r.rtt]), [
    ['135', 'epmapper', 'ept_map', 'number'],
    ['135', 'drsuapi', 'DRSGetNCChanges', 'number'],
  ]);
  const [n] = sink.get('ntlm');
  assert.deepEqual([n.username, n.hostname, n.domainname, n.server_nb_computer_name, n.server_tree_name, n.success],
    ['svc_backup', 'WS9', 'CORP', 'DC01', 'corp.example', undefined]);
});

test('PDUs split at every segment size and fragmented requests: one record per call', async () => {
  const stream = Buffer.concat([dceBind(1, [[0, EPM]]), dceRequest(2, 0, 2), dceRequest(3, 0, 3)]);
  const answers = Buffer.concat([dceBindAck(1, '135'), dceResponse(2, 0), dceResponse(3, 0)]);
  for (const size of [1, 3, 16, 17, 50]) {
    const { sink } = await run(tcpPcap(135, [...segments(true, stream, size), ...segments(false, answers, size)]));
    assert.deepEqual(sink.get('dce_rpc').map((r) => r.operation), ['ept_lookup', 'ept_map'], `segment size ${size}`);
  }
  // A PDU much larger than the reader's first allocation, arriving in pieces.
  const big = (await run(tcpPcap(135, [[true, dceBind(1, [[0, EPM]])], [false, dceBindAck(1, '135')],
    ...segments(true, dceRequest(2, 0, 3, Buffer.alloc(20000, 7)), 700), ...segments(false, dceResponse(2, 0, Buffer.alloc(9000, 9)), 333)]))).sink;
  assert.deepEqual(big.get('dce_rpc').map((r) => r.operation), ['ept_map']);
  // A request in two fragments (first, then last) and a response in two: one call.
  const first = dceRequest(7, 0, 3), last = dceRequest(7, 0, 3);
  first[3] = 0x01; last[3] = 0x02;
  const r1 = dceResponse(7, 0), r2 = dceResponse(7, 0);
  r1[3] = 0x01; r2[3] = 0x02;
  const { sink } = await run(tcpPcap(135, [[true, dceBind(1, [[0, EPM]])], [false, dceBindAck(1, '135')], [true, first], [true, last], [false, r1], [false, r2]]));
  assert.deepEqual(sink.get('dce_rpc').map((r) => r.operation), ['ept_map']);
});

test('the probe finds a bind on a dynamic port; hostile fragment lengths end parsing with a weird', async () => {
  const { sink } = await run(tcpPcap(49667, [[true, dceBind(1, [[0, DRSUAPI]])], [false, dceBindAck(1, '49667')], [true, dceRequest(2, 0, 0)], [false, dceResponse(2, 0)]]));
  assert.equal(sink.get('conn')[0].service, 'dce_rpc');
  assert.deepEqual(sink.get('dce_rpc').map((r) => [r.named_pipe, r.operation]), [['49667', 'DRSBind']]);

  const huge = dceBind(1, [[0, EPM]]);
  huge.writeUInt16LE(LIMITS.dceRpcMaxFragmentBytes + 1 > 0xffff ? 0xffff : LIMITS.dceRpcMaxFragmentBytes + 1, 8);
  const tiny = dceRequest(2, 0, 3);
  tiny.writeUInt16LE(8, 8); // shorter than the header
  const r2 = (await run(tcpPcap(135, [[true, dceBind(1, [[0, EPM]])], [false, dceBindAck(1, '135')], [true, tiny], [true, dceRequest(3, 0, 3)]]))).sink;
  assert.ok(r2.get('weird').some((w) => w.name === 'DCE_RPC_bad_header'));
  assert.equal(r2.get('dce_rpc').length, 0);
  // A bind claiming more contexts than it holds, and a truncated context list: no exception.
  const liar = dceBind(1, [[0, EPM]]);
  liar[16 + 8] = 200;
  const r3 = (await run(tcpPcap(135, [[true, liar], [false, dceBindAck(1, '')], [true, dceRequest(2, 0, 3)], [false, dceResponse(2, 0)]]))).sink;
  assert.deepEqual(r3.get('dce_rpc').map((r) => [r.named_pipe, r.operation]), [[undefined, 'ept_map']]);
});

test('interface table: Zeek names and fallbacks', () => {
  assert.equal(endpointName('367abb81-9844-35f1-ad32-98f038001003'), 'svcctl');
  assert.equal(operationName('367abb81-9844-35f1-ad32-98f038001003', 12), 'RCreateServiceW');
  assert.equal(operationName('86d35949-83c9-4044-b424-db363231fd0c', 1), 'SchRpcRegisterTask');
  assert.equal(operationName('12345778-1234-abcd-ef00-0123456789ab', 76), 'LsarLookupSids3');
  assert.equal(operationName('12345778-1234-abcd-ef00-0123456789ac', 64), 'SamrConnect5');
  assert.equal(operationName('12345678-1234-abcd-ef00-01234567cffb', 26), 'NetrServerAuthenticate3');
  assert.equal(operationName('4b324fc8-1670-01d3-1278-5a47bf6ee188', 15), 'NetrShareEnum');
  assert.equal(operationName(EPM, 99), 'unknown-99');
  assert.equal(endpointName('00000000-1111-2222-3333-444444444444'), 'unknown-00000000-1111-2222-3333-444444444444');
});
