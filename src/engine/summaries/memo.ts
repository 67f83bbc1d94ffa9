/**
 * Remembers a pure function's results for the first `max` distinct inputs: the summaries parse
 * the same few strings (a client's User-Agent, a conn.log service list) record after record.
 * Inputs come from traffic, so the table is capped; past the cap results are computed each time.
 */
export function boundedMemo<R>(max: number, fn: (input: string) => R): (input: string) => R {
  const results = new Map<string, R>();
  return (input) => {
    let r = results.get(input);
    if (r === undefined) {
      r = fn(input);
      if (results.size < max) results.set(input, r);
    }
    return r;
  };
}
