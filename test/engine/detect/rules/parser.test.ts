import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseRules } from '../../../../src/engine/detect/rules/parser.js';
import { parseClassificationConfig } from '../../../../src/engine/detect/rules/classification.js';
import { createMatchState } from '../../../../src/engine/detect/match/state.js';

const FIXTURE = new URL('./fixtures/suricata-docs.rules', import.meta.url).pathname;

test('every rule of the documentation-style fixture loads; disabled ones are counted', () => {
  const r = parseRules(readFileSync(FIXTURE, 'utf8'), { file: FIXTURE });
  assert.deepEqual(r.errors, []);
  assert.deepEqual([...r.unsupported], []);
  assert.equal(r.rules.length, 45);
  assert.equal(r.disabled, 2);
  const multi = r.rules.find((x) => x.sid === 1000043)!;
  assert.equal(multi.line, 59);
  assert.deepEqual(multi.lists.map((l) => l.buffer), ['http.uri']);
  assert.equal(multi.appProto, 'http');
  assert.deepEqual(multi.ipProtos, [6]);
  const dns = r.rules.find((x) => x.sid === 1000025)!;
  assert.deepEqual(dns.ipProtos, [6, 17]);
});

test('header: variables, address lists with negation, CIDR v4/v6, ports and ranges', () => {
  const r = parseRules([
    'alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (sid:1;)',
    'alert tcp [10.0.0.0/24,!10.0.0.5] 1024: -> ![1.1.1.1,1.1.1.2] [1:80,![2,4],8080] (sid:2;)',
    'alert ip [2001:db8::/32,!2001:db8::1] any -> any any (sid:3;)',
    'alert tcp $HOME_NET any -> any any (sid:4;)',
  ].join('\n'), { vars: { HOME_NET: '[192.0.2.0/24]' } });
  assert.deepEqual(r.errors, []);
  const [a, b, c, d] = r.rules;
  assert.equal(a.src.matches('192.168.1.1'), false, 'user HOME_NET replaces the default');
  assert.equal(d.src.matches('192.0.2.77'), true);
  assert.equal(a.dst.matches('192.0.2.1'), false, 'EXTERNAL_NET is !HOME_NET');
  assert.equal(a.dst.matches('8.8.8.8'), true);
  assert.equal(a.dstPorts.matches(80), true);
  assert.equal(a.dstPorts.matches(443), false);
  assert.equal(a.srcPorts.any, true);
  assert.equal(b.src.matches('10.0.0.4'), true);
  assert.equal(b.src.matches('10.0.0.5'), false);
  assert.equal(b.src.matches('10.0.1.4'), false);
  assert.equal(b.dst.matches('1.1.1.2'), false);
  assert.equal(b.dst.matches('1.1.1.3'), true);
  assert.equal(b.srcPorts.matches(1023), false);
  assert.equal(b.srcPorts.matches(65535), true);
  assert.deepEqual([1, 2, 3, 4, 5, 80, 81, 8080].map((p) => b.dstPorts.matches(p)), [true, false, true, false, true, true, false, true]);
  assert.equal(c.src.matches('2001:db8::2'), true);
  assert.equal(c.src.matches('2001:db8::1'), false);
  assert.equal(c.src.matches('2001:db9::2'), false);
  assert.equal(c.src.matches('10.0.0.1'), false);
  // The word form the engine uses on its hot path: IPv4 as ::ffff:a.b.c.d.
  assert.equal(b.src.matchesWords(0, 0, 0xffff, 0x0a000004), true);
  assert.equal(b.src.matchesWords(0, 0, 0xffff, 0x0a000005), false);
});

