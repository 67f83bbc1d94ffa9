/**
 * tshark's view of the DNS messages in a capture, turned into the dns.log transactions Zeek's
 * rules would make of them: per conversation and transaction id, queries and replies paired
 * first-in first-out; opcode 0 only; query = the last question, else the first answer's owner;
 * answers = the answer-section records in Zeek's one-line summaries.
 *
 * tshark prints every field of every resource record of a frame in one list per field, all
 * sections together; the records are taken apart again with the section counts, and each
 * type-specific field list (dns.a, dns.cname, ...) is consumed in record order.
 */
import { execFileSync } from 'node:child_process';
import { canonAddr } from '../../../oracle/tshark.js';

const FIELDS = [
  'frame.number', 'frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'udp.srcport', 'udp.dstport', 'tcp.srcport', 'tcp.dstport',
  'dns.id', 'dns.flags.response', 'dns.flags.opcode', 'dns.flags.rcode',
  'dns.count.queries', 'dns.count.answers', 'dns.count.auth_rr', 'dns.count.add_rr',
  'dns.qry.name', 'dns.qry.type', 'dns.resp.name', 'dns.resp.type', 'dns.resp.len', 'dns.resp.ttl',
  'dns.a', 'dns.aaaa', 'dns.cname', 'dns.ns', 'dns.ptr.domain_name', 'dns.mx.mail_exchange', 'dns.soa.mname',
  'dns.srv.target', 'dns.txt', 'dns.txt.length', 'dns.rrsig.type_covered', 'dns.rrsig.signers_name',
  'dns.dnskey.algorithm', 'dns.ds.algorithm', 'dns.ds.digest_type', 'dns.nsec.next_domain_name',
] as const;
type Field = (typeof FIELDS)[number];

const AGG = '\u0001';

export interface Txn {
  /** Conversation: "proto a:p b:p" with the endpoints sorted. */
  conv: string;
  trans_id: number;
  query?: string;
  qtype?: number;
  rcode?: number;
  /** Answer texts; undefined where tshark's fields do not give Zeek's text (checked elsewhere). */
  answers: Array<string | undefined>;
  ttls: number[];
}

export interface TsharkDns {
  txns: Txn[];
  /** Frames whose records did not line up with their counts (NSEC/NSEC3 type bitmaps reuse
   *  dns.resp.type; a malformed message stops tshark): their transactions are not compared. */
  unreliable: number[];
  /** "conv#id" of those frames. */
  unreliableKeys: Set<string>;
}

/** Text as both sides can render it: lower case, every run of non-ASCII characters (raw bytes
 *  on our side, U+FFFD or decoded UTF-8 on tshark's) as one '?'. */
export function norm(s: string): string {
  let out = '';
  // Our logs write bytes that are not UTF-8 as \xNN (wireText); tshark shows its own rendering.
  s = s.replace(/\\x[0-9a-f]{2}/g, '\u00ff');
  for (const ch of s.toLowerCase()) {
    const c = ch.charCodeAt(0) > 0x7e || ch.charCodeAt(0) < 0x20 ? '?' : ch;
    if (c === '?' && out.endsWith('?')) continue;
    out += c;
  }
  return out;
}

export function convKey(proto: string, a: string, ap: number, b: string, bp: number): string {
  const x = `${a}:${ap}`, y = `${b}:${bp}`;
  return `${proto} ${x < y ? x + ' ' + y : y + ' ' + x}`;
}

interface Msg {
  conv: string;
  id: number;
  qr: boolean;
  opcode: number;
  rcode: number;
  questions: Array<{ name: string; qtype: number }>;
  answers: Array<{ owner: string; text: string | undefined; ttl: number }>;
}

