/**
 * IP/TCP/ICMP header keywords (ttl, tos, id, ipopts, fragbits, fragoffset, ip_proto, sameip,
 * flags, window, seq, ack, itype, icode, icmp_id, icmp_seq, dsize), compiled to predicates over
 * the PacketFacts the engine fills per packet. An absent field (-1) never satisfies a test.
 */
import type { PacketFacts } from '../rules/rule.js';
import type { RuleBuilder } from '../rules/builder.js';
import { KeywordError, parseInteger, parseUintTest, splitArgs, type KeywordDescriptor } from './keyword.js';

/** IPv4 option types (RFC 791 and IANA) → the bit PacketFacts.ipOpts uses for them. */
export const IPOPT_BITS: Readonly<Record<string, { type: number; bit: number }>> = {
  eol: { type: 0, bit: 1 << 0 }, nop: { type: 1, bit: 1 << 1 }, rr: { type: 7, bit: 1 << 2 },
  ts: { type: 68, bit: 1 << 3 }, sec: { type: 130, bit: 1 << 4 }, esec: { type: 133, bit: 1 << 5 },
  lsrr: { type: 131, bit: 1 << 6 }, ssrr: { type: 137, bit: 1 << 7 }, satid: { type: 136, bit: 1 << 8 },
};

/** The PacketFacts.ipOpts bit for an IPv4 option type byte (0 for options no keyword names). */
export function ipOptBit(optionType: number): number {
  for (const o of Object.values(IPOPT_BITS)) if (o.type === optionType) return o.bit;
  return 0;
}

const IP_PROTO_NAMES: Readonly<Record<string, number>> = {
  icmp: 1, igmp: 2, ipip: 4, tcp: 6, egp: 8, udp: 17, ipv6: 41, rsvp: 46, gre: 47, esp: 50, ah: 51,
  'ipv6-icmp': 58, icmpv6: 58, ospf: 89, pim: 103, vrrp: 112, l2tp: 115, sctp: 132,
};

function packet(name: string, docs: string, value: KeywordDescriptor['value'], compile: (v: string | undefined, rule: RuleBuilder) => (f: PacketFacts) => boolean): KeywordDescriptor {
  return {
    name, docs, value,
    parse(v, rule) {
      rule.packetTests.push({ keyword: name, test: compile(v, rule) });
    },
  };
}

function uintField(name: string, docs: string, field: keyof PacketFacts, max: number): KeywordDescriptor {
  return packet(name, docs, 'required', (v) => {
    const t = parseUintTest(v!, name, max);
    return (f) => (f[field] as number) >= 0 && t(f[field] as number);
  });
}

/** A plain number with an optional leading `!` (window, tos, id, seq, ack, icmp_id, icmp_seq). */
function exactField(name: string, docs: string, field: keyof PacketFacts, max: number): KeywordDescriptor {
  return packet(name, docs, 'required', (v) => {
    let t = v!.trim();
    const not = t.startsWith('!');
    if (not) t = t.slice(1).trim();
    const n = parseInteger(t, name, 0, max);
    return (f) => (f[field] as number) >= 0 && ((f[field] as number) === n) !== not;
  });
}

/** Bit tests with Suricata's modifiers: none exact, + all of these (others allowed), * any, ! not all. */
function bitTest(name: string, text: string, letters: Readonly<Record<string, number>>, withMask: boolean): (bits: number) => boolean {
  const [spec, maskText, extra] = splitArgs(text);
  if (extra !== undefined || (!withMask && maskText !== undefined)) throw new KeywordError(`${name}: too many arguments`);
  let mod = '';
  let bits = 0;
  let zero = false;
  for (const c of spec.replace(/\s+/g, '')) {
    if (c === '+' || c === '*' || c === '!') {
      if (mod !== '') throw new KeywordError(`${name}: more than one modifier`);
      mod = c;
    } else if (c === '0' && name === 'flags') zero = true;
    else if (letters[c.toUpperCase()] !== undefined) bits |= letters[c.toUpperCase()];
    else throw new KeywordError(`${name}: unknown flag ${JSON.stringify(c)}`);
  }
  if (!zero && bits === 0) throw new KeywordError(`${name}: no flags given`);
  let ignore = 0;
  if (maskText !== undefined) {
    for (const c of maskText.replace(/\s+/g, '')) {
      const b = letters[c.toUpperCase()];
      if (b === undefined) throw new KeywordError(`${name}: unknown flag ${JSON.stringify(c)} in the mask`);
      ignore |= b;
    }
  }
  const keep = ~ignore & 0xff;
  switch (mod) {
    case '+': return (f) => f >= 0 && (f & bits) === bits;
    case '*': return (f) => f >= 0 && (f & bits) !== 0;
    case '!': return (f) => f >= 0 && (f & bits) !== bits;
    default: return (f) => f >= 0 && (f & keep) === bits;
  }
}