test('Suricata default variables: HOME_NET private ranges, $HTTP_SERVERS, $SSH_PORTS, $FILE_DATA_PORTS', () => {
  const r = parseRules('alert tcp $EXTERNAL_NET $FILE_DATA_PORTS -> $HTTP_SERVERS $SSH_PORTS (sid:1;)');
  const x = r.rules[0];
  assert.equal(x.dst.matches('172.16.5.5'), true);
  assert.equal(x.dst.matches('172.32.0.1'), false);
  assert.equal(x.src.matches('172.16.5.5'), false);
  assert.deepEqual([80, 110, 143, 22].map((p) => x.srcPorts.matches(p)), [true, true, true, false]);
  assert.equal(x.dstPorts.matches(22), true);
});

test('errors carry file, line, column and reason; the other rules still load', () => {
  const text = [
    'alert tcp any any -> any any (msg:"ok"; sid:1;)',
    'alert tcp any any -> any any (msg:"bad depth"; content:"abcd"; depth:2; sid:2;)',
    'alert tcp any any => any any (msg:"bad direction"; sid:3;)',
    'alert tcp $NOPE any -> any any (msg:"undefined var"; sid:4;)',
    'alert tcp any any -> any 70000 (msg:"bad port"; sid:5;)',
    'alert foo any any -> any any (msg:"bad proto"; sid:6;)',
    'alert tcp any any -> any any (msg:"no sid";)',
    'alert tcp any any -> any any (msg:"dup"; sid:1;)',
    'alert tcp any any -> any any msg:"no parens"; sid:9;',
    'warn tcp any any -> any any (sid:10;)',
    'alert tcp any any -> any any (msg:"ok 2"; \\',
    '   content:"x"; depth:0; sid:11;)',
    'alert tcp any any -> any any (msg:"unterminated; sid:12;)',
    'alert tcp 10.0.0.0/33 any -> any any (sid:13;)',
  ].join('\n');
  const r = parseRules(text, { file: 'local.rules' });
  assert.deepEqual(r.rules.map((x) => x.sid), [1]);
  const byLine = new Map(r.errors.map((e) => [e.line, e]));
  assert.ok(r.errors.every((e) => e.file === 'local.rules'));
  assert.deepEqual({ ...byLine.get(2) }, { file: 'local.rules', line: 2, column: 64, reason: 'depth 2 is smaller than the content (4 bytes)' });
  assert.equal(byLine.get(3)!.column, 19);
  assert.match(byLine.get(3)!.reason, /direction/);
  assert.equal(byLine.get(4)!.column, 11);
  assert.match(byLine.get(4)!.reason, /undefined variable \$NOPE/);
  assert.equal(byLine.get(5)!.column, 26);
  assert.match(byLine.get(5)!.reason, /out of range/);
  assert.match(byLine.get(6)!.reason, /unknown protocol/);
  assert.match(byLine.get(7)!.reason, /no sid/);
  assert.match(byLine.get(8)!.reason, /duplicate sid 1/);
  assert.match(byLine.get(9)!.reason, /\(|header/);
  assert.match(byLine.get(10)!.reason, /unknown action/);
  // A continued rule: the error points into the second physical line.
  assert.deepEqual([byLine.get(12)!.line, byLine.get(12)!.column], [12, 17]);
  assert.match(byLine.get(13)!.reason, /unterminated/);
  assert.match(byLine.get(14)!.reason, /prefix length/);
  assert.equal(r.errors.length, 12);
});

test('unknown keywords: the rule is not loaded, counted per keyword, not an error', () => {
  const r = parseRules([
    'alert http any any -> any any (msg:"a"; app-layer-event:http.x; sid:1;)',
    'alert http any any -> any any (msg:"b"; app-layer-event:http.y; lua:check.lua; sid:2;)',
    'alert tcp any any -> any any (msg:"c"; content:"a"; byte_test:1,=,1,0,dce; sid:3;)',
    'alert tcp any any -> any any (msg:"d"; sid:4;)',
  ].join('\n'));
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.rules.map((x) => x.sid), [4]);
  // An unknown keyword is counted by name; a known one with a value we cannot run by keyword:value.
  assert.deepEqual([...r.unsupported].sort(), [['app-layer-event:http.x', 1], ['byte_test:dce', 1], ['lua', 1]]);
});

