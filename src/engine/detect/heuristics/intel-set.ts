/**
 * Known-bad indicators loaded from files in Zeek's intel framework format (--intel FILE):
 * tab-separated, a `#fields` header naming the columns (indicator, indicator_type, meta.source,
 * others ignored), `#` lines comments. Without a header the first three columns are taken in
 * that order. Types are Zeek's Intel::Type names (ADDR, SUBNET, DOMAIN, URL, USER_AGENT, EMAIL,
 * FILE_HASH, FILE_NAME, CERT_HASH) plus JA3, JA3S and JA4 (as the ja3 Zeek package spells them).
 * A bad line is reported with its file and line number and skipped; the rest still loads.
 * Capdex ships no list.
 */
import { LIMITS } from '../../support/limits.js';
import { NetworkSet } from '../../support/networks.js';
import { parseAddr } from '../../support/addr.js';

export const INTEL_TYPES = ['ADDR', 'SUBNET', 'DOMAIN', 'URL', 'USER_AGENT', 'EMAIL', 'FILE_HASH', 'FILE_NAME', 'CERT_HASH', 'JA3', 'JA3S', 'JA4'] as const;
export type IntelType = (typeof INTEL_TYPES)[number];

export interface IntelEntry {
  readonly indicator: string;
  readonly type: IntelType;
  /** meta.source of every line that listed it. */
  readonly sources: string[];
}

export interface IntelProblem { file: string; line: number; reason: string }

/** Case-insensitive types: hosts, hashes and fingerprints compare lower-cased; URLs and user agents exactly. */
const FOLDED: ReadonlySet<IntelType> = new Set(['ADDR', 'DOMAIN', 'EMAIL', 'FILE_HASH', 'CERT_HASH', 'JA3', 'JA3S', 'JA4']);

export class IntelSet {
  private readonly byType = new Map<IntelType, Map<string, IntelEntry>>();
  private readonly subnets: { net: NetworkSet; entry: IntelEntry }[] = [];
  readonly problems: IntelProblem[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(type: IntelType): boolean {
    return (this.byType.get(type)?.size ?? 0) > 0 || (type === 'ADDR' && this.subnets.length > 0);
  }

  /** Adds one indicator; returns a reason when it is refused. */
  add(indicator: string, typeName: string, source: string): string | undefined {
    const type = typeName.replace(/^Intel::/, '') as IntelType;
    if (!(INTEL_TYPES as readonly string[]).includes(type)) return `unknown indicator_type ${JSON.stringify(typeName)}`;
    if (indicator === '' || indicator === '-') return 'empty indicator';
    if (this.count >= LIMITS.intelMaxIndicators) return `more than ${LIMITS.intelMaxIndicators} indicators`;
    let key = FOLDED.has(type) ? indicator.toLowerCase() : indicator;
    if (type === 'ADDR' && !parseAddr(key)) return `not an address: ${JSON.stringify(indicator)}`;
    if (type === 'SUBNET') {
      let net: NetworkSet;
      try { net = new NetworkSet([indicator]); } catch { return `not a subnet: ${JSON.stringify(indicator)}`; }
      this.subnets.push({ net, entry: { indicator, type, sources: [source] } });
      this.count++;
      return undefined;
    }
    if (type === 'DOMAIN' && key.endsWith('.')) key = key.slice(0, -1);
    if (type === 'URL') key = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
    let table = this.byType.get(type);
    if (!table) this.byType.set(type, (table = new Map()));
    const e = table.get(key);
    if (e) { if (!e.sources.includes(source)) e.sources.push(source); return undefined; }
    table.set(key, { indicator, type, sources: [source] });
    this.count++;
    return undefined;
  }

  /** The entry for `value` seen as `type`, or undefined. */
  lookup(type: IntelType, value: string): IntelEntry | undefined {
    const table = this.byType.get(type);
    let hit: IntelEntry | undefined;
    if (table) hit = table.get(FOLDED.has(type) ? value.toLowerCase() : value);
    if (hit === undefined && type === 'ADDR' && this.subnets.length > 0) {
      const w = parseAddr(value);
      if (w) for (const s of this.subnets) if (s.net.contains(w[0], w[1], w[2], w[3])) return s.entry;
    }
    return hit;
  }

  /** Loads one file's text; problems are collected in `problems`. */
  load(text: string, file: string): void {
    let cols = { indicator: 0, type: 1, source: 2 };
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line.startsWith('#fields')) {
        const names = line.split('\t').slice(1);
        const at = (n: string): number => names.indexOf(n);
        if (at('indicator') < 0 || at('indicator_type') < 0) { this.problems.push({ file, line: i + 1, reason: '#fields lacks indicator or indicator_type' }); continue; }
        cols = { indicator: at('indicator'), type: at('indicator_type'), source: at('meta.source') };
        continue;
      }
      if (line === '' || line.startsWith('#')) continue;
      const f = line.split('\t');
      if (f.length < 2) { this.problems.push({ file, line: i + 1, reason: 'expected tab-separated indicator and indicator_type' }); continue; }
      const source = cols.source >= 0 && f[cols.source] !== undefined && f[cols.source] !== '-' ? f[cols.source] : file;
      const reason = this.add((f[cols.indicator] ?? '').trim(), (f[cols.type] ?? '').trim(), source);
      if (reason) this.problems.push({ file, line: i + 1, reason });
    }
  }
}

export const EMPTY_INTEL = new IntelSet();
