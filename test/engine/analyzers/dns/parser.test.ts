/**
 * The DNS parser on hand-built messages: names and compression (backward pointers only, loops,
 * bounded chains), truncation, label limits, and the answer texts of each record type.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDnsMessage, type DnsMessage } from '../../../../src/engine/analyzers/dns/parser.js';
import { decodeNetbiosName } from '../../../../src/engine/analyzers/dns/state.js';
import { LIMITS } from '../../../../src/engine/support/limits.js';
import { wireText } from '../../../../src/engine/support/wire-text.js';
import { QUERY, RESPONSE, header, name, ptr, question, rr, u16 } from './build-dns.js';

function parse(msg: Buffer, netbios = false): DnsMessage {
  const m = parseDnsMessage(msg, 0, msg.length, { netbios });
  assert.ok(m);
  return m;
}

const weirds = (m: DnsMessage) => (m.weirds ?? []).map(([n]) => n);

/** A response to "Www.Example.COM" (question at offset 12) with the given answer records. */
function response(...answers: Buffer[]): Buffer {
  return Buffer.concat([header(7, RESPONSE, 1, answers.length), question(name('Www.Example.COM'), 1), ...answers]);
}

// ---- header, question, names ----

test('header fields and a lower-cased question without its trailing dot', () => {
  const m = parse(Buffer.concat([header(0x1234, 0x0130, 1, 0), question(name('Www.Example.COM'), 28)]));
  assert.equal(m.id, 0x1234);
  assert.equal(m.qr, false);
  assert.equal(m.rd, true);
  assert.equal(m.z, 3); // AD and Z-bit of 0x0030
  assert.deepEqual(m.questions, [{ name: 'www.example.com', qtype: 28, qclass: 1 }]);
  assert.ok(m.ok);
  assert.equal(m.weirds, undefined);
});

test('the root name is the empty string', () => {
  const m = parse(Buffer.concat([header(1, QUERY, 1, 0), question(name(''), 2)]));
  assert.equal(m.questions[0].name, '');
});

test('a backward compression pointer is followed, the answer owner lower-cased', () => {
  // example.com starts at offset 16 (12 + the 4 bytes of "\x03Www")
  const m = parse(response(rr(ptr(12), 5, 60, Buffer.concat([Buffer.from([4]), Buffer.from('Mail'), ptr(16)]))));
  assert.ok(m.ok);
  assert.deepEqual(m.answers, [{ name: 'www.example.com', type: 5, ttl: 60, summary: 'mail.example.com' }]);
});

test('a pointer to itself or forward is rejected (RFC 1035 §4.1.4: prior occurrence only)', () => {
  const self = parse(Buffer.concat([header(1, QUERY, 1, 0), ptr(12), u16(1), u16(1)]));
  assert.equal(self.ok, false);
  assert.deepEqual(weirds(self), ['DNS_label_forward_compress_offset']);
  const forward = parse(Buffer.concat([header(1, QUERY, 1, 0), ptr(20), u16(1), u16(1), name('example.com')]));
  assert.equal(forward.ok, false);
  assert.deepEqual(weirds(forward), ['DNS_label_forward_compress_offset']);
});

test('a loop through two pointers ends: the second jump would go forward', () => {
  // offset 12: a label then a pointer to 20; offset 20: a pointer back to 12.
  const body = Buffer.concat([Buffer.from([3]), Buffer.from('abc'), ptr(20), Buffer.alloc(2), ptr(12)]);
  const msg = Buffer.concat([header(1, RESPONSE, 0, 1), body, rr(ptr(20), 1, 1, Buffer.from([1, 2, 3, 4]))]);
  const m = parse(msg);
  assert.equal(m.ok, false);
  assert.ok(weirds(m).includes('DNS_label_forward_compress_offset'));
});

test('the capture bad-dns-compression-loop: its question is a pointer to itself', () => {
  const hex = 'ed6900000001000000000000c00cc007c010c017c020c027c030c0ffcf000000010001';
  const m = parse(Buffer.from(hex, 'hex'));
  assert.equal(m.ok, false);
  assert.deepEqual(weirds(m), ['DNS_label_forward_compress_offset']);
});

/** "a" owns a first record whose data is a chain of pointers, each to the one before (the
 *  first to "a" at offset 12); a second record is owned by the chain's last pointer. */
function pointerChain(n: number): Buffer {
  const chain: Buffer[] = [];
  let prev = 12;
  for (let i = 0; i < n; i++) {
    chain.push(ptr(prev));
    prev = 25 + 2 * i; // 12 + 3 ("a") + 10 (record header)
  }
  return Buffer.concat([header(1, RESPONSE, 0, 2), rr(name('a'), 0xff00, 1, Buffer.concat(chain)), rr(ptr(prev), 1, 1, Buffer.from([1, 2, 3, 4]))]);
}

