/**
 * dns.log against tshark over the shared captures: per conversation and transaction id, the
 * query name, query type, response code and the answer set (texts and TTLs, in order) must be
 * what tshark's dissection gives once Zeek's pairing and formatting rules are applied.
 *
 * Deliberate differences, and how the comparison treats them:
 * - Names: Zeek (and we) lower-case names and log raw bytes; tshark keeps the case and shows
 *   bytes that are not UTF-8 as U+FFFD. Both sides are compared lower-cased with non-ASCII as '?'.
 * - LOC, NAPTR, SSHFP, NSEC3, SPF, CAA, SVCB/HTTPS texts are not rebuilt from tshark's fields:
 *   those positions are only counted here; the texts are covered by the unit tests.
 * - Frames whose records cannot be taken apart from tshark's field lists (NSEC/NSEC3 type
 *   bitmaps reuse dns.resp.type) are left out of the comparison; they are listed in UNRELIABLE.
 * - DNS messages quoted inside ICMP errors are dissected by tshark but are not traffic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pcap, run } from '../../../helpers.js';
import { canonAddr, tsharkAvailable } from '../../../oracle/tshark.js';
import { convKey, norm, tsharkDns, type Txn } from './tshark-dns.js';

const CAPTURES = [
  'dns-axfr-zone-transfer.pcapng', 'dns-dnssec.pcap', 'dns-dynamic-update.pcap', 'dns-edns-options.pcap',
  'dns-exfiltration.pcap', 'dns-https-record.pcap', 'dns-many-record-types.pcap', 'dns-over-tls.pcap', 'dns-tcp.pcap',
  'dns-tunnel-iodine.pcap', 'link-ipv4-linktype228.pcap', 'link-raw-ipv4.pcap', 'link-raw-ipv6.pcap',
  'frag-ipv4-dns-udp.pcap', 'http-ipv6.pcap', 'tunnel-gre.pcap', 'netbios-ns.pcap', 'bad-dns-compression-loop.pcap',
  // DNS found elsewhere among the shared captures.
  'link-ipv6-linktype229.pcap', 'tunnel-gre-ppp-dns.pcap', 'tunnel-gtpu-ipv6-nanosecond.pcap', 'frag-ipv4-teardrop-overlap.pcap',
  'bad-timestamp-year-2107.pcapng', 'bad-linktype-ipv4-mismatch.pcap', 'mixed-arkime-synthetic-many-protocols.pcap',
];

/** Conversations compared on one side only, with the reason. */
const ONE_SIDED: Record<string, Array<[string, string]>> = {
  'mixed-arkime-synthetic-many-protocols.pcap': [
    // tshark decodes VXLAN-GPE (UDP 4790); the engine has no decoder for it yet.
    ['udp 192.0.2.10:12345 192.0.2.20:53', 'inside VXLAN-GPE'],
  ],
};

/** Frames whose records tshark's field lists cannot be taken apart for (NSEC3 type bitmaps). */
const UNRELIABLE: Record<string, number[]> = {
  'frag-ipv4-dns-udp.pcap': [14, 19],
  'mixed-arkime-synthetic-many-protocols.pcap': [339], // checked below: 'NSEC example.org next.example.org'
};

type Rec = Record<string, unknown>;

function ours(rec: Rec): Txn {
  return {
    conv: convKey(String(rec.proto), canonAddr(String(rec['id.orig_h'])), Number(rec['id.orig_p']), canonAddr(String(rec['id.resp_h'])), Number(rec['id.resp_p'])),
    trans_id: Number(rec.trans_id),
    query: rec.query === undefined ? undefined : norm(String(rec.query)),
    qtype: rec.qtype as number | undefined,
    rcode: rec.rcode as number | undefined,
    answers: ((rec.answers ?? []) as string[]).map(norm),
    ttls: (rec.TTLs ?? []) as number[],
  };
}

const key = (t: Txn) => `${t.conv}#${t.trans_id}#${t.query}#${t.qtype}#${t.rcode}`;

/** Our transactions match tshark's one to one; answers equal wherever tshark gives the text. */
function compare(file: string, mine: Txn[], theirs: Txn[]): void {
  const left = new Map<string, Txn[]>();
  for (const t of mine) {
    const k = key(t);
    left.set(k, [...(left.get(k) ?? []), t]);
  }
  for (const t of theirs) {
    const k = key(t);
    const cands = left.get(k);
    assert.ok(cands && cands.length > 0, `${file}: no dns.log record for tshark's ${k} answers=${JSON.stringify(t.answers)}\nours (first 5): ${JSON.stringify(mine.slice(0, 5).map(key))}`);
    const i = cands.findIndex((c) => sameAnswers(c, t));
    assert.ok(i >= 0, `${file}: ${k}: answers ${JSON.stringify(cands.map((c) => c.answers))} vs tshark ${JSON.stringify(t.answers)}`);
    cands.splice(i, 1);
  }
  const extra = [...left.values()].flat();
  assert.deepEqual(extra.map(key), [], `${file}: records tshark has no messages for`);
}

