/** Page bounds every backend applies the same way: defaults, and caps against hostile callers. */
import { PAGE_DEFAULT_ROWS, PAGE_MAX_ROWS } from './limits.js';
import type { Page } from './store.js';

export function pageOf(p: Page): { limit: number; offset: number } {
  const limit = Number.isSafeInteger(p.limit) && p.limit! >= 0 ? Math.min(p.limit!, PAGE_MAX_ROWS) : PAGE_DEFAULT_ROWS;
  const offset = Number.isSafeInteger(p.offset) && p.offset! >= 0 ? p.offset! : 0;
  return { limit, offset };
}
