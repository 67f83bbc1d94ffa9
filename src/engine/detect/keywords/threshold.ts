/** threshold and detection_filter: alert-rate rules, parsed into ThresholdSpec for the engine. */
import type { ThresholdSpec } from '../rules/rule.js';
import { KeywordError, parseInteger, splitArgs, type KeywordDescriptor } from './keyword.js';

const TRACKS = new Set(['by_src', 'by_dst', 'by_rule', 'by_both', 'by_flow']);

function parseSpec(value: string, what: string, typed: boolean): ThresholdSpec {
  const fields = new Map<string, string>();
  for (const part of splitArgs(value)) {
    const m = /^(\S+)\s+(\S+)$/.exec(part);
    if (!m) throw new KeywordError(`${what}: expected "name value" pairs, got ${JSON.stringify(part)}`);
    if (fields.has(m[1])) throw new KeywordError(`${what}: ${m[1]} given twice`);
    fields.set(m[1], m[2]);
  }
  const allowed = typed ? ['type', 'track', 'count', 'seconds'] : ['track', 'count', 'seconds'];
  for (const k of fields.keys()) if (!allowed.includes(k)) throw new KeywordError(`${what}: unknown option ${k}`);
  for (const k of allowed) if (!fields.has(k)) throw new KeywordError(`${what}: missing ${k}`);
  const type = typed ? fields.get('type')! : 'detection_filter';
  if (!['threshold', 'limit', 'both', 'detection_filter'].includes(type)) throw new KeywordError(`${what}: unknown type ${type}`);
  const track = fields.get('track')!;
  if (!TRACKS.has(track)) throw new KeywordError(`${what}: unknown track ${track}`);
  return {
    type: type as ThresholdSpec['type'],
    track: track as ThresholdSpec['track'],
    count: parseInteger(fields.get('count')!, `${what} count`, 1, 0xffffffff),
    seconds: parseInteger(fields.get('seconds')!, `${what} seconds`, 1, 0xffffffff),
  };
}

export const THRESHOLD_KEYWORDS: readonly KeywordDescriptor[] = [
  {
    name: 'threshold',
    docs: 'type threshold|limit|both, track by_src|by_dst|by_rule|by_both|by_flow, count N, seconds T',
    value: 'required',
    parse(v, rule) {
      if (rule.threshold) throw new KeywordError('threshold given twice');
      rule.threshold = parseSpec(v!, 'threshold', true);
    },
  },
  {
    name: 'detection_filter',
    docs: 'alert only after N matches in T seconds: track by_src|by_dst|..., count N, seconds T',
    value: 'required',
    parse(v, rule) {
      if (rule.detectionFilter) throw new KeywordError('detection_filter given twice');
      rule.detectionFilter = parseSpec(v!, 'detection_filter', false);
    },
  },
];
