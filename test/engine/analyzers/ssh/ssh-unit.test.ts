/**
 * The SSH analyzer driven directly with hand-built conversations: banners, algorithm
 * negotiation, host key fingerprint, Zeek's authentication size heuristic, the version rules;
 * every split point gives the same record, garbage and truncation never throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SshAnalyzer, findAlg, scriptVersion } from '../../../../src/engine/analyzers/ssh/ssh-analyzer.js';
import { probeSsh } from '../../../../src/engine/analyzers/ssh/index.js';
import { fakeCtx, kexinit, newOut, packet, sshString, type Out } from './build-ssh.js';

const HOST_KEY = Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.alloc(32, 7))]);
const CLIENT_KEX = { kex: 'curve25519-sha256,diffie-hellman-group14-sha256', hostKey: 'rsa-sha2-512,ssh-ed25519', enc: 'aes256-gcm@openssh.com,aes128-ctr', mac: 'hmac-sha2-256', cmp: 'none,zlib@openssh.com' };
const SERVER_KEX = { kex: 'diffie-hellman-group14-sha256,curve25519-sha256', hostKey: 'ssh-ed25519', enc: 'aes128-ctr,aes256-gcm@openssh.com', mac: 'hmac-sha2-512,hmac-sha2-256', cmp: 'none' };

/** The conversation as segments, [isOrig, bytes]. */
function conversation(encrypted: Array<[boolean, number]> = []): Array<[boolean, Buffer]> {
  const segs: Array<[boolean, Buffer]> = [
    [false, Buffer.from('SSH-2.0-OpenSSH_9.6\r\n')],
    [true, Buffer.from('SSH-2.0-Go\r\n')],
    [true, kexinit(CLIENT_KEX)],
    [false, kexinit(SERVER_KEX)],
    [true, packet(30, sshString(Buffer.alloc(32, 1)))],
    [false, Buffer.concat([packet(31, Buffer.concat([sshString(HOST_KEY), sshString(Buffer.alloc(32, 2)), sshString(Buffer.alloc(83, 3))])), packet(21, Buffer.alloc(0))])],
    [true, packet(21, Buffer.alloc(0))],
  ];
  for (const [o, n] of encrypted) segs.push([o, Buffer.alloc(n, 0x5a)]);
  return segs;
}

function drive(segs: Array<[boolean, Buffer]>, cut: (b: Buffer) => Buffer[] = (b) => [b]): Out {
  const out = newOut();
  const a = new SshAnalyzer(fakeCtx(out));
  for (const [o, b] of segs) for (const p of cut(b)) a.data(o, p, 0, p.length);
  a.done();
  return out;
}

function md5colons(b: Buffer): string {
  return createHash('md5').update(b).digest('hex').match(/../g)!.join(':');
}

test('banners, negotiated algorithms, host key, HASSH', () => {
  const out = drive(conversation());
  assert.equal(out.logs.length, 1);
  const [path, r] = out.logs[0];
  assert.equal(path, 'ssh');
  assert.equal(r.ts, 100); // the first banner
  assert.equal(r.client, 'SSH-2.0-Go');
  assert.equal(r.server, 'SSH-2.0-OpenSSH_9.6');
  assert.equal(r.version, 2);
  assert.equal(r.kex_alg, 'curve25519-sha256'); // the client's preference wins
  assert.equal(r.host_key_alg, 'ssh-ed25519');
  assert.equal(r.cipher_alg, 'aes256-gcm@openssh.com');
  assert.equal(r.mac_alg, 'hmac-sha2-256');
  assert.equal(r.compression_alg, 'none');
  assert.equal(r.host_key, md5colons(HOST_KEY));
  const ha = `${CLIENT_KEX.kex};${CLIENT_KEX.enc};${CLIENT_KEX.mac};${CLIENT_KEX.cmp}`;
  assert.equal(r.hasshAlgorithms, ha);
  assert.equal(r.hassh, createHash('md5').update(ha).digest('hex'));
  assert.equal(r.hasshServerAlgorithms, `${SERVER_KEX.kex};${SERVER_KEX.enc};${SERVER_KEX.mac};${SERVER_KEX.cmp}`);
  assert.equal(r.auth_attempts, 0);
  assert.equal(r.auth_success, undefined);
  assert.equal(out.confirms, 1); // on NEWKEYS, as Zeek
  assert.deepEqual(out.violations, []);
});

test("Zeek's size heuristic: failure size repeated, then success = service accept - 16", () => {
  // client request, server SERVICE_ACCEPT (52), USERAUTH_FAILURE (68) twice, SUCCESS (36)
  const out = drive(conversation([[true, 52], [false, 52], [true, 100], [false, 68], [true, 100], [false, 68], [true, 100], [false, 36], [false, 500]]));
  const r = out.logs[0][1];
  assert.equal(r.auth_success, true);
  assert.equal(r.auth_attempts, 2); // the first failure only sets the size; the repeat and the success count
  assert.equal(out.logs.length, 1); // logged at the success, not again at done()
});