function sameAnswers(a: Txn, t: Txn): boolean {
  if (a.answers.length !== t.answers.length) return false;
  for (let i = 0; i < t.answers.length; i++) {
    if (t.answers[i] !== undefined && t.answers[i] !== a.answers[i]) return false;
    if (!Number.isNaN(t.ttls[i]) && t.ttls[i] !== a.ttls[i]) return false;
  }
  return true;
}

const skip = !tsharkAvailable() && 'tshark not installed';

for (const file of CAPTURES) {
  test(`dns.log of ${file} agrees with tshark`, { skip }, async () => {
    const { sink } = await run(pcap(file));
    const recs = sink.get('dns') as Rec[];
    const oracle = tsharkDns(pcap(file));
    assert.deepEqual(oracle.unreliable, UNRELIABLE[file] ?? [], `${file}: frames tshark did not dissect completely`);
    const skipConv = new Set((ONE_SIDED[file] ?? []).map(([c]) => c));
    // tshark dissects port 137 as NBNS (other field names): NetBIOS records are checked apart.
    const keep = (t: Txn) => !skipConv.has(t.conv) && !/:137( |$)/.test(t.conv);
    const mine = recs.map(ours).filter((t) => keep(t) && !oracle.unreliableKeys.has(`${t.conv}#${t.trans_id}`));
    compare(file, mine, oracle.txns.filter(keep));
  });
}

test('captures without standard DNS transactions still confirm the service where DNS parsed', { skip }, async () => {
  // NetBIOS registrations (opcode 5) and DNS UPDATE are not logged by Zeek's dns.log either.
  for (const [file, port] of [['netbios-ns.pcap', 137], ['dns-dynamic-update.pcap', 53]] as const) {
    const { sink } = await run(pcap(file));
    assert.equal(sink.get('dns').length, 0, file);
    assert.ok(sink.get('conn').some((c) => c['id.resp_p'] === port && c.service === 'dns'), `${file}: service dns`);
  }
});

test('HTTPS record: our summary of what tshark shows (priority, target, alpn, hints)', async () => {
  const { sink } = await run(pcap('dns-https-record.pcap'));
  const [r] = sink.get('dns');
  assert.deepEqual(r.answers, ['HTTPS 1 . alpn=h3,h2 ipv4hint=104.16.132.229,104.16.133.229 ipv6hint=2606:4700::6810:84e5,2606:4700::6810:85e5']);
  assert.deepEqual(r.TTLs, [279]);
  assert.equal(r.qtype_name, 'HTTPS');
});

test('SOME/IP on UDP 30490 (which tshark takes for malformed DNS) is not DNS', async () => {
  const { sink } = await run(pcap('link-ppi-nanosecond-someip.pcap'));
  assert.equal(sink.get('dns').length, 0);
});

test('NSEC answer (tshark frame 339 of the mixed capture: NSEC example.org, next next.example.org)', async () => {
  const { sink } = await run(pcap('mixed-arkime-synthetic-many-protocols.pcap'));
  const r = sink.get('dns').find((x) => x.trans_id === 0x2008);
  assert.deepEqual(r?.answers, ['NSEC example.org next.example.org']);
});

test('NetBIOS name service queries: decoded names, NBSTAT', async () => {
  const { sink } = await run(pcap('mixed-arkime-synthetic-many-protocols.pcap'));
  const nb = sink.get('dns').filter((r) => r['id.resp_p'] === 137);
  assert.ok(nb.length > 0);
  for (const r of nb) if (r.query !== undefined) assert.match(String(r.query), /^[\x20-\x7e]*$/);
  assert.ok(nb.some((r) => r.query === 'WORKSTATION' || r.query === 'TESTHOST'), JSON.stringify(nb.map((r) => r.query)));
});

test('DNS over TLS on 853 is not DNS', { skip }, async () => {
  const { sink } = await run(pcap('dns-over-tls.pcap'));
  assert.equal(sink.get('dns').length, 0);
  assert.ok(!sink.get('conn').some((c) => String(c.service ?? '').includes('dns')));
});

test('a compression pointer loop: no record, a weird, no crash', async () => {
  const { sink } = await run(pcap('bad-dns-compression-loop.pcap'));
  assert.equal(sink.get('dns').length, 0);
  const names = sink.get('weird').map((w) => w.name);
  assert.ok(names.includes('DNS_label_forward_compress_offset'), JSON.stringify(names));
});

test('sanity: normalisation of names', () => {
  assert.equal(norm('J\u00e4\u00e4ger.EXAMPLE'), 'j?ger.example');
  assert.equal(norm('J\ufffdger'), 'j?ger');
});
