/**
 * Labels in the query language: `label:emotet` (any kind), `label.family:emotet` (one kind),
 * `label.kind:family` (captures with any family label); wildcards as elsewhere (`label:emo*`).
 * Each is an EXISTS on the labels table for the record's capture, parameterised; values are
 * normalised as labels are stored (lower-case), so matching is case-insensitive.
 */
import type { MatchNode } from '../query/ast.js';
import { QuerySyntaxError } from '../query/errors.js';
import { type Dialect, type Fragment, frag, likeOp } from '../query/sql.js';
import { likePattern } from '../query/values.js';
import { LABEL_KINDS, normaliseLabelValue } from './labels.js';

/** The field names this module answers, for error messages and docs. */
export const LABEL_FIELDS = ['label', 'label.kind', ...LABEL_KINDS.map((k) => `label.${k}`)] as const;

/** The condition for a `label…:value` match, or undefined when the field is not a label field. */
export function labelCondition(n: MatchNode, dialect: Dialect): Fragment | undefined {
  const name = n.field.name;
  if (name !== 'label' && !name.startsWith('label.')) return undefined;
  const sub = name.slice('label.'.length);
  const kind = (LABEL_KINDS as readonly string[]).includes(sub) ? sub : undefined;
  if (name !== 'label' && sub !== 'kind' && kind === undefined) {
    throw new QuerySyntaxError(n.field.pos, 'a label field', `unknown field '${name}': expected one of ${LABEL_FIELDS.join(', ')}`);
  }
  const column = sub === 'kind' ? 'l.kind' : 'l.value';
  const v = n.value;
  const cmp = v.pattern
    ? frag(`${column} ${likeOp(dialect)}`, likePattern(v.pattern, (s) => s.toLowerCase()))
    : frag(`${column} = ?`, normaliseLabelValue(v.text));
  const scope = kind === undefined ? frag('') : frag(' AND l.kind = ?', kind);
  return {
    text: `EXISTS (SELECT 1 FROM labels AS l WHERE l.capture_id = records.capture_id AND ${cmp.text}${scope.text})`,
    params: [...cmp.params, ...scope.params],
  };
}
