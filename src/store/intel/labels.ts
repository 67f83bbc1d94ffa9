/**
 * Label vocabulary and input checks. A label is (kind, value): kinds are fixed, values free text
 * normalised to lower-case (so `label:Emotet` and `label:emotet` are one), categories from a short
 * list. Text written through the API (labels, comments) is bounded and loses control characters;
 * it is only ever rendered as text.
 */
export const LABEL_KINDS = ['family', 'campaign', 'actor', 'category', 'sector', 'tag'] as const;
export type LabelKind = (typeof LABEL_KINDS)[number];

export const CATEGORIES = [
  'exploit-kit', 'c2', 'phishing', 'malspam', 'ransomware', 'infostealer', 'loader', 'rat', 'botnet',
  'miner', 'scan', 'benign', 'ctf', 'test',
] as const;

/** Characters of a label value. */
export const LABEL_VALUE_MAX_CHARS = 64;
/** Characters of a comment. */
export const COMMENT_MAX_CHARS = 4000;
/** Labels on one capture: beyond this, adding fails (a runaway script, not an analyst). */
export const LABELS_PER_CAPTURE_MAX = 64;
/** Comments returned per capture (newest kept). */
export const COMMENTS_PAGE_MAX = 500;

export type LabelCheck = { ok: true; kind: LabelKind; value: string } | { ok: false; reason: string };

/** Checks and normalises a (kind, value) as typed by a person. */
export function checkLabel(kind: string, value: string): LabelCheck {
  const k = kind.trim().toLowerCase();
  if (!(LABEL_KINDS as readonly string[]).includes(k)) return { ok: false, reason: `kind must be one of ${LABEL_KINDS.join(', ')}` };
  const v = normaliseLabelValue(value);
  if (v === '') return { ok: false, reason: 'the label value is empty' };
  if (v.length > LABEL_VALUE_MAX_CHARS) return { ok: false, reason: `the label value is longer than ${LABEL_VALUE_MAX_CHARS} characters` };
  if (!/^[\p{L}\p{N}][\p{L}\p{N} ._:+/-]*$/u.test(v)) return { ok: false, reason: 'a label is letters, digits, and . _ : + / - or spaces, starting with a letter or digit' };
  if (k === 'category' && !(CATEGORIES as readonly string[]).includes(v)) return { ok: false, reason: `category must be one of ${CATEGORIES.join(', ')}` };
  return { ok: true, kind: k as LabelKind, value: v };
}

export function normaliseLabelValue(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
}

/** Comment text: control characters out (newlines and tabs kept), trimmed; undefined when empty or too long. */
export function cleanComment(text: string): string | undefined {
  const t = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
  return t === '' || t.length > COMMENT_MAX_CHARS ? undefined : t;
}