test('a chain of backward pointers longer than the limit is cut', () => {
  const long = parse(pointerChain(LIMITS.dnsMaxNamePointers + 1));
  assert.equal(long.ok, false); // the second owner name cannot be read: the message stops there
  assert.deepEqual(weirds(long), ['DNS_RR_unknown_type', 'DNS_name_too_many_pointers']);
  assert.equal(long.answers.length, 1); // the unknown-type record only
  const short = parse(pointerChain(5));
  assert.deepEqual(short.answers.map((a) => [a.name, a.summary]), [['a', '<unknown type=65280>'], ['a', '1.2.3.4']]);
});

test('labels over 63 bytes are refused, except on the NetBIOS name service', () => {
  const long = Buffer.concat([Buffer.from([70]), Buffer.alloc(70, 0x41), Buffer.from([0])]);
  const msg = Buffer.concat([header(1, QUERY, 1, 0), question(long, 32)]);
  assert.deepEqual(weirds(parse(msg)), ['DNS_label_too_long']);
  const nb = parse(msg, true);
  assert.ok(nb.ok);
  assert.equal(nb.questions[0].name, 'a'.repeat(70));
});

test('truncations: question, record header, record data, label', () => {
  const q = parse(Buffer.concat([header(1, QUERY, 1, 0), name('a.b'), Buffer.from([0])]));
  assert.deepEqual(weirds(q), ['DNS_truncated_quest_too_short']);
  const base = Buffer.concat([header(1, RESPONSE, 1, 1), question(name('a.b'), 1)]);
  const hdr = parse(Buffer.concat([base, ptr(12), u16(1), u16(1)]));
  assert.deepEqual(weirds(hdr), ['DNS_truncated_ans_too_short']);
  const data = rr(ptr(12), 1, 5, Buffer.from([1, 2, 3, 4]));
  const cut = parse(Buffer.concat([base, data.subarray(0, data.length - 2)]));
  assert.deepEqual(weirds(cut), ['DNS_truncated_RR_rdlength_lt_len']);
  assert.equal(cut.ok, false);
  const label = parse(Buffer.concat([header(1, QUERY, 1, 0), Buffer.from([10, 0x61, 0x62])]));
  assert.deepEqual(weirds(label), ['DNS_label_len_gt_pkt']);
  assert.equal(parseDnsMessage(Buffer.alloc(11), 0, 11, { netbios: false }), undefined);
});

test('an answer count beyond the limit stops at the limit', () => {
  const a = rr(ptr(12), 1, 1, Buffer.from([10, 0, 0, 1]));
  const n = LIMITS.dnsMaxAnswers + 5;
  const msg = Buffer.concat([header(1, RESPONSE, 1, n), question(name('x.y'), 1), ...Array.from({ length: n }, () => a)]);
  const m = parse(msg);
  assert.ok(m.ok);
  assert.equal(m.answers.length, LIMITS.dnsMaxAnswers);
  assert.deepEqual(weirds(m), ['DNS_answer_limit']);
});

test('many questions mark non-DNS traffic (Zeek dns_max_queries)', () => {
  const m = parse(header(1, QUERY, LIMITS.dnsMaxQueries + 1, 0));
  assert.equal(m.ok, false);
  assert.equal(m.questions.length, 0);
});

// ---- record data ----

function answerText(type: number, rdata: Buffer): string | undefined {
  const m = parse(response(rr(ptr(12), type, 300, rdata)));
  return m.answers[0]?.summary;
}

function charStr(s: string): Buffer {
  return Buffer.concat([Buffer.from([s.length]), Buffer.from(s, 'latin1')]);
}

test('answer texts as Zeek writes them', () => {
  assert.equal(answerText(1, Buffer.from([192, 0, 2, 1])), '192.0.2.1');
  assert.equal(answerText(28, Buffer.from('20010db8000000000000000000000001', 'hex')), '2001:db8::1');
  assert.equal(answerText(28, Buffer.from('00000000000000000000ffffc0000201', 'hex')), '192.0.2.1');
  assert.equal(answerText(2, name('NS1.Example.com')), 'ns1.example.com');
  assert.equal(answerText(12, name('host.example')), 'host.example');
  assert.equal(answerText(15, Buffer.concat([u16(10), name('MX.example.com')])), 'mx.example.com');
  assert.equal(answerText(6, Buffer.concat([name('ns.example'), name('admin.example'), Buffer.alloc(20)])), 'ns.example');
  assert.equal(answerText(33, Buffer.concat([u16(0), u16(5), u16(389), name('dc.example')])), 'dc.example');
  assert.equal(answerText(16, Buffer.concat([charStr('v=spf1 -all'), charStr('x')])), 'TXT 11 v=spf1 -all TXT 1 x');
  assert.equal(answerText(99, charStr('v=spf1')), 'SPF 6 v=spf1');
  assert.equal(answerText(46, Buffer.concat([u16(1), Buffer.alloc(16), name('')])), 'RRSIG 1 <Root>');
  assert.equal(answerText(46, Buffer.concat([u16(28), Buffer.alloc(16), name('Example.com')])), 'RRSIG 28 example.com');
  assert.equal(answerText(48, Buffer.from([1, 1, 3, 8, 0xaa])), 'DNSKEY 8');
  assert.equal(answerText(43, Buffer.from([0, 1, 13, 2, 0xaa])), 'DS 13 2');
  assert.equal(answerText(47, Buffer.concat([name('next.example'), Buffer.from([0, 1, 0x40])])), 'NSEC www.example.com next.example');
  assert.equal(answerText(50, Buffer.alloc(8)), 'NSEC3');
  assert.equal(answerText(44, Buffer.from([1, 1, 0xde, 0xad])), 'SSHFP: dead');
  assert.equal(answerText(29, Buffer.from([0, 0x12, 0x16, 0x13, ...Array(12).fill(0)])), 'LOC:  18 22 19');
  assert.equal(answerText(35, Buffer.concat([u16(100), u16(10), charStr('S'), charStr('SIP+D2U'), charStr(''), name('_sip._udp.example')])),
    'NAPTR 100 10 S SIP+D2U _sip._udp.example');
  assert.equal(answerText(99 + 1000, Buffer.from([1])), '<unknown type=1099>');
  assert.equal(answerText(257, Buffer.concat([Buffer.from([0, 5]), Buffer.from('issueletsencrypt.org')])), 'CAA 0 issue letsencrypt.org');
  assert.equal(answerText(11, Buffer.from([1, 2, 3, 4, 6])), '');
  // Records Zeek's dns.log leaves out.
  assert.equal(answerText(13, Buffer.concat([charStr('CPU'), charStr('OS')])), undefined);
  assert.equal(answerText(41, Buffer.from([0, 0])), undefined);
});

