/**
 * YARA rule files (--yara FILE, repeatable), compiled with YARA-X through `@litko/yara-x` (its
 * native build ships inside the npm package; STACK.md). The binding is loaded only when rules are
 * asked for, so a run without --yara never touches it. Each file is compiled on its own: a rule
 * name may repeat across files, and a compile error names the file it is in.
 */
import { readFileSync } from 'node:fs';

/** One rule that matched, as the scanner reports it. */
export interface YaraMatch {
  readonly rule: string;
  readonly namespace: string;
  readonly tags: readonly string[];
  readonly meta: Readonly<Record<string, unknown>>;
}

/** Compiled rules of one or more files. */
export interface YaraRuleSet {
  readonly files: readonly string[];
  /** Rules that matched `data`, in file order (each at most once). */
  scan(data: Buffer): YaraMatch[];
}

/** Pattern matches recorded per pattern: only the rule verdict is used, not every offset. */
const MAX_MATCHES_PER_PATTERN = 1;

interface Compiled {
  scan(data: Buffer): Array<{ ruleIdentifier: string; namespace: string; tags: string[]; meta: object }>;
  setMaxMatchesPerPattern(n: number): void;
}

/** A rule file that does not compile, or cannot be read. */
export class YaraRuleError extends Error {}

/** Rule text that does not compile: the compiler's message and where (line and column when it says). */
export class YaraCompileError extends YaraRuleError {
  constructor(message: string, readonly line?: number, readonly column?: number) { super(message); }
}

type YaraX = { compile(source: string, options?: { enableIncludes?: boolean }): Compiled };

async function loadYaraX(): Promise<YaraX> {
  try {
    return (await import('@litko/yara-x')) as unknown as YaraX;
  } catch (e) {
    throw new YaraRuleError(`YARA is not available on this machine (@litko/yara-x: ${(e as Error).message})`);
  }
}

/** YARA-X's report ("error[E025]: unknown pattern `$x`\n --> line:1:23 ...") cut to its first two lines. */
function compilerMessage(e: unknown): string {
  return (e as Error).message.split('\n').slice(0, 2).map((l) => l.trim()).join(' ');
}

function rulesetOf(files: readonly string[], compiled: readonly Compiled[]): YaraRuleSet {
  return {
    files,
    scan(data: Buffer): YaraMatch[] {
      const out: YaraMatch[] = [];
      for (const c of compiled) {
        for (const m of c.scan(data)) out.push({ rule: m.ruleIdentifier, namespace: m.namespace, tags: m.tags, meta: m.meta as Record<string, unknown> });
      }
      return out;
    },
  };
}

/**
 * Rules given as text by a remote user (retro-hunts): `include` is refused (it would read files on
 * the server), and a compile error carries the compiler's message, line and column.
 */
export async function compileYaraText(source: string): Promise<YaraRuleSet> {
  const yarax = await loadYaraX();
  let c: Compiled;
  try {
    c = yarax.compile(source, { enableIncludes: false });
  } catch (e) {
    const at = /--> line:(\d+):(\d+)/.exec((e as Error).message);
    throw new YaraCompileError(compilerMessage(e), at ? Number(at[1]) : undefined, at ? Number(at[2]) : undefined);
  }
  c.setMaxMatchesPerPattern(MAX_MATCHES_PER_PATTERN);
  return rulesetOf(['<rules>'], [c]);
}

export async function loadYaraRules(files: readonly string[]): Promise<YaraRuleSet> {
  const yarax = await loadYaraX();
  const compiled: Compiled[] = [];
  for (const file of files) {
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (e) {
      throw new YaraRuleError(`${file}: cannot read YARA rules (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    try {
      const c = yarax.compile(source);
      c.setMaxMatchesPerPattern(MAX_MATCHES_PER_PATTERN);
      compiled.push(c);
    } catch (e) {
      throw new YaraRuleError(`${file}: ${compilerMessage(e)}`);
    }
  }
  return rulesetOf(files, compiled);
}
