/**
 * DNS message parser (RFC 1035 §4.1): header, question section and answer section, bounded by
 * named limits and never throwing. Like Zeek (whose dns_skip_all_auth / dns_skip_all_addl are on
 * by default) the authority and additional sections are not parsed: nothing in dns.log comes
 * from them. Anomalies are collected as Zeek-named weirds for the caller to report.
 */
import { wireText } from '../../support/wire-text.js';
import { LIMITS } from '../../support/limits.js';
import { rdataSummary } from './rdata.js';

export interface DnsQuestion {
  /** Lower-cased (ASCII only, as Zeek), trailing dot removed; '' for the root. */
  readonly name: string;
  readonly qtype: number;
  readonly qclass: number;
}

export interface DnsAnswer {
  /** Owner name, lower-cased. */
  readonly name: string;
  readonly type: number;
  readonly ttl: number;
  /** Zeek's one-line summary of the record data; '' when Zeek's handler logs nothing (WKS). */
  readonly summary: string;
}

export interface DnsMessage {
  readonly id: number;
  readonly qr: boolean;
  readonly opcode: number;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  /** The three bits after RA (Z, AD, CD), as Zeek's `Z`. */
  readonly z: number;
  readonly rcode: number;
  readonly qdcount: number;
  readonly ancount: number;
  readonly nscount: number;
  readonly arcount: number;
  readonly questions: DnsQuestion[];
  /** Answer-section records Zeek reports (OPT, HINFO, NB, TSIG and similar are not among them). */
  readonly answers: DnsAnswer[];
  /** The header and the question section parsed cleanly (evidence that this is DNS). */
  questionsOk: boolean;
  /** The question and answer sections parsed cleanly. */
  ok: boolean;
  /** Anomalies, in order: [weird name, additional info]. */
  weirds: Array<[string, string | undefined]> | undefined;
}

export interface ParseOptions {
  /** NetBIOS name service (responder port 137): labels may be longer than 63 bytes. */
  readonly netbios: boolean;
}

export const DNS_HEADER_LEN = 12;

const NAME_SCRATCH = Buffer.alloc(LIMITS.dnsMaxNameChars + 256);

/**
 * Log text of recently decoded names, by their bytes: a direct-mapped cache of
 * LIMITS.dnsNameTextCacheEntries slots (a power of two), a miss replaces the slot's entry.
 * Why: the same few names come back in message after message (every answer repeats its
 * question, clients ask the same domains again and again), and turning bytes into text costs a
 * Buffer object, a native call and a new string each time, where comparing the bytes with the
 * cached ones costs one loop. The cached string is also the same object every time, so the
 * heuristics' tables keyed by names hash it once.
 */
const NAME_CACHE_SLOTS = LIMITS.dnsNameTextCacheEntries;
const nameCacheBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(NAME_CACHE_SLOTS).fill(undefined);
const nameCacheText: string[] = new Array<string>(NAME_CACHE_SLOTS).fill('');