test('HTTPS/SVCB: priority, target and parameters', () => {
  const params = Buffer.concat([
    u16(1), u16(6), Buffer.from([2, 0x68, 0x33, 2, 0x68, 0x32]), // alpn=h3,h2
    u16(3), u16(2), u16(8443), // port
    u16(4), u16(8), Buffer.from([104, 16, 132, 229, 104, 16, 133, 229]), // ipv4hint
    u16(5), u16(3), Buffer.from([1, 2, 3]), // ech
    u16(6), u16(16), Buffer.from('26064700000000000000000068108 4e5'.replace(/ /g, ''), 'hex'),
  ]);
  assert.equal(answerText(65, Buffer.concat([u16(1), name(''), params])),
    'HTTPS 1 . alpn=h3,h2 port=8443 ipv4hint=104.16.132.229,104.16.133.229 ech ipv6hint=2606:4700::6810:84e5');
  assert.equal(answerText(64, Buffer.concat([u16(0), name('Svc.Example')])), 'SVCB 0 Svc.Example');
  const m = parse(response(rr(ptr(12), 65, 1, Buffer.concat([u16(1), name(''), u16(1), u16(9), Buffer.from([2])]))));
  assert.equal(m.answers.length, 0);
  assert.deepEqual(weirds(m), ['DNS_SVCB_bad_param']);
});

test('bad record data is a weird and no answer, the next record is still read', () => {
  const m = parse(response(rr(ptr(12), 1, 1, Buffer.from([1, 2, 3])), rr(ptr(12), 1, 1, Buffer.from([1, 2, 3, 4]))));
  assert.ok(m.ok);
  assert.deepEqual(weirds(m), ['DNS_RR_bad_length']);
  assert.deepEqual(m.answers.map((a) => a.summary), ['1.2.3.4']);
  const txt = parse(response(rr(ptr(12), 16, 1, Buffer.from([5, 0x61]))));
  assert.deepEqual(weirds(txt), ['DNS_TXT_char_str_past_rdlen']);
});

test('NetBIOS names decode as Zeek does', () => {
  const enc = (s: string) => [...Buffer.from(s.padEnd(15, ' ') + '\x00', 'latin1')].map((b) => String.fromCharCode(0x41 + (b >> 4), 0x41 + (b & 15))).join('');
  assert.equal(decodeNetbiosName(enc('WORKGROUP')), 'WORKGROUP');
  assert.equal(decodeNetbiosName(enc('MDJR98').toLowerCase()), 'MDJR98');
  assert.equal(decodeNetbiosName('not-netbios'), '');
  assert.equal(decodeNetbiosName('Z'.repeat(32)), '');
});

// ---- the name text cache ----

test('names come out right however the name text cache is hit, missed or overwritten', () => {
  // Many more distinct names than cache slots, of equal lengths (slot clashes), names equal but
  // for one byte or for case, escaped bytes; picked at random so each is met cached and not.
  const names: string[] = [];
  for (let i = 0; i < LIMITS.dnsNameTextCacheEntries * 3; i++) names.push(`h${String(i).padStart(6, '0')}.example.net`);
  names.push('a.b', 'a.c', 'A.b', 'tab\there.x', 'back\\slash.x', 'caf\u00e9.x', 'x'.repeat(63) + '.' + 'y'.repeat(63));
  let seed = 11;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let k = 0; k < names.length * 3; k++) {
    const n = names[Math.floor(rand() * names.length)];
    const m = parse(Buffer.concat([header(1, QUERY, 1, 0), question(name(n), 1)]));
    // What the parser is to make of it: ASCII lower-cased, then wireText.
    const bytes = Buffer.from(n, 'latin1').map((c) => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c));
    assert.equal(m.questions[0].name, wireText(bytes), n);
  }
});