const TCP_FLAGS: Readonly<Record<string, number>> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80, '1': 0x80, '2': 0x40 };
const FRAG_BITS: Readonly<Record<string, number>> = { M: 1, D: 2, R: 4 };

export const HEADER_KEYWORDS: readonly KeywordDescriptor[] = [
  uintField('ttl', 'IP time to live: N, <N, >N, N-M', 'ttl', 255),
  exactField('tos', 'IP type of service: [!]N', 'tos', 255),
  exactField('id', 'IPv4 identification: N', 'ipId', 65535),
  packet('ipopts', 'an IPv4 option is present: rr, eol, nop, ts, sec, esec, lsrr, ssrr, satid, any', 'required', (v) => {
    const name = v!.trim().toLowerCase();
    if (name === 'any') return (f) => f.ipOpts !== 0;
    const o = IPOPT_BITS[name];
    if (!o) throw new KeywordError(`ipopts: unknown option ${JSON.stringify(name)}`);
    return (f) => (f.ipOpts & o.bit) !== 0;
  }),
  packet('fragbits', 'IPv4 fragment bits M D R with modifiers + * !', 'required', (v) => {
    const t = bitTest('fragbits', v!, FRAG_BITS, false);
    return (f) => f.ipVersion === 4 && t(f.fragBits);
  }),
  packet('fragoffset', 'IPv4 fragment offset: [!|<|>]N', 'required', (v) => {
    const m = /^\s*([!<>]?)\s*(\d+)\s*$/.exec(v!);
    if (!m) throw new KeywordError('fragoffset: expected [!|<|>]number');
    const n = parseInteger(m[2], 'fragoffset', 0, 65535);
    const op = m[1];
    return (f) => f.ipVersion === 4 && (op === '!' ? f.fragOffset !== n : op === '<' ? f.fragOffset < n : op === '>' ? f.fragOffset > n : f.fragOffset === n);
  }),
  packet('ip_proto', 'IP protocol: number or name, with ! < >', 'required', (v) => {
    const m = /^\s*([!<>]?)\s*(\S+)\s*$/.exec(v!);
    if (!m) throw new KeywordError('ip_proto: expected a protocol');
    const n = /^\d+$/.test(m[2]) ? parseInteger(m[2], 'ip_proto', 0, 255) : IP_PROTO_NAMES[m[2].toLowerCase()];
    if (n === undefined) throw new KeywordError(`ip_proto: unknown protocol ${JSON.stringify(m[2])}`);
    const op = m[1];
    return (f) => f.ipProto >= 0 && (op === '!' ? f.ipProto !== n : op === '<' ? f.ipProto < n : op === '>' ? f.ipProto > n : f.ipProto === n);
  }),
  packet('sameip', 'source and destination address are the same', 'none', () => (f) => f.sameIp),
  packet('flags', 'TCP flags F S R P A U C E 0 with modifiers + * ! and an optional ignore mask: SA,CE', 'required', (v) => {
    const t = bitTest('flags', v!, TCP_FLAGS, true);
    return (f) => t(f.tcpFlags);
  }),
  exactField('window', 'TCP window: [!]N', 'tcpWindow', 65535),
  exactField('seq', 'TCP sequence number', 'tcpSeq', 0xffffffff),
  exactField('ack', 'TCP acknowledgement number', 'tcpAck', 0xffffffff),
  uintField('itype', 'ICMP type: N, <N, >N, N<>M', 'icmpType', 255),
  uintField('icode', 'ICMP code: N, <N, >N, N<>M', 'icmpCode', 255),
  exactField('icmp_id', 'ICMP echo identifier', 'icmpId', 65535),
  exactField('icmp_seq', 'ICMP echo sequence number', 'icmpSeq', 65535),
  uintField('dsize', 'payload size of the packet: N, <N, >N, N<>M, !N', 'dsize', 65535),
];
