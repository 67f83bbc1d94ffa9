/**
 * POP3: hand-built dialogues (split at every byte, pipelining, AUTH, STLS, garbage) and the
 * shared captures against tshark's pop.request/pop.response fields; retrieved messages against
 * the bytes tshark reassembles (follow tcp raw), decoded here independently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Pop3Analyzer } from '../../../../src/engine/analyzers/pop3/pop3-analyzer.js';
import { probePop3 } from '../../../../src/engine/analyzers/pop3/index.js';
import { pcap, run } from '../../../helpers.js';
import { fakeCtx, feed, tsharkFields, tsharkFollow } from '../smtp/mail-fakes.js';

const MSG = 'Subject: hi\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n..dot\r\n--b\r\n' +
  'Content-Type: application/pdf; name="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n';

const SESSION: Array<[boolean, string]> = [
  [false, '+OK ready\r\n'],
  [true, 'USER bob\r\n'], [false, '+OK\r\n'],
  [true, 'PASS hunter2\r\n'], [false, '+OK 1 message\r\n'],
  [true, 'LIST\r\nRETR 1\r\n'], [false, '+OK list\r\n1 200\r\n.\r\n+OK message follows\r\n' + MSG + '.\r\n'],
  [true, 'DELE 1\r\n'], [false, '-ERR nope\r\n'],
  [true, 'QUIT\r\n'], [false, '+OK bye\r\n'],
];

function check(chunk: number): void {
  const f = fakeCtx();
  const a = new Pop3Analyzer(f.ctx, { showCredentials: false });
  feed(a, SESSION, chunk);
  a.done();
  const r = f.records('pop3');
  assert.deepEqual(r.map((x) => `${x.command} ${x.status}`), ['USER OK', 'PASS OK', 'LIST OK', 'RETR OK', 'DELE ERR', 'QUIT OK']);
  assert.equal(r[1].arg, '<hidden>');
  assert.ok(r.every((x) => x.password === undefined));
  assert.equal(r[4].username, 'bob');
  assert.equal(r[4].msg, 'nope');
  assert.equal((r[3].fuids as string[]).length, 2);
  assert.equal(f.files[0].content().toString(), '.dot');
  assert.equal(f.files[1].content().toString(), '%PDF-1.4\n');
  assert.equal(f.files[1].opts.filename, 'a.pdf');
  assert.equal(f.files[1].opts.source, 'POP3');
}

test('a session with a pipelined LIST/RETR, whole and split at every byte', () => {
  for (const n of [Infinity, 1, 2, 3, 7, 31]) check(n);
});

test('AUTH PLAIN gives the user; password only with showCredentials; STLS upgrades', () => {
  const plain = Buffer.from('\0eve\0pw').toString('base64');
  for (const show of [false, true]) {
    const f = fakeCtx();
    const a = new Pop3Analyzer(f.ctx, { showCredentials: show });
    feed(a, [[false, '+OK\r\n'], [true, 'AUTH PLAIN\r\n'], [false, '+ \r\n'], [true, plain + '\r\n'], [false, '+OK in\r\n'], [true, 'STLS\r\n'], [false, '+OK go\r\n']]);
    a.done();
    const r = f.records('pop3');
    assert.equal(r[0].username, 'eve');
    assert.equal(r[0].password, show ? 'pw' : undefined);
    assert.equal(r[1].command, 'STLS');
    assert.deepEqual(f.upgrades, ['ssl']);
  }
});

test('garbage and truncation never throw; non-POP3 is a violation', () => {
  const f = fakeCtx();
  const a = new Pop3Analyzer(f.ctx, { showCredentials: false });
  feed(a, [[false, '* OK IMAP4rev1\r\n']]);
  assert.equal(f.violations.length, 1);
  let seed = 11;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let k = 0; k < 200; k++) {
    const g = fakeCtx();
    const b = new Pop3Analyzer(g.ctx, { showCredentials: false });
    for (const [o, t] of SESSION) {
      const buf = Buffer.from(t);
      if (rnd() < 0.2) buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
      if (rnd() < 0.05) { b.gap(o, 10); continue; }
      b.data(o, buf, 0, Math.floor(rnd() * buf.length) + 1);
    }
    b.done();
  }
  const p = (o: boolean, s: string) => { const x = Buffer.from(s); return probePop3(o, x, 0, x.length); };
  assert.equal(p(false, '+OK POP3 ready\r\n'), 'yes');
  assert.equal(p(false, '+O'), 'more');
  assert.equal(p(false, '+OKAY'), 'no');
  assert.equal(p(true, 'USER x\r\n'), 'no');
});

test('pop3.pcap: every command tshark sees, paired with its status; RETR bodies in files.log', async () => {
  const file = pcap('pop3.pcap');
  const { sink } = await run(file);
  const ours = sink.get('pop3');
  // tshark shows SASL response lines (after AUTH PLAIN) as commands; they are not (RFC 5034 §4).
  const req = tsharkFields(file, 'pop.request.command', ['frame.time_epoch', 'tcp.srcport', 'pop.request.command', 'pop.request.parameter'])
    .filter((x) => /^[A-Za-z]{3,4}$/.test(x[2]));
  assert.equal(ours.length, req.length);
  const key = (ts: unknown, p: unknown) => `${Number(ts).toFixed(6)}/${p}`;
  const byKey = new Map(ours.map((r) => [key(r.ts, r['id.orig_p']), r]));
  for (const [ts, port, cmd, arg] of req) {
    const r = byKey.get(key(ts, port));
    assert.ok(r, `${cmd} at ${ts}`);
    assert.equal(r.command, cmd.toUpperCase());
    if (cmd.toUpperCase() === 'PASS') assert.equal(r.arg, '<hidden>');
    else if (arg !== undefined && arg !== '') assert.equal(r.arg, arg);
  }
  const statuses = tsharkFields(file, 'pop.response.indicator', ['pop.response.indicator']).map((x) => x[0].replace(/^[+-]/, ''));
  assert.equal(ours.filter((r) => r.status === 'ERR').length, statuses.filter((s) => s === 'ERR').length);
  // The one-part message retrieved on port 35287: its body is exactly what tshark reassembled.
  const stream = Number(tsharkFields(file, 'tcp.srcport == 35287 && tcp.flags.syn == 1 && tcp.flags.ack == 0', ['tcp.stream'])[0][0]);
  const resp = tsharkFollow(file, stream).resp.toString('latin1');
  const retr = resp.indexOf('\r\n\r\n', resp.indexOf('+OK', resp.indexOf('octets'))) + 4;
  const body = resp.slice(retr, resp.indexOf('\r\n.\r\n', retr)).replace(/^\.\./gm, '.');
  const rec = ours.find((r) => r.command === 'RETR' && r['id.orig_p'] === 35287)!;
  const f = sink.get('files').find((x) => x.fuid === (rec.fuids as string[])[0])!;
  assert.equal(f.sha256, createHash('sha256').update(Buffer.from(body, 'latin1')).digest('hex'));
  assert.ok(sink.get('conn').filter((c) => c['id.resp_p'] === 110).every((c) => c.service === 'pop3'));
});
