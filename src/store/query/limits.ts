/**
 * Named limits of the query language. Queries arrive from anyone who can reach the API, so every
 * input size and every recursion is capped here, with the reason. Hitting one is a query error
 * with its position, never an exception, a hang or a silently shortened query.
 */
export const QUERY_LIMITS = {
  /** Characters in a query. Hand-written queries stay under a few hundred; a pasted IOC list of
   *  a few hundred hashes fits. More is a mistake or an attack on the parser. */
  maxQueryLength: 16 * 1024,
  /** Nesting of parentheses and NOTs. The parser recurses once per level; 64 is far beyond what
   *  a person writes and far below the JS stack. */
  maxDepth: 64,
  /** field:value terms and free-text words in a query: each becomes a condition and a few SQL
   *  parameters, so this bounds the SQL text, its parameters (SQLite allows 32766) and its plan. */
  maxTerms: 256,
  /** `*` and `?` in one value. Each `*` lets LIKE backtrack over the text it spans; a handful
   *  expresses any real pattern, dozens only make the per-row matching cost climb. */
  maxWildcardsPerValue: 16,
  /** Groups an aggregation (`| top N`, `| count by`) returns. */
  maxAggregationRows: 10_000,
  /** Groups an aggregation returns when the query does not say (`| count by f`, `| values f`). */
  defaultAggregationRows: 100,
} as const;
