/** IRC through the whole engine on other ports: found by its probe; FTP-like USER is not IRC. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../../helpers.js';
import { tcpSessionPcap } from '../ssh/build-ssh.js';

test('IRC on port 7000 is found by the probe', async () => {
  const file = tcpSessionPcap(50001, 7000, [
    [true, Buffer.from('NICK bot123\r\nUSER bot 0 * :bot\r\n')],
    [false, Buffer.from(':c2.example 001 bot123 :Welcome\r\n')],
    [true, Buffer.from('JOIN #cmd secret\r\n')],
  ]);
  const { sink } = await run(file);
  assert.deepEqual(sink.get('irc').map((r) => [r.command, r.value, r.addl]), [['NICK', 'bot123', undefined], ['USER', 'bot', '0 * bot'], ['JOIN', '#cmd', " with channel key: 'secret'"]]);
  assert.equal(sink.get('conn')[0].service, 'irc');
});

test('an FTP-style login on an odd port is not IRC', async () => {
  const file = tcpSessionPcap(50002, 2121, [
    [false, Buffer.from('220 ftp ready\r\n')],
    [true, Buffer.from('USER anonymous\r\n')],
    [false, Buffer.from('331 password please\r\n')],
  ]);
  const { sink } = await run(file);
  assert.equal(sink.get('irc').length, 0);
  assert.notEqual(sink.get('conn')[0].service, 'irc');
});
