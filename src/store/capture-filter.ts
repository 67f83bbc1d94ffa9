/**
 * CaptureFilter's time bounds as SQL conditions both backends splice into their captures query:
 * imported (submitted and stored) between, first packet between; each value a parameter through
 * the caller's placeholder, non-finite bounds ignored. A capture without a first packet time
 * never matches a first-packet bound.
 */
import type { CaptureFilter } from './store.js';

export function captureTimeConditions(f: CaptureFilter, param: (v: number) => string): string[] {
  const out: string[] = [];
  const bound = (v: number | undefined, sql: (p: string) => string) => { if (typeof v === 'number' && Number.isFinite(v)) out.push(sql(param(v))); };
  bound(f.importedFrom, (p) => `imported_at >= ${p}`);
  bound(f.importedTo, (p) => `imported_at <= ${p}`);
  bound(f.firstTsFrom, (p) => `first_ts >= ${p}`);
  bound(f.firstTsTo, (p) => `first_ts <= ${p}`);
  return out;
}
