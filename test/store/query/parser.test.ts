/**
 * The parser: every construct, precedence, errors with their positions and what was expected,
 * and hostile input (deep nesting, huge strings, NUL, unicode) answered with an error or a tree,
 * never an exception or a hang.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueryNode } from '../../../src/store/query/ast.js';
import { QuerySyntaxError, renderError, toQueryError } from '../../../src/store/query/errors.js';
import { QUERY_LIMITS } from '../../../src/store/query/limits.js';
import { parseQuery } from '../../../src/store/query/parser.js';

/** A compact picture of a tree: (and a b), (or ..), (not x), f:v, f:[a TO b}, "text", * */
function show(n: QueryNode | undefined): string {
  if (!n) return '';
  switch (n.kind) {
    case 'and': case 'or': return `(${n.kind} ${n.children.map(show).join(' ')})`;
    case 'not': return `(not ${show(n.child)})`;
    case 'all': return '*';
    case 'text': return n.value.quoted ? JSON.stringify(n.value.text) : `~${n.value.text}${n.value.pattern ? '(p)' : ''}`;
    case 'match': return `${n.field.name}:${n.value.quoted ? JSON.stringify(n.value.text) : n.value.text}${n.value.pattern ? '(p)' : ''}`;
    case 'range': {
      const lo = n.lower ? (n.lower.inclusive ? '[' : '{') + n.lower.value.text : '[*';
      const hi = n.upper ? n.upper.value.text + (n.upper.inclusive ? ']' : '}') : '*]';
      return `${n.field.name}:${lo} TO ${hi}`;
    }
  }
}

function err(q: string): { position: number; expected: string; message: string } {
  try {
    parseQuery(q);
  } catch (e) {
    if (e instanceof QuerySyntaxError) return toQueryError(q, e);
    throw e;
  }
  return assert.fail(`no error for ${JSON.stringify(q)}`);
}

describe('constructs', () => {
  const cases: [string, string][] = [
    ['dns.query:example.com', 'dns.query:example.com'],
    ['dns.query:*.duckdns.org', 'dns.query:*.duckdns.org(p)'],
    ['dns.query:goo?le.com', 'dns.query:goo?le.com(p)'],
    ['dns.query:a\\*b', 'dns.query:a*b'],
    ['http.uri:"/a b\\"c\\\\"', 'http.uri:"/a b\\"c\\\\"'],
    ['http.uri:"*not a wildcard*"', 'http.uri:"*not a wildcard*"'],
    ['id.resp_h:10.0.0.0/8', 'id.resp_h:10.0.0.0/8'],
    ['id.resp_h:2001:db8::/32', 'id.resp_h:2001:db8::/32'],
    ['ts:2024-01-01T10:00:00Z', 'ts:2024-01-01T10:00:00Z'],
    ['resp_bytes:>1000000', 'resp_bytes:{1000000 TO *]'],
    ['resp_bytes:>=5', 'resp_bytes:[5 TO *]'],
    ['resp_bytes:<5', 'resp_bytes:[* TO 5}'],
    ['resp_bytes:<=5', 'resp_bytes:[* TO 5]'],
    ['resp_bytes:[100 TO 200]', 'resp_bytes:[100 TO 200]'],
    ['resp_bytes:{100 TO 200}', 'resp_bytes:{100 TO 200}'],
    ['resp_bytes:[100 TO 200}', 'resp_bytes:[100 TO 200}'],
    ['resp_bytes:[* TO 200]', 'resp_bytes:[* TO 200]'],
    ['ts:[2024-01-01 to 2024-02-01]', 'ts:[2024-01-01 TO 2024-02-01]'],
    ['ts:[ 2024-01-01   TO   "2024-02-01" ]', 'ts:[2024-01-01 TO 2024-02-01]'],
    ['a b', '(and ~a ~b)'],
    ['a AND b', '(and ~a ~b)'],
    ['a and b', '(and ~a ~b)'],
    ['a OR b', '(or ~a ~b)'],
    ['a OR b c', '(or ~a (and ~b ~c))'],
    ['a b OR c', '(or (and ~a ~b) ~c)'],
    ['a OR b AND c', '(or ~a (and ~b ~c))'],
    ['NOT a b', '(and (not ~a) ~b)'],
    ['NOT (a b)', '(not (and ~a ~b))'],
    ['-a -b', '(and (not ~a) (not ~b))'],
    ['-dns.query:x', '(not dns.query:x)'],
    ['-"a phrase"', '(not "a phrase")'],
    ['a - b', '(and ~a ~- ~b)'],
    ['NOT NOT a', '(not (not ~a))'],
    ['(a OR b) c', '(and (or ~a ~b) ~c)'],
    ['((((a))))', '~a'],
    ['"AND"', '"AND"'],
    ['\\AND', '~AND'],
    ['foo*', '~foo*(p)'],
    ['*', '*'],
    ['"*"', '"*"'],
    ['\\*', '~*'],
    ['log:http', 'log:http'],
    ['capture:abc123', 'capture:abc123'],
    ['dns.query:(a OR b* -c)', '(or dns.query:a (and dns.query:b*(p) (not dns.query:c)))'],
    ['x:a|count', 'x:a'],
    ['uri:foo(bar)', 'uri:foo(bar)'],
    ['(uri:foo)', 'uri:foo'],
    ['user_agent:Mozilla/5.0\\ (X11)', 'user_agent:Mozilla/5.0 (X11)'],
    ['', ''],
    ['   ', ''],
  ];
  for (const [q, want] of cases) test(JSON.stringify(q), () => assert.equal(show(parseQuery(q).filter), want));
});

