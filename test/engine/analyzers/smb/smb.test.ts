/**
 * SMB: the shared captures against tshark (SMB1 and SMB2 tree connects, session setups, the
 * srvsvc pipe), and built connections for what the shared set lacks: a file read and written over
 * SMB2 (files.log content and hashes, gaps as missing bytes, data beyond the parser's head limit
 * streamed), renames and deletes, DCE/RPC over a pipe, NTLM outcomes, hostile lengths.
 *
 * Deliberate differences from tshark: none in the compared fields. smb_files.log logs FILE_READ
 * and FILE_WRITE once per file (Zeek logs neither by default); ntlm.log success is F on an SMB
 * logon failure without an SPNEGO token (Zeek leaves it unset).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { pcap, run } from '../../../helpers.js';
import { LIMITS } from '../../../../src/engine/support/limits.js';
import {
  closeReq, createReq, createResp, dceBind, dceBindAck, dceRequest, dceResponse, nbss, ntlmAuthenticate, ntlmChallenge, ntlmNegotiate,
  readReq, readResp, renameReq, segments, sessionSetupReq, smb1NtCreate, smb1NtCreateResp, smb1ReadReq, smb1ReadResp, smb1TransactNmPipe,
  smb1TransactResp, smb1TreeConnect, smb1TreeConnectResp, sessionSetupResp, spnegoResp, STATUS_LOGON_FAILURE, STATUS_MORE_PROCESSING,
  tcpPcap, treeConnectReq, treeConnectResp, writeReq, writeResp,
} from './windows-builders.js';

function tshark(capture: string, filter: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', pcap(capture), '-Y', filter, '-T', 'fields', '-E', 'aggregator=|', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

test('smb2-smb3-windows10.pcap: tree connects, NTLM names and outcomes, the srvsvc pipe, as tshark shows them', async () => {
  const CAP = 'smb2-smb3-windows10.pcap';
  const { sink } = await run(pcap(CAP));
  // smb_mapping.log: one record per successful tree connect (SMB1 on 139 and SMB2 on 445).
  const trees = tshark(CAP, 'smb2.cmd == 3 && smb2.flags.response == 0', ['tcp.srcport', 'smb2.tree'])
    .concat(tshark(CAP, 'smb.cmd == 0x75 && smb.flags.response == 0', ['tcp.srcport', 'smb.path']));
  const maps = sink.get('smb_mapping');
  assert.equal(maps.length, 2);
  assert.deepEqual(maps.map((m) => [m['id.orig_p'], m.path]).sort(), trees.map((t) => [Number(t[0]), t[1]]).sort());
  assert.deepEqual(maps.map((m) => m.share_type), ['PIPE', 'PIPE']);
  const smb1 = maps.find((m) => m['id.resp_p'] === 139)!;
  assert.equal(smb1.service, tshark(CAP, 'smb.cmd == 0x75 && smb.flags.response == 1', ['smb.service'])[0][0]);

  // ntlm.log: one record per authentication, names from tshark's AUTHENTICATE and CHALLENGE.
  // Connections are told apart by client address and port (49672 is used twice).
  const auths = tshark(CAP, 'ntlmssp.messagetype == 3', ['tcp.srcport', 'ntlmssp.auth.username', 'ntlmssp.auth.hostname', 'ntlmssp.auth.domain', 'ip.src']);
  const chals = tshark(CAP, 'ntlmssp.messagetype == 2', ['tcp.dstport', 'ip.dst', 'ntlmssp.challenge.target_info.nb_computer_name', 'ntlmssp.challenge.target_info.dns_computer_name']);
  const ntlm = sink.get('ntlm');
  assert.equal(ntlm.length, auths.length);
  for (const a of auths) {
    const r = ntlm.find((x) => x['id.orig_p'] === Number(a[0]) && x['id.orig_h'] === a[4])!;
    assert.ok(r, `ntlm record for port ${a[0]}`);
    const blank = (s: string) => (s === '' || s === 'NULL' ? undefined : s);
    assert.equal(r.username, blank(a[1]));
    assert.equal(r.hostname, blank(a[2]));
    assert.equal(r.domainname, blank(a[3]));
    const c = chals.find((x) => Number(x[0]) === Number(a[0]) && x[1] === a[4])!;
    assert.equal(r.server_nb_computer_name, c[2]);
    assert.equal(r.server_dns_computer_name, c[3]);
  }
  // Outcomes: the session setup response status after each AUTHENTICATE.
  const statuses = tshark(CAP, '(smb2.cmd == 1 || smb.cmd == 0x73) && (smb2.flags.response == 1 || smb.flags.response == 1)', ['tcp.dstport', 'smb2.nt_status', 'smb.nt_status', 'ip.dst']);
  for (const r of ntlm) {
    const last = statuses.filter((s) => Number(s[0]) === r['id.orig_p'] && s[3] === r['id.orig_h']).pop()!;
    assert.equal(r.success, Number(last[1] || last[2]) === 0, `success for port ${r['id.orig_p']}`);
  }
  assert.deepEqual(ntlm.filter((r) => r.success).map((r) => r.username ?? ''), ['', 'Willi Wireshark']);

  // dce_rpc.log: the NetShareEnumAll call over \PIPE\srvsvc (bind on a write, answer on a read).
  const calls = tshark(CAP, 'dcerpc.pkt_type == 0', ['dcerpc.opnum', 'srvsvc.opnum']);
  const acks = tshark(CAP, 'dcerpc.pkt_type == 12', ['dcerpc.cn_sec_addr']);
  const dce = sink.get('dce_rpc');
  assert.equal(dce.length, calls.length);
  assert.equal(dce[0].named_pipe, acks[0][0]);
  assert.equal(dce[0].endpoint, 'srvsvc');
  assert.equal(dce[0].operation, 'NetrShareEnum'); // opnum 15; Zeek's name (tshark: NetShareEnumAll)
  assert.equal(Number(calls[0][0]), 15);
  assert.ok(typeof dce[0].rtt === 'number' && (dce[0].rtt as number) > 0);
  // Every SMB connection says so in conn.log.
  const smbConns = sink.get('conn').filter((c) => c['id.resp_p'] === 445 || c['id.resp_p'] === 139);
  assert.ok(smbConns.length >= 7 && smbConns.every((c) => c.service === 'smb'));
});

test('smb-ntlmssp-session-setup.pcap (SMB1): NTLM user, host, domain, server names; the mapped share with service and file system', async () => {
  const CAP = 'smb-ntlmssp-session-setup.pcap';
  const { sink } = await run(pcap(CAP));
  const [a] = tshark(CAP, 'ntlmssp.messagetype == 3', ['ntlmssp.auth.username', 'ntlmssp.auth.hostname', 'ntlmssp.auth.domain']);
  const [c] = tshark(CAP, 'ntlmssp.messagetype == 2', ['ntlmssp.challenge.target_info.nb_computer_name', 'ntlmssp.challenge.target_info.dns_computer_name']);
  const [n] = sink.get('ntlm');
  assert.deepEqual([n.username, n.hostname, n.domainname, n.server_nb_computer_name, n.server_dns_computer_name, n.success], [...a, ...c, true]);
  const [t] = tshark(CAP, 'smb.cmd == 0x75 && smb.flags.response == 0', ['smb.path']);
  const [tr] = tshark(CAP, 'smb.cmd == 0x75 && smb.flags.response == 1', ['smb.service', 'smb.native_fs']);
  const [m] = sink.get('smb_mapping');
  assert.deepEqual([m.path, m.service, m.native_file_system, m.share_type], [t[0], tr[0], tr[1], 'DISK']);
});

const T = 7; // tree id of the disk share
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

function login(ok = true): Array<[boolean, Buffer]> {
  return [
    [true, nbss(sessionSetupReq(1, ntlmNegotiate()))],
    [false, nbss(sessionSetupResp(1, STATUS_MORE_PROCESSING, spnegoResp(1, ntlmChallenge('FILESRV', 'filesrv.corp.example', 'corp.example'))))],
    [true, nbss(sessionSetupReq(2, ntlmAuthenticate('CORP', 'alice', 'WS01')))],
    [false, nbss(sessionSetupResp(2, ok ? 0 : STATUS_LOGON_FAILURE, ok ? spnegoResp(0) : Buffer.alloc(0)))],
  ];
}

test('SMB2 file read and write: smb_files.log actions and times, files.log content in offset order, gaps as missing bytes', async () => {
  const content = Buffer.from('MZ' + 'x'.repeat(5000) + 'tail of the file', 'latin1');
  const upload = Buffer.alloc(3000, 0x41);
  const mtime = 1700000000.5;
  const segs: Array<[boolean, Buffer]> = [
    ...login(),
    [true, nbss(treeConnectReq(3, '\\\\filesrv\\share'))],
    [false, nbss(treeConnectResp(3, T, 1))],
    [true, nbss(createReq(4, T, 'docs\\report.exe'))],
    [false, nbss(createResp(4, T, 0x51, content.length, [mtime - 100, mtime - 10, mtime, mtime - 5]))],
    // Two reads in order, the second split over segments.
    [true, nbss(readReq(5, T, 0x51, 0, 3000))],
    [false, nbss(readResp(5, T, content.subarray(0, 3000)))],
    [true, nbss(readReq(6, T, 0x51, 3000, 3000))],
    ...segments(false, nbss(readResp(6, T, content.subarray(3000))), 700),
    [true, nbss(closeReq(7, T, 0x51))],
    // A write with a hole: bytes 1000-1999 never written (missing), then a rename.
    [true, nbss(createReq(8, T, 'upload.bin'))],
    [false, nbss(createResp(8, T, 0x52, 0))],
    [true, nbss(writeReq(9, T, 0x52, 0, upload.subarray(0, 1000)))],
    [false, nbss(writeResp(9, T, 1000))],
    [true, nbss(writeReq(10, T, 0x52, 2000, upload.subarray(2000)))],
    [false, nbss(writeResp(10, T, 1000))],
    [true, nbss(renameReq(11, T, 0x52, 'final.bin'))],
    [true, nbss(closeReq(12, T, 0x52))],
    // Delete on close.
    [true, nbss(createReq(13, T, 'tmp.txt', 0x1000))],
    [false, nbss(createResp(13, T, 0x53, 10, [mtime, mtime, mtime, mtime]))],
  ];
  const { sink } = await run(tcpPcap(445, segs));
  const files = sink.get('files');
  assert.equal(files.length, 2);
  const read = files.find((f) => f.filename === 'docs\\report.exe')!;
  assert.equal(read.source, 'SMB');
  assert.equal(read.seen_bytes, content.length);
  assert.equal(read.missing_bytes, 0);
  assert.equal(read.md5, md5(content));
  const written = files.find((f) => f.filename === 'upload.bin')!;
  assert.deepEqual([written.seen_bytes, written.missing_bytes, written.md5], [2000, 1000, undefined]);

  const acts = sink.get('smb_files').map((r) => [r.action, r.name, r.path, r.prev_name]);
  assert.deepEqual(acts, [
    ['SMB::FILE_OPEN', 'docs\\report.exe', '\\\\filesrv\\share', undefined],
    ['SMB::FILE_READ', 'docs\\report.exe', '\\\\filesrv\\share', undefined],
    ['SMB::FILE_OPEN', 'upload.bin', '\\\\filesrv\\share', undefined],
    ['SMB::FILE_WRITE', 'upload.bin', '\\\\filesrv\\share', undefined],
    ['SMB::FILE_RENAME', 'final.bin', '\\\\filesrv\\share', 'upload.bin'],
    ['SMB::FILE_OPEN', 'tmp.txt', '\\\\filesrv\\share', undefined],
    ['SMB::FILE_DELETE', 'tmp.txt', '\\\\filesrv\\share', undefined],
  ]);
  const open = sink.get('smb_files')[0];
  assert.equal(open.size, content.length);
  assert.ok(Math.abs((open['times.modified'] as number) - mtime) < 1e-6);
  assert.ok(Math.abs((open['times.created'] as number) - (mtime - 100)) < 1e-6);
  assert.equal(sink.get('smb_files')[1].fuid, read.fuid);
  const [m] = sink.get('smb_mapping');
  assert.deepEqual([m.path, m.share_type], ['\\\\filesrv\\share', 'DISK']);
  const [n] = sink.get('ntlm');
  assert.deepEqual([n.username, n.hostname, n.domainname, n.server_nb_computer_name, n.server_dns_computer_name, n.server_tree_name, n.success],
    ['alice', 'WS01', 'CORP', 'FILESRV', 'filesrv.corp.example', 'corp.example', true]);
});

test('a READ response larger than the head limit is streamed to the file, a hole inside it counted as missing', async () => {
  const big = Buffer.alloc(LIMITS.smbMaxHeadBytes * 3 + 123);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
  const msg = nbss(readResp(5, T, big));
  const segs: Array<[boolean, Buffer, number?]> = [
    [true, nbss(treeConnectReq(3, '\\\\srv\\big'))],
    [false, nbss(treeConnectResp(3, T, 1))],
    [true, nbss(createReq(4, T, 'big.bin'))],
    [false, nbss(createResp(4, T, 0x61, big.length))],
    [true, nbss(readReq(5, T, 0x61, 0, big.length))],
    ...segments(false, msg, 1460),
  ];
  const { sink } = await run(tcpPcap(445, segs));
  const [f] = sink.get('files');
  assert.deepEqual([f.seen_bytes, f.missing_bytes, f.md5], [big.length, 0, md5(big)]);

  // The same with 1460 bytes of the tail never captured: the file has a hole, framing survives.
  const cut = segments(false, msg, 1460);
  const hole = 100; // segment index inside the tail
  const withHole: Array<[boolean, Buffer, number?]> = [...segs.slice(0, 5), ...cut.slice(0, hole), [false, cut[hole + 1][1], cut[hole][1].length], ...cut.slice(hole + 2),
    [true, nbss(createReq(6, T, 'after.txt'))], [false, nbss(createResp(6, T, 0x62, 1))]];
  const r2 = (await run(tcpPcap(445, withHole))).sink;
  const [g] = r2.get('files');
  assert.deepEqual([g.seen_bytes, g.missing_bytes], [big.length - 1460, 1460]);
  assert.ok(r2.get('smb_files').some((r) => r.name === 'after.txt'), 'messages after the hole are still parsed');
});

test('DCE/RPC over a named pipe: bind on a write, bind_ack and response on reads; named_pipe from the bind_ack', async () => {
  const SAMR = '12345778-1234-abcd-ef00-0123456789ac';
  const P = 9;
  const segs: Array<[boolean, Buffer]> = [
    [true, nbss(treeConnectReq(3, '\\\\dc\\IPC$'))],
    [false, nbss(treeConnectResp(3, P, 2))],
    [true, nbss(createReq(4, P, 'samr'))],
    [false, nbss(createResp(4, P, 0x71, 0))],
    [true, nbss(writeReq(5, P, 0x71, 0, dceBind(1, [[0, SAMR]])))],
    [false, nbss(writeResp(5, P, 72))],
    [true, nbss(readReq(6, P, 0x71, 0, 1024))],
    [false, nbss(readResp(6, P, dceBindAck(1, '\\PIPE\\samr')))],
    [true, nbss(writeReq(7, P, 0x71, 0, dceRequest(2, 0, 64)))], // SamrConnect5
    [true, nbss(readReq(8, P, 0x71, 0, 1024))],
    [false, nbss(readResp(8, P, dceResponse(2, 0)))],
    [true, nbss(writeReq(9, P, 0x71, 0, dceRequest(3, 0, 13)))], // never answered
    [true, nbss(closeReq(10, P, 0x71))],
  ];
  const { sink } = await run(tcpPcap(445, segs));
  const dce = sink.get('dce_rpc');
  assert.deepEqual(dce.map((r) => [r.named_pipe, r.endpoint, r.operation, typeof r.rtt]), [
    ['\\PIPE\\samr', 'samr', 'SamrConnect5', 'number'],
    ['\\PIPE\\samr', 'samr', 'SamrEnumerateUsersInDomain', 'undefined'],
  ]);
  assert.equal(sink.get('files').length, 0, 'pipe traffic is not a file');
  assert.equal(sink.get('smb_files').length, 0, 'PIPE_OPEN is not logged (Zeek default)');
});

test('a failed logon: success F from the SMB status; a new NEGOTIATE starts a new record', async () => {
  const { sink } = await run(tcpPcap(445, [...login(false), ...login(true)]));
  const recs = sink.get('ntlm');
  assert.deepEqual(recs.map((r) => [r.username, r.success]), [['alice', false], ['alice', true]]);
});

test('hostile lengths: offsets past the message, huge NetBIOS lengths, garbage after a valid exchange never throw', async () => {
  const badCreate = createReq(4, T, 'x');
  badCreate.writeUInt16LE(0xfff0, 64 + 44); // name offset far outside
  const badRead = readResp(5, T, Buffer.alloc(10));
  badRead.writeUInt32LE(0xffffffff, 64 + 4); // DataLength past the message
  const badAuth = ntlmAuthenticate('D', 'U', 'H');
  badAuth.writeUInt32LE(0x7fffffff, 36 + 4); // user name offset outside the token
  const segs: Array<[boolean, Buffer]> = [
    [true, nbss(sessionSetupReq(1, ntlmNegotiate()))],
    [true, nbss(sessionSetupReq(2, badAuth))],
    [true, nbss(treeConnectReq(3, '\\\\s\\x'))],
    [false, nbss(treeConnectResp(3, T, 1))],
    [true, nbss(badCreate)],
    [false, nbss(createResp(4, T, 1, 1))],
    [true, nbss(readReq(5, T, 1, 0, 10))],
    [false, nbss(badRead)],
    [true, Buffer.from([0, 0xff, 0xff, 0xff, 0xfe, 0x53, 0x4d, 0x42])],
    [false, Buffer.from('garbage that is not NetBIOS at all')],
  ];
  const { sink } = await run(tcpPcap(445, segs));
  const weirds = sink.get('weird').map((w) => w.name);
  assert.ok(weirds.includes('NTLM_field_out_of_bounds'), weirds.join());
  assert.ok(weirds.includes('SMB2_read_data_out_of_bounds'), weirds.join());
  const [n] = sink.get('ntlm');
  assert.deepEqual([n.username, n.hostname, n.domainname], [undefined, 'H', 'D']);
  assert.deepEqual(sink.get('smb_files').map((r) => r.name), ['<share_root>']); // the bad name offset reads as no name
  assert.equal(sink.get('conn')[0].service, 'smb');
});

test('SMB3 encrypted traffic (transform header) confirms SMB and is not opened', async () => {
  const transform = Buffer.concat([Buffer.from([0xfd, 0x53, 0x4d, 0x42]), Buffer.alloc(48, 0x22), Buffer.alloc(200, 0x33)]);
  const { sink } = await run(tcpPcap(445, [[true, nbss(transform)], [false, nbss(transform)]]));
  assert.equal(sink.get('conn')[0].service, 'smb');
  assert.ok(sink.get('weird').some((w) => w.name === 'SMB_encrypted_traffic'));
  assert.equal(sink.get('smb_files').length + sink.get('smb_mapping').length + sink.get('ntlm').length, 0);
});

test('the probe finds SMB on another port; every truncation of a message yields no exception', async () => {
  const { sink } = await run(tcpPcap(8445, [...login(), [true, nbss(treeConnectReq(3, '\\\\s\\y'))], [false, nbss(treeConnectResp(3, T, 3))]]));
  assert.equal(sink.get('conn')[0].service, 'smb');
  assert.deepEqual(sink.get('smb_mapping').map((m) => m.share_type), ['PRINT']);
  // Every prefix of these messages, each framed as a whole message, in one connection.
  const msgs = [createResp(4, T, 1, 1, [1, 2, 3, 4]), sessionSetupReq(2, ntlmAuthenticate('D', 'U', 'H')), readResp(5, T, Buffer.alloc(40)), renameReq(11, T, 1, 'n')];
  const segs: Array<[boolean, Buffer]> = [[true, nbss(createReq(4, T, 'f'))]];
  for (const m of msgs) for (let cut = 0; cut < m.length; cut++) segs.push([false, nbss(m.subarray(0, cut))], [true, nbss(m.subarray(0, cut))]);
  const r = (await run(tcpPcap(445, segs))).sink;
  assert.equal(r.get('conn')[0].service, 'smb');
  assert.ok(r.get('weird').some((w) => w.name === 'SMB2_truncated_command'));
});

test('SMB1: a file read with READ_ANDX into files.log, DCE/RPC over TransactNmPipe, as tshark dissects the built messages', async () => {
  const SRVSVC = '4b324fc8-1670-01d3-1278-5a47bf6ee188';
  const body = Buffer.from('SMB1 file content '.repeat(40), 'latin1');
  const file = tcpPcap(445, [
    [true, nbss(smb1TreeConnect(1, '\\\\OLDSRV\\DATA'))],
    [false, nbss(smb1TreeConnectResp(1, 5, 'A:', 'NTFS'))],
    [true, nbss(smb1NtCreate(2, 5, '\\notes.txt'))],
    [false, nbss(smb1NtCreateResp(2, 5, 0x4001, body.length, 1600000000))],
    [true, nbss(smb1ReadReq(3, 5, 0x4001, 0, body.length))],
    [false, nbss(smb1ReadResp(3, 5, body))],
    [true, nbss(smb1TreeConnect(4, '\\\\OLDSRV\\IPC$'))],
    [false, nbss(smb1TreeConnectResp(4, 6, 'IPC', ''))],
    [true, nbss(smb1NtCreate(5, 6, '\\srvsvc'))],
    [false, nbss(smb1NtCreateResp(5, 6, 0x4002, 0, 0))],
    [true, nbss(smb1TransactNmPipe(6, 6, 0x4002, dceBind(1, [[0, SRVSVC]])))],
    [false, nbss(smb1TransactResp(6, 6, dceBindAck(1, '\\PIPE\\srvsvc')))],
    [true, nbss(smb1TransactNmPipe(7, 6, 0x4002, dceRequest(2, 0, 16)))],
    [false, nbss(smb1TransactResp(7, 6, dceResponse(2, 0)))],
  ]);
  const { sink } = await run(file);
  const ts = (filter: string, fields: string[]) => execFileSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).replace(/\n$/, '').split('\n').map((l) => l.split('\t'));
  assert.deepEqual(sink.get('smb_mapping').map((m) => [m.path, m.service, m.native_file_system ?? '', m.share_type]),
    ts('smb.cmd == 0x75 && smb.flags.response == 1', ['smb.path', 'smb.service', 'smb.native_fs']).map((r) => [...r, r[1] === 'IPC' ? 'PIPE' : 'DISK']));
  assert.deepEqual(ts('smb.cmd == 0xa2 && smb.flags.response == 0', ['smb.file']).map((r) => r[0]), ['\\notes.txt', '\\srvsvc']);
  const [f] = sink.get('files');
  assert.deepEqual([f.filename, f.source, f.seen_bytes, f.md5], ['\\notes.txt', 'SMB', body.length, md5(body)]);
  assert.deepEqual(sink.get('smb_files').map((r) => [r.action, r.name]), [['SMB::FILE_OPEN', '\\notes.txt'], ['SMB::FILE_READ', '\\notes.txt']]);
  assert.equal(Number(ts('dcerpc.pkt_type == 0', ['dcerpc.opnum'])[0][0]), 16);
  assert.deepEqual(sink.get('dce_rpc').map((r) => [r.named_pipe, r.endpoint, r.operation]), [['\\PIPE\\srvsvc', 'srvsvc', 'NetrShareGetInfo']]);
});

test('a compound CREATE + READ + CLOSE (related operations): the READ and CLOSE name the file the CREATE opened', async () => {
  const data = Buffer.from('compound read content', 'latin1');
  const related = (m: Buffer) => { m.writeUInt32LE(m.readUInt32LE(16) | 4, 16); return m; };
  const ffRead = readReq(11, T, 0, 0, 100);
  ffRead.fill(0xff, 64 + 16, 64 + 32);
  const ffClose = closeReq(12, T, 0);
  ffClose.fill(0xff, 64 + 8, 64 + 24);
  const pad8 = (m: Buffer) => Buffer.concat([m, Buffer.alloc((8 - (m.length % 8)) % 8)]);
  const compound = (msgs: Buffer[]) => {
    const padded = msgs.map((m, i) => (i < msgs.length - 1 ? pad8(m) : m));
    padded.forEach((m, i) => { if (i < padded.length - 1) m.writeUInt32LE(m.length, 20); });
    return nbss(...padded);
  };
  const { sink } = await run(tcpPcap(445, [
    [true, nbss(treeConnectReq(3, '\\\\s\\c'))],
    [false, nbss(treeConnectResp(3, T, 1))],
    [true, compound([createReq(10, T, 'c.txt'), related(ffRead), related(ffClose)])],
    [false, compound([createResp(10, T, 0x91, data.length), related(readResp(11, T, data)), related(smbCloseResp(12))])],
  ]));
  const [f] = sink.get('files');
  assert.deepEqual([f.filename, f.seen_bytes, f.md5], ['c.txt', data.length, md5(data)]);
  assert.deepEqual(sink.get('smb_files').map((r) => r.action), ['SMB::FILE_OPEN', 'SMB::FILE_READ']);
});

function smbCloseResp(mid: number): Buffer {
  const b = closeReq(mid, T, 0);
  b.writeUInt32LE(1, 16);
  return b;
}

test('a capture that starts after the tree connect: a well-known pipe name still means DCE/RPC, not a file', async () => {
  const LSA = '12345778-1234-abcd-ef00-0123456789ab';
  const { sink } = await run(tcpPcap(445, [
    [true, nbss(createReq(4, 3, 'lsarpc'))],
    [false, nbss(createResp(4, 3, 0x81, 0))],
    [true, nbss(writeReq(5, 3, 0x81, 0, dceBind(1, [[0, LSA]])))],
    [true, nbss(readReq(6, 3, 0x81, 0, 1024))],
    [false, nbss(readResp(6, 3, dceBindAck(1, '\\PIPE\\lsarpc')))],
    [true, nbss(writeReq(7, 3, 0x81, 0, dceRequest(2, 0, 44)))],
    [true, nbss(readReq(8, 3, 0x81, 0, 1024))],
    [false, nbss(readResp(8, 3, dceResponse(2, 0)))],
  ]));
  assert.deepEqual(sink.get('dce_rpc').map((r) => [r.endpoint, r.operation]), [['lsarpc', 'LsarOpenPolicy2']]);
  assert.equal(sink.get('files').length, 0);
});
