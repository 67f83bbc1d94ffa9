/**
 * parseRules: Suricata 7 rule text → compiled rules, errors with positions, and the keywords we
 * do not support (counted). One bad rule never stops the others.
 *
 * A rule is `action proto src sport dir dst dport (key:value; key; ...)`, possibly continued over
 * lines ending in `\`. `# alert ...` lines are disabled rules (counted); other `#` lines are
 * comments. Option values end at an unescaped `;`; `\;` `\"` `\\` are escapes inside values.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ParseResult, Rule, RuleAction, RuleError } from './rule.js';
import { RuleBuilder, type BuildContext } from './builder.js';
import { compileAddress } from './address.js';
import { compilePorts } from './ports.js';
import { ListSyntaxError } from './list-syntax.js';
import { mergeVars } from './vars.js';
import { DEFAULT_CLASSIFICATIONS, type Classification } from './classification.js';
import { KEYWORD_TABLE } from '../keywords/index.js';
import { KeywordError, UnsupportedKeyword } from '../keywords/keyword.js';
import { DETECT_LIMITS } from '../match/limits.js';
import type { AddressMatcher, PortMatcher } from './rule.js';

export interface ParseOptions {
  /** Shown in errors and kept on each rule; list files (filemd5, dataset load) resolve next to it. */
  readonly file?: string;
  /** Variable values (`HOME_NET: '[10.0.0.0/8]'`), over Suricata's defaults. */
  readonly vars?: Readonly<Record<string, string>>;
  /** classtype table; Suricata's defaults when absent (classification.ts). */
  readonly classifications?: ReadonlyMap<string, Classification>;
  /** How list files are read; default: from disk, relative to `file`'s folder. */
  readonly readListFile?: (name: string) => string;
  /** Datasets shared with other loads (the engine may pass one map for all rule files). */
  readonly datasets?: Map<string, Set<string>>;
}

const ACTIONS = new Set<RuleAction>(['alert', 'pass', 'drop', 'reject', 'rejectsrc', 'rejectdst', 'rejectboth']);

interface ProtoInfo { ipProtos: readonly number[] | null; app?: string; ipVersion?: 4 | 6 }
const TCP = [6];
const UDP = [17];
const BOTH = [6, 17];
const PROTOS: Readonly<Record<string, ProtoInfo>> = {
  ip: { ipProtos: null }, pkthdr: { ipProtos: null }, ipv4: { ipProtos: null, ipVersion: 4 }, ipv6: { ipProtos: null, ipVersion: 6 },
  tcp: { ipProtos: TCP }, 'tcp-pkt': { ipProtos: TCP }, 'tcp-stream': { ipProtos: TCP }, udp: { ipProtos: UDP },
  icmp: { ipProtos: [1, 58] }, icmpv4: { ipProtos: [1] }, icmpv6: { ipProtos: [58] }, sctp: { ipProtos: [132] },
};
/** App-layer protocols as rule headers name them, and the transports they run over. */
const APP_PROTOS: Readonly<Record<string, readonly number[]>> = {
  http: TCP, http1: TCP, http2: TCP, tls: TCP, ssh: TCP, smtp: TCP, ftp: TCP, 'ftp-data': TCP, imap: TCP, pop3: TCP,
  smb: TCP, rdp: TCP, rfb: TCP, mqtt: TCP, modbus: TCP, dnp3: TCP, pgsql: TCP, telnet: TCP, irc: TCP, websocket: TCP,
  dns: BOTH, dcerpc: BOTH, krb5: BOTH, sip: BOTH, enip: BOTH, nfs: BOTH, ldap: BOTH,
  ntp: UDP, dhcp: UDP, snmp: UDP, tftp: UDP, quic: UDP, ike: UDP, 'bittorrent-dht': UDP,
};

/** A piece of a logical rule that came from one physical line. */
interface Segment { at: number; line: number; col: number }

class RuleTextError extends Error {
  constructor(readonly offset: number, reason: string) {
    super(reason);
  }
}

