/**
 * content and its modifiers (nocase, depth, offset, distance, within, startswith, endswith,
 * fast_pattern, rawbytes), plus the buffer-position keywords isdataat, bsize and urilen.
 * Suricata's payload keyword documentation is the reference for every check made here.
 */
import type { ContentStep } from '../match/program.js';
import type { RuleBuilder } from '../rules/builder.js';
import { TO_LOWER } from '../match/search.js';
import { KeywordError, parseInteger, parseUintTest, splitArgs, toBytes, unquote, type KeywordDescriptor } from './keyword.js';

/**
 * The bytes of a content string: text, with `|41 42|` hex runs. Escapes (\" \; \\) were removed
 * by unquote(); a `|` inside text must be written as |7C|.
 */
export function parseContentBytes(text: string, what = 'content'): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '|') {
      let end = text.indexOf('|', i);
      if (end < 0) end = text.length;
      for (const b of toBytes(text.slice(i, end))) out.push(b);
      i = end;
      continue;
    }
    const end = text.indexOf('|', i + 1);
    if (end < 0) throw new KeywordError(`${what}: unterminated |hex| run`);
    const hex = text.slice(i + 1, end).replace(/\s+/g, '');
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new KeywordError(`${what}: invalid hex ${JSON.stringify(text.slice(i, end + 1))}`);
    for (let h = 0; h < hex.length; h += 2) out.push(parseInt(hex.slice(h, h + 2), 16));
    i = end + 1;
  }
  return Uint8Array.from(out);
}

function modifier(name: string, docs: string, value: KeywordDescriptor['value'], apply: (c: ContentStep, value: string | undefined, rule: RuleBuilder) => void): KeywordDescriptor {
  return { name, docs, value, parse: (v, rule) => apply(rule.lastContentFor(name), v, rule) };
}

const relative = (c: ContentStep, name: string): void => {
  if (c.startswith) throw new KeywordError(`${name} cannot be combined with startswith`);
};

export const CONTENT_KEYWORDS: readonly KeywordDescriptor[] = [
  {
    name: 'content',
    docs: 'match bytes in the current buffer: "text|hex|", ! to negate',
    value: 'required',
    parse(value, rule) {
      let v = value!.trim();
      let negated = false;
      if (v.startsWith('!')) { negated = true; v = v.slice(1).trim(); }
      const pattern = parseContentBytes(unquote(v, 'content'));
      if (pattern.length === 0) throw new KeywordError('content: empty pattern');
      if (pattern.length > 65535) throw new KeywordError('content: pattern too long');
      rule.addStep({ kind: 'content', pattern, nocase: false, negated, startswith: false, endswith: false });
    },
  },
  modifier('nocase', 'the preceding content ignores ASCII case', 'none', (c) => {
    c.nocase = true;
    c.pattern = c.pattern.map((b) => TO_LOWER[b]);
  }),
  modifier('depth', 'the preceding content must lie within the first N bytes (counted from offset)', 'required', (c, v, rule) => {
    const d = rule.numOrVar(v!, 'depth');
    if (typeof d === 'number' && d < c.pattern.length) throw new KeywordError(`depth ${d} is smaller than the content (${c.pattern.length} bytes)`);
    if (c.startswith) throw new KeywordError('depth cannot be combined with startswith');
    c.depth = d;
  }),
  modifier('offset', 'the preceding content starts at or after byte N', 'required', (c, v, rule) => {
    const o = rule.numOrVar(v!, 'offset');
    if (typeof o === 'number' && o < 0) throw new KeywordError('offset must not be negative');
    if (c.startswith) throw new KeywordError('offset cannot be combined with startswith');
    c.offset = o;
  }),
  modifier('distance', 'the preceding content starts N bytes after the previous match (may be negative)', 'required', (c, v, rule) => {
    relative(c, 'distance');
    c.distance = rule.numOrVar(v!, 'distance');
  }),
  modifier('within', 'the preceding content ends within N bytes after the previous match (+distance)', 'required', (c, v, rule) => {
    relative(c, 'within');
    const w = rule.numOrVar(v!, 'within');
    if (typeof w === 'number' && w < c.pattern.length) throw new KeywordError(`within ${w} is smaller than the content (${c.pattern.length} bytes)`);
    c.within = w;
  }),
  modifier('startswith', 'the preceding content must be at the start of the buffer', 'none', (c) => {
    if (c.depth !== undefined || c.offset !== undefined || c.distance !== undefined || c.within !== undefined) {
      throw new KeywordError('startswith cannot be combined with depth, offset, distance or within');
    }
    c.startswith = true;
    c.offset = 0;
    c.depth = c.pattern.length;
  }),
  modifier('endswith', 'the preceding content must end at the end of the buffer', 'none', (c) => { c.endswith = true; }),
  modifier('fast_pattern', 'use the preceding content for the prefilter (`only`, or `offset,length` of it)', 'optional', (c, v, rule) => {
    if (v === undefined) c.fastPattern = { only: false };
    else if (v.trim() === 'only') c.fastPattern = { only: true };
    else {
      const [o, l, extra] = splitArgs(v);
      if (l === undefined || extra !== undefined) throw new KeywordError('fast_pattern: expected "only" or "offset,length"');
      c.fastPattern = { only: false, offset: parseInteger(o, 'fast_pattern offset', 0, 65535), length: parseInteger(l, 'fast_pattern length', 1, 65535) };
    }
    rule.setFastPattern(c);
  }),
  modifier('rawbytes', 'legacy no-op (the packet payload is always raw)', 'none', () => {}),
  {
    name: 'isdataat',
    docs: 'data exists at byte N (relative: N bytes after the previous match); ! negates',
    value: 'required',
    parse(value, rule) {
      let v = value!.trim();
      let negated = false;
      if (v.startsWith('!')) { negated = true; v = v.slice(1); }
      const [n, ...flags] = splitArgs(v);
      let rel = false;
      for (const f of flags) {
        if (f === 'relative') rel = true;
        else if (f !== 'rawbytes') throw new KeywordError(`isdataat: unknown option ${f}`);
      }
      const num = rule.numOrVar(n, 'isdataat');
      if (typeof num === 'number' && num < 0) throw new KeywordError('isdataat: negative offset');
      rule.addStep({ kind: 'isdataat', n: num, relative: rel, negated });
    },
  },
  {
    name: 'bsize',
    docs: 'length of the current sticky buffer: N, <N, >N, N<>M',
    value: 'required',
    parse(value, rule) {
      if (rule.currentBuffer === 'payload') throw new KeywordError('bsize needs a sticky buffer before it');
      rule.addStep({ kind: 'size', keyword: 'bsize', test: parseUintTest(value!, 'bsize') });
    },
  },
  {
    name: 'urilen',
    docs: 'length of the HTTP URI (normalised; `,raw` for the raw one): N, <N, >N, N<>M',
    value: 'required',
    parse(value, rule) {
      const [v, kind] = splitArgs(value!);
      if (kind !== undefined && kind !== 'raw' && kind !== 'norm') throw new KeywordError(`urilen: unknown option ${kind}`);
      rule.addStep({ kind: 'size', keyword: 'urilen', test: parseUintTest(v, 'urilen') }, kind === 'raw' ? 'http.uri.raw' : 'http.uri');
    },
  },
];
