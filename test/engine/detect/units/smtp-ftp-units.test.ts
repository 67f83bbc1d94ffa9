/** SMTP envelope and FTP command units on real captures, against tshark. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pcap } from '../../../helpers.js';
import { record, text, tshark, values } from './recorder.js';

test('smtp-starttls: the EHLO before STARTTLS is inspected when the session hands over to TLS', async () => {
  const file = pcap('smtp-starttls.pcap');
  const { inspector } = await record(file, new Set(['smtp', 'tls']));
  const units = inspector.of('smtp');
  assert.equal(units.length, 1);
  const ehlo = tshark(file, 'smtp.req.command == "EHLO"', 'smtp.req.parameter')[0];
  assert.equal(text(units[0], 'smtp.helo'), ehlo);
  assert.equal(units[0].isOrig, true);
  assert.equal(units[0].buffers['smtp.mail_from'], undefined);
  assert.ok(inspector.of('tls', true).length > 0, 'the TLS after STARTTLS is inspected too');
});

test('smtp-zip-attachment: one envelope unit at DATA, MAIL FROM without its SIZE parameter', async () => {
  const file = pcap('smtp-zip-attachment.pcap');
  const { inspector } = await record(file, new Set(['smtp']));
  const units = inspector.of('smtp');
  assert.equal(units.length, 1);
  const u = units[0];
  const from = tshark(file, 'smtp.req.command == "MAIL"', 'smtp.req.parameter')[0];
  const to = tshark(file, 'smtp.req.command == "RCPT"', 'smtp.req.parameter')[0];
  assert.equal(`From:${text(u, 'smtp.mail_from')} SIZE=1379`, from);
  assert.deepEqual(values(u, 'smtp.rcpt_to').map((r) => `To:${r}`), [to]);
  assert.equal(text(u, 'smtp.helo'), tshark(file, 'smtp.req.command == "EHLO"', 'smtp.req.parameter')[0]);
});

test('ftp-login: one unit per command, ftp.command / ftp.command_data as tshark', async () => {
  const file = pcap('ftp-login.pcap');
  const { inspector } = await record(file, new Set(['ftp']));
  const units = inspector.of('ftp');
  const oracle = tshark(file, 'ftp.request', 'ftp.request.command', 'ftp.request.arg');
  assert.equal(units.length, oracle.length);
  oracle.forEach((line, i) => {
    const [cmd, arg] = line.split('\t');
    assert.equal(text(units[i], 'ftp.command'), cmd);
    assert.equal(text(units[i], 'ftp.command_data'), arg === '' || arg === undefined ? undefined : arg);
    assert.equal(units[i].isOrig, true);
    assert.equal(units[i].txId, i);
  });
});
