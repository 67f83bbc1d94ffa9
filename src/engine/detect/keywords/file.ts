/**
 * File keywords over the facts a file inspection unit carries (InspectionUnit.facts: size, md5,
 * sha1, sha256, magic) and over its name: filemagic, filesize, filemd5/filesha1/filesha256 (hash
 * list files), filename, fileext, filestore.
 */
import type { UnitFacts } from '../rules/rule.js';
import type { RuleBuilder } from '../rules/builder.js';
import { parseContentBytes } from './content.js';
import { TO_LOWER } from '../match/search.js';
import { KeywordError, parseUintTest, unquote, type KeywordDescriptor } from './keyword.js';

function fact(name: string, docs: string, compile: (v: string, rule: RuleBuilder) => (f: UnitFacts | undefined) => boolean): KeywordDescriptor {
  return {
    name, docs, value: 'required',
    parse(v, rule) {
      rule.factTests.push({ keyword: name, unit: 'file', test: compile(v!, rule) });
    },
  };
}

/** Reads a hash list file: one hex digest per line, `#` comments and anything after the hash ignored. */
function hashList(rule: RuleBuilder, file: string, hexLen: number, what: string): Set<string> {
  let text: string;
  try {
    text = rule.ctx.readListFile(file);
  } catch (err) {
    throw new KeywordError(`${what}: cannot read ${file}: ${(err as Error).message}`);
  }
  const out = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const hash = line.split(/[\s,]/)[0].toLowerCase();
    if (hash.length !== hexLen || !/^[0-9a-f]+$/.test(hash)) throw new KeywordError(`${what}: ${JSON.stringify(hash.slice(0, 80))} in ${file} is not a ${hexLen / 2}-byte hex digest`);
    out.add(hash);
  }
  return out;
}

function hashKeyword(name: string, factName: string, hexLen: number): KeywordDescriptor {
  return fact(name, `the file's ${factName} is [not] in a list file of hex digests`, (v, rule) => {
    let t = v.trim();
    const not = t.startsWith('!');
    if (not) t = t.slice(1).trim();
    const set = hashList(rule, t.replace(/^"|"$/g, ''), hexLen, name);
    return (f) => {
      const h = f?.[factName];
      return typeof h === 'string' && set.has(h.toLowerCase()) !== not;
    };
  });
}

export const FILE_KEYWORDS: readonly KeywordDescriptor[] = [
  fact('filemagic', 'the file\'s libmagic-style description contains a string: [!]"text"', (v) => {
    let t = v.trim();
    const not = t.startsWith('!');
    if (not) t = t.slice(1).trim();
    const needle = unquote(t, 'filemagic');
    return (f) => {
      const magic = f?.magic;
      return typeof magic === 'string' && magic.includes(needle) !== not;
    };
  }),
  fact('filesize', 'file size in bytes: N, <N, >N, N<>M', (v) => {
    const t = parseUintTest(v, 'filesize');
    return (f) => typeof f?.size === 'number' && t(f.size);
  }),
  hashKeyword('filemd5', 'md5', 32),
  hashKeyword('filesha1', 'sha1', 40),
  hashKeyword('filesha256', 'sha256', 64),
  {
    name: 'filename',
    docs: 'the file name contains a string (legacy; file.name is the sticky buffer)',
    value: 'optional',
    parse(v, rule) {
      if (v === undefined) { rule.setBuffer('file.name'); return; }
      let t = v.trim();
      const negated = t.startsWith('!');
      if (negated) t = t.slice(1).trim();
      const pattern = parseContentBytes(unquote(t, 'filename'), 'filename');
      rule.addStep({ kind: 'content', pattern, nocase: false, negated, startswith: false, endswith: false }, 'file.name');
    },
  },
  {
    name: 'fileext',
    docs: 'the file name ends in .EXT (case-insensitive)',
    value: 'required',
    parse(v, rule) {
      let t = v!.trim();
      const negated = t.startsWith('!');
      if (negated) t = t.slice(1).trim();
      const ext = unquote(t, 'fileext');
      if (ext === '' || ext.includes('/')) throw new KeywordError('fileext: expected an extension');
      const pattern = parseContentBytes('.' + ext, 'fileext').map((b) => TO_LOWER[b]);
      rule.addStep({ kind: 'content', pattern, nocase: true, negated, startswith: false, endswith: true }, 'file.name');
    },
  },
  // Capdex stores files by --extract-files, not per rule: the keyword is accepted and has no effect.
  { name: 'filestore', docs: 'accepted for compatibility; extraction is controlled by --extract-files', value: 'optional', parse() {} },
];
