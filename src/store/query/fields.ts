/**
 * Field resolution: turns a field name as written in a query into where its values live and how
 * they compare, from the engine's log schemas (log-catalog.ts). The names are Zeek's flat keys:
 * `dns.query` is log dns, key `query`; `id.resp_h` (first segment not a log) is key `id.resp_h` in
 * any log; `alert.signature` walks EVE's nested document. Names outside the schemas are errors
 * with a suggestion, so field names reach SQL only as checked JSON paths, and as parameters.
 */
import type { FieldName } from './ast.js';
import type { FieldSpec, LogSchema, ZeekType } from '../../engine/logs/schema.js';
import { QuerySyntaxError } from './errors.js';
import { LOG_SCHEMAS, storedLogName } from './log-catalog.js';
import { observableTypeOf } from './observable-fields.js';

/** How values of a field compare. */
export type FieldClass = 'ip' | 'number' | 'time' | 'bool' | 'string';

/** Record columns a query reaches without reading the document. */
export type RecordColumn = 'log' | 'capture_id' | 'ts' | 'uid' | 'community_id';

export interface ColumnField {
  readonly kind: 'column';
  readonly column: RecordColumn;
  readonly cls: FieldClass;
  readonly log?: string;
}

export interface JsonField {
  readonly kind: 'json';
  /** records.log scope; undefined: any log holding the key. */
  readonly log?: string;
  /** The key as stored in observables.field (dotted for nested documents). */
  readonly key: string;
  /** Path from the document root: one flat key, or the segments of a nested one. */
  readonly path: readonly string[];
  readonly cls: FieldClass;
  /** A set or vector: a value matches any element. */
  readonly container: boolean;
  /** The observables type indexing this field in every log that has it, if one does. */
  readonly observable?: string;
}

export type ResolvedField = ColumnField | JsonField;

const COLUMNS: Readonly<Record<string, { column: RecordColumn; cls: FieldClass }>> = {
  log: { column: 'log', cls: 'string' },
  capture: { column: 'capture_id', cls: 'string' },
  ts: { column: 'ts', cls: 'time' },
  uid: { column: 'uid', cls: 'string' },
  community_id: { column: 'community_id', cls: 'string' },
};
/** Columns that also exist per log (`dns.ts`, `conn.uid`); `log` and `capture` do not. */
const PER_LOG_COLUMNS = new Set(['ts', 'uid', 'community_id']);

function classOf(t: ZeekType): FieldClass {
  switch (t) {
    case 'addr': case 'set[addr]': case 'vector[addr]': return 'ip';
    case 'count': case 'int': case 'port': case 'double': case 'interval': case 'vector[count]': case 'vector[interval]': return 'number';
    case 'time': return 'time';
    case 'bool': return 'bool';
    default: return 'string';
  }
}

const isContainer = (t: ZeekType): boolean => t.startsWith('set[') || t.startsWith('vector[');

interface LogInfo {
  readonly schema: LogSchema;
  readonly name: string;
  readonly nested: boolean;
  readonly byKey: ReadonlyMap<string, FieldSpec>;
}

const LOGS = new Map<string, LogInfo>();
/** key → every (log, spec) holding it, for names without a log prefix. */
const KEY_INDEX = new Map<string, { log: LogInfo; spec: FieldSpec }[]>();
for (const schema of LOG_SCHEMAS) {
  const info: LogInfo = {
    schema,
    name: storedLogName(schema),
    nested: schema.document === true,
    byKey: new Map(schema.fields.map((f) => [f.name, f])),
  };
  LOGS.set(info.name, info);
  for (const f of schema.fields) {
    const list = KEY_INDEX.get(f.name) ?? [];
    list.push({ log: info, spec: f });
    KEY_INDEX.set(f.name, list);
  }
}

/** Stored log names the language knows ('conn', 'dns', 'alert', ...). */
export const LOG_NAMES: readonly string[] = [...LOGS.keys()];

