/**
 * Pairing of queries and replies per connection, as Zeek's base/protocols/dns/main.zeek does it:
 * by transaction id, a FIFO queue of unmatched queries and one of unmatched replies per id
 * (whichever message comes first waits for the other), a record written once both were seen,
 * and every unmatched message written when the connection ends. Only standard queries
 * (opcode 0) are tracked, as in Zeek.
 */
import { LIMITS } from '../../support/limits.js';
import type { AnalyzerContext } from '../analyzer.js';
import { qclassName, qtypeName, rcodeName } from './consts.js';
import { DNS_LOG } from './dns-log.js';
import type { DnsMessage } from './parser.js';

/** One transaction: the dns.log record being filled. */
interface Txn {
  rec: Record<string, unknown>;
  sawQuery: boolean;
  sawReply: boolean;
}

type Pending = Map<number, Txn[]>;

export class DnsState {
  private readonly queries: Pending = new Map();
  private readonly replies: Pending = new Map();
  /** Answers held by unmatched replies (bounded: LIMITS.dnsMaxPendingAnswers). */
  private pendingAnswers = 0;
  private readonly netbios: boolean;

  constructor(private readonly ctx: AnalyzerContext) {
    this.netbios = ctx.conn.respP === 137;
  }

  /** A parsed message at capture time `now`. */
  message(msg: DnsMessage, now: number): void {
    if (msg.opcode !== 0) return; // Zeek tracks standard queries only
    const isQuery = !msg.qr;
    let txn: Txn | undefined;
    if (isQuery) {
      txn = this.pop(this.replies, msg.id);
      if (txn) this.pendingAnswers -= (txn.rec.answers as string[] | undefined)?.length ?? 0;
      if (!txn) {
        txn = this.newTxn(msg.id, now);
        this.enqueue(this.queries, msg.id, txn);
      }
    } else {
      txn = this.pop(this.queries, msg.id);
      if (!txn) {
        this.ctx.weird('dns_unmatched_reply');
        txn = this.newTxn(msg.id, now);
        this.enqueue(this.replies, msg.id, txn);
        this.pendingAnswers += msg.answers.length;
      }
    }
    const rec = txn.rec;
    if (isQuery) {
      // Every question overwrites the previous one (Zeek's dns_request handler): the last wins.
      for (const q of msg.questions) {
        rec.RD = msg.rd;
        rec.TC = msg.tc;
        rec.qclass = q.qclass;
        rec.qclass_name = qclassName(q.qclass);
        rec.qtype = q.qtype;
        rec.qtype_name = qtypeName(q.qtype);
        rec.Z = msg.z;
        let query = q.name;
        if (this.netbios) {
          const decoded = decodeNetbiosName(query);
          if (decoded !== '') query = decoded;
          if (q.qtype === 33) rec.qtype_name = 'NBSTAT';
        }
        rec.query = query;
      }
      txn.sawQuery = true;
    } else {
      rec.rcode = msg.rcode;
      rec.rcode_name = rcodeName(msg.rcode);
      if (msg.rcode !== 0 && msg.qdcount === 0) rec.rejected = true;
      // A reply with a question but no records at all: Zeek's dns_rejected.
      if (msg.questions.length > 0 && msg.ancount === 0 && msg.nscount === 0 && msg.arcount === 0) rec.rejected = true;
      for (const a of msg.answers) {
        if (rec.query === undefined) rec.query = a.name;
        rec.AA = msg.aa;
        rec.RA = msg.ra;
        if (rec.rtt === undefined) {
          const rtt = now - (rec.ts as number);
          if (rtt !== 0) rec.rtt = rtt;
        }
        if (a.summary !== '') {
          ((rec.answers ??= []) as string[]).push(a.summary);
          ((rec.TTLs ??= []) as number[]).push(a.ttl);
        }
      }
      txn.sawReply = true;
    }
    if (txn.sawQuery && txn.sawReply) this.ctx.log(DNS_LOG, rec);
    else if (this.pendingAnswers > LIMITS.dnsMaxPendingAnswers) {
      // Replies nobody asked for, piling up: write them out rather than hold them.
      this.ctx.weird('dns_unmatched_msg_quantity');
      this.logAll(this.replies);
    }
  }

  /** The connection is over: every unmatched query, then every unmatched reply, is logged. */
  flush(): void {
    this.logAll(this.queries);
    this.logAll(this.replies);
  }

  private newTxn(id: number, now: number): Txn {
    const rec: Record<string, unknown> = {
      ts: now, ...this.ctx.connFields(), proto: this.ctx.conn.transport, trans_id: id,
      AA: false, TC: false, RD: false, RA: false, Z: 0, rejected: false,
    };
    return { rec, sawQuery: false, sawReply: false };
  }

  private pop(p: Pending, id: number): Txn | undefined {
    const q = p.get(id);
    if (!q) return undefined;
    const t = q.shift();
    if (q.length === 0) p.delete(id);
    return t;
  }

  private enqueue(p: Pending, id: number, txn: Txn): void {
    let q = p.get(id);
    if (!q) {
      if (p.size > LIMITS.dnsMaxPendingQueryIds) {
        this.ctx.weird('dns_unmatched_query_id_quantity');
        this.logAll(p);
      }
      q = [];
      p.set(id, q);
    } else if (q.length > LIMITS.dnsMaxPendingMsgs) {
      this.ctx.weird('dns_unmatched_msg_quantity');
      this.logQueue(q);
      if (p === this.replies) for (const t of q) this.pendingAnswers -= (t.rec.answers as string[] | undefined)?.length ?? 0;
      q.length = 0;
    }
    q.push(txn);
  }

  private logAll(p: Pending): void {
    for (const q of p.values()) this.logQueue(q);
    p.clear();
    if (p === this.replies) this.pendingAnswers = 0;
  }

  private logQueue(q: Txn[]): void {
    for (const t of q) {
      this.ctx.weird('dns_unmatched_msg');
      this.ctx.log(DNS_LOG, t.rec);
    }
  }
}

/**
 * NetBIOS first-level decoding (RFC 1001 §14.1) as Zeek's decode_netbios_name: 32 letters
 * 'A'..'P' (any case), two per byte; decoding stops at the first byte that is not alphanumeric,
 * punctuation, space or below 3; the 16th byte (the suffix) is dropped, then trailing spaces and
 * NULs. '' when the name is not such an encoding.
 */
export function decodeNetbiosName(name: string): string {
  if (name.length !== 32) return '';
  const bytes: number[] = [];
  let length = 0;
  for (let i = 0; i < 16; i++) {
    const c0 = (name.charCodeAt(2 * i) & ~0x20) - 0x41;
    const c1 = (name.charCodeAt(2 * i + 1) & ~0x20) - 0x41;
    if (c0 < 0 || c0 > 15 || c1 < 0 || c1 > 15) return '';
    const b = (c0 << 4) | c1;
    bytes.push(b);
    // isalnum || ispunct || ' ' in the C locale: every printable ASCII byte.
    if ((b >= 0x20 && b < 0x7f) || b < 3) length++;
    else break;
  }
  if (length === 16) length = 15;
  while (length > 0 && (bytes[length - 1] === 0x20 || bytes[length - 1] === 0)) length--;
  return String.fromCharCode(...bytes.slice(0, length));
}