test('escapes in option values: \\; \\" \\\\ survive splitting', () => {
  const r = parseRules('alert tcp any any -> any any (msg:"a\\;b \\"c\\" d\\\\e"; content:"x\\;y"; sid:1;)');
  assert.deepEqual(r.errors, []);
  assert.equal(r.rules[0].msg, 'a;b "c" d\\e');
  const st = createMatchState();
  assert.equal(r.rules[0].lists[0].program.matchBuffer(new Uint8Array(Buffer.from('..x;y..')), st), true);
});

test('list files: filemd5 and dataset load resolve next to the rule file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-rules-'));
  writeFileSync(join(dir, 'bad.md5'), '# known bad\n44d88612fea8a8f36de82e1278abb02f  eicar\n');
  writeFileSync(join(dir, 'domains.lst'), Buffer.from('evil.example').toString('base64') + '\n');
  writeFileSync(join(dir, 'rep.csv'), Buffer.from('bad.example').toString('base64') + ',90\n');
  const file = join(dir, 'local.rules');
  const r = parseRules([
    'alert http any any -> any any (msg:"md5"; filemd5:bad.md5; sid:1;)',
    'alert dns any any -> any any (msg:"set"; dns.query; dataset:isset,bad-domains, type string, load domains.lst; sid:2;)',
    'alert dns any any -> any any (msg:"rep"; dns.query; datarep:rep, >, 80, type string, load rep.csv; sid:3;)',
    'alert http any any -> any any (msg:"missing"; filesha256:nope.sha256; sid:4;)',
  ].join('\n'), { file });
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0].reason, /cannot read nope.sha256/);
  const [md5, set, rep] = r.rules;
  assert.equal(md5.factTests[0].test({ md5: '44D88612FEA8A8F36DE82E1278ABB02F' }), true);
  assert.equal(md5.factTests[0].test({ md5: '00000000000000000000000000000000' }), false);
  assert.equal(md5.factTests[0].test(undefined), false);
  const st = createMatchState();
  const q = (s: string) => new Uint8Array(Buffer.from(s));
  assert.equal(set.lists[0].program.matchBuffer(q('evil.example'), st), true);
  assert.equal(set.lists[0].program.matchBuffer(q('good.example'), st), false);
  assert.equal(rep.lists[0].program.matchBuffer(q('bad.example'), st), true);
});

test('classification.config: user file adds and overrides; malformed lines reported', () => {
  const { classes, errors } = parseClassificationConfig('# c\nconfig classification: my-class,My Class,2\nconfig classification: trojan-activity,Trojan,3\nnonsense\n');
  assert.equal(classes.get('my-class')!.priority, 2);
  assert.equal(classes.get('trojan-activity')!.description, 'Trojan');
  assert.equal(classes.get('web-application-attack')!.priority, 1);
  assert.deepEqual(errors.map((e) => e.line), [4]);
  const r = parseRules('alert tcp any any -> any any (classtype:my-class; sid:1;)', { classifications: classes });
  assert.equal(r.rules[0].priority, 2);
  assert.equal(r.rules[0].category, 'My Class');
});

test('hostile rule text: huge, deeply nested lists and many options fail cleanly', () => {
  const nested = '['.repeat(200) + '10.0.0.1' + ']'.repeat(200);
  const r = parseRules([
    `alert tcp ${nested} any -> any any (sid:1;)`,
    `alert tcp any any -> any any (${'content:"a"; '.repeat(600)}sid:2;)`,
    `alert tcp any any -> any any (msg:"${'x'.repeat(70_000)}"; sid:3;)`,
    'alert tcp any any -> any any (pcre:"/' + '('.repeat(5000) + 'a' + ')'.repeat(5000) + '/"; sid:4;)',
    'alert tcp any any -> any any (sid:5;)',
  ].join('\n'));
  assert.deepEqual(r.rules.map((x) => x.sid), [5]);
  assert.equal(r.errors.length, 4);
});
