/**
 * A panel's view (its filter, sort and column filters) and its place in the URL, so a view is a
 * link: `/captures/<id>?panel=conn&filter=10.0.0.1&sort=-duration&col.id.resp_p=443`. The URL
 * names one panel (the one last changed, or opened by the link); the others keep their views in
 * the page. Read defensively: a URL is anyone's text.
 */
import { COLUMN_FILTER_MAX_CHARS } from './column-filters.js';

export interface PanelView {
  /** Free filter in the search language. */
  filter: string;
  /** `field` or `-field`. */
  sort: string;
  /** Column → its filter box's text. */
  cols: Readonly<Record<string, string>>;
}

export const DEFAULT_VIEW: PanelView = Object.freeze({ filter: '', sort: 'ts', cols: Object.freeze({}) });

/** Column filters one URL may carry (a log has at most a few dozen columns). */
const URL_COLUMN_FILTERS_MAX = 64;
const FILTER_MAX_CHARS = 4096;
const SORT = /^-?[A-Za-z_][\w.@:-]{0,127}$/;

export function readView(search: string): { panel: string | null; view: PanelView } {
  const q = new URLSearchParams(search);
  const cols: Record<string, string> = {};
  for (const [k, v] of q) {
    if (!k.startsWith('col.') || !v.trim() || Object.keys(cols).length >= URL_COLUMN_FILTERS_MAX) continue;
    cols[k.slice(4)] = v.slice(0, COLUMN_FILTER_MAX_CHARS);
  }
  const sort = q.get('sort') ?? '';
  return {
    panel: q.get('panel'),
    view: { filter: (q.get('filter') ?? '').slice(0, FILTER_MAX_CHARS), sort: SORT.test(sort) ? sort : 'ts', cols },
  };
}

export function viewSearch(panel: string, v: PanelView): string {
  const q = new URLSearchParams();
  q.set('panel', panel);
  if (v.filter) q.set('filter', v.filter);
  if (v.sort !== 'ts') q.set('sort', v.sort);
  for (const [c, text] of Object.entries(v.cols)) if (text) q.set(`col.${c}`, text);
  return q.toString();
}

export function isDefaultView(v: PanelView): boolean {
  return !v.filter && v.sort === 'ts' && Object.values(v.cols).every((t) => !t);
}