export function parseRules(text: string, opts: ParseOptions = {}): ParseResult {
  const file = opts.file ?? '<rules>';
  const vars = mergeVars(opts.vars);
  const portCache = new Map<string, PortMatcher>();
  const addressCache = new Map<string, AddressMatcher>();
  const baseDir = opts.file ? dirname(opts.file) : process.cwd();
  const ctx: BuildContext = {
    readListFile: opts.readListFile ?? ((name) => readFileSync(isAbsolute(name) ? name : resolve(baseDir, name), 'utf8')),
    datasets: opts.datasets ?? new Map(),
    classifications: opts.classifications ?? DEFAULT_CLASSIFICATIONS,
  };
  const rules: Rule[] = [];
  const errors: RuleError[] = [];
  const unsupported = new Map<string, number>();
  const seen = new Set<string>();
  let disabled = 0;

  const lines = text.split(/\r?\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    // Join continuation lines, remembering where each piece came from.
    const segments: Segment[] = [];
    let joined = '';
    const firstLine = i + 1;
    for (;;) {
      const raw = lines[i];
      const lead = raw.length - raw.trimStart().length;
      segments.push({ at: joined.length, line: i + 1, col: segments.length === 0 ? 1 : lead + 1 });
      const piece = segments.length === 1 ? raw : raw.trimStart();
      if (piece.endsWith('\\') && !piece.endsWith('\\\\') && i + 1 < lines.length) {
        joined += piece.slice(0, -1);
        i++;
        continue;
      }
      joined += piece;
      break;
    }
    const lead = joined.length - joined.trimStart().length;
    const body = joined.trim();
    if (body === '') continue;
    const where = (offset: number): { line: number; column: number } => {
      let s = segments[0];
      for (const seg of segments) if (seg.at <= offset) s = seg;
      return { line: s.line, column: s.col + offset - s.at };
    };
    if (body.startsWith('#')) {
      if (/^#+\s*(alert|pass|drop|reject|rejectsrc|rejectdst|rejectboth)\s+\S+\s+\S+\s+\S+\s+(->|<>)\s+\S+\s+\S+\s*\(.*\)\s*$/.test(body)) disabled++;
      continue;
    }
    if (body.length > DETECT_LIMITS.maxRuleBytes) {
      errors.push({ file, line: firstLine, column: 1, reason: `rule longer than ${DETECT_LIMITS.maxRuleBytes} bytes` });
      continue;
    }
    try {
      const rule = parseOne(body, file, firstLine, vars, portCache, addressCache, ctx, unsupported);
      if (!rule) continue;
      const key = `${rule.gid}:${rule.sid}`;
      if (seen.has(key)) {
        errors.push({ file, line: firstLine, column: 1, reason: `duplicate sid ${rule.sid} (gid ${rule.gid})` });
        continue;
      }
      seen.add(key);
      rules.push(rule);
    } catch (err) {
      if (!(err instanceof RuleTextError)) throw err;
      const pos = where(lead + err.offset);
      errors.push({ file, line: pos.line, column: pos.column, reason: err.message });
    }
  }
  return { rules, errors, unsupported, disabled };
}

/** Splits the header into whitespace-separated tokens, keeping `[ ... ]` lists (with spaces) whole. */
function headerTokens(header: string): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i <= header.length; i++) {
    const c = header[i];
    const space = c === undefined || ((c === ' ' || c === '\t') && depth === 0);
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    if (space) {
      if (start >= 0) out.push({ text: header.slice(start, i).replace(/\s+/g, ''), at: start });
      start = -1;
    } else if (start < 0) start = i;
  }
  return out;
}

