/**
 * FTP control channel: hand-built dialogues (split at every byte, garbage, truncation) and the
 * shared captures against tshark's ftp.request/ftp.response fields.
 *
 * Deliberate differences from Zeek: replies are paired with the oldest pending command (Zeek's
 * get_pending_cmd scores candidates by expected reply codes; FIFO gives the same pairs for
 * well-behaved servers). No ftp-data analysis (needs expected connections in the flow layer),
 * so mime_type and fuid stay empty.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FtpAnalyzer, ZEEK_LOGGED_COMMANDS } from '../../../../src/engine/analyzers/ftp/ftp-analyzer.js';
import { ftpAnalyzer, probeFtp } from '../../../../src/engine/analyzers/ftp/index.js';
import { ANALYZERS } from '../../../../src/engine/analyzers/index.js';
import { parseEftpPort, parseFtpEpsv, parseFtpPasv, parseFtpPort } from '../../../../src/engine/analyzers/ftp/ftp-text.js';
import { pcap, run } from '../../../helpers.js';
import { fakeCtx, feed, tsharkFields } from '../smtp/mail-fakes.js';

const SESSION: Array<[boolean, string]> = [
  [false, '220-Welcome\r\n220-to the\r\n220 server\r\n'],
  [true, 'USER alice\r\n'], [false, '331 Password required\r\n'],
  [true, 'PASS s3cret\r\n'], [false, '230 Logged on\r\n'],
  [true, 'CWD /pub/incoming\r\n'], [false, '250 ok\r\n'],
  [true, 'PORT 10,0,0,1,4,1\r\n'], [false, '200 PORT ok\r\n'],
  [true, 'RETR ../evil.exe\r\n'], [false, '150 Opening BINARY connection for evil.exe (4096 bytes)\r\n226 Transfer complete\r\n'],
  [true, 'EPSV\r\n'], [false, '229 Entering Extended Passive Mode (|||50000|)\r\n'],
  [true, 'stor up.txt\r\n'], [false, '150 go\r\n226 done\r\n'],
  [true, 'QUIT\r\n'], [false, '221 bye\r\n'],
];

function check(chunk: number): void {
  const f = fakeCtx();
  const a = new FtpAnalyzer(f.ctx, { showCredentials: false, loggedCommands: ZEEK_LOGGED_COMMANDS });
  feed(a, SESSION, chunk);
  a.done();
  assert.deepEqual(f.violations, []);
  const r = f.records('ftp');
  assert.deepEqual(r.map((x) => x.command), ['PORT', 'RETR', 'EPSV', 'STOR']);
  assert.ok(r.every((x) => x.user === 'alice' && x.password === '<hidden>'));
  assert.equal(r[0]['data_channel.passive'], false);
  assert.equal(r[0]['data_channel.orig_h'], '10.0.0.2');
  assert.equal(r[0]['data_channel.resp_h'], '10.0.0.1');
  assert.equal(r[0]['data_channel.resp_p'], 1025);
  assert.equal(r[1].arg, 'ftp://10.0.0.2/pub/evil.exe');
  assert.equal(r[1].file_size, 4096);
  assert.equal(r[1].reply_code, 226);
  assert.equal(r[1]['data_channel.resp_p'], undefined, 'data channel fields are cleared after each record');
  assert.equal(r[2]['data_channel.passive'], true);
  assert.equal(r[2]['data_channel.resp_h'], '10.0.0.2');
  assert.equal(r[2]['data_channel.resp_p'], 50000);
  assert.equal(r[3].arg, 'ftp://10.0.0.2/pub/incoming/up.txt');
  assert.equal(r[3].reply_msg, 'done');
}

test('a session logged as Zeek does, whole and split at every byte', () => {
  for (const n of [Infinity, 1, 2, 3, 5, 17]) check(n);
});

test('passwords: hidden unless a guest id or showCredentials', () => {
  for (const [user, show, want] of [['anonymous', false, 'x@y'], ['FTP', false, 'x@y'], ['bob', false, '<hidden>'], ['bob', true, 'x@y']] as const) {
    const f = fakeCtx();
    const a = new FtpAnalyzer(f.ctx, { showCredentials: show, loggedCommands: undefined });
    feed(a, [[false, '220 hi\r\n'], [true, `USER ${user}\r\n`], [false, '331 pw\r\n'], [true, 'PASS x@y\r\n'], [false, '230 ok\r\n']]);
    a.done();
    const pass = f.records('ftp').find((x) => x.command === 'PASS')!;
    assert.equal(pass.password, want);
    assert.equal(pass.arg, want);
  }
});

test('argument parsers: PORT, PASV, EPRT, EPSV, and what they refuse', () => {
  assert.deepEqual(parseFtpPort('192,168,001,2,19,137'), { h: '192.168.1.2', p: 5001 });
  assert.equal(parseFtpPort('1,2,3,4,5'), undefined);
  assert.equal(parseFtpPort('300,2,3,4,5,6'), undefined);
  assert.deepEqual(parseFtpPasv('Entering Passive Mode (172,16,16,121,192,11).'), { h: '172.16.16.121', p: 49163 });
  assert.deepEqual(parseEftpPort('|1|132.235.1.2|6275|'), { h: '132.235.1.2', p: 6275 });
  assert.deepEqual(parseEftpPort('|2|1080::8:800:200C:417A|5282|'), { h: '1080::8:800:200c:417a', p: 5282 });
  assert.equal(parseEftpPort('|1|1.2.3|99|'), undefined);
  assert.equal(parseFtpEpsv('Entering Extended Passive Mode (|||6446|)'), 6446);
  assert.equal(parseFtpEpsv('Entering Extended Passive Mode (|||99999|)'), undefined);
});

test('garbage, overlong lines and truncation never throw', () => {
  const f = fakeCtx();
  const a = new FtpAnalyzer(f.ctx, { showCredentials: false, loggedCommands: undefined });
  feed(a, [[false, 'HTTP/1.1 200 OK\r\n']]);
  assert.equal(f.violations.length, 1);
  let seed = 3;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let k = 0; k < 200; k++) {
    const g = fakeCtx();
    const b = new FtpAnalyzer(g.ctx, { showCredentials: false, loggedCommands: undefined });
    for (const [o, t] of SESSION) {
      const buf = Buffer.from(t);
      if (rnd() < 0.2) buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
      if (rnd() < 0.05) { b.gap(o, 10); continue; }
      b.data(o, buf, 0, Math.floor(rnd() * buf.length) + 1);
    }
    b.data(true, Buffer.alloc(100_000, 0x41), 0, 100_000);
    b.done();
  }
});

test('probe: an FTP greeting or a client login; an SMTP greeting is not FTP', () => {
  const p = (o: boolean, s: string) => { const b = Buffer.from(s); return probeFtp(o, b, 0, b.length); };
  assert.equal(p(false, '220 FileZilla Server version 0.9.34 beta\r\n'), 'more');
  assert.equal(p(false, '220 ProFTPD Server ready\r\n'), 'yes');
  assert.equal(p(false, '220 mx ESMTP Postfix\r\n'), 'no');
  assert.equal(p(true, 'USER anonymous\r\n'), 'yes');
  assert.equal(p(true, 'US'), 'more');
  assert.equal(p(true, 'EHLO x\r\n'), 'no');
});

test('ftp-data-transfer: the PASV/STOR records against tshark', async () => {
  const file = pcap('ftp-data-transfer.pcapng');
  const { sink } = await run(file);
  const ours = sink.get('ftp');
  const pasv = tsharkFields(file, 'ftp.response.code == 227', ['frame.time_epoch', 'ftp.passive.ip', 'ftp.passive.port']);
  const recs = ours.filter((r) => r.command === 'PASV');
  assert.equal(recs.length, pasv.length);
  for (let i = 0; i < pasv.length; i++) {
    assert.equal(recs[i]['data_channel.resp_h'], pasv[i][1]);
    assert.equal(recs[i]['data_channel.resp_p'], Number(pasv[i][2]));
    assert.equal(recs[i]['data_channel.passive'], true);
  }
  const stor = tsharkFields(file, 'ftp.request.command == "STOR"', ['frame.time_epoch', 'ftp.request.arg']);
  const s = ours.filter((r) => r.command === 'STOR');
  assert.equal(s.length, stor.length);
  assert.equal(s[0].ts, Number(stor[0][0]));
  assert.ok(String(s[0].arg).endsWith('/' + stor[0][1]));
  assert.ok(ours.every((r) => r.user === 'salesxfer' && r.password === '<hidden>'));
  assert.ok(sink.get('conn').some((c) => c['id.resp_p'] === 21 && c.service === 'ftp'));
});

test('ftp-login and mixed-arkime: USER/PASS as tshark reads them (every command logged)', async () => {
  const analyzers = ANALYZERS.map((a) => (a.name === 'ftp' ? ftpAnalyzer({ loggedCommands: undefined }) : a));
  for (const name of ['ftp-login.pcap', 'mixed-arkime-synthetic-many-protocols.pcap']) {
    const file = pcap(name);
    const { sink } = await run(file, { analyzers });
    const req = tsharkFields(file, 'ftp.request.command', ['frame.time_epoch', 'ftp.request.command', 'ftp.request.arg']);
    const ours = sink.get('ftp');
    assert.equal(ours.length, req.length, name);
    for (let i = 0; i < req.length; i++) {
      assert.equal(ours[i].ts, Number(req[i][0]));
      assert.equal(ours[i].command, req[i][1].toUpperCase());
    }
    const user = req.find((x) => x[1] === 'USER')![2];
    const pass = req.find((x) => x[1] === 'PASS')![2];
    // both captures log in as a guest id (anonymous, ftpuser): Zeek shows the password
    assert.ok(ours.every((r) => r.user === user || r.command === 'USER'));
    assert.equal(ours.find((r) => r.command === 'PASS')!.password, pass);
  }
  // by default (Zeek's logged_commands) a login alone writes nothing
  const { sink } = await run(pcap('ftp-login.pcap'));
  assert.equal(sink.get('ftp').length, 0);
  assert.equal(sink.get('conn')[0].service, 'ftp');
});
