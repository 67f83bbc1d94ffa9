/**
 * A stored record's document as cells: (query field name, display path, value) per leaf, nested
 * objects as dotted paths, arrays one cell per element. Bounded (a hostile record may nest deep
 * or hold huge arrays): at most RECORD_CELLS_MAX cells and RECORD_DEPTH_MAX levels.
 * Pure TypeScript, no DOM.
 */
export const RECORD_CELLS_MAX = 400;
export const RECORD_DEPTH_MAX = 6;

export interface Cell {
  /** The path inside the document ('id.orig_h', 'alert.signature', 'http.hostname'). */
  path: string;
  /** The name the search language takes for it ('conn.id.orig_h', 'alert.signature', 'uid'). */
  field: string;
  value: string | number | boolean;
}

const COLUMN_KEYS = new Set(['uid', 'community_id']);

/** The query field of a document path in a log: Zeek keys get the log prefix, EVE keeps `alert.` paths as they are. */
export function queryField(log: string, path: string): string {
  if (COLUMN_KEYS.has(path)) return path;
  if (log === 'alert' && path.startsWith('alert.')) return path;
  return log ? `${log}.${path}` : path;
}

/** Zeek flat keys ('id.orig_h') stay one cell; nested objects (EVE) are walked. */
export function recordCells(log: string, doc: Record<string, unknown>, max = RECORD_CELLS_MAX): Cell[] {
  const out: Cell[] = [];
  const walk = (v: unknown, path: string, depth: number): void => {
    if (out.length >= max || v === null || v === undefined) return;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      out.push({ path, field: queryField(log, path), value: v });
    } else if (Array.isArray(v)) {
      for (const x of v) { if (out.length >= max) break; walk(x, path, depth + 1); }
    } else if (typeof v === 'object' && depth < RECORD_DEPTH_MAX) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (out.length >= max) break;
        walk(x, path ? `${path}.${k}` : k, depth + 1);
      }
    }
  };
  walk(doc, '', 0);
  return out;
}