export function tsharkDns(path: string, opts: { netbiosPorts?: boolean } = {}): TsharkDns {
  const args = ['-n', '-r', path, '-Y', 'dns or mdns or llmnr', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', `aggregator=${AGG}`, '-E', 'quote=n'];
  for (const f of FIELDS) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  const msgs: Msg[] = [];
  const unreliable: number[] = [];
  const unreliableKeys = new Set<string>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const cols = line.split('\t');
    const get = (f: Field): string[] => {
      const v = cols[FIELDS.indexOf(f)] ?? '';
      return v === '' ? [] : v.split(AGG);
    };
    const frame = Number(get('frame.number')[0]);
    // Innermost IP layer: the last of ip/ipv6 in the protocol stack.
    const protos = get('frame.protocols')[0]?.split(':') ?? [];
    // A DNS message quoted by an ICMP error is not traffic.
    if (protos.includes('icmp') || protos.includes('icmpv6')) continue;
    const ip6Inner = protos.lastIndexOf('ipv6') > protos.lastIndexOf('ip');
    const s = canonAddr((ip6Inner ? get('ipv6.src') : get('ip.src')).at(-1)!);
    const d = canonAddr((ip6Inner ? get('ipv6.dst') : get('ip.dst')).at(-1)!);
    const tcp = get('tcp.srcport').length > 0;
    const sp = Number((tcp ? get('tcp.srcport') : get('udp.srcport')).at(-1));
    const dp = Number((tcp ? get('tcp.dstport') : get('udp.dstport')).at(-1));
    const conv = convKey(tcp ? 'tcp' : 'udp', s, sp, d, dp);
    const netbios = opts.netbiosPorts !== false && (sp === 137 || dp === 137);
    const ids = get('dns.id'), qrs = get('dns.flags.response'), ops = get('dns.flags.opcode'), rcodes = get('dns.flags.rcode');
    const qd = get('dns.count.queries'), an = get('dns.count.answers'), ns = get('dns.count.auth_rr'), ar = get('dns.count.add_rr');
    const qnames = get('dns.qry.name'), qtypes = get('dns.qry.type');
    const rnames = get('dns.resp.name'), rtypes = get('dns.resp.type'), rlens = get('dns.resp.len'), ttls = get('dns.resp.ttl');
    const lists: Record<string, string[]> = {};
    for (const f of FIELDS) if (f.startsWith('dns.')) lists[f] = get(f);
    const take = (f: Field): string | undefined => lists[f].shift();
    let qi = 0, ri = 0, ti = 0;
    let rcodeIdx = 0;
    const totalRr = an.reduce((s2, _x, i) => s2 + Number(an[i]) + Number(ns[i]) + Number(ar[i]), 0);
    const totalQ = qd.reduce((s2, x) => s2 + Number(x), 0);
    // Opcodes other than 0 use other section names and fields; Zeek does not log them either.
    if (ops.some((o) => o !== '0')) continue;
    if (totalRr !== rtypes.length || totalQ !== qnames.length) {
      unreliable.push(frame);
      for (const id of ids) unreliableKeys.add(`${conv}#${parseInt(id, 16)}`);
      continue;
    }
    // Some record types (RRSIG, NSEC3, ...) come without dns.resp.len; OPT comes without a TTL.
    const lensAligned = rlens.length === rtypes.length;
    const ttlsAligned = ttls.length === rtypes.filter((t) => t !== '41').length;
    for (let m = 0; m < ids.length; m++) {
      const qr = qrs[m] === '1' || qrs[m] === 'True';
      const msg: Msg = {
        conv, id: parseInt(ids[m], 16), qr, opcode: Number(ops[m]), rcode: qr ? Number(rcodes[rcodeIdx++]) : 0,
        questions: [], answers: [],
      };
      for (let i = 0; i < Number(qd[m]); i++, qi++) msg.questions.push({ name: qnames[qi] === '<Root>' ? '' : qnames[qi], qtype: Number(qtypes[qi]) });
      const nAn = Number(an[m]), nAll = nAn + Number(ns[m]) + Number(ar[m]);
      for (let i = 0; i < nAll; i++, ri++) {
        const type = Number(rtypes[ri]);
        const ttl = type === 41 || !ttlsAligned ? NaN : Number(ttls[ti++]);
        const text = render(type, lensAligned ? Number(rlens[ri]) : NaN, rnames[ri], take, netbios);
        if (i < nAn && text !== null) {
          msg.answers.push({ owner: rnames[ri] === '<Root>' ? '' : rnames[ri], text, ttl });
        }
      }
      msgs.push(msg);
    }
  }
  return { txns: pair(msgs).filter((t) => !unreliableKeys.has(`${t.conv}#${t.trans_id}`)), unreliable, unreliableKeys };
}

