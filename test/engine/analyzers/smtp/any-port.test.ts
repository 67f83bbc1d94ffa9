/**
 * Any-port detection of the mail and FTP analyzers through the whole engine: each protocol on
 * a port nobody registered, found by its probe from the server's greeting or the client's
 * first command; a plain "220" greeting is decided by the client (SMTP EHLO vs FTP USER).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../../helpers.js';
import { dialoguePcap } from './mail-fakes.js';

const CASES: Array<{ service: string; log: string; steps: Array<[boolean, string]> }> = [
  { service: 'smtp', log: 'smtp', steps: [[false, '220 relay.example ESMTP\r\n'], [true, 'EHLO me\r\n'], [false, '250 ok\r\n'], [true, 'MAIL FROM:<a@b.c>\r\n'], [false, '250 ok\r\n'], [true, 'QUIT\r\n'], [false, '221 bye\r\n']] },
  { service: 'smtp', log: 'smtp', steps: [[false, '220 relay.example\r\n'], [true, 'HELO me\r\n'], [false, '250 ok\r\n'], [true, 'MAIL FROM:<a@b.c>\r\n'], [false, '250 ok\r\n']] },
  { service: 'ftp', log: 'ftp', steps: [[false, '220 files.example\r\n'], [true, 'USER anonymous\r\n'], [false, '331 pw\r\n'], [true, 'PASS x@y\r\n'], [false, '230 ok\r\n'], [true, 'PASV\r\n'], [false, '227 Entering Passive Mode (10,1,0,2,200,1)\r\n'], [true, 'QUIT\r\n'], [false, '221 bye\r\n']] },
  { service: 'pop3', log: 'pop3', steps: [[false, '+OK POP3 ready\r\n'], [true, 'USER bob\r\n'], [false, '+OK\r\n'], [true, 'QUIT\r\n'], [false, '+OK bye\r\n']] },
  { service: 'imap', log: 'imap', steps: [[false, '* OK IMAP4rev1 ready\r\n'], [true, 'a1 CAPABILITY\r\n'], [false, '* CAPABILITY IMAP4rev1\r\na1 OK done\r\n'], [true, 'a2 LOGOUT\r\n'], [false, '* BYE\r\na2 OK bye\r\n']] },
];

test('each protocol is found on an unregistered port and logs its records', async () => {
  for (const c of CASES) {
    const { sink } = await run(dialoguePcap(40123, c.steps));
    const conn = sink.get('conn')[0];
    assert.equal(conn.service, c.service, JSON.stringify(c.steps[0]));
    assert.ok(sink.get(c.log).length >= 1, c.log);
  }
});
