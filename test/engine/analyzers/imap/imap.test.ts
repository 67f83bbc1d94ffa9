/**
 * IMAP: hand-built dialogues (literals both ways, split at every byte, AUTHENTICATE, STARTTLS,
 * garbage) and the shared captures against tshark's imap.request/imap.response fields; a
 * fetched message against the literal tshark reassembles (follow tcp raw).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ImapAnalyzer } from '../../../../src/engine/analyzers/imap/imap-analyzer.js';
import { probeImap } from '../../../../src/engine/analyzers/imap/index.js';
import { pcap, run } from '../../../helpers.js';
import { fakeCtx, feed, tsharkFields, tsharkFollow } from '../smtp/mail-fakes.js';

const MSG = 'Subject: x\r\nContent-Type: text/plain\r\n\r\nhello {5}\r\na1 OK not a response\r\n';

const SESSION: Array<[boolean, string]> = [
  [false, '* OK IMAP4rev1 ready\r\n'],
  [true, 'a1 LOGIN {5}\r\n'], [false, '+ go\r\n'], [true, 'alice "pa ss"\r\n'], [false, 'a1 OK logged in\r\n'],
  [true, 'a2 SELECT INBOX\r\na3 UID FETCH 7 (BODY.PEEK[])\r\n'],
  [false, `* 1 EXISTS\r\na2 OK [READ-WRITE] done\r\n* 1 FETCH (UID 7 BODY[] {${MSG.length}}\r\n${MSG})\r\na3 OK fetched\r\n`],
  [true, 'a4 IDLE\r\n'], [false, '+ idling\r\n'], [true, 'DONE\r\n'], [false, 'a4 OK idle over\r\n'],
  [true, 'a5 LOGOUT\r\n'], [false, '* BYE\r\na5 OK bye\r\n'],
];

function check(chunk: number): void {
  const f = fakeCtx();
  const a = new ImapAnalyzer(f.ctx, { showCredentials: false });
  feed(a, SESSION, chunk);
  a.done();
  assert.deepEqual(f.violations, []);
  const r = f.records('imap');
  assert.deepEqual(r.map((x) => `${x.tag} ${x.command} ${x.status}`), ['a1 LOGIN OK', 'a2 SELECT OK', 'a3 UID FETCH OK', 'a4 IDLE OK', 'a5 LOGOUT OK']);
  assert.equal(r[2].response, 'fetched');
  assert.equal((r[2].fuids as string[]).length, 1);
  assert.equal(f.files[0].content().toString(), 'hello {5}\r\na1 OK not a response');
  assert.equal(f.files[0].opts.source, 'IMAP');
  assert.ok(r.every((x) => x.password === undefined));
}

test('a session with literals both ways and a fetched message, whole and split at every byte', () => {
  for (const n of [Infinity, 1, 2, 3, 7, 29]) check(n);
});

test('LOGIN and AUTHENTICATE PLAIN give the user; the password only with showCredentials; STARTTLS upgrades', () => {
  for (const show of [false, true]) {
    const f = fakeCtx();
    const a = new ImapAnalyzer(f.ctx, { showCredentials: show });
    feed(a, [[false, '* OK\r\n'], [true, 'x LOGIN "bob" "se\\"cret"\r\n'], [false, 'x OK\r\n'],
      [true, 'y AUTHENTICATE PLAIN\r\n'], [false, '+ \r\n'], [true, Buffer.from('\0eve\0pw').toString('base64') + '\r\n'], [false, 'y OK\r\n'],
      [true, 'z STARTTLS\r\n'], [false, 'z OK begin\r\n']]);
    a.done();
    const r = f.records('imap');
    assert.equal(r[0].username, 'bob');
    assert.equal(r[0].arg, 'bob');
    assert.equal(r[0].password, show ? 'se"cret' : undefined);
    assert.equal(r[1].username, 'eve');
    assert.equal(r[1].arg, 'PLAIN');
    assert.deepEqual(f.upgrades, ['ssl']);
  }
});

test('garbage and truncation never throw; non-IMAP is a violation; probe', () => {
  const f = fakeCtx();
  const a = new ImapAnalyzer(f.ctx, { showCredentials: false });
  feed(a, [[false, 'SSH-2.0-OpenSSH_9\r\n']]);
  assert.ok(f.violations.length >= 1);
  let seed = 5;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let k = 0; k < 200; k++) {
    const g = fakeCtx();
    const b = new ImapAnalyzer(g.ctx, { showCredentials: false });
    for (const [o, t] of SESSION) {
      const buf = Buffer.from(t);
      if (rnd() < 0.2) buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
      if (rnd() < 0.05) { b.gap(o, 10); continue; }
      b.data(o, buf, 0, Math.floor(rnd() * buf.length) + 1);
    }
    b.data(false, Buffer.from('* 1 FETCH (BODY[] {999999999999}\r\n'), 0, 35);
    b.done();
  }
  const p = (s: string) => { const x = Buffer.from(s); return probeImap(false, x, 0, x.length); };
  assert.equal(p('* OK [CAPABILITY IMAP4rev1] ready\r\n'), 'yes');
  assert.equal(p('* PREAUTH hi\r\n'), 'yes');
  assert.equal(p('* O'), 'more');
  assert.equal(p('+OK'), 'no');
});

test('imap.pcap, ntlm-synthetic, mixed-arkime: every tagged command tshark sees, with its status', async () => {
  for (const name of ['imap.pcap', 'ntlm-synthetic.pcap', 'mixed-arkime-synthetic-many-protocols.pcap']) {
    const file = pcap(name);
    const { sink } = await run(file);
    const ours = sink.get('imap');
    // tshark takes AUTHENTICATE's base64 response lines for requests (no command): they are not
    const req = tsharkFields(file, 'imap.request_tag', ['tcp.srcport', 'imap.request_tag', 'imap.request.command']).filter((x) => (x[2] ?? '') !== '');
    assert.equal(ours.length, req.length, name);
    for (const [port, tag, cmd] of req) {
      const r = ours.find((x) => x['id.orig_p'] === Number(port) && x.tag === tag);
      assert.ok(r, `${name} ${tag}`);
      assert.equal(String(r.command).split(' ')[0], cmd.toUpperCase());
    }
    const done = tsharkFields(file, 'imap.response_tag', ['tcp.dstport', 'imap.response_tag', 'imap.response.status']);
    // tshark also tags continuation and FETCH-closing lines ("+", ")"): the tagged one is the last
    for (const [port, tags, statuses] of done) {
      const tag = tags.split('|').pop()!, status = (statuses ?? '').split('|').pop()!;
      if (status === '' || !/^[A-Za-z0-9]+$/.test(tag)) continue;
      const r = ours.find((x) => x['id.orig_p'] === Number(port) && x.tag === tag)!;
      assert.equal(r.status, status.toUpperCase(), `${name} ${tag}`);
    }
  }
  // the message fetched by "a0007 FETCH 12 RFC822": the literal tshark reassembled
  const file = pcap('imap.pcap');
  const { sink } = await run(file);
  const resp = tsharkFollow(file, 0).resp;
  const s = resp.toString('latin1');
  const at = s.indexOf('RFC822 {');
  const m = /\{(\d+)\}\r\n/.exec(s.slice(at))!;
  const lit = resp.subarray(at + m.index + m[0].length, at + m.index + m[0].length + Number(m[1])).toString('latin1');
  const body = lit.slice(lit.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '');
  const rec = sink.get('imap').find((r) => r.tag === 'a0007')!;
  const f = sink.get('files').find((x) => x.fuid === (rec.fuids as string[])[0])!;
  assert.equal(f.sha256, createHash('sha256').update(Buffer.from(body, 'latin1')).digest('hex'));
});
