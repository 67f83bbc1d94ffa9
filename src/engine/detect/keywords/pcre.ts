/**
 * pcre:"/pattern/flags" — run on our budgeted regex engine (match/regex.ts, which explains why).
 * Flags: i s m x A E G as PCRE; R relative to the previous match; O (match-limit override) is
 * ignored because our budget is fixed; the HTTP letters put the pcre on a sticky buffer.
 */
import type { BufferKey } from '../rules/rule.js';
import { compileRegex, RegexSyntaxError, type RegexFlags } from '../match/regex.js';
import { KeywordError, type KeywordDescriptor } from './keyword.js';

/** Suricata's HTTP pcre modifiers. */
const BUFFER_FLAGS: Readonly<Record<string, BufferKey>> = {
  U: 'http.uri', I: 'http.uri.raw', P: 'http.request_body', Q: 'http.response_body', H: 'http.header',
  D: 'http.header.raw', M: 'http.method', C: 'http.cookie', S: 'http.stat_code', Y: 'http.stat_msg',
  V: 'http.user_agent', W: 'http.host', Z: 'http.host.raw',
};

export const PCRE_KEYWORDS: readonly KeywordDescriptor[] = [
  {
    name: 'pcre',
    docs: 'Perl-compatible regular expression on the current buffer: "/re/flags", ! to negate',
    value: 'required',
    parse(value, rule) {
      let v = value!.trim();
      let negated = false;
      if (v.startsWith('!')) { negated = true; v = v.slice(1).trim(); }
      if (v.length < 2 || v[0] !== '"' || v[v.length - 1] !== '"') throw new KeywordError('pcre: value must be in double quotes');
      v = v.slice(1, -1);
      if (v[0] !== '/') throw new KeywordError('pcre: pattern must start with /');
      const close = v.lastIndexOf('/');
      if (close <= 0) throw new KeywordError('pcre: pattern has no closing /');
      const pattern = v.slice(1, close);
      const flagText = v.slice(close + 1);
      const flags: RegexFlags = {};
      let relative = false;
      let buffer: BufferKey | undefined;
      for (const f of flagText) {
        if (f === 'i' || f === 's' || f === 'm' || f === 'x' || f === 'A' || f === 'E' || f === 'G') flags[f] = true;
        else if (f === 'R') relative = true;
        else if (f === 'O' || f === 'B') { /* O: match-limit override (our budget is fixed); B: rawbytes */ }
        else if (BUFFER_FLAGS[f]) {
          if (buffer && buffer !== BUFFER_FLAGS[f]) throw new KeywordError(`pcre: flags name two buffers (${flagText})`);
          buffer = BUFFER_FLAGS[f];
        } else throw new KeywordError(`pcre: unknown flag ${f}`);
      }
      if (buffer && rule.currentBuffer !== 'payload' && rule.currentBuffer !== buffer) {
        throw new KeywordError(`pcre: /${flagText} conflicts with the sticky buffer ${rule.currentBuffer}`);
      }
      // The rule text escapes ; and " with a backslash: harmless in a regex (\; matches ;).
      let regex;
      try {
        // The regex engine reads one char per byte: non-ASCII text becomes its UTF-8 bytes.
        regex = compileRegex(Buffer.from(pattern, 'utf8').toString('latin1'), flags);
      } catch (err) {
        if (err instanceof RegexSyntaxError) throw new KeywordError(`pcre: ${err.message}`);
        throw err;
      }
      rule.addStep({ kind: 'pcre', regex, relative, negated }, buffer);
    },
  },
];
