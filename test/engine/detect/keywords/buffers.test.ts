import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesBuffer, rule, ruleError } from './rule-helpers.js';

const HTTP = 'alert http any any -> any any';

test('legacy content modifiers move the preceding content to the sticky buffer', () => {
  const r = rule('content:"POST"; http_method; content:"/login"; http_uri; nocase; content:"admin"; content:"curl"; http_user_agent;', HTTP);
  assert.deepEqual(r.lists.map((l) => [l.buffer, l.direction]), [['payload', 'both'], ['http.method', 'toServer'], ['http.uri', 'toServer'], ['http.user_agent', 'toServer']]);
  assert.equal(matchesBuffer(r, 'http.uri', '/LOGIN.php'), true);
  assert.equal(matchesBuffer(r, 'http.method', 'GET'), false);
  assert.equal(matchesBuffer(r, 'payload', 'user admin'), true);
  // Relative chains move with their contents.
  const chain = rule('content:"/a"; http_uri; content:"b"; http_uri; distance:0; within:1;', HTTP);
  assert.equal(matchesBuffer(chain, 'http.uri', '/ax/ab'), true);
  assert.equal(matchesBuffer(chain, 'http.uri', '/ax'), false);
  assert.match(ruleError('http_uri; content:"x";', HTTP), /must follow a content/);
});

test('old sticky spellings (file_data, dns_query, tls_sni) and pkt_data back to the payload', () => {
  assert.deepEqual(rule('file_data; content:"MZ";', HTTP).lists.map((l) => l.buffer), ['file.data']);
  assert.deepEqual(rule('dns_query; content:"evil";', 'alert dns any any -> any any').lists.map((l) => l.buffer), ['dns.query']);
  assert.deepEqual(rule('http.uri; content:"/x"; pkt_data; content:"GET";', HTTP).lists.map((l) => l.buffer), ['payload', 'http.uri']);
  assert.deepEqual(rule('tls.cert_subject; content:"CN=";', 'alert tls any any -> any any').lists.map((l) => l.direction), ['toClient']);
  assert.match(ruleError('http.uri; sid:1;', HTTP), /http.uri has no content/);
});

test('transforms: dotprefix, to_lowercase, strip_whitespace, to_sha256, url_decode; transformed lists are not fast patterns', () => {
  const dot = rule('dns.query; dotprefix; content:".example.com"; endswith;', 'alert dns any any -> any any');
  assert.equal(matchesBuffer(dot, 'dns.query', 'example.com'), true);
  assert.equal(matchesBuffer(dot, 'dns.query', 'badexample.com'), false);
  assert.equal(matchesBuffer(dot, 'dns.query', 'www.example.com'), true);
  assert.equal(dot.fastPattern, undefined);
  assert.equal(matchesBuffer(rule('http.uri; to_lowercase; content:"/admin";', HTTP), 'http.uri', '/ADMIN'), true);
  assert.equal(matchesBuffer(rule('http.header; strip_whitespace; content:"a:b";', HTTP), 'http.header', 'a : b'), true);
  assert.equal(matchesBuffer(rule('http.uri; url_decode; content:"union select";', HTTP), 'http.uri', '/?q=union%20select'), true);
  // sha256("abc")
  const sha = rule('http.uri; to_sha256; content:"|ba 78 16 bf 8f 01 cf ea 41 41 40 de 5d ae 22 23 b0 03 61 a3 96 17 7a 9c b4 10 ff 61 f2 00 15 ad|";', HTTP);
  assert.equal(matchesBuffer(sha, 'http.uri', 'abc'), true);
  assert.match(ruleError('dotprefix; content:"x";'), /sticky buffer/);
});

test('file keywords: filemagic, filesize, fileext, filename', () => {
  const r = rule('filemagic:"PE32 executable"; filesize:>1000; fileext:"exe"; filename:"setup";', HTTP);
  const facts = { magic: 'PE32 executable (GUI) Intel 80386, for MS Windows', size: 5000 };
  assert.equal(r.factTests.every((t) => t.test(facts)), true);
  assert.equal(r.factTests.every((t) => t.test({ ...facts, size: 10 })), false);
  assert.equal(r.factTests.every((t) => t.test({ magic: 'ASCII text', size: 5000 })), false);
  assert.equal(matchesBuffer(r, 'file.name', 'setup64.EXE'), true);
  assert.equal(matchesBuffer(r, 'file.name', 'setup64.exe.txt'), false);
  assert.equal(matchesBuffer(r, 'file.name', 'install.exe'), false);
  assert.equal(rule('filemagic:!"PE32";', HTTP).factTests[0].test({ magic: 'PDF document' }), true);
});

test('app value keywords: tls.version, ssh.protoversion, ssh.softwareversion', () => {
  const tls = rule('tls.version:1.2;', 'alert tls any any -> any any');
  assert.equal(matchesBuffer(tls, 'tls.version', Uint8Array.from([3, 3])), true);
  assert.equal(matchesBuffer(tls, 'tls.version', 'TLSv1.2'), true);
  assert.equal(matchesBuffer(tls, 'tls.version', 'TLSv1.0'), false);
  assert.equal(matchesBuffer(tls, 'tls.version', '0x0303'), true);
  assert.equal(matchesBuffer(tls, 'tls.version', Uint8Array.from([3, 1])), false);
  const ssh = rule('ssh.protoversion:2_compat; ssh.softwareversion:OpenSSH*;', 'alert ssh any any -> any any');
  assert.equal(matchesBuffer(ssh, 'ssh.proto', '1.99'), true);
  assert.equal(matchesBuffer(ssh, 'ssh.software', 'OpenSSH_8.9'), true);
  assert.equal(matchesBuffer(ssh, 'ssh.software', 'libssh_0.9'), false);
  assert.match(ruleError('tls.version:9.9;', 'alert tls any any -> any any'), /unknown version/);
});

test('numeric fact keywords: dns.opcode, dns.rcode, krb5_msg_type, krb5_err_code', () => {
  const dns = rule('dns.opcode:!0; dns.rcode:3;', 'alert dns any any -> any any');
  assert.equal(dns.factTests.every((t) => t.test({ opcode: 5, rcode: 3 })), true);
  assert.equal(dns.factTests.every((t) => t.test({ opcode: 0, rcode: 3 })), false);
  assert.equal(dns.factTests.every((t) => t.test(undefined)), false);
  const krb = rule('krb5_msg_type:30; krb5_err_code:24;', 'alert krb5 any any -> any any');
  assert.equal(krb.factTests.every((t) => t.test({ msg_type: 30, error_code: 24 })), true);
  assert.equal(krb.factTests.every((t) => t.test({ msg_type: 11 })), false);
});