/** One rule; undefined when it uses unsupported keywords (counted in `unsupported`). */
function parseOne(
  body: string, file: string, line: number, vars: ReadonlyMap<string, string>,
  portCache: Map<string, PortMatcher>, addressCache: Map<string, AddressMatcher>, ctx: BuildContext, unsupported: Map<string, number>,
): Rule | undefined {
  const open = body.indexOf('(');
  if (open < 0) throw new RuleTextError(0, 'no options: expected "(" after the header');
  if (!body.endsWith(')')) throw new RuleTextError(body.length - 1, 'rule must end with ")"');
  const tokens = headerTokens(body.slice(0, open));
  if (tokens.length !== 7) {
    throw new RuleTextError(tokens[Math.min(tokens.length, 6)]?.at ?? 0,
      `header has ${tokens.length} fields, expected 7: action protocol source port direction destination port`);
  }
  const [act, proto, src, sport, dir, dst, dport] = tokens;
  const action = act.text.toLowerCase() as RuleAction;
  if (!ACTIONS.has(action)) throw new RuleTextError(act.at, `unknown action ${JSON.stringify(act.text)}`);
  const protoName = proto.text.toLowerCase();
  const pinfo: ProtoInfo | undefined = PROTOS[protoName] ?? (APP_PROTOS[protoName] ? { ipProtos: APP_PROTOS[protoName], app: protoName } : undefined);
  if (!pinfo) throw new RuleTextError(proto.at, `unknown protocol ${JSON.stringify(proto.text)}`);
  if (dir.text !== '->' && dir.text !== '<>') throw new RuleTextError(dir.at, `direction must be -> or <>, got ${JSON.stringify(dir.text)}`);
  const part = <T>(tok: { text: string; at: number }, what: string, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof ListSyntaxError) throw new RuleTextError(tok.at, `${what}: ${err.message}`);
      throw err;
    }
  };
  const header = {
    src: part(src, 'source address', () => compileAddress(src.text, vars, addressCache)),
    srcPorts: part(sport, 'source port', () => compilePorts(sport.text, vars, portCache)),
    dst: part(dst, 'destination address', () => compileAddress(dst.text, vars, addressCache)),
    dstPorts: part(dport, 'destination port', () => compilePorts(dport.text, vars, portCache)),
    bidirectional: dir.text === '<>',
  };
  const options = splitOptions(body, open + 1, body.length - 1);
  if (options.length > DETECT_LIMITS.maxOptionsPerRule) throw new RuleTextError(open, `more than ${DETECT_LIMITS.maxOptionsPerRule} options`);
  // Unknown keywords first: the rule is then "unsupported", not an error.
  let unknown: Set<string> | undefined;
  for (const o of options) if (!KEYWORD_TABLE.has(o.key)) (unknown ??= new Set()).add(o.key);
  if (unknown) {
    for (const k of unknown) unsupported.set(k, (unsupported.get(k) ?? 0) + 1);
    return undefined;
  }
  const b = new RuleBuilder(action, protoName, pinfo.app, pinfo.ipProtos, pinfo.ipVersion, header, ctx);
  if (protoName === 'tcp-pkt') b.flow.noStream = true;
  if (protoName === 'tcp-stream') b.flow.onlyStream = true;
  for (const o of options) {
    const kw = KEYWORD_TABLE.get(o.key)!;
    try {
      if (kw.value === 'none' && o.value !== undefined) throw new KeywordError(`${o.key} takes no value`);
      if (kw.value === 'required' && (o.value === undefined || o.value.trim() === '')) throw new KeywordError(`${o.key} needs a value`);
      kw.parse(o.value, b);
      b.previousKeyword = o.key;
    } catch (err) {
      if (err instanceof UnsupportedKeyword) {
        unsupported.set(err.keyword, (unsupported.get(err.keyword) ?? 0) + 1);
        return undefined;
      }
      if (err instanceof KeywordError) throw new RuleTextError(o.at, err.message);
      throw err;
    }
  }
  try {
    return b.finish(file, line, body);
  } catch (err) {
    if (err instanceof KeywordError) throw new RuleTextError(open, err.message);
    throw err;
  }
}

/** Options between `(` and `)`: split at unescaped `;`, each `key[:value]` with its offset. */
function splitOptions(body: string, from: number, to: number): { key: string; value: string | undefined; at: number }[] {
  const out: { key: string; value: string | undefined; at: number }[] = [];
  let start = from;
  let inQuote = false;
  for (let i = from; i <= to; i++) {
    const c = body[i];
    if (c === '\\' && i < to) { i++; continue; }
    if (c === '"') inQuote = !inQuote;
    if ((c === ';' && !inQuote) || i === to) {
      const raw = body.slice(start, i);
      const trimmed = raw.trim();
      if (trimmed !== '') {
        const at = start + (raw.length - raw.trimStart().length);
        const colon = trimmed.indexOf(':');
        const key = (colon < 0 ? trimmed : trimmed.slice(0, colon)).trim().toLowerCase();
        const value = colon < 0 ? undefined : trimmed.slice(colon + 1).trim();
        if (!/^[a-z0-9_.\-]+$/.test(key)) throw new RuleTextError(at, `bad option ${JSON.stringify(trimmed.slice(0, 40))}`);
        out.push({ key, value, at });
      }
      start = i + 1;
    }
  }
  if (inQuote) throw new RuleTextError(to, 'unterminated quoted value');
  return out;
}