test('heuristic: success on the first try (none method) and a failure-only connection', () => {
  let r = drive(conversation([[true, 52], [false, 52], [true, 100], [false, 36]])).logs[0][1];
  assert.equal(r.auth_success, true);
  assert.equal(r.auth_attempts, 1);
  r = drive(conversation([[true, 52], [false, 52], [true, 100], [false, 68], [true, 100], [false, 68]])).logs[0][1];
  assert.equal(r.auth_success, false);
  assert.equal(r.auth_attempts, 1);
  // server data before any client encrypted data is ignored; a pre-auth banner is skipped once
  r = drive(conversation([[false, 52], [true, 52], [false, 52], [true, 100], [false, 900], [false, 68], [false, 68], [false, 36]])).logs[0][1];
  assert.equal(r.auth_success, true);
  assert.equal(r.auth_attempts, 2);
});

test('heuristic: no verdict with zlib compression', () => {
  const segs = conversation([[true, 52], [false, 52], [true, 100], [false, 36]]);
  const zc = { ...CLIENT_KEX, cmp: 'zlib@openssh.com,none' };
  const zs = { ...SERVER_KEX, cmp: 'zlib@openssh.com,none' };
  segs[2] = [true, kexinit(zc)];
  segs[3] = [false, kexinit(zs)];
  const r = drive(segs).logs[0][1];
  assert.equal(r.compression_alg, 'zlib@openssh.com');
  assert.equal(r.auth_success, undefined);
  assert.equal(r.auth_attempts, 0);
});

test('every split point gives the same record (cleartext part)', () => {
  const segs = conversation();
  const whole = drive(segs);
  const max = Math.max(...segs.map(([, b]) => b.length));
  for (let at = 1; at < max; at++) {
    const split = drive(segs, (b) => (at < b.length ? [b.subarray(0, at), b.subarray(at)] : [b]));
    assert.deepEqual(split.logs, whole.logs, `split at ${at}`);
  }
  // one byte at a time
  assert.deepEqual(drive(segs, (b) => Array.from(b, (_, i) => b.subarray(i, i + 1))).logs.map(([, r]) => ({ ...r, auth_attempts: 0 })), whole.logs.map(([, r]) => r));
  // everything of a side in one chunk
  const orig = Buffer.concat(segs.filter(([o]) => o).map(([, b]) => b));
  const resp = Buffer.concat(segs.filter(([o]) => !o).map(([, b]) => b));
  assert.deepEqual(drive([[true, orig], [false, resp]]).logs, whole.logs);
});

test('a server sends lines before its banner; a client that does not speak SSH is a violation', () => {
  const segs = conversation();
  segs[0] = [false, Buffer.from('Welcome\r\nto the box\nSSH-2.0-OpenSSH_9.6\r\n')];
  assert.equal(drive(segs).logs[0][1].server, 'SSH-2.0-OpenSSH_9.6');
  const out = drive([[false, Buffer.from('SSH-2.0-x\r\n')], [true, Buffer.from('GET / HTTP/1.1\r\n')]]);
  assert.ok(out.violations.length > 0);
  assert.equal(out.logs[0][1].server, 'SSH-2.0-x');
  assert.equal(out.logs[0][1].client, undefined);
  assert.equal(out.logs[0][1].version, undefined);
});

test('banner text goes through wireText; an endless banner stops at the limit', () => {
  const out = drive([[false, Buffer.from('SSH-2.0-a\x01\\\xff\r\n', 'latin1')]]);
  assert.equal(out.logs[0][1].server, 'SSH-2.0-a\\x01\\x5c\\xff');
  const long = drive([[false, Buffer.alloc(5000, 0x41)]]);
  assert.ok(long.weirds.includes('ssh_banner_too_long'));
  assert.equal(long.logs.length, 0);
});

test('oversized and malformed packets stop the side with a weird, never throw', () => {
  const big = Buffer.alloc(8);
  big.writeUInt32BE(0x7fffffff);
  let out = drive([[false, Buffer.from('SSH-2.0-a\r\n')], [true, Buffer.from('SSH-2.0-b\r\n')], [true, big]]);
  assert.ok(out.weirds.includes('SSH_max_packet_length_exceeded'));
  const bad = Buffer.from([0, 0, 0, 4, 9, 20, 0, 0]); // padding longer than the packet
  out = drive([[false, Buffer.from('SSH-2.0-a\r\n')], [true, Buffer.from('SSH-2.0-b\r\n')], [true, bad]]);
  assert.ok(out.weirds.includes('ssh_malformed_packet'));
  // a KEXINIT whose name-list runs past the packet
  const k = kexinit(CLIENT_KEX);
  k.writeUInt32BE(0xffff, 6 + 16);
  out = drive([[false, Buffer.from('SSH-2.0-a\r\n')], [true, Buffer.from('SSH-2.0-b\r\n')], [true, k]]);
  assert.ok(out.weirds.includes('ssh_malformed_kexinit'));
  assert.equal(out.logs[0][1].hassh, undefined);
});