/** Zeek's answer text for one record; null when Zeek logs nothing, undefined when unknown here. */
function render(type: number, rdlen: number, owner: string, take: (f: Field) => string | undefined, netbios: boolean): string | null | undefined {
  const name = (f: Field) => {
    const v = take(f);
    return v === undefined ? undefined : v === '<Root>' ? '' : v;
  };
  switch (type) {
    case 1: return take('dns.a');
    case 28: return take('dns.aaaa');
    case 5: return name('dns.cname');
    case 2: return name('dns.ns');
    case 12: return name('dns.ptr.domain_name');
    case 15: return name('dns.mx.mail_exchange');
    case 6: return name('dns.soa.mname');
    case 33: {
      const t = name('dns.srv.target');
      return netbios ? null : t;
    }
    case 16: {
      if (Number.isNaN(rdlen)) return undefined;
      const parts: string[] = [];
      for (let used = 0; used < rdlen; ) {
        const len = take('dns.txt.length'), txt = take('dns.txt');
        if (len === undefined || txt === undefined) return undefined;
        parts.push(`TXT ${len} ${txt}`);
        used += 1 + Number(len);
      }
      return parts.join(' ');
    }
    case 46: {
      const tc = take('dns.rrsig.type_covered'), signer = name('dns.rrsig.signers_name');
      return tc === undefined || signer === undefined ? undefined : `RRSIG ${tc} ${signer === '' ? '<Root>' : signer}`;
    }
    case 48: {
      const alg = take('dns.dnskey.algorithm');
      return alg === undefined ? undefined : `DNSKEY ${alg}`;
    }
    case 43: {
      const alg = take('dns.ds.algorithm'), dt = take('dns.ds.digest_type');
      return alg === undefined || dt === undefined ? undefined : `DS ${alg} ${dt}`;
    }
    case 47: {
      const next = name('dns.nsec.next_domain_name');
      return next === undefined ? undefined : `NSEC ${owner} ${next}`;
    }
    case 13: case 32: case 41: case 249: case 250:
      return null;
    case 11: return null; // WKS: no text
    case 29: case 35: case 38: case 44: case 50: case 51: case 64: case 65: case 99: case 257: case 65534:
      return undefined; // summaries not rebuilt from tshark here (unit-tested instead)
    default:
      return `<unknown type=${type}>`;
  }
}

function pair(msgs: Msg[]): Txn[] {
  const out: Txn[] = [];
  const pending = new Map<string, { queries: Txn[]; replies: Txn[] }>();
  const all: Txn[] = [];
  for (const m of msgs) {
    if (m.opcode !== 0) continue;
    const k = `${m.conv}#${m.id}`;
    let p = pending.get(k);
    if (!p) pending.set(k, (p = { queries: [], replies: [] }));
    let t: Txn;
    if (!m.qr) {
      t = p.replies.shift() ?? (() => { const n = newTxn(m); p!.queries.push(n); all.push(n); return n; })();
      const q = m.questions.at(-1);
      if (q) {
        t.query = norm(q.name);
        t.qtype = q.qtype;
      }
    } else {
      t = p.queries.shift() ?? (() => { const n = newTxn(m); p!.replies.push(n); all.push(n); return n; })();
      t.rcode = m.rcode;
      for (const a of m.answers) {
        if (t.query === undefined) t.query = norm(a.owner);
        t.answers.push(a.text === undefined ? undefined : norm(a.text));
        t.ttls.push(a.ttl);
      }
    }
  }
  out.push(...all);
  return out;
}

function newTxn(m: Msg): Txn {
  return { conv: m.conv, trans_id: m.id, answers: [], ttls: [] };
}
