/** SSH through the whole engine on a port that is not 22: found by its probe, logged, service set. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../../helpers.js';
import { kexinit, packet, sshString, tcpSessionPcap } from './build-ssh.js';

const KEX = { kex: 'curve25519-sha256', hostKey: 'ssh-ed25519', enc: 'aes128-ctr', mac: 'hmac-sha2-256', cmp: 'none' };

test('SSH on port 2222: probe, ssh.log, conn.log service; the auth heuristic sees segment sizes', async () => {
  const hostKey = Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.alloc(32, 5))]);
  const file = tcpSessionPcap(50000, 2222, [
    [false, Buffer.from('SSH-2.0-OpenSSH_9.6\r\n')],
    [true, Buffer.from('SSH-2.0-PuTTY_Release_0.80\r\n')],
    [true, kexinit(KEX)],
    [false, kexinit(KEX)],
    [true, packet(30, sshString(Buffer.alloc(32, 1)))],
    [false, Buffer.concat([packet(31, Buffer.concat([sshString(hostKey), sshString(Buffer.alloc(32)), sshString(Buffer.alloc(83))])), packet(21, Buffer.alloc(0))])],
    [true, packet(21, Buffer.alloc(0))],
    [true, Buffer.alloc(52, 9)], [false, Buffer.alloc(52, 9)], [true, Buffer.alloc(120, 9)], [false, Buffer.alloc(36, 9)],
  ]);
  const { sink } = await run(file);
  const [r] = sink.get('ssh');
  assert.equal(r['id.resp_p'], 2222);
  assert.equal(r.client, 'SSH-2.0-PuTTY_Release_0.80');
  assert.equal(r.kex_alg, 'curve25519-sha256');
  assert.equal(r.auth_success, true);
  assert.equal(r.auth_attempts, 1);
  assert.equal(sink.get('conn')[0].service, 'ssh');
});
