/**
 * The console's layout, remembered in localStorage: panel order, collapsed panels, heights, and the
 * columns shown per log. Read defensively: storage is user-editable and may hold anything.
 */
export interface Layout {
  order: string[];
  collapsed: string[];
  heights: Record<string, number>;
}

const LAYOUT_KEY = 'capdex.console.layout';
const COLUMNS_KEY = 'capdex.console.columns.';
export const PANEL_MIN_PX = 120;
export const PANEL_DEFAULT_PX = 320;

/** Logs first in this order, then every other log present by record count. */
export const PREFERRED_ORDER = ['conn', 'alert', 'notice', 'dns', 'http', 'ssl', 'x509', 'files', 'weird'];

function read(key: string): unknown {
  try { return JSON.parse(localStorage.getItem(key) ?? 'null') as unknown; } catch { return null; }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, 200) : []);

export function loadLayout(): Layout {
  const v = read(LAYOUT_KEY) as Partial<Layout> | null;
  const heights: Record<string, number> = {};
  if (v && typeof v.heights === 'object' && v.heights) {
    for (const [k, h] of Object.entries(v.heights)) if (typeof h === 'number' && h >= PANEL_MIN_PX && h < 10_000) heights[k] = h;
  }
  return { order: strings(v?.order), collapsed: strings(v?.collapsed), heights };
}

export function saveLayout(l: Layout): void {
  try { localStorage.setItem(LAYOUT_KEY, JSON.stringify(l)); } catch { /* storage full or off: the layout just is not remembered */ }
}

/** The panels in display order: the remembered order first, new logs after by preference. */
export function orderPanels(present: string[], remembered: string[]): string[] {
  const rank = (l: string) => { const i = PREFERRED_ORDER.indexOf(l); return i < 0 ? PREFERRED_ORDER.length : i; };
  const known = remembered.filter((l) => present.includes(l));
  const rest = present.filter((l) => !known.includes(l)).sort((a, b) => rank(a) - rank(b));
  return [...known, ...rest];
}

export function loadColumns(log: string): string[] | null {
  const v = read(COLUMNS_KEY + log);
  return Array.isArray(v) ? strings(v) : null;
}

export function saveColumns(log: string, cols: string[]): void {
  try { localStorage.setItem(COLUMNS_KEY + log, JSON.stringify(cols)); } catch { /* see saveLayout */ }
}