test('random garbage and truncations never throw', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const segs = conversation([[true, 52], [false, 52]]);
  for (let n = 0; n < 300; n++) {
    const mutated = segs.map(([o, b]) => {
      const c = Buffer.from(b);
      for (let k = 0; k < 3; k++) c[Math.floor(rnd() * c.length)] = Math.floor(rnd() * 256);
      return [o, rnd() < 0.2 ? c.subarray(0, Math.floor(rnd() * c.length)) : c] as [boolean, Buffer];
    });
    drive(mutated);
  }
  const junk = Buffer.alloc(4096);
  for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(rnd() * 256);
  drive([[true, junk], [false, junk]]);
});

test('a gap stops parsing on both sides, the record is still logged', () => {
  const out = newOut();
  const a = new SshAnalyzer(fakeCtx(out));
  const segs = conversation();
  a.data(false, segs[0][1], 0, segs[0][1].length);
  a.data(true, segs[1][1], 0, segs[1][1].length);
  a.gap(true, 100);
  for (const [o, b] of segs.slice(2)) a.data(o, b, 0, b.length);
  a.done();
  assert.equal(out.logs.length, 1);
  assert.equal(out.logs[0][1].client, 'SSH-2.0-Go');
  assert.equal(out.logs[0][1].kex_alg, undefined);
});

test("version as Zeek's set_version derives it", () => {
  assert.equal(scriptVersion('SSH-2.0-a', 'SSH-2.0-b'), 2);
  assert.equal(scriptVersion('SSH-2.0-a', 'SSH-1.99-b'), 2);
  assert.equal(scriptVersion('SSH-1.99-a', 'SSH-2.0-b'), 2);
  assert.equal(scriptVersion('SSH-1.5-a', 'SSH-2.0-b'), 0);
  assert.equal(scriptVersion('SSH-2.0-a', 'SSH-1.5-b'), 0);
  assert.equal(scriptVersion('SSH-1.5-a', 'SSH-1.99-b'), 1);
  assert.equal(scriptVersion('SSH-1.99-a', 'SSH-1.99-b'), 2);
  assert.equal(scriptVersion('SSH-1.99-a', 'SSH-1.5-b'), 1);
  assert.equal(scriptVersion('SSH-1.5-a', 'SSH-1.5-b'), 1);
  assert.equal(scriptVersion('SSH-', 'SSH-2.0'), undefined);
  assert.equal(findAlg(['a', 'b'], ['c']), 'Algorithm negotiation failed');
});

test('probe: "SSH-" at the start of a side', () => {
  assert.equal(probeSsh(Buffer.from('SSH-2.0-x'), 0, 9), 'yes');
  assert.equal(probeSsh(Buffer.from('SS'), 0, 2), 'more');
  assert.equal(probeSsh(Buffer.from('SSX-'), 0, 4), 'no');
  assert.equal(probeSsh(Buffer.from('GET /'), 0, 5), 'no');
});

test('SSH1: the public key message gives the host key (MD5 of modulus then exponent), the session key confirms', () => {
  const mp = (bytes: Buffer) => { const h = Buffer.alloc(2); h.writeUInt16BE(bytes.length * 8); return Buffer.concat([h, bytes]); };
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  const ssh1 = (type: number, data: Buffer) => {
    const plen = 1 + data.length + 4;
    const pad = 8 - (plen % 8);
    return Buffer.concat([u32(plen), Buffer.alloc(pad), Buffer.from([type]), data, Buffer.alloc(4)]);
  };
  const hostE = Buffer.from([1, 0, 1]), hostN = Buffer.alloc(128, 0xc3);
  const pub = ssh1(2, Buffer.concat([Buffer.alloc(8, 9), u32(768), mp(Buffer.from([0x23])), mp(Buffer.alloc(96, 0xa5)), u32(1024), mp(hostE), mp(hostN), u32(0), u32(0x44), u32(0x24)]));
  const sess = ssh1(3, Buffer.concat([Buffer.from([3]), Buffer.alloc(8, 9), mp(Buffer.alloc(96, 7)), u32(0)]));
  const segs: Array<[boolean, Buffer]> = [
    [false, Buffer.from('SSH-1.5-OpenSSH_1.2.3\n')], [true, Buffer.from('SSH-1.5-1.2.27\n')],
    [false, pub], [true, sess], [true, Buffer.alloc(64, 1)], [false, Buffer.alloc(32, 2)],
  ];
  const whole = drive(segs);
  const r = whole.logs[0][1];
  assert.equal(r.version, 1);
  assert.equal(r.host_key, md5colons(Buffer.concat([hostN, hostE])));
  assert.equal(r.auth_success, undefined); // the heuristic is SSH2 only
  assert.equal(whole.confirms, 1);
  for (let at = 1; at < pub.length; at++) {
    assert.deepEqual(drive(segs, (b) => (at < b.length ? [b.subarray(0, at), b.subarray(at)] : [b])).logs, whole.logs, `split at ${at}`);
  }
});
