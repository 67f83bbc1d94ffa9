/**
 * The IRC analyzer driven directly: Zeek's records and session state, DCC SEND offers, every
 * split point, over-long lines, garbage, gaps, the probe and STARTTLS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IrcAnalyzer, splitWords } from '../../../../src/engine/analyzers/irc/irc-analyzer.js';
import { probeIrc } from '../../../../src/engine/analyzers/irc/index.js';
import { fakeCtx, newOut, type Out } from '../ssh/build-ssh.js';

function drive(segs: Array<[boolean, string | Buffer]>, cut: (b: Buffer) => Buffer[] = (b) => [b], upgrades?: string[]): Out {
  const out = newOut();
  const ctx = fakeCtx(out, 6667);
  if (upgrades) (ctx as { upgrade: (n: string) => boolean }).upgrade = (n) => { upgrades.push(n); return true; };
  const a = new IrcAnalyzer(ctx);
  for (const [o, s] of segs) {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    for (const p of cut(b)) a.data(o, p, 0, p.length);
  }
  a.done();
  return out;
}

const SESSION: Array<[boolean, string]> = [
  [false, ':irc.example.net NOTICE AUTH :*** Looking up your hostname\r\n'],
  [true, 'NICK alice\r\nUSER al 0 * :Alice In Chains\r\n'],
  [false, ':irc.example.net 001 alice :Welcome\r\n'],
  [true, 'JOIN #a,#b key1\r\nNICK :bob\r\n'],
  [false, ':mallory!m@h PRIVMSG bob :\x01DCC SEND evil.exe 3232235777 5000 12345\x01\r\n'],
  [true, 'PRIVMSG #a :hello\r\nJOIN #c\n'],
];

test("NICK, USER, JOIN and a DCC SEND, with Zeek's carried state", () => {
  const out = drive(SESSION);
  const recs = out.logs.map(([p, r]) => { assert.equal(p, 'irc'); const { ts: _t, uid: _u, ...rest } = r; return rest; });
  assert.deepEqual(recs, [
    { command: 'NICK', value: 'alice' },
    { nick: 'alice', command: 'USER', value: 'al', addl: '0 * AliceIn Chains ' },
    { nick: 'alice', user: 'al', command: 'JOIN', value: '#a', addl: " with channel key: 'key1'" },
    { nick: 'alice', user: 'al', command: 'JOIN', value: '#b', addl: '' },
    { nick: 'alice', user: 'al', command: 'NICK', value: 'bob', addl: '' },
    { nick: 'bob', user: 'al', command: 'DCC', value: 'bob', addl: '', dcc_file_name: 'evil.exe', dcc_file_size: 12345 },
    { nick: 'bob', user: 'al', command: 'JOIN', value: '#c', addl: '' },
  ]);
  assert.equal(out.confirms, 1);
  assert.deepEqual(out.violations, []);
});

test('every split point, and one byte at a time, give the same records', () => {
  const whole = drive(SESSION).logs.map(([, r]) => ({ ...r, ts: 0 }));
  const max = Math.max(...SESSION.map(([, s]) => s.length));
  for (let at = 1; at < max; at++) {
    const split = drive(SESSION, (b) => (at < b.length ? [b.subarray(0, at), b.subarray(at)] : [b])).logs.map(([, r]) => ({ ...r, ts: 0 }));
    assert.deepEqual(split, whole, `split at ${at}`);
  }
  const bytes = drive(SESSION, (b) => Array.from(b, (_, i) => b.subarray(i, i + 1))).logs.map(([, r]) => ({ ...r, ts: 0 }));
  assert.deepEqual(bytes, whole);
});

test('DCC forms: Turbo DCC, no size, bad formats, CHAT is not logged', () => {
  const dcc = (m: string) => drive([[true, `PRIVMSG x :\x01${m}\x01\r\n`]]);
  assert.equal(dcc('DCC SEND a.zip 1 2 3 T').logs[0][1].dcc_file_size, 3);
  assert.equal(dcc('DCC SEND a.zip 1 2').logs[0][1].dcc_file_size, 0);
  const bad = dcc('DCC SEND a.zip');
  assert.equal(bad.logs.length, 0);
  assert.ok(bad.weirds.includes('irc_invalid_dcc_message_format'));
  assert.equal(dcc('DCC CHAT chat 1 2').logs.length, 0);
  // a file name is text from the wire: escaped, never trusted
  assert.equal(dcc('DCC SEND ../\x7f\\x.exe 1 2 3').logs[0][1].dcc_file_name, '../\\x7f\\x5cx.exe');
});

test('over-long lines are skipped, the next line is read; short and bad lines are weirds', () => {
  const out = drive([[true, 'NICK ' + 'a'.repeat(600) + '\r\nNICK ok\r\n'], [true, Buffer.alloc(20000, 0x41)], [true, '\r\nNICK ok2\r\n']]);
  assert.deepEqual(out.logs.map(([, r]) => r.value), ['ok', 'ok2']);
  assert.ok(out.weirds.includes('irc_line_size_exceeded'));
  const bad = drive([[false, ':srv 01x foo\r\n']]);
  assert.ok(bad.weirds.includes('irc_invalid_reply_number'));
  assert.ok(bad.violations.length > 0);
  assert.ok(drive([[true, 'a\r\n']]).weirds.includes('irc_line_too_short'));
  const long = drive([[true, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ x\r\n'.repeat(21)]]);
  assert.ok(long.weirds.includes('irc_too_many_invalid'));
});

test('a gap resynchronises at the next line', () => {
  const out = newOut();
  const a = new IrcAnalyzer(fakeCtx(out, 6667));
  const p1 = Buffer.from('NICK one\r\nNICK tw');
  a.data(true, p1, 0, p1.length);
  a.gap(true, 10);
  const p2 = Buffer.from('o-rest\r\nNICK three\r\n');
  a.data(true, p2, 0, p2.length);
  a.done();
  assert.deepEqual(out.logs.map(([, r]) => r.value), ['one', 'three']);
});

test('random garbage never throws', () => {
  let seed = 3;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let n = 0; n < 300; n++) {
    const segs = SESSION.map(([o, s]) => {
      const b = Buffer.from(s, 'latin1');
      for (let k = 0; k < 4; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      return [o, b] as [boolean, Buffer];
    });
    drive(segs);
  }
});

test('670 (STARTTLS accepted) hands the stream to TLS', () => {
  const ups: string[] = [];
  const out = drive([[true, 'STARTTLS\r\n'], [false, ':srv 670 nick :STARTTLS successful\r\n'], [true, 'NICK x\r\n']], undefined, ups);
  assert.deepEqual(ups, ['ssl']);
  assert.equal(out.logs.length, 0);
});

test('probe: real IRC lines only', () => {
  const p = (o: boolean, s: string) => probeIrc(o, Buffer.from(s, 'latin1'), 0, s.length);
  assert.equal(p(true, 'NICK molochtest\r\n'), 'yes');
  assert.equal(p(true, 'USER xxxxx +iw xxxxx :Xxxxxx Xxxx\r\n'), 'yes');
  assert.equal(p(true, 'USER guest 0 * :Real\r\n'), 'yes');
  assert.equal(p(true, 'JOIN #chan\r\n'), 'yes');
  assert.equal(p(true, 'CAP LS 302\r\n'), 'yes');
  assert.equal(p(false, ':card.freenode.net NOTICE * :*** Looking up your hostname...\r\n'), 'yes');
  assert.equal(p(false, ':irc.example.com 001 testuser :Welcome\r\n'), 'yes');
  assert.equal(p(true, 'NICK mol'), 'more');
  assert.equal(p(true, 'USER anonymous\r\n'), 'no'); // FTP / POP3
  assert.equal(p(true, 'PASS secret\r\n'), 'no');
  assert.equal(p(true, 'GET / HTTP/1.1\r\n'), 'no');
  assert.equal(p(false, '220 smtp.example.com ESMTP\r\n'), 'no');
  assert.equal(p(false, '\x16\x03\x01\x00'), 'no');
  assert.equal(p(true, 'A'.repeat(600)), 'no');
  assert.deepEqual(splitWords('  a  b ', ' '), ['a', 'b']);
});

test('commands are case-insensitive; PRIVMSG without DCC and other commands log nothing', () => {
  const out = drive([[true, 'nick lower\r\nPRIVMSG #a :just DCC talk\r\nPRIVMSG #a :hi\r\nPRIVMSG nospace\r\nMODE x +i\r\nJoin #j\r\n']]);
  assert.deepEqual(out.logs.map(([, r]) => [r.command, r.value]), [['NICK', 'lower'], ['JOIN', '#j']]);
  assert.ok(out.weirds.includes('irc_invalid_privmsg_message_format'));
});
