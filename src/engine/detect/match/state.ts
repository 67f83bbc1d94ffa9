/** The reusable per-evaluation scratch of match programs (see MatchState in rules/rule.ts). */
import type { MatchState } from '../rules/rule.js';
import { DETECT_LIMITS } from './limits.js';

class Scratch implements MatchState {
  readonly vars = new Float64Array(DETECT_LIMITS.maxByteVars);
  pcreStepsLeft = DETECT_LIMITS.pcreStepsPerRule;
  pcreBudgetExhausted = 0;
  matchEnd = -1;

  reset(): void {
    this.matchEnd = -1;
    this.pcreStepsLeft = DETECT_LIMITS.pcreStepsPerRule;
    this.vars.fill(0);
  }
}

/** One per engine (or worker): call `reset()` before each rule evaluation. */
export function createMatchState(): MatchState {
  return new Scratch();
}
