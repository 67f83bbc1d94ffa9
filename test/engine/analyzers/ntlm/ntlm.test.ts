/**
 * NTLMSSP parsing (the one parser SMB, DCE/RPC and other carriers share): the three messages,
 * Unicode and OEM strings, target info AV pairs, SPNEGO negState, every truncation and random
 * garbage without an exception; and ntlm-synthetic.pcap's SMB authentications against tshark.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pcap, run } from '../../../helpers.js';
import { findNtlmssp, parseNtlmssp, spnegoNegState } from '../../../../src/engine/analyzers/ntlm/index.js';
import { ntlmAuthenticate, ntlmChallenge, ntlmNegotiate, spnegoResp } from '../smb/windows-builders.js';

const parse = (b: Buffer) => parseNtlmssp(b, 0, b.length);

test('NEGOTIATE, CHALLENGE target info and AUTHENTICATE names (Unicode and OEM)', () => {
  assert.deepEqual(parse(ntlmNegotiate()).msg, { type: 1 });
  assert.deepEqual(parse(ntlmChallenge('SRV', 'srv.example', 'example')).msg, { type: 2, nbComputerName: 'SRV', dnsComputerName: 'srv.example', dnsTreeName: 'example' });
  assert.deepEqual(parse(ntlmAuthenticate('DOM', 'Ünïcode user', 'HOST')).msg, { type: 3, domainName: 'DOM', userName: 'Ünïcode user', workstation: 'HOST' });
  assert.deepEqual(parse(ntlmAuthenticate('DOM', 'oem', 'H', false)).msg, { type: 3, domainName: 'DOM', userName: 'oem', workstation: 'H' });
  // Control characters in a name are escaped; a backslash stays.
  assert.equal((parse(ntlmAuthenticate('D', 'a\u0001b\\c', 'H')).msg as { userName: string }).userName, 'a\\x01b\\c');
  // Empty fields stay unset (Zeek sets them only when their length is non-zero).
  assert.deepEqual(parse(ntlmAuthenticate('', '', 'H')).msg, { type: 3, domainName: undefined, userName: undefined, workstation: 'H' });
});

test('SPNEGO: the NTLMSSP token is found inside, negState read from negTokenResp', () => {
  const chal = ntlmChallenge('A', 'b', 'c');
  const wrapped = spnegoResp(1, chal);
  const at = findNtlmssp(wrapped, 0, wrapped.length);
  assert.equal(at, wrapped.length - chal.length);
  assert.equal(spnegoNegState(wrapped, 0, wrapped.length), 1);
  const done = spnegoResp(0);
  assert.equal(spnegoNegState(done, 0, done.length), 0);
  assert.equal(spnegoNegState(chal, 0, chal.length), undefined);
});

test('every truncation and bit flips of the messages: no exception, out-of-bounds fields are weirds', () => {
  for (const m of [ntlmChallenge('SRV', 'srv.example', 'example'), ntlmAuthenticate('DOM', 'user', 'HOST')]) {
    for (let cut = 0; cut <= m.length; cut++) {
      const r = parseNtlmssp(m, 0, cut);
      assert.ok(r.msg || r.weirds);
      spnegoNegState(m, 0, cut);
    }
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.from(m);
      for (let k = 0; k < 4; k++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        b[8 + (seed % (b.length - 8))] = seed >>> 24;
      }
      parseNtlmssp(b, 0, b.length);
    }
  }
  const bad = ntlmAuthenticate('D', 'U', 'H');
  bad.writeUInt32LE(0xfffffff0, 36 + 4);
  assert.deepEqual(parse(bad).weirds, ['NTLM_field_out_of_bounds']);
});

test('ntlm-synthetic.pcap: SMB authentications (raw NTLMSSP and SPNEGO) as tshark decodes them', async () => {
  const CAP = 'ntlm-synthetic.pcap';
  const out = execFileSync('tshark', ['-r', pcap(CAP), '-Y', 'smb && ntlmssp.messagetype == 3', '-T', 'fields', '-e', 'tcp.srcport', '-e', 'ntlmssp.auth.username', '-e', 'ntlmssp.auth.hostname', '-e', 'ntlmssp.auth.domain'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const auths = out.trim().split('\n').map((l) => l.split('\t'));
  assert.equal(auths.length, 3);
  const { sink } = await run(pcap(CAP));
  const smb = sink.get('ntlm').filter((r) => r['id.resp_p'] === 445);
  assert.deepEqual(smb.map((r) => [String(r['id.orig_p']), r.username, r.hostname, r.domainname]).sort(), auths.sort());
});
