/** SMTP analyzer on hand-built dialogues: pipelining, dot-unstuffing, MIME, AUTH, STARTTLS, hostile input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmtpAnalyzer } from '../../../../src/engine/analyzers/smtp/smtp-analyzer.js';
import { probeSmtp } from '../../../../src/engine/analyzers/smtp/index.js';
import { LineReader } from '../../../../src/engine/analyzers/smtp/line-reader.js';
import { fakeCtx, feed } from './mail-fakes.js';

const MAIL = [
  'Received: from a.example (a.example [192.0.2.7])\r\n\tby mx.example; Mon, 1 Jan 2024 00:00:00 +0000\r\n',
  'From: Alice <alice@example.com>\r\nTo: bob@example.org, carol@example.org\r\nCc: dave@example.net\r\n',
  'Subject: hello\r\nMessage-ID: <m1@example.com>\r\nX-Mailer: Test/1.0\r\nX-Originating-IP: [198.51.100.9]\r\n',
  'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="outer"\r\n\r\n',
  'preamble\r\n--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n',
  '--inner\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n',
  'caf=C3=A9 soft=\r\nbreak\r\n..dot line\r\n--inner\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--inner--\r\n',
  '--outer\r\nContent-Type: application/octet-stream; name="x.bin"\r\nContent-Disposition: attachment; filename="evil.exe"\r\n',
  'Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgA\r\nAAAAAAAAQAA=\r\n--outer--\r\nepilogue\r\n.\r\n',
].join('');

const DIALOGUE: Array<[boolean, string]> = [
  [false, '220 mx.example ESMTP ready\r\n'],
  [true, 'EHLO client.example\r\n'],
  [false, '250-mx.example\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n'],
  [true, 'AUTH PLAIN ' + Buffer.from('\0alice\0s3cret').toString('base64') + '\r\n'],
  [false, '235 2.7.0 ok\r\n'],
  [true, 'MAIL FROM:<alice@example.com> SIZE=100\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<carol@example.org>\r\nDATA\r\n'],
  [false, '250 ok\r\n250 ok\r\n250 ok\r\n354 go on\r\n'],
  [true, MAIL],
  [false, '250 queued as 1\r\n'],
  [true, 'MAIL FROM:<x@example.com>\r\nRCPT TO:<y@example.com>\r\nDATA\r\n'],
  [false, '250 ok\r\n250 ok\r\n354 go\r\n'],
  [true, 'Subject: second\r\n\r\nbody\r\n.\r\nQUIT\r\n'],
  [false, '250 queued as 2\r\n221 bye\r\n'],
];

function check(chunk: number): void {
  const f = fakeCtx();
  const a = new SmtpAnalyzer(f.ctx, { showCredentials: false });
  feed(a, DIALOGUE, chunk);
  a.done();
  assert.deepEqual(f.violations, []);
  assert.ok(f.confirmed >= 1);
  const [m1, m2, ...rest] = f.records('smtp');
  assert.equal(rest.length, 0);
  assert.equal(m1.trans_depth, 1);
  assert.equal(m1.helo, 'client.example');
  assert.equal(m1.mailfrom, 'alice@example.com');
  assert.deepEqual(m1.rcptto, ['bob@example.org', 'carol@example.org']);
  assert.deepEqual(m1.to, ['bob@example.org', 'carol@example.org']);
  assert.deepEqual(m1.cc, ['dave@example.net']);
  assert.equal(m1.from, 'Alice <alice@example.com>');
  assert.equal(m1.subject, 'hello');
  assert.equal(m1.msg_id, '<m1@example.com>');
  assert.equal(m1.user_agent, 'Test/1.0');
  assert.equal(m1.x_originating_ip, '198.51.100.9');
  assert.equal(m1.first_received, 'from a.example (a.example [192.0.2.7])\\x09by mx.example; Mon, 1 Jan 2024 00:00:00 +0000');
  assert.deepEqual(m1.path, ['10.0.0.2', '10.0.0.1', '192.0.2.7']);
  assert.equal(m1.last_reply, '250 queued as 1');
  assert.equal(m1.auth_mechanism, 'PLAIN');
  assert.equal(m1.username, 'alice');
  assert.equal(m1.password, undefined, 'credentials stay out of the log by default');
  assert.equal(m1.auth_success, true);
  assert.equal(m1.tls, false);
  assert.equal((m1.fuids as string[]).length, 3);
  assert.equal(m2.trans_depth, 2);
  assert.equal(m2.subject, 'second');
  assert.equal(m2.last_reply, '250 queued as 2');
  // files: qp text, html, base64 binary; then the second message's body
  const [qp, html, bin, body] = f.files;
  assert.equal(qp.content().toString('utf8'), 'café soft' + 'break\r\n.dot line');
  assert.equal(html.content().toString(), '<p>x</p>');
  assert.deepEqual(bin.content(), Buffer.from('TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAA=', 'base64'));
  assert.equal(bin.opts.filename, 'evil.exe');
  assert.equal(bin.opts.source, 'SMTP');
  assert.deepEqual([qp.opts.depth, html.opts.depth, bin.opts.depth], [3, 4, 5]);
  assert.equal(body.content().toString(), 'body');
  assert.equal(body.opts.depth, 6);
  assert.ok(f.files.every((x) => x.ended));
}

test('a pipelined session with a nested MIME message, whole and split at every byte', () => {
  check(Infinity);
  check(1);
  for (const n of [2, 3, 7, 13, 64]) check(n);
});

test('AUTH LOGIN: user name logged, the password only with showCredentials', () => {
  for (const show of [false, true]) {
    const f = fakeCtx();
    const a = new SmtpAnalyzer(f.ctx, { showCredentials: show });
    feed(a, [
      [false, '220 x ESMTP\r\n'], [true, 'EHLO h\r\n'], [false, '250 x\r\n'], [true, 'AUTH LOGIN\r\n'],
      [false, '334 VXNlcm5hbWU6\r\n'], [true, Buffer.from('bob').toString('base64') + '\r\n'],
      [false, '334 UGFzc3dvcmQ6\r\n'], [true, Buffer.from('hunter2').toString('base64') + '\r\n'],
      [false, '535 no\r\n'], [true, 'QUIT\r\n'], [false, '221 bye\r\n'],
    ]);
    a.done();
    const [r] = f.records('smtp');
    assert.equal(r.username, 'bob');
    assert.equal(r.password, show ? 'hunter2' : undefined);
    assert.equal(r.auth_success, false);
    assert.equal(r.last_reply, '221 bye');
  }
});

test('STARTTLS: tls=T, the session is logged and the stream goes to ssl', () => {
  const f = fakeCtx();
  const a = new SmtpAnalyzer(f.ctx, { showCredentials: false });
  feed(a, [[false, '220 x ESMTP\r\n'], [true, 'EHLO h\r\n'], [false, '250-x\r\n250 STARTTLS\r\n'], [true, 'STARTTLS\r\n'], [false, '220 go ahead\r\n']]);
  assert.deepEqual(f.upgrades, ['ssl']);
  a.done(); // the engine's upgrade() calls done(); a second call is harmless
  const rs = f.records('smtp');
  assert.equal(rs.length, 1);
  assert.equal(rs[0].tls, true);
  assert.equal(rs[0].last_reply, '220 go ahead');
});

test('DATA refused: the client stays in command mode', () => {
  const f = fakeCtx();
  const a = new SmtpAnalyzer(f.ctx, { showCredentials: false });
  feed(a, [[false, '220 x ESMTP\r\n'], [true, 'HELO h\r\nMAIL FROM:<a@b.c>\r\nDATA\r\n'], [false, '250 ok\r\n250 ok\r\n554 no valid recipients\r\n'], [true, 'QUIT\r\n'], [false, '221 bye\r\n']]);
  a.done();
  const [r] = f.records('smtp');
  assert.equal(r.last_reply, '221 bye');
  assert.equal(f.files.length, 0);
});

test('BDAT chunks carry the message like DATA', () => {
  const f = fakeCtx();
  const a = new SmtpAnalyzer(f.ctx, { showCredentials: false });
  const msg = 'Subject: chunked\r\n\r\nhello world\r\n';
  feed(a, [[false, '220 x ESMTP\r\n'], [true, 'EHLO h\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\n'], [false, '250 x\r\n250 ok\r\n250 ok\r\n'],
    [true, `BDAT 10\r\n${msg.slice(0, 10)}BDAT ${msg.length - 10} LAST\r\n${msg.slice(10)}`], [false, '250 ok\r\n250 queued\r\n'], [true, 'QUIT\r\n'], [false, '221 bye\r\n']], 5);
  a.done();
  const rs = f.records('smtp');
  assert.equal(rs[0].subject, 'chunked');
  assert.equal(rs[0].last_reply, '250 queued');
  // as after DATA, the line break ending the last entity is not content
  assert.equal(f.files[0].content().toString(), 'hello world');
});

test('not SMTP: a violation before confirmation, weirds after', () => {
  const f = fakeCtx();
  const a = new SmtpAnalyzer(f.ctx, { showCredentials: false });
  feed(a, [[false, 'SSH-2.0-OpenSSH\r\n']]);
  assert.equal(f.violations.length, 1);
  const g = fakeCtx();
  const b = new SmtpAnalyzer(g.ctx, { showCredentials: false });
  feed(b, [[false, '220 x ESMTP\r\n'], [true, 'EHLO h\r\n'], [false, '250 x\r\n'], [true, '\x00\x01\x02garbage\r\n'], [false, 'garbage\r\n']]);
  b.done();
  assert.deepEqual(g.violations, []);
  assert.ok(g.weirds.includes('smtp_bad_command') && g.weirds.includes('smtp_bad_reply'));
});

test('random garbage, truncation and gaps never throw and stay bounded', () => {
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const whole = Buffer.from(DIALOGUE.filter(([o]) => o).map(([, t]) => t).join(''), 'latin1');
  for (let k = 0; k < 200; k++) {
    const f = fakeCtx();
    const a = new SmtpAnalyzer(f.ctx, { showCredentials: false });
    const b = Buffer.from(whole.subarray(0, Math.floor(rnd() * whole.length)));
    for (let i = 0; i < 5; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    a.data(false, Buffer.from('220 ESMTP\r\n'), 0, 11);
    let p = 0;
    while (p < b.length) {
      const n = 1 + Math.floor(rnd() * 300);
      if (rnd() < 0.05) a.gap(true, n); else a.data(true, b, p, Math.min(n, b.length - p));
      p += n;
    }
    a.eof(true);
    a.done();
  }
  // an endless line is handed over in bounded pieces
  const f = fakeCtx();
  const a = new SmtpAnalyzer(f.ctx, { showCredentials: false });
  feed(a, [[false, '220 x ESMTP\r\n'], [true, 'EHLO h\r\nMAIL FROM:<a@b.c>\r\nDATA\r\n'], [false, '250 a\r\n250 b\r\n354 c\r\n'], [true, 'Subject: x\r\n\r\n' + 'A'.repeat(100_000) + '\r\n.\r\n']], 1460);
  a.done();
  assert.equal(f.files[0].content().length, 100_000);
});

test('the line reader hands over lines split anywhere, and pieces of overlong ones', () => {
  const text = 'one\r\ntwo\nthree\r\n\r\nlast';
  for (let n = 1; n <= text.length; n++) {
    const got: string[] = [];
    const r = new LineReader(8, (b, s, e, c) => got.push(b.toString('latin1', s, e) + (c ? '' : '~')));
    feed({ data: (_o, b, off, len) => r.data(b, off, len), gap() {}, eof() {}, done() {} }, [[true, text]], n);
    r.flush();
    assert.deepEqual(got.filter((x) => !x.endsWith('~')), ['one', 'two', 'three', '', 'last'], `chunk ${n}`);
  }
  const got: Array<[string, boolean]> = [];
  const r = new LineReader(4, (b, s, e, c) => got.push([b.toString('latin1', s, e), c]));
  r.data(Buffer.from('abcdefghij\r\nxy\n'), 0, 15);
  assert.deepEqual(got.map(([t]) => t).join(''), 'abcdefghijxy');
  assert.deepEqual(got[got.length - 1], ['xy', true]);
});

test('probe: an ESMTP greeting or EHLO/HELO; a plain 220 waits for the client', () => {
  const p = (o: boolean, s: string) => { const b = Buffer.from(s); return probeSmtp(o, b, 0, b.length); };
  assert.equal(p(false, '220 mx.example.com ESMTP Postfix\r\n'), 'yes');
  assert.equal(p(false, '220 mx.example.com\r\n'), 'more');
  assert.equal(p(false, '22'), 'more');
  assert.equal(p(false, '230 x\r\n'), 'no');
  assert.equal(p(false, '+OK POP3\r\n'), 'no');
  assert.equal(p(true, 'EHLO host\r\n'), 'yes');
  assert.equal(p(true, 'EH'), 'more');
  assert.equal(p(true, 'USER bob\r\n'), 'no');
});

test('base64 entities decode the same through the block path and the exact path', async () => {
  const { MimeParser } = await import('../../../../src/engine/analyzers/smtp/mime.js');
  let seed = 99;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let k = 0; k < 50; k++) {
    const data = Buffer.alloc(Math.floor(rnd() * 300_000));
    for (let i = 0; i < data.length; i += 97) data[i] = Math.floor(rnd() * 256);
    const b64 = data.toString('base64');
    // line lengths: mostly 76, sometimes odd, sometimes a space or a stray character inside
    const lines: string[] = [];
    for (let p = 0; p < b64.length;) {
      const n = rnd() < 0.9 ? 76 : 1 + Math.floor(rnd() * 90);
      let line = b64.slice(p, p + n);
      if (rnd() < 0.05) line = line.slice(0, 3) + (rnd() < 0.5 ? ' ' : '*') + line.slice(3);
      lines.push(line);
      p += n;
    }
    const got: Buffer[] = [];
    const m = new MimeParser({ beginEntity() {}, headers() {}, weird() {}, openContent: () => ({ data: (b, o, l) => { got.push(Buffer.from(b.subarray(o, o + l))); }, gap() {}, end() {} }) });
    for (const l of ['Content-Transfer-Encoding: base64', '', ...lines]) { const b = Buffer.from(l, 'latin1'); m.line(b, 0, b.length, true); }
    m.end();
    assert.ok(Buffer.concat(got).equals(data), `round ${k}`);
  }
});
