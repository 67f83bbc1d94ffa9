/**
 * login.log (Telnet, rlogin): the shared Telnet capture checked against tshark's Telnet dissector
 * (the client line after the "login:" prompt, TERMINAL-TYPE / X-DISPLAY-LOCATION values), and
 * synthetic sessions for what the capture doesn't show: keystroke-at-a-time typing with
 * backspace, a failed attempt, rlogin's handshake, Telnet on another port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pcap, run } from '../../../helpers.js';
import { tcpSessionPcap } from '../ssh/build-ssh.js';
import { loginAnalyzers } from '../../../../src/engine/analyzers/login/index.js';
import { ANALYZERS } from '../../../../src/engine/analyzers/index.js';

const IAC = 255, WILL = 251, DO = 253, SB = 250, SE = 240;

test('telnet.pcap: user, outcome, terminal and display agree with tshark', async () => {
  const file = pcap('telnet.pcap');
  const lines = execFileSync('tshark', ['-r', file, '-Y', 'telnet', '-T', 'fields', '-e', 'telnet.data', '-e', 'telnet.string_subopt.value'], { encoding: 'utf8' })
    .split('\n').filter((l) => l.trim() !== '');
  const data = lines.map((l) => l.split('\t')[0]);
  const promptAt = data.findIndex((d) => d.startsWith('login:'));
  const tsharkUser = data[promptAt + 1].replace(/\\r\\n$/, '');
  const subopts = lines.flatMap((l) => (l.split('\t')[1] ?? '').split(',')).filter((v) => v !== '');
  const { sink } = await run(file);
  const [rec] = sink.get('login');
  assert.equal(rec.service, 'telnet');
  assert.equal(rec.user, tsharkUser);
  assert.equal(rec.user, 'fake');
  assert.equal(rec.password, '<hidden>');
  assert.equal(rec.success, true, 'followed by "Last login"');
  assert.ok(subopts.includes(rec.terminal as string), `terminal ${rec.terminal} in ${subopts}`);
  assert.ok(subopts.includes(rec.display as string), `display ${rec.display} in ${subopts}`);
  assert.equal(sink.get('conn')[0].service, 'telnet');
  const [cred] = sink.get('credentials');
  assert.deepEqual([cred.service, cred.username, cred.password, cred.success, cred.uid], ['telnet', 'fake', '<hidden>', true, rec.uid]);
});

test('the typed password is shown only on request', async () => {
  const { sink } = await run(pcap('telnet.pcap'), { analyzers: [...loginAnalyzers({ showCredentials: true })], showCredentials: true });
  assert.equal(sink.get('login')[0].password, 'user');
  assert.equal(sink.get('credentials')[0].password, 'user');
});

const neg = Buffer.from([IAC, DO, 24, IAC, WILL, 1]);

test('keystrokes one per packet, with backspace, after a failed attempt on port 2323', async () => {
  const segs: Array<[boolean, Buffer]> = [[false, neg], [true, Buffer.from([IAC, WILL, 24, IAC, SB, 24, 0, ...Buffer.from('vt100'), IAC, SE])]];
  const type = (s: string) => { for (const ch of s) segs.push([true, Buffer.from(ch, 'latin1')]); };
  segs.push([false, Buffer.from('\r\nrouter1 login: ')]);
  type('admin\r\n');
  segs.push([false, Buffer.from('Password: ')]);
  type('wrong\r\n');
  segs.push([false, Buffer.from('\r\nLogin incorrect\r\nrouter1 login: ')]);
  type('rooz\x7ft\r\n');
  segs.push([false, Buffer.from('Password: ')]);
  type('toor\r\n');
  segs.push([false, Buffer.from('\r\nroot@router1:~# ')]);
  const { sink } = await run(tcpSessionPcap(40000, 2323, segs));
  const [rec] = sink.get('login');
  assert.equal(sink.get('conn')[0].service, 'telnet', 'found by its option negotiation');
  assert.deepEqual([rec.user, rec.success, rec.terminal], ['root', true, 'vt100']);
  const creds = sink.get('credentials').map((c) => [c.username, c.success]);
  assert.deepEqual(creds, [['admin', false], ['root', true]]);
});

test('rlogin: the handshake names both users and the terminal', async () => {
  const hello = Buffer.from('\0alice\0root\0xterm/38400\0', 'latin1');
  const file = tcpSessionPcap(1023, 513, [[true, hello], [false, Buffer.from([0])], [false, Buffer.from('Password: ')], [true, Buffer.from('s3cret\r')], [false, Buffer.from('\r\nLast login: today\r\n$ ')]]);
  const { sink } = await run(file);
  const [rec] = sink.get('login');
  assert.deepEqual([rec.service, rec.client_user, rec.user, rec.terminal, rec.success], ['rlogin', 'alice', 'root', 'xterm/38400', true]);
  assert.equal(sink.get('conn')[0].service, 'rlogin');
});

test('a stream without Telnet negotiation on port 23 is not confirmed as telnet', async () => {
  const file = tcpSessionPcap(40001, 23, [[true, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')], [false, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')]]);
  const { sink } = await run(file, { analyzers: ANALYZERS });
  assert.equal(sink.get('login').length, 0);
  assert.equal(sink.get('conn')[0].service, 'http');
});
