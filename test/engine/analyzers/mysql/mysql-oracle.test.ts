/**
 * mysql.log over the shared captures, checked against tshark: the login user (mysql.user), each
 * command (mysql.command) with its query text (mysql.query), in order, with the time of its
 * packet; the server's verdict as tshark reads the response (OK / ERR / result set).
 *
 * Deliberate differences / notes:
 * - mixed-arkime port 54326: the "greeting" has sequence id 10 and no protocol byte (tshark shows
 *   a bare "Response"); it is not taken for MySQL.
 * - mixed-arkime port 55010: a greeting and nothing else: no record (Zeek writes none either).
 * - mixed-arkime port 57007: the login packet's length (50) is shorter than its content; tshark
 *   calls it malformed, we (like Zeek) read the user name inside the 50 bytes. No answer: the
 *   record has no success.
 * - a result set is logged with rows 0, as Zeek's mysql_eof handler does (it does not count rows).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pcap, run } from '../../../helpers.js';
import { commandName } from '../../../../src/engine/analyzers/mysql/mysql-analyzer.js';

function tshark(file: string, filter: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', pcap(file), '-Y', filter, '-T', 'fields', '-E', 'occurrence=f', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

for (const file of ['mysql-login.pcap', 'mixed-arkime-synthetic-many-protocols.pcap']) {
  test(`${file}: mysql.log agrees with tshark`, async () => {
    const { sink } = await run(pcap(file));
    const recs = sink.get('mysql');
    const want: Array<{ port: number; ts: number; cmd: string; arg: string }> = [];
    for (const [sp, t, user, cmd, query] of tshark(file, 'mysql.user || mysql.command', ['tcp.srcport', 'frame.time_epoch', 'mysql.user', 'mysql.command', 'mysql.query'])) {
      if (user) want.push({ port: Number(sp), ts: Number(t), cmd: 'login', arg: user });
      else want.push({ port: Number(sp), ts: Number(t), cmd: commandName(Number(cmd)), arg: query });
    }
    assert.ok(want.length > 0);
    assert.equal(recs.length, want.length);
    want.forEach((w, i) => {
      assert.equal(recs[i]['id.orig_p'], w.port);
      assert.equal(recs[i].cmd, w.cmd);
      assert.equal(recs[i].arg, w.arg);
      assert.ok(Math.abs((recs[i].ts as number) - w.ts) < 1e-6);
    });
    // the verdicts: tshark's response codes (0x00 OK, 0xff ERR; result sets end in 0xfe)
    const codes = tshark(file, 'mysql.response_code', ['tcp.dstport', 'mysql.response_code']);
    if (file === 'mysql-login.pcap') {
      assert.deepEqual(codes.map((c) => c[1]), ['0x00', '0xfe']);
      assert.equal(recs[0].success, true);
      assert.equal(recs[0].rows, 0);
      assert.equal(recs[1].success, true); // the result set of "select @@version_comment"
      assert.equal(recs[1].rows, 0);
    } else {
      assert.equal(codes.length, 0);
      assert.equal(recs[0].success, undefined);
    }
    assert.equal(sink.get('conn').filter((c) => c.service === 'mysql').length, new Set(want.map((w) => w.port)).size);
  });
}