describe('aggregations', () => {
  test('count, count by, top, values', () => {
    assert.deepEqual(parseQuery('| count').aggregation, { op: 'count', pos: 2 });
    assert.equal(parseQuery('| count').filter, undefined);
    const by = parseQuery('dns.query:x | count by dns.query').aggregation;
    assert.equal(by?.op, 'count_by');
    assert.equal(by && 'field' in by ? by.field.name : '', 'dns.query');
    const top = parseQuery('| TOP 10 id.resp_h').aggregation;
    assert.deepEqual(top && top.op === 'top' ? [top.limit, top.field.name, top.field.pos] : [], [10, 'id.resp_h', 9]);
    const values = parseQuery('| values log 5').aggregation;
    assert.deepEqual(values && values.op === 'values' ? [values.field.name, values.limit] : [], ['log', 5]);
  });
});

describe('errors say where and what was expected', () => {
  const cases: [string, number, string, RegExp?][] = [
    ['dns.query:', 10, "a value after ':'", /^expected a value after ':' at column 11$/],
    ['dns.query: foo', 10, "a value after ':'"],
    ['dns.query:x AND', 15, 'a term'],
    ['dns.query:x OR OR y', 15, 'a term', /after OR, found 'OR'/],
    ['NOT', 3, 'a term'],
    ['(a b', 4, "')' to close the '(' at column 1"],
    ['a b)', 3, 'an operator, a term or the end of the query'],
    ['()', 1, "a term inside '( )'"],
    ['"open', 0, "a closing '\"'"],
    ['x:"open', 2, "a closing '\"'"],
    ['trailing\\', 8, "a character after '\\'"],
    ['resp_bytes:[1 200]', 14, "'TO' between the bounds of a range"],
    ['resp_bytes:[1 TO 200', 20, "']' or '}' to close the range"],
    ['resp_bytes:>', 12, "a value after '>'"],
    ['resp_bytes:[ TO 5]', 16, "'TO' between the bounds of a range"],
    ['resp_bytes:[]', 12, "a value after '['"],
    ['| ', 2, "an aggregation ('count', 'count by FIELD', 'top N FIELD' or 'values FIELD')"],
    ['| sum x', 2, "an aggregation ('count', 'count by FIELD', 'top N FIELD' or 'values FIELD')"],
    ['| count by', 10, 'a field name'],
    ['| count by "x"', 11, 'a field name'],
    ['| top x id.resp_h', 6, 'a number from 1 to 10000'],
    ['| top 0 id.resp_h', 6, 'a number from 1 to 10000'],
    ['| top 99999 id.resp_h', 6, 'a number from 1 to 10000'],
    ['| count x', 8, 'the end of the query after the aggregation'],
    ['| count | count', 8, 'the end of the query after the aggregation'],
  ];
  for (const [q, position, expected, message] of cases) {
    test(JSON.stringify(q), () => {
      const e = err(q);
      assert.equal(e.expected, expected);
      assert.equal(e.position, position);
      assert.match(e.message, new RegExp(`at column ${position + 1}$`));
      if (message) assert.match(e.message, message);
    });
  }

  test('the caret rendering points at the column', () => {
    const q = 'dns.query:x AND';
    const lines = renderError(q, err(q)).split('\n');
    assert.equal(lines[0], q);
    assert.equal(lines[1], ' '.repeat(15) + '^');
    assert.equal(lines[2], 'expected a term after AND, found the end of the query at column 16');
  });

  test('columns count code points, so the caret lines up after emoji', () => {
    const q = '"👾👾" x:';
    const e = err(q);
    assert.equal(e.position, 9);
    assert.match(e.message, /at column 8$/);
    assert.equal(renderError(q, e).split('\n')[1], ' '.repeat(7) + '^');
  });

  test('a long query is cut around the error and control characters are shown as dots', () => {
    const q = 'a\u0000\n'.repeat(100) + 'x:';
    const lines = renderError(q, err(q), 40).split('\n');
    assert.equal(lines[0], '…' + q.slice(-40).replace(/[\u0000\n]/g, '.'));
    // The error is at the end of the query: the caret sits just past its last character.
    assert.equal(lines[1], ' '.repeat(41) + '^');
    assert.match(lines[2], /^expected a value after ':' at column 303$/);
  });
});

