/**
 * xbits:<op>,<name>,track <ip_src|ip_dst|ip_pair>[,expire <seconds>] and the older
 * hostbits:<op>,<name>[,<src|dst|ip_src|ip_dst>][,expire <seconds>] (hostbits default to the
 * source). Only parsed into ops here; the engine keeps the bits (detect/xbits.ts).
 */
import type { XbitOp } from '../rules/rule.js';
import { KeywordError, parseInteger, splitArgs, type KeywordDescriptor } from './keyword.js';

const NAME = /^[A-Za-z0-9_.\-]+$/;
const OPS = new Set(['set', 'unset', 'toggle', 'isset', 'isnotset']);
/** Suricata's DETECT_XBITS_EXPIRE_DEFAULT. */
const DEFAULT_EXPIRE_S = 30;
const TRACKS: Readonly<Record<string, XbitOp['track']>> = { ip_src: 'ip_src', src: 'ip_src', by_src: 'ip_src', ip_dst: 'ip_dst', dst: 'ip_dst', by_dst: 'ip_dst', ip_pair: 'ip_pair' };

function parseXbit(keyword: 'xbits' | 'hostbits', value: string): XbitOp {
  const [op, name, ...rest] = splitArgs(value);
  if (!OPS.has(op)) throw new KeywordError(`${keyword}: unknown operation ${JSON.stringify(op)}`);
  if (!name || !NAME.test(name)) throw new KeywordError(`${keyword}:${op} needs a name`);
  let track: XbitOp['track'] | undefined;
  let expire = DEFAULT_EXPIRE_S;
  for (const part of rest) {
    const [word, arg, extra] = part.split(/\s+/);
    if (extra !== undefined) throw new KeywordError(`${keyword}: cannot read ${JSON.stringify(part)}`);
    if (word === 'track' && arg !== undefined) track = TRACKS[arg];
    else if (word === 'expire' && arg !== undefined) expire = parseInteger(arg, `${keyword} expire`, 1, 2 ** 31);
    else if (keyword === 'hostbits' && arg === undefined && TRACKS[word] !== undefined && word !== 'ip_pair') track = TRACKS[word];
    else throw new KeywordError(`${keyword}: unknown option ${JSON.stringify(part)}`);
    if (word === 'track' && track === undefined) throw new KeywordError(`${keyword}: track must be ip_src, ip_dst or ip_pair, got ${JSON.stringify(arg)}`);
  }
  if (track === undefined) {
    if (keyword === 'xbits') throw new KeywordError('xbits: needs track ip_src, ip_dst or ip_pair');
    track = 'ip_src';
  }
  if (keyword === 'hostbits' && track === 'ip_pair') throw new KeywordError('hostbits: ip_pair is xbits only');
  return { op: op as XbitOp['op'], name, track, expire };
}

export const XBITS_KEYWORDS: readonly KeywordDescriptor[] = [
  {
    name: 'xbits',
    docs: 'set|unset|toggle|isset|isnotset,name,track ip_src|ip_dst|ip_pair[,expire N]: bits on hosts or host pairs',
    value: 'required',
    parse(v, rule) { rule.xbits.push(parseXbit('xbits', v!)); },
  },
  {
    name: 'hostbits',
    docs: 'set|unset|toggle|isset|isnotset,name[,src|dst][,expire N]: bits on a host',
    value: 'required',
    parse(v, rule) { rule.xbits.push(parseXbit('hostbits', v!)); },
  },
];
