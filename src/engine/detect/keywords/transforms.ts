/**
 * Transforms: change the sticky buffer before the following keywords inspect it (dotprefix,
 * to_lowercase, strip_whitespace, to_sha256, ...). Each allocates a new buffer, so lists with
 * transforms do not take part in the prefilter (their bytes differ from the wire's).
 */
import { createHash } from 'node:crypto';
import type { Transform } from '../rules/builder.js';
import { TO_LOWER } from '../match/search.js';
import type { KeywordDescriptor } from './keyword.js';

const isSpace = (b: number): boolean => b === 32 || (b >= 9 && b <= 13);

const TRANSFORMS: readonly Transform[] = [
  { name: 'dotprefix', apply: (b) => { const o = new Uint8Array(b.length + 1); o[0] = 46; o.set(b, 1); return o; } },
  { name: 'to_lowercase', apply: (b) => b.map((x) => TO_LOWER[x]) },
  { name: 'to_uppercase', apply: (b) => b.map((x) => (x >= 97 && x <= 122 ? x - 32 : x)) },
  { name: 'strip_whitespace', apply: (b) => b.filter((x) => !isSpace(x)) },
  {
    name: 'compress_whitespace',
    apply: (b) => {
      const out: number[] = [];
      for (const x of b) {
        if (isSpace(x)) { if (out.length === 0 || out[out.length - 1] !== 32) out.push(32); }
        else out.push(x);
      }
      return Uint8Array.from(out);
    },
  },
  { name: 'to_md5', apply: (b) => new Uint8Array(createHash('md5').update(b).digest()) },
  { name: 'to_sha1', apply: (b) => new Uint8Array(createHash('sha1').update(b).digest()) },
  { name: 'to_sha256', apply: (b) => new Uint8Array(createHash('sha256').update(b).digest()) },
  {
    name: 'url_decode',
    apply: (b) => {
      const out = new Uint8Array(b.length);
      let n = 0;
      const hex = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);
      for (let i = 0; i < b.length; i++) {
        if (b[i] === 37 && i + 2 < b.length && hex(b[i + 1]) >= 0 && hex(b[i + 2]) >= 0) {
          out[n++] = hex(b[i + 1]) * 16 + hex(b[i + 2]);
          i += 2;
        } else out[n++] = b[i] === 43 ? 32 : b[i];
      }
      return out.slice(0, n);
    },
  },
];

export const TRANSFORM_KEYWORDS: readonly KeywordDescriptor[] = TRANSFORMS.map((t) => ({
  name: t.name,
  docs: `transform: ${t.name.replace(/_/g, ' ')} the sticky buffer before matching`,
  value: 'none' as const,
  parse(_v: string | undefined, rule: Parameters<KeywordDescriptor['parse']>[1]) { rule.addTransform(t); },
}));