function pathOf(log: LogInfo, key: string): string[] {
  return log.nested ? key.split('.') : [key];
}

function jsonField(log: LogInfo, spec: FieldSpec, scoped: boolean): JsonField {
  return {
    kind: 'json',
    log: scoped ? log.name : undefined,
    key: spec.name,
    path: pathOf(log, spec.name),
    cls: classOf(spec.type),
    container: isContainer(spec.type),
    observable: observableTypeOf(log.name, spec.name, spec.type),
  };
}

/** Resolves a field name or throws a QuerySyntaxError at its position. */
export function resolveField(f: FieldName): ResolvedField {
  const col = COLUMNS[f.name];
  if (col) return { kind: 'column', ...col };
  const dot = f.name.indexOf('.');
  const log = dot > 0 ? LOGS.get(f.name.slice(0, dot)) : undefined;
  if (log) return resolveInLog(log, f, f.name.slice(dot + 1));
  return resolveAnyLog(f);
}

function resolveInLog(log: LogInfo, f: FieldName, rest: string): ResolvedField {
  if (PER_LOG_COLUMNS.has(rest)) return { kind: 'column', ...COLUMNS[rest], log: log.name };
  // EVE keeps its own top-level name in paths: `alert.signature` is alert → signature.
  const spec = log.byKey.get(rest) ?? (log.nested ? log.byKey.get(f.name) : undefined);
  if (spec) return jsonField(log, spec, true);
  if (log.nested && log.byKey.has(rest.split('.')[0])) {
    // Inside an object the schema only names (EVE's `http{...}`, `tls{...}`): any key, compared as text.
    return { kind: 'json', log: log.name, key: rest, path: rest.split('.'), cls: 'string', container: false };
  }
  throw unknown(f, `a field of ${log.name}`, [...log.byKey.keys()].map((k) => `${log.name}.${k}`));
}

function resolveAnyLog(f: FieldName): ResolvedField {
  const holders = KEY_INDEX.get(f.name);
  if (!holders) {
    const all = [...LOGS.values()].flatMap((l) => [...l.byKey.keys()].map((k) => `${l.name}.${k}`));
    throw unknown(f, 'a field name', [...KEY_INDEX.keys(), ...Object.keys(COLUMNS), ...all]);
  }
  const fields = holders.map((h) => jsonField(h.log, h.spec, false));
  const [first, ...rest] = fields;
  const agree = <K extends 'cls' | 'observable'>(k: K) => rest.every((x) => x[k] === first[k]);
  if (rest.some((x) => x.path.join('\u0000') !== first.path.join('\u0000'))) {
    // Same key, flat in one log and nested in another: cannot be one JSON path; ask for a log prefix.
    throw new QuerySyntaxError(f.pos, 'a field with its log', `expected a field with its log ('${holders[0].log.name}.${f.name}'): '${f.name}' is in ${holders.map((h) => h.log.name).join(', ')}`);
  }
  return {
    ...first,
    cls: agree('cls') ? first.cls : 'string',
    container: fields.some((x) => x.container),
    observable: agree('observable') && agree('cls') ? first.observable : undefined,
  };
}

function unknown(f: FieldName, expected: string, candidates: Iterable<string>): QuerySyntaxError {
  const near = closest(f.name, candidates);
  return new QuerySyntaxError(f.pos, expected, `unknown field '${f.name}'${near ? ` (did you mean '${near}'?)` : ''}: expected ${expected}`);
}

/** The candidate within edit distance 2 (case-insensitive), for "did you mean". */
function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  const a = name.toLowerCase();
  if (a.length > 64) return undefined;
  for (const c of candidates) {
    if (Math.abs(c.length - a.length) >= bestD) continue;
    const d = editDistance(a, c.toLowerCase(), bestD);
    if (d < bestD) { bestD = d; best = c; }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `cap`) once it cannot be below cap. */
function editDistance(a: string, b: string, cap: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin >= cap) return cap;
    prev = cur;
  }
  return prev[b.length];
}
