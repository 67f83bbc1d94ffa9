/**
 * The MySQL analyzer driven directly with hand-built conversations: login, OK/ERR/EOF, result
 * sets (with and without CLIENT_DEPRECATE_EOF), quit, change_user, field_list, the SSL request,
 * an oversized query; every split point, garbage and truncation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MysqlAnalyzer, lenenc } from '../../../../src/engine/analyzers/mysql/mysql-analyzer.js';
import { probeMysql } from '../../../../src/engine/analyzers/mysql/index.js';
import { LIMITS } from '../../../../src/engine/support/limits.js';
import { fakeCtx, newOut, type Out } from '../ssh/build-ssh.js';

function pkt(seq: number, body: Buffer | string): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const h = Buffer.from([b.length & 0xff, (b.length >> 8) & 0xff, b.length >> 16, seq]);
  return Buffer.concat([h, b]);
}
const u16 = (n: number) => Buffer.from([n & 0xff, n >> 8]);
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };

function greeting(caps = 0xf7ff | (0x81bf << 16)): Buffer {
  return pkt(0, Buffer.concat([Buffer.from([10]), Buffer.from('8.0.36\0'), u32(7), Buffer.alloc(8, 0x61), Buffer.from([0]),
    u16(caps & 0xffff), Buffer.from([0x21]), u16(2), u16(caps >>> 16), Buffer.from([21]), Buffer.alloc(10), Buffer.from('abcdefghijkl\0mysql_native_password\0')]));
}
function login(user: string, caps = 0x000fa685): Buffer {
  return pkt(1, Buffer.concat([u32(caps), u32(1 << 24), Buffer.from([0x21]), Buffer.alloc(23), Buffer.from(user + '\0'), Buffer.from([20]), Buffer.alloc(20, 1), Buffer.from('db\0')]));
}
const OK = (seq: number, rows = 0) => pkt(seq, Buffer.from([0, rows, 0, 2, 0, 0, 0]));
const EOF = (seq: number, status = 2) => pkt(seq, Buffer.concat([Buffer.from([0xfe, 0, 0]), u16(status)]));
const ERR = (seq: number, msg: string) => pkt(seq, Buffer.concat([Buffer.from([0xff]), u16(1146), Buffer.from('#42S02' + msg)]));
const cmd = (c: number, arg: string | Buffer) => pkt(0, Buffer.concat([Buffer.from([c]), typeof arg === 'string' ? Buffer.from(arg, 'latin1') : arg]));
const colDef = (seq: number, name: string) => pkt(seq, Buffer.concat([Buffer.from('\x03def\x02db\x01t\x01t'), Buffer.from([name.length]), Buffer.from(name), Buffer.from([name.length]), Buffer.from(name), Buffer.from([0x0c, 0x21, 0, 0, 1, 0, 0, 0xfd, 0, 0, 0, 0, 0])]));
const row = (seq: number, ...vals: string[]) => pkt(seq, Buffer.concat(vals.map((v) => Buffer.concat([Buffer.from([v.length]), Buffer.from(v)]))));

function resultSet(cols: string[], rows: string[][]): Buffer[] {
  let s = 1;
  const out = [pkt(s++, Buffer.from([cols.length]))];
  for (const c of cols) out.push(colDef(s++, c));
  out.push(EOF(s++));
  for (const r of rows) out.push(row(s++, ...r));
  out.push(EOF(s++, 0x0022));
  return out;
}

const SESSION: Array<[boolean, Buffer]> = [
  [false, greeting()],
  [true, login('root')],
  [false, OK(2)],
  [true, cmd(3, 'SELECT name, pw FROM users')],
  [false, Buffer.concat(resultSet(['name', 'pw'], [['alice', 'x'], ['bob', 'y'], ['eve', 'z']]))],
  [true, cmd(2, 'shop')],
  [false, OK(1)],
  [true, cmd(3, 'DROP TABLE nope')],
  [false, ERR(1, "Table 'shop.nope' doesn't exist")],
  [true, cmd(3, 'UPDATE t SET a=1')],
  [false, OK(1, 5)],
  [true, cmd(0x19, u32(1))], // stmt_close: no answer
  [true, cmd(0x0e, '')],
  [false, OK(1)],
  [true, cmd(1, '')],
];

function drive(segs: Array<[boolean, Buffer]>, cut: (b: Buffer) => Buffer[] = (b) => [b], ctxOut?: Out, upgrades?: string[]): Out {
  const out = ctxOut ?? newOut();
  const ctx = fakeCtx(out, 3306);
  if (upgrades) (ctx as { upgrade: (n: string) => boolean }).upgrade = (n) => { upgrades.push(n); return true; };
  const a = new MysqlAnalyzer(ctx);
  for (const [o, b] of segs) for (const p of cut(b)) a.data(o, p, 0, p.length);
  a.done();
  return out;
}

const strip = (out: Out) => out.logs.map(([p, r]) => { assert.equal(p, 'mysql'); const { ts: _t, uid: _u, ...rest } = r; return rest; });

test('login, query with a result set, init_db, error, update, stmt_close, ping, quit', () => {
  const out = drive(SESSION);
  assert.deepEqual(strip(out), [
    { cmd: 'login', arg: 'root', success: true, rows: 0 },
    { cmd: 'query', arg: 'SELECT name, pw FROM users', success: true, rows: 0 },
    { cmd: 'init_db', arg: 'shop', success: true, rows: 0 },
    { cmd: 'query', arg: 'DROP TABLE nope', success: false, response: "Table 'shop.nope' doesn't exist" },
    { cmd: 'query', arg: 'UPDATE t SET a=1', success: true, rows: 5 },
    { cmd: 'stmt_close', arg: '\\x01\\x00\\x00' }, // one trailing NUL removed, as Zeek
    { cmd: 'ping', arg: '', success: true, rows: 0 },
    { cmd: 'quit', arg: '' },
  ]);
  assert.equal(out.confirms, 1);
  assert.deepEqual(out.violations, []);
  assert.deepEqual(out.weirds, []);
});

test('every split point, and one byte at a time, give the same records', () => {
  const whole = drive(SESSION).logs;
  const max = Math.max(...SESSION.map(([, b]) => b.length));
  for (let at = 1; at < max; at++) {
    assert.deepEqual(drive(SESSION, (b) => (at < b.length ? [b.subarray(0, at), b.subarray(at)] : [b])).logs, whole, `split at ${at}`);
  }
  assert.deepEqual(drive(SESSION, (b) => Array.from(b, (_, i) => b.subarray(i, i + 1))).logs, whole);
  // each side's bytes in one chunk still pairs commands and answers when they alternate
  assert.deepEqual(drive(SESSION.slice(0, 5)).logs, whole.slice(0, 2));
});

test('CLIENT_DEPRECATE_EOF: no EOF after the columns, an OK (0xfe) ends the rows', () => {
  const DEP = 0x01000000;
  const rs = [pkt(1, Buffer.from([1])), colDef(2, 'a'), row(3, '1'), row(4, '2'), pkt(5, Buffer.from([0xfe, 0, 0, 2, 0, 0, 0]))];
  const out = drive([[false, greeting(0xf7ff | ((0x81bf << 16) | DEP))], [true, login('u', 0x000fa685 | DEP)], [false, OK(2)],
    [true, cmd(3, 'select 1')], [false, Buffer.concat(rs)], [true, cmd(3, 'select 2')], [false, OK(1)]]);
  assert.deepEqual(strip(out).map((r) => [r.arg, r.success, r.rows]), [['u', true, 0], ['select 1', true, 0], ['select 2', true, 0]]);
});

test('change_user logs the user name; field_list reads definitions until EOF; failed login', () => {
  let out = drive([[false, greeting()], [true, login('a')], [false, OK(2)], [true, cmd(0x11, 'bob\0\x14' + 'x'.repeat(20) + 'db\0')], [false, OK(1)],
    [true, cmd(4, 'users\0')], [false, Buffer.concat([colDef(1, 'id'), colDef(2, 'name'), EOF(3)])], [true, cmd(3, 'x')], [false, OK(1)]]);
  assert.deepEqual(strip(out).map((r) => [r.cmd, r.arg, r.success]), [['login', 'a', true], ['change_user', 'bob', true], ['field_list', 'users', true], ['query', 'x', true]]);
  out = drive([[false, greeting()], [true, login('root')], [false, pkt(2, Buffer.concat([Buffer.from([0xff]), u16(1045), Buffer.from("#28000Access denied for user 'root'")]))]]);
  assert.deepEqual(strip(out), [{ cmd: 'login', arg: 'root', success: false, response: "Access denied for user 'root'" }]);
});

test('an SSL request hands the stream to TLS', () => {
  const ups: string[] = [];
  const ssl = pkt(1, Buffer.concat([u32(0x000fae85), u32(1 << 24), Buffer.from([0x21]), Buffer.alloc(23)]));
  const out = drive([[false, greeting()], [true, ssl], [true, Buffer.from([0x16, 3, 1, 0, 5])]], undefined, undefined, ups);
  assert.deepEqual(ups, ['ssl']);
  assert.equal(out.logs.length, 0);
});

test('a query longer than the packet limit is cut, the stream stays in step', () => {
  const big = 'A'.repeat(LIMITS.mysqlMaxPacketBytes + 100);
  const out = drive([[false, greeting()], [true, login('u')], [false, OK(2)], [true, cmd(3, big)], [false, OK(1)], [true, cmd(3, 'next')], [false, OK(1)]]);
  const recs = strip(out);
  assert.equal(recs.length, 3);
  assert.equal((recs[1].arg as string).length, LIMITS.mysqlMaxPacketBytes - 1);
  assert.deepEqual(recs[2], { cmd: 'query', arg: 'next', success: true, rows: 0 });
  assert.ok(out.weirds.includes('mysql_packet_too_large'));
});

test('query text goes through wireText', () => {
  const out = drive([[false, greeting()], [true, login('u\x01')], [false, OK(2)], [true, cmd(3, 'select "\\x41", "\xff\x00"')]]);
  assert.equal(strip(out)[0].arg, 'u\\x01');
  assert.equal(strip(out)[1].arg, 'select "\\x5cx41", "\\xff\\x00"');
});

test('garbage, truncation and gaps never throw', () => {
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let n = 0; n < 300; n++) {
    const segs = SESSION.map(([o, b]) => {
      const c = Buffer.from(b);
      for (let k = 0; k < 3; k++) c[Math.floor(rnd() * c.length)] = Math.floor(rnd() * 256);
      return [o, rnd() < 0.2 ? c.subarray(0, Math.floor(rnd() * c.length)) : c] as [boolean, Buffer];
    });
    drive(segs);
  }
  const out = newOut();
  const a = new MysqlAnalyzer(fakeCtx(out, 3306));
  const g = greeting();
  a.data(false, g, 0, g.length);
  const l = login('u');
  a.data(true, l, 0, 10);
  a.gap(true, 20);
  a.data(true, l, 30, l.length - 30);
  a.done();
  assert.equal(out.logs.length, 0);
  // client bytes before any greeting: not MySQL
  assert.ok(drive([[true, cmd(3, 'select 1')]]).violations.length > 0);
  assert.equal(lenenc(Buffer.from([0xfc, 1]), 0, 2), undefined);
  assert.equal(lenenc(Buffer.from([0xfd, 1, 2, 3]), 0, 4), 0x030201);
});

test('probe: the server greeting', () => {
  const g = greeting();
  assert.equal(probeMysql(false, g, 0, g.length), 'yes');
  assert.equal(probeMysql(false, g, 0, 8), 'more');
  assert.equal(probeMysql(true, g, 0, g.length), 'no');
  const refused = pkt(0, Buffer.concat([Buffer.from([0xff]), u16(1130), Buffer.from("Host '1.2.3.4' is not allowed")]));
  assert.equal(probeMysql(false, refused, 0, refused.length), 'yes');
  assert.equal(probeMysql(false, Buffer.from('SSH-2.0-OpenSSH\r\n'), 0, 17), 'no');
  assert.equal(probeMysql(false, Buffer.from('220 mail ESMTP\r\n'), 0, 16), 'no');
  const noVersion = pkt(0, Buffer.from([10, 0x41, 0x42, 0]));
  assert.equal(probeMysql(false, noVersion, 0, noVersion.length), 'no');
});
