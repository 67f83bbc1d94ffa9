/**
 * stream_size:<server|client|both|either>,<op>,<n> — how far a TCP connection's sides have got
 * (Suricata's detect-stream_size.c: next_seq - isn per side, the bytes sent plus the SYN), tested
 * per packet. ops: < > = != <= >=. Never matches outside TCP.
 */
import { KeywordError, parseInteger, splitArgs, type KeywordDescriptor } from './keyword.js';

type Cmp = (a: number, b: number) => boolean;
const OPS: Readonly<Record<string, Cmp>> = {
  '<': (a, b) => a < b, '>': (a, b) => a > b, '=': (a, b) => a === b,
  '!=': (a, b) => a !== b, '<=': (a, b) => a <= b, '>=': (a, b) => a >= b,
};

export const STREAM_KEYWORDS: readonly KeywordDescriptor[] = [
  {
    name: 'stream_size',
    docs: 'server|client|both|either,<|>|=|!=|<=|>=,N: bytes a TCP connection\'s side(s) have sent so far',
    value: 'required',
    parse(v, rule) {
      const [side, op, n, extra] = splitArgs(v!);
      const cmp = OPS[op ?? ''];
      if (cmp === undefined) throw new KeywordError(`stream_size: unknown operator ${JSON.stringify(op)}`);
      if (n === undefined || extra !== undefined) throw new KeywordError('stream_size: needs side,operator,number');
      const x = parseInteger(n, 'stream_size', 0, 2 ** 32);
      const ok = (size: number): boolean => size >= 0 && cmp(size, x);
      let test: (c: number, s: number) => boolean;
      switch (side) {
        case 'client': test = (c) => ok(c); break;
        case 'server': test = (_c, s) => ok(s); break;
        case 'both': test = (c, s) => ok(c) && ok(s); break;
        case 'either': test = (c, s) => ok(c) || ok(s); break;
        default: throw new KeywordError(`stream_size: side must be server, client, both or either, got ${JSON.stringify(side)}`);
      }
      rule.packetTests.push({ keyword: 'stream_size', test: (f) => test(f.streamClient, f.streamServer) });
    },
  },
];