/** wireText(bytes, 0, len), from the cache when these bytes were turned into text recently. */
function nameText(bytes: Buffer, len: number): string {
  let h = 0x811c9dc5 ^ len; // FNV-1a
  for (let i = 0; i < len; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  const slot = (h ^ (h >>> 16)) & (NAME_CACHE_SLOTS - 1);
  const cached = nameCacheBytes[slot];
  if (cached !== undefined && cached.length === len) {
    let i = 0;
    while (i < len && cached[i] === bytes[i]) i++;
    if (i === len) return nameCacheText[slot];
  }
  const text = wireText(bytes, 0, len);
  const copy = new Uint8Array(len); // its own memory: a pooled Buffer would pin an 8 KiB slab
  copy.set(bytes.subarray(0, len));
  nameCacheBytes[slot] = copy;
  nameCacheText[slot] = text;
  return text;
}

/** A cursor over one message, buf[start, end). */
export class DnsReader {
  pos: number;
  /** Lower-cased names already decoded, by message offset: answers usually point back at the
   *  question's name ("c0 0c"), which is then not decoded again. */
  private memoAt: number[] = [];
  private memoName: string[] = [];
  constructor(
    readonly buf: Buffer,
    readonly start: number,
    public end: number,
    readonly netbios: boolean,
    readonly msg: { weirds: Array<[string, string | undefined]> | undefined },
  ) {
    this.pos = start;
  }

  weird(name: string, addl?: string): void {
    (this.msg.weirds ??= []).push([name, addl]);
  }

  u8(): number {
    return this.buf[this.pos++];
  }

  u16(): number {
    const v = (this.buf[this.pos] << 8) | this.buf[this.pos + 1];
    this.pos += 2;
    return v;
  }

  u32(): number {
    const b = this.buf, p = this.pos;
    this.pos += 4;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }

  /**
   * Reads a domain name at pos (RFC 1035 §3.1) and moves pos past it. Compression pointers
   * (§4.1.4) must point before themselves, and the name they lead to must end before the pointer:
   * every jump goes strictly backwards, so loops cannot happen; the number of jumps is bounded
   * too. Returns undefined (with a weird) when the name is malformed.
   */
  name(lower: boolean): string | undefined {
    const buf = this.buf, start = this.start;
    const p = this.pos;
    const first = buf[p];
    if (lower && p + 1 < this.end && (first & 0xc0) === 0xc0) {
      const target = ((first & 0x3f) << 8) | buf[p + 1];
      const i = this.memoAt.indexOf(target);
      if (i >= 0 && target < p - start) {
        this.pos = p + 2;
        return this.memoName[i];
      }
    }
    const nameAt = p - start;
    const n = this.decode(lower);
    if (n < 0) return undefined;
    // Trailing dot removed; the root is ''.
    const name = n === 0 ? '' : nameText(NAME_SCRATCH, n - 1);
    if (lower && this.memoAt.length < 8) {
      this.memoAt.push(nameAt);
      this.memoName.push(name);
    }
    return name;
  }

  /** The name at pos as its bytes, case kept, trailing dot removed (Suricata's dns.query). */
  nameBytes(): Buffer | undefined {
    const n = this.decode(false);
    return n < 0 ? undefined : Buffer.from(NAME_SCRATCH.subarray(0, Math.max(0, n - 1)));
  }

  /** Decodes the name at pos into NAME_SCRATCH (labels each followed by '.'): its length, or -1. */
  private decode(lower: boolean): number {
    const buf = this.buf, start = this.start, out = NAME_SCRATCH;
    let p = this.pos;
    let limit = this.end;
    let resume = -1;
    let jumps = 0;
    let n = 0;
    for (;;) {
      if (p >= limit) {
        this.weird('DNS_label_len_gt_pkt');
        return -1;
      }
      const b = buf[p];
      if (b === 0) {
        p++;
        break;
      }
      if ((b & 0xc0) === 0xc0) {
        if (p + 1 >= limit) {
          this.weird('DNS_label_len_gt_pkt');
          return -1;
        }
        const target = ((b & 0x3f) << 8) | buf[p + 1];
        if (target >= p - start) {
          this.weird('DNS_label_forward_compress_offset');
          return -1;
        }
        if (++jumps > LIMITS.dnsMaxNamePointers) {
          this.weird('DNS_name_too_many_pointers');
          return -1;
        }
        if (resume < 0) resume = p + 2;
        limit = p;
        p = start + target;
        continue;
      }
      // 0x40 and 0x80 prefixes (extended label types, RFC 6891 §5) count as over-long labels.
      if (b > 63 && !this.netbios) {
        this.weird('DNS_label_too_long');
        return -1;
      }
      const end = p + 1 + b;
      if (end > limit) {
        this.weird('DNS_label_len_gt_pkt');
        return -1;
      }
      if (n + b + 1 > LIMITS.dnsMaxNameChars) {
        this.weird('DNS_label_len_gt_name_len');
        return -1;
      }
      for (let q = p + 1; q < end; q++) {
        let c = buf[q];
        if (lower && c >= 0x41 && c <= 0x5a) c += 0x20;
        out[n++] = c;
      }
      out[n++] = 0x2e; // '.'
      p = end;
    }
    this.pos = resume >= 0 ? resume : p;
    if (n >= 255) this.weird('DNS_NAME_too_long');
    return n;
  }
}

/** Parses one DNS message in buf[off, off+len); undefined when it is shorter than a header. */
export function parseDnsMessage(buf: Buffer, off: number, len: number, opts: ParseOptions): DnsMessage | undefined {
  if (len < DNS_HEADER_LEN) return undefined;
  const flags = (buf[off + 2] << 8) | buf[off + 3];
  const msg: DnsMessage = {
    id: (buf[off] << 8) | buf[off + 1],
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    z: (flags >> 4) & 0x7,
    rcode: flags & 0xf,
    qdcount: (buf[off + 4] << 8) | buf[off + 5],
    ancount: (buf[off + 6] << 8) | buf[off + 7],
    nscount: (buf[off + 8] << 8) | buf[off + 9],
    arcount: (buf[off + 10] << 8) | buf[off + 11],
    questions: [],
    answers: [],
    questionsOk: false,
    ok: false,
    weirds: undefined,
  };
  // Counts beyond the limit mark non-DNS traffic; the caller reports it (Zeek's check).
  if (msg.qdcount > LIMITS.dnsMaxQueries) return msg;
  const r = new DnsReader(buf, off, off + len, opts.netbios, msg);
  r.pos = off + DNS_HEADER_LEN;
  for (let i = 0; i < msg.qdcount; i++) {
    const name = r.name(true);
    if (name === undefined) return msg;
    if (r.end - r.pos < 4) {
      r.weird('DNS_truncated_quest_too_short');
      return msg;
    }
    msg.questions.push({ name, qtype: r.u16(), qclass: r.u16() });
  }
  msg.questionsOk = true;
  // Other opcodes (UPDATE's prerequisite and update sections, NetBIOS registrations) are not
  // logged: their header and first section are all that is checked.
  if (msg.opcode !== 0) {
    msg.ok = true;
    return msg;
  }
  const n = Math.min(msg.ancount, LIMITS.dnsMaxAnswers);
  for (let i = 0; i < n; i++) {
    const owner = r.name(true);
    if (owner === undefined) return msg;
    if (r.end - r.pos < 10) {
      r.weird('DNS_truncated_ans_too_short');
      return msg;
    }
    const type = r.u16();
    r.pos += 2; // class
    const ttl = r.u32();
    const rdlen = r.u16();
    const rdEnd = r.pos + rdlen;
    if (rdEnd > r.end) {
      r.weird('DNS_truncated_RR_rdlength_lt_len');
      return msg;
    }
    if (rdlen === 0 && rdEnd < r.end) {
      r.weird('DNS_zero_rdlength');
      return msg;
    }
    const summary = rdataSummary(r, type, rdEnd, owner);
    // Whatever the record data held, the next record starts after it (rdlength frames it).
    r.end = off + len;
    r.pos = rdEnd;
    if (summary !== undefined) msg.answers.push({ name: owner, type, ttl, summary });
  }
  if (msg.ancount > n) r.weird('DNS_answer_limit', String(msg.ancount));
  msg.ok = true;
  return msg;
}
