/**
 * A character bigram model of benign domain names, trained at load from the registered labels of
 * popular domains (benign-domains.generated.ts, ~450 labels). Human-chosen names reuse the
 * letter pairs of words (go, oo, og, le); names a DGA draws at random do not (qx, zk, 9v), so the
 * mean log-probability per letter pair separates them. Add-k smoothing keeps unseen pairs finite.
 */
import { BENIGN_DOMAIN_LABELS } from './benign-domains.generated.js';

/** Alphabet: a-z, 0-9, '-', and a boundary symbol at index 37 (start and end of a label). */
const SYMBOLS = 38;
const BOUNDARY = 37;
/** Add-k smoothing: small, since 450 labels leave many legitimate pairs unseen. */
const SMOOTHING = 0.5;

function symbol(c: number): number {
  if (c >= 0x61 && c <= 0x7a) return c - 0x61;
  if (c >= 0x30 && c <= 0x39) return 26 + c - 0x30;
  if (c === 0x2d) return 36;
  return -1;
}

/** log2 P(next | prev), [prev * SYMBOLS + next]. */
const LOGP = new Float64Array(SYMBOLS * SYMBOLS);

function train(labels: readonly string[]): void {
  const counts = new Float64Array(SYMBOLS * SYMBOLS);
  for (const l of labels) {
    let prev = BOUNDARY;
    for (let i = 0; i < l.length; i++) {
      const s = symbol(l.charCodeAt(i));
      if (s < 0) continue;
      counts[prev * SYMBOLS + s]++;
      prev = s;
    }
    counts[prev * SYMBOLS + BOUNDARY]++;
  }
  for (let p = 0; p < SYMBOLS; p++) {
    let row = 0;
    for (let n = 0; n < SYMBOLS; n++) row += counts[p * SYMBOLS + n];
    for (let n = 0; n < SYMBOLS; n++) LOGP[p * SYMBOLS + n] = Math.log2((counts[p * SYMBOLS + n] + SMOOTHING) / (row + SMOOTHING * SYMBOLS));
  }
}
train(BENIGN_DOMAIN_LABELS);

/**
 * Mean log2-probability per transition of a lower-case label under the benign model, boundaries
 * included (higher: more name-like). Characters outside [a-z0-9-] count as the least likely pair.
 */
export function benignLikelihood(label: string): number {
  let prev = BOUNDARY;
  let sum = 0;
  const n = label.length;
  for (let i = 0; i < n; i++) {
    const s = symbol(label.charCodeAt(i));
    if (s < 0) { sum += Math.log2(SMOOTHING / (SMOOTHING * SYMBOLS * 64)); prev = BOUNDARY; continue; }
    sum += LOGP[prev * SYMBOLS + s];
    prev = s;
  }
  sum += LOGP[prev * SYMBOLS + BOUNDARY];
  return sum / (n + 1);
}