describe('hostile input', () => {
  test('10k nested parentheses: refused by length, no stack overflow', () => {
    const e = err('('.repeat(10_000) + 'a' + ')'.repeat(10_000));
    assert.equal(e.position, QUERY_LIMITS.maxQueryLength);
  });

  test('5k nested parentheses (under the length limit): an error at the first level too deep', () => {
    const e = err('('.repeat(5_000) + 'a' + ')'.repeat(5_000));
    assert.equal(e.position, QUERY_LIMITS.maxDepth);
    assert.equal(e.expected, 'a shallower query');
    assert.equal(err('dns.query:'.repeat(1) + '('.repeat(5_000) + 'a').expected, 'a shallower query');
  });

  test('nesting up to the limit parses', () => {
    const d = QUERY_LIMITS.maxDepth;
    assert.equal(show(parseQuery('('.repeat(d) + 'a' + ')'.repeat(d)).filter), '~a');
  });

  test('10k NOTs and 10k minus signs are cut at the same depth', () => {
    assert.equal(err('NOT '.repeat(1_000) + 'a').expected, 'a shallower query');
    assert.equal(err('-'.repeat(10_000) + 'a').expected, 'a shallower query');
    assert.equal(err('NOT -'.repeat(1_000) + 'a').position, 5 * (QUERY_LIMITS.maxDepth / 2));
  });

  test('a query over the length limit is refused before parsing', () => {
    const e = err('a'.repeat(QUERY_LIMITS.maxQueryLength + 1));
    assert.equal(e.position, QUERY_LIMITS.maxQueryLength);
    assert.match(e.message, /limited to 16384 characters/);
  });

  test('a huge value at the length limit parses', () => {
    const v = 'x'.repeat(QUERY_LIMITS.maxQueryLength - 10);
    const f = parseQuery(`http.uri:${v}`).filter;
    assert.ok(f && f.kind === 'match' && f.value.text === v);
  });

  test('too many wildcards in one value', () => {
    assert.ok(parseQuery(`http.uri:${'*a'.repeat(QUERY_LIMITS.maxWildcardsPerValue)}`).filter);
    const e = err(`x http.uri:${'*a'.repeat(QUERY_LIMITS.maxWildcardsPerValue + 1)}`);
    assert.equal(e.expected, 'fewer wildcards');
    assert.equal(e.position, 11);
    assert.equal(err('?'.repeat(QUERY_LIMITS.maxWildcardsPerValue + 1)).position, 0);
  });

  test('too many terms', () => {
    const q = Array.from({ length: QUERY_LIMITS.maxTerms + 1 }, (_, i) => `w${i}`).join(' ');
    const e = err(q);
    assert.equal(e.expected, 'fewer terms');
    assert.equal(e.position, q.lastIndexOf(' ') + 1);
  });

  test('NUL, control characters and unicode are ordinary value characters', () => {
    const f = parseQuery('http.uri:"a\u0000b" 名前:x').filter;
    assert.equal(show(f), `(and http.uri:${JSON.stringify('a\u0000b')} ~名前:x)`);
    const g = parseQuery('http.uri:a\u0000b\u0007c 👾 "ünï"').filter;
    assert.equal(show(g), '(and http.uri:a\u0000b\u0007c ~👾 "ünï")');
  });

  test('random garbage never throws anything but a QuerySyntaxError', () => {
    // Deterministic LCG so a failure reproduces.
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const alphabet = ['(', ')', '"', '\\', ':', '|', '-', '*', '?', '[', ']', '{', '}', ' ', 'TO', 'AND', 'OR', 'NOT', 'a', 'x.y', '>', '<', '=', '\u0000', '👾', 'count', 'by', 'top', '5'];
    for (let i = 0; i < 3000; i++) {
      const q = Array.from({ length: Math.floor(rnd() * 20) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      try {
        parseQuery(q);
      } catch (e) {
        assert.ok(e instanceof QuerySyntaxError, `${JSON.stringify(q)}: ${String(e)}`);
        assert.ok(e.position >= 0 && e.position <= q.length, `${JSON.stringify(q)}: position ${e.position}`);
      }
    }
  });
});
