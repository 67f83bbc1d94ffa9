/**
 * ObservableGrouper: one group per (type, value, log, field) holding its records' ids in order,
 * cut at the row limit, handed out in index order, and bounded (add says when to write out).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObservableGrouper } from '../../src/store/observable-groups.js';
import { ObservableExtractor, type ObservableRow } from '../../src/store/observables.js';
import { OBSERVABLE_GROUPS_MAX } from '../../src/store/limits.js';
import { DNS_LOG } from '../../src/engine/analyzers/dns/dns-log.js';

const row = (type: ObservableRow['type'], value: string, field: string): ObservableRow =>
  ({ type, value, field, ipkey: null, rvalue: [...value].reverse().join('') });

describe('ObservableGrouper', () => {
  it('groups by type, value, log and field, ids ascending, and hands groups out in index order', () => {
    const g = new ObservableGrouper();
    g.add(1, 'dns', [row('domain', 'b.example', 'query'), row('domain', 'a.example', 'answers')]);
    g.add(2, 'dns', [row('domain', 'b.example', 'query')]);
    g.add(3, 'ssl', [row('domain', 'b.example', 'server_name')]);
    g.add(4, 'dns', [row('domain', 'b.example', 'query'), row('domain', 'b.example', 'query')]); // a repeat in one record counts once
    const out = g.take();
    assert.deepEqual(out.map((x) => [x.value, x.log, x.field, x.recordIds]), [
      ['a.example', 'dns', 'answers', [1]],
      ['b.example', 'dns', 'query', [1, 2, 4]],
      ['b.example', 'ssl', 'server_name', [3]],
    ]);
    assert.equal(g.references, 5);
    assert.deepEqual(g.take(), [], 'empty after take');
  });

  it('cuts a value seen in more records than a row holds into several rows', () => {
    const g = new ObservableGrouper(3);
    for (let id = 1; id <= 8; id++) g.add(id, 'dns', [row('domain', 'x.example', 'query')]);
    assert.deepEqual(g.take().map((x) => x.recordIds), [[1, 2, 3], [4, 5, 6], [7, 8]]);
  });

  it('keeps hostile log and field names apart (no key is built from them)', () => {
    const g = new ObservableGrouper();
    g.add(1, 'a', [row('uid', 'v', 'b\u0000c')]);
    g.add(2, 'a\u0000b', [row('uid', 'v', 'c')]);
    assert.equal(g.take().length, 2);
  });

  it('says when to write out: a capture of distinct values never grows past OBSERVABLE_GROUPS_MAX groups', () => {
    const g = new ObservableGrouper();
    let full = -1;
    for (let i = 0; i < OBSERVABLE_GROUPS_MAX + 10 && full < 0; i++) {
      if (g.add(i + 1, 'conn', [row('ip', `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 'id.resp_h')])) full = i + 1;
    }
    assert.equal(full, OBSERVABLE_GROUPS_MAX);
    assert.equal(g.take().length, OBSERVABLE_GROUPS_MAX);
  });

  it('takes the extractor\'s rows for a real record', () => {
    const rows: ObservableRow[] = [];
    new ObservableExtractor().extract(DNS_LOG, { query: 'Example.COM.', answers: ['192.0.2.1', 'cname.example'], 'id.orig_h': '10.0.0.1', 'id.resp_h': '10.0.0.53' }, rows);
    const g = new ObservableGrouper();
    g.add(7, 'dns', rows);
    const byField = Object.fromEntries(g.take().map((x) => [`${x.type} ${x.field}`, x.value]));
    assert.equal(byField['domain query'], 'example.com');
    assert.equal(byField['ip answers'], '192.0.2.1');
    assert.equal(byField['domain answers'], 'cname.example');
  });
});

