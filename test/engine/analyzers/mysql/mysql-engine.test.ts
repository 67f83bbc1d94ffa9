/** MySQL through the whole engine on a port that is not 3306: found by the greeting probe. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../../helpers.js';
import { tcpSessionPcap } from '../ssh/build-ssh.js';

function pkt(seq: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([body.length & 0xff, (body.length >> 8) & 0xff, body.length >> 16, seq]), body]);
}

test('MySQL on port 13306: greeting probe, login and a query', async () => {
  const greeting = pkt(0, Buffer.concat([Buffer.from('\x0a5.7.44-log\0', 'latin1'), Buffer.alloc(4), Buffer.alloc(8, 0x61), Buffer.from([0, 0xff, 0xf7, 0x21, 2, 0, 0xff, 0x81, 21]), Buffer.alloc(10), Buffer.from('abcdefghijkl\0')]));
  const login = pkt(1, Buffer.concat([Buffer.from([0x85, 0xa6, 0x0f, 0]), Buffer.alloc(4), Buffer.from([0x21]), Buffer.alloc(23), Buffer.from('sa\0'), Buffer.from([0])]));
  const file = tcpSessionPcap(50003, 13306, [
    [false, greeting], [true, login], [false, pkt(2, Buffer.from([0, 0, 0, 2, 0, 0, 0]))],
    [true, pkt(0, Buffer.from('\x03SELECT load_file("/etc/passwd")', 'latin1'))],
    [false, pkt(1, Buffer.concat([Buffer.from([0xff, 0x2d, 0x04]), Buffer.from('#HY000denied')]))],
  ]);
  const { sink } = await run(file);
  assert.deepEqual(sink.get('mysql').map((r) => [r.cmd, r.arg, r.success, r.response]), [
    ['login', 'sa', true, undefined],
    ['query', 'SELECT load_file("/etc/passwd")', false, 'denied'],
  ]);
  assert.equal(sink.get('conn')[0].service, 'mysql');
});
