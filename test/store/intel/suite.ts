/**
 * The intelligence store suite, run on every backend (sqlite.test.ts, postgres.test.ts): real
 * shared captures imported through the engine, signatures computed as after an import, then
 * labels, votes, comments, `label:` searches, similar captures (a capture's noisy re-submission
 * ranks first), suggestions with evidence, the archive, trends over synthetic timestamps, the
 * viewer rules (a private labelled capture lends nothing to anyone else) and deletion.
 */
import { after, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaptureMeta, Store, Viewer } from '../../../src/store/store.js';
import { importCaptureFile } from '../../../src/cli/capture-import.js';
import { DNS_LOG } from '../../../src/engine/analyzers/dns/dns-log.js';
import { EVE_LOG } from '../../../src/engine/detect/eve-log.js';
import { checkLabel } from '../../../src/store/intel/labels.js';
import { HUNT_STALE_S, type Hunt } from '../../../src/store/intel/hunts.js';
import { pcap } from '../../helpers.js';
import { writeNoisyCopy } from './noisy-capture.js';

const OWNER: Viewer = { keyId: 'key_0000000000aa' };
const OTHER: Viewer = { keyId: 'key_0000000000bb' };
const ANON: Viewer = {};

const CAPTURES = ['malware-emotet.pcap', 'malware-trickbot.pcap', 'malware-cryptowall4-c2.pcapng', 'http-pe-exe-download.pcap', 'tls13.pcap', 'dns-tcp.pcap'];

function synthMeta(n: number): CaptureMeta {
  const id = n.toString(16).padStart(64, 'c');
  return { id, md5: id.slice(0, 32), sha1: id.slice(0, 40), size: 1, name: `synthetic-${n}`, visibility: 'public' };
}

export function intelSuite(name: string, open: () => Promise<Store>): void {
  describe(`intel store (${name})`, () => {
    let store: Store;
    let dir: string;
    const ids: Record<string, string> = {};
    let noisy: string;

    before(async () => {
      store = await open();
      dir = mkdtempSync(join(tmpdir(), 'capdex-intel-'));
      for (const f of CAPTURES) {
        const r = await importCaptureFile(store, pcap(f), { visibility: 'public' });
        ids[f] = r.captureId;
        await store.intel.refresh(r.captureId);
      }
      const copy = join(dir, 'emotet-again.pcap');
      writeNoisyCopy(pcap('malware-emotet.pcap'), pcap('ntp.pcap'), copy);
      noisy = (await importCaptureFile(store, copy, { visibility: 'public' })).captureId;
      await store.intel.refresh(noisy);
    });
    after(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('computes features from the capture: contacted domains, file hashes, JA3+SNI, URI patterns, services', async () => {
      const f = await store.intel.features(ids['malware-emotet.pcap']);
      const has = (kind: string, value?: string) => f.some((x) => x.kind === kind && (value === undefined || x.value === value));
      assert.ok(has('domain', 'filmmogzivota.rs'), 'an HTTP host of the emotet capture');
      assert.ok(has('sha256') && has('md5'), 'downloaded files');
      assert.ok(has('service', 'http') && has('port', 'tcp/80'));
      assert.ok(f.some((x) => x.kind === 'uri' && x.value.includes('{n}')), 'URI pattern with numbers generalised');
      const tls = await store.intel.features(ids['tls13.pcap']);
      assert.ok(tls.some((x) => x.kind === 'ja3sni' && /^[0-9a-f]{32}\|/.test(x.value)), JSON.stringify(tls));
    });

    it('ranks a capture\'s noisy re-submission first, with the shared observables as the reason', async () => {
      const hits = await store.intel.similar(noisy);
      assert.ok(hits && hits.length >= 1);
      assert.equal(hits[0].capture.id, ids['malware-emotet.pcap']);
      assert.ok(hits[0].score >= 0.7, `score ${hits[0].score}`);
      assert.ok(hits[0].shared.some((s) => s.kind === 'domain' && s.value === 'filmmogzivota.rs'));
      assert.ok(hits.every((h) => h.capture.id !== noisy), 'never itself');
      for (let i = 1; i < hits.length; i++) assert.ok(hits[i].score <= hits[i - 1].score);
      const back = await store.intel.similar(ids['malware-emotet.pcap']);
      assert.equal(back?.[0].capture.id, noisy);
      assert.equal(await store.intel.similar('f'.repeat(64)), undefined, 'no signature: undefined');
    });

    it('keeps labels per capture: idempotent add, list, remove by id and by value; `label:` searches', async () => {
      const e = ids['malware-emotet.pcap'];
      const first = await store.intel.addLabel(e, 'family', 'emotet', OWNER.keyId!);
      assert.equal(first.created, true);
      assert.match(first.label.id, /^lbl_[0-9a-f]{16}$/);
      const again = await store.intel.addLabel(e, 'family', 'emotet', OTHER.keyId!);
      assert.equal(again.created, false);
      assert.equal(again.label.id, first.label.id);
      await store.intel.addLabel(e, 'category', 'c2', null);
      await store.intel.addLabel(ids['malware-trickbot.pcap'], 'family', 'trickbot', null);
      const tag = await store.intel.addLabel(e, 'tag', 'to-review', null);
      assert.deepEqual((await store.intel.labels(e)).map((l) => `${l.kind}:${l.value}`).sort(), ['category:c2', 'family:emotet', 'tag:to-review']);
      assert.equal(await store.intel.removeLabel(e, { id: tag.label.id }), true);
      assert.equal(await store.intel.removeLabel(e, { id: tag.label.id }), false);
      assert.equal((await store.intel.labels(e)).length, 2);

      const caps = async (q: string) => {
        const r = await store.search(`${q} | count by capture`);
        assert.equal(r.error, undefined, `${q}: ${JSON.stringify(r.error)}`);
        return new Set(r.aggregation!.map((a) => a.key));
      };
      assert.deepEqual(await caps('label:emotet'), new Set([e]));
      assert.deepEqual(await caps('label:EMOTET'), new Set([e]), 'case-insensitive');
      assert.deepEqual(await caps('label.family:emo*'), new Set([e]));
      assert.deepEqual(await caps('label.kind:family'), new Set([e, ids['malware-trickbot.pcap']]));
      assert.deepEqual(await caps('label.category:c2 AND log:http'), new Set([e]));
      assert.deepEqual(await caps('NOT label:emotet AND label:*'), new Set([ids['malware-trickbot.pcap']]));
      const bad = await store.search('label.colour:red');
      assert.match(bad.error?.message ?? '', /label\.family/);
      assert.deepEqual(await caps("label:\"'; DROP TABLE labels; --\""), new Set());
    });

    it('checks label input', () => {
      assert.deepEqual(checkLabel('Family', '  Emotet  '), { ok: true, kind: 'family', value: 'emotet' });
      assert.equal(checkLabel('colour', 'red').ok, false);
      assert.equal(checkLabel('category', 'not-a-category').ok, false);
      assert.equal(checkLabel('family', '<script>').ok, false);
      assert.equal(checkLabel('family', 'x'.repeat(65)).ok, false);
      assert.equal(checkLabel('family', '').ok, false);
    });

    it('votes: one per key, replaced and withdrawn; comments keep hostile text as written', async () => {
      const e = ids['malware-emotet.pcap'];
      await store.intel.vote(e, OWNER.keyId!, 'agree');
      await store.intel.vote(e, OTHER.keyId!, 'agree');
      assert.deepEqual(await store.intel.vote(e, OTHER.keyId!, 'disagree'), { agree: 1, disagree: 1, mine: 'disagree' });
      assert.deepEqual(await store.intel.votes(e, OWNER.keyId), { agree: 1, disagree: 1, mine: 'agree' });
      assert.deepEqual(await store.intel.vote(e, OWNER.keyId!, null), { agree: 0, disagree: 1 });
      const text = 'quote \' " back\\slash <b>bold</b> é中文 \uE000';
      const c = await store.intel.addComment(e, OWNER.keyId!, text);
      assert.match(c.id, /^cmt_/);
      const list = await store.intel.comments(e);
      assert.equal(list.length, 1);
      assert.equal(list[0].text, text);
      assert.equal(list[0].keyId, OWNER.keyId);
    });

    it('suggests "likely emotet" for the re-submission, with the evidence; not labels it already has', async () => {
      const s = await store.intel.suggestions(noisy);
      const emotet = s.find((x) => x.label.value === 'emotet');
      assert.ok(emotet, JSON.stringify(s));
      assert.equal(emotet.text, 'likely emotet');
      assert.equal(emotet.confidence, 'high');
      assert.ok(emotet.evidence.some((ev) => ev.kind === 'domain' && ev.value === 'filmmogzivota.rs'));
      assert.ok(emotet.evidence.some((ev) => ev.kind === 'sha256'));
      assert.ok(emotet.evidence.every((ev) => ev.captures.every((c) => c.id === ids['malware-emotet.pcap'])));
      assert.ok(!s.some((x) => x.label.value === 'trickbot'), 'nothing shared with trickbot');
      assert.deepEqual((await store.intel.suggestions(ids['malware-emotet.pcap'])).filter((x) => x.label.value === 'emotet'), []);
    });

    it('archive: families and categories with counts, first/last seen and top observables', async () => {
      const a = await store.intel.archive(ANON);
      const emotet = a.find((x) => x.kind === 'family' && x.value === 'emotet');
      assert.ok(emotet);
      assert.equal(emotet.captures, 1);
      const row = await store.capture(ids['malware-emotet.pcap']);
      assert.equal(emotet.firstSeen, row?.firstTs);
      assert.ok(emotet.top.domain?.some((d) => d.value === 'filmmogzivota.rs'));
      assert.ok(emotet.top.user_agent?.length);
      assert.ok(a.some((x) => x.kind === 'category' && x.value === 'c2'));
      const page = await store.intel.archiveLabel('emotet', ANON);
      assert.deepEqual(page?.captures.map((c) => c.id), [ids['malware-emotet.pcap']]);
      assert.ok(page?.captures[0].labels.includes('family:emotet'));
      assert.equal(await store.intel.archiveLabel('no-such-family', ANON), undefined);
    });

    it('private captures lend nothing to other viewers: similar, suggestions, archive, trends', async () => {
      // A private copy of the emotet traffic (other noise), labelled by its owner.
      const copy = join(dir, 'emotet-private.pcap');
      writeNoisyCopy(pcap('malware-emotet.pcap'), pcap('dns-tcp.pcap'), copy, 2 * 86_400);
      const priv = (await importCaptureFile(store, copy, { visibility: 'private', submitter: OWNER.keyId })).captureId;
      await store.intel.refresh(priv);
      await store.intel.addLabel(priv, 'family', 'secretfam', OWNER.keyId!);
      for (const v of [ANON, OTHER]) {
        assert.ok(!(await store.intel.similar(noisy, v))!.some((h) => h.capture.id === priv));
        assert.ok(!(await store.intel.suggestions(noisy, v)).some((s) => s.label.value === 'secretfam'));
        assert.ok(!(await store.intel.archive(v)).some((x) => x.value === 'secretfam'));
        assert.equal(await store.intel.archiveLabel('secretfam', v), undefined);
        assert.ok(!(await store.intel.trends('month', v)).some((p) => p.topLabels.some((l) => l.value === 'secretfam')));
      }
      for (const v of [OWNER, { admin: true }]) {
        assert.ok((await store.intel.similar(noisy, v))!.some((h) => h.capture.id === priv));
        assert.ok((await store.intel.suggestions(noisy, v)).some((s) => s.label.value === 'secretfam'));
        assert.ok((await store.intel.archive(v)).some((x) => x.value === 'secretfam'));
        assert.ok((await store.intel.trends('month', v)).some((p) => p.topLabels.some((l) => l.value === 'secretfam')));
      }
    });

    it('trends per week and month over synthetic timestamps: captures, labels, alerts, new observables', async () => {
      // Three captures: two in the week of Mon 2024-01-08 (same month), one in February.
      const times = [Date.UTC(2024, 0, 8, 1) / 1000, Date.UTC(2024, 0, 14, 23) / 1000, Date.UTC(2024, 1, 20) / 1000];
      const synth: string[] = [];
      for (const [i, ts] of times.entries()) {
        const m = synthMeta(i + 1);
        await store.importCapture(m, async (sink) => {
          sink.write(DNS_LOG, { ts, uid: `CSyn${i}000000000000`, 'id.orig_h': '10.9.0.1', 'id.orig_p': 5000, 'id.resp_h': '10.9.0.53', 'id.resp_p': 53, proto: 'udp', query: 'shared-c2.example' });
          sink.write(DNS_LOG, { ts, uid: `CSyn${i}000000000001`, 'id.orig_h': '10.9.0.1', 'id.orig_p': 5001, 'id.resp_h': '10.9.0.53', 'id.resp_p': 53, proto: 'udp', query: `only-${i}.example` });
          sink.write(EVE_LOG, { timestamp: new Date(ts * 1000).toISOString(), event_type: 'alert', alert: { signature: i < 2 ? 'SYNTH beacon' : 'SYNTH other' } });
          return { firstTs: ts, lastTs: ts + 1 };
        });
        await store.intel.refresh(m.id);
        await store.intel.addLabel(m.id, 'family', 'synthfam', null);
        if (i === 2) await store.intel.addLabel(m.id, 'sector', 'finance', null);
        synth.push(m.id);
      }
      const weeks = await store.intel.trends('week', ANON, 'synthfam');
      assert.deepEqual(weeks.map((w) => w.period), ['2024-01-08', '2024-02-19']);
      assert.equal(weeks[0].captures, 2);
      assert.deepEqual(weeks[0].topLabels, [{ kind: 'family', value: 'synthfam', captures: 2 }]);
      assert.deepEqual(weeks[0].topAlerts, [{ signature: 'SYNTH beacon', captures: 2 }]);
      assert.equal(weeks[0].newObservables.domain, 3, 'shared-c2 + only-0 + only-1');
      assert.equal(weeks[1].newObservables.domain, 1, 'only-2: shared-c2 is not new any more');
      assert.ok(weeks[1].topLabels.some((l) => l.kind === 'sector' && l.value === 'finance'));
      assert.deepEqual(weeks.map((w) => w.sectors), [[], [{ value: 'finance', captures: 1 }]], 'sectors targeted per period');
      // The family's observables per period: its shared C2 throughout, each period's own names.
      assert.deepEqual(weeks[0].topObservables?.domain, [{ value: 'shared-c2.example', captures: 2 }, { value: 'only-0.example', captures: 1 }, { value: 'only-1.example', captures: 1 }]);
      assert.deepEqual(weeks[1].topObservables?.domain, [{ value: 'only-2.example', captures: 1 }, { value: 'shared-c2.example', captures: 1 }]);
      assert.deepEqual(weeks[1].topObservables?.alert, [{ value: 'SYNTH other', captures: 1 }]);
      const months = await store.intel.trends('month', ANON, 'synthfam');
      assert.deepEqual(months.map((m) => [m.period, m.captures]), [['2024-01', 2], ['2024-02', 1]]);
      const all = await store.intel.trends('month', ANON);
      assert.ok(all.length > months.length, 'without a label: every visible capture');
      const hits = await store.intel.similar(synth[0]);
      assert.ok(hits!.some((h) => h.capture.id === synth[1]));
    });

    it('drafts rules with hits across visible captures (same SQL on every backend)', async () => {
      const d = await store.intel.drafts(ids['malware-emotet.pcap'], ANON);
      const host = d.rules.find((r) => r.kind === 'http.host' && r.value === 'filmmogzivota.rs');
      assert.ok(host, JSON.stringify(d.rules.map((r) => r.kind)));
      assert.deepEqual(host.hits, { captures: 2, labelled: 1, unlabelled: 1, benign: 0 }, 'the emotet capture and its public re-submission, not the private copy');
      assert.deepEqual(d.rules.find((r) => r.kind === 'http.host')!.hits, host.hits);
      const file = d.rules.find((r) => r.kind === 'filesha256');
      assert.ok(file && Object.values(d.lists)[0].split('\n').filter(Boolean).length >= 1);
      const mine = await store.intel.drafts(ids['malware-emotet.pcap'], OWNER);
      assert.equal(mine.rules.find((r) => r.kind === 'http.host' && r.value === 'filmmogzivota.rs')!.hits!.captures, 3);
    });

    it('a label\'s drafts and observables: what its captures share, hits split between the label and the rest, per viewer', async () => {
      await store.intel.addLabel(noisy, 'family', 'emotet', null);
      const d = (await store.intel.labelDrafts({ value: 'emotet' }, ANON))!;
      assert.equal(d.captures, 2);
      const host = d.rules.find((r) => r.kind === 'http.host' && r.value === 'filmmogzivota.rs');
      assert.deepEqual(host?.hits, { captures: 2, labelled: 2, unlabelled: 0, benign: 0, inLabel: 2 });
      // The owner also sees the private copy: it holds the host too, but carries another label.
      const mine = (await store.intel.labelDrafts({ value: 'emotet', kind: 'family' }, OWNER))!;
      assert.deepEqual(mine.rules.find((r) => r.kind === 'http.host' && r.value === 'filmmogzivota.rs')?.hits,
        { captures: 3, labelled: 3, unlabelled: 0, benign: 0, inLabel: 2 });
      assert.equal(await store.intel.labelDrafts({ value: 'emotet', kind: 'campaign' }, ANON), undefined, 'no such kind');
      assert.equal(await store.intel.labelDrafts({ value: 'secretfam' }, OTHER), undefined, 'a private capture\'s label');
      const obs = (await store.intel.labelObservables({ value: 'emotet' }, ANON))!;
      assert.deepEqual(obs.captures.map((c) => c.id).sort(), [ids['malware-emotet.pcap'], noisy].sort());
      assert.ok(obs.observables.some((o) => o.kind === 'sha256'));
      assert.ok(obs.observables.every((o) => o.hits.captures - o.hits.inLabel! <= o.hits.inLabel!), 'rare elsewhere');
      assert.ok(!obs.observables.some((o) => o.kind === 'service' && o.value === 'dns'), 'what every capture has is not characteristic');
      assert.deepEqual(await store.intel.labelKinds('emotet', ANON), ['family']);
    });

    it('retro-hunts kept in the store: results in order, progress, end state, per key; a silent running hunt reads as interrupted', async () => {
      const hunts = store.intel.hunts;
      const base = { kind: 'suricata' as const, status: 'running' as const, rules: 2, total: 3, done: 0, skipped: 1, matches: [], errors: [] };
      const mine: Hunt = { ...base, id: 'hunt_00000000000000a1', keyId: OWNER.keyId, startedAt: 1000 };
      const theirs: Hunt = { ...base, id: 'hunt_00000000000000b1', keyId: OTHER.keyId, startedAt: 2000 };
      await hunts.create(mine);
      await hunts.create(theirs);
      const alerts = [{ sid: 7, msg: 'HUNT \'quoted\' "x" \uE000', count: 3 }];
      await hunts.addResult(mine.id, 0, { captureId: ids['malware-emotet.pcap'], name: 'e', alerts }, 1);
      await hunts.addResult(mine.id, 1, { captureId: noisy, name: 'n', alerts: [], error: 'truncated' }, 2);
      await hunts.addResult(mine.id, 2, { captureId: 'f'.repeat(64), name: 'gone', alerts }, 3);
      const running = await hunts.get(mine.id, OWNER);
      assert.equal(running?.status, 'running');
      assert.equal(running?.done, 3);
      assert.deepEqual(running?.matches, [{ captureId: ids['malware-emotet.pcap'], name: 'e', alerts }], 'a capture not in the store is left out');
      assert.deepEqual(running?.errors, [{ captureId: noisy, error: 'truncated' }]);
      await hunts.finish({ ...mine, status: 'done', done: 3, finishedAt: 1234.5 });
      const done = await hunts.get(mine.id, OWNER);
      assert.equal(done?.status, 'done');
      assert.equal(done?.finishedAt, 1234.5);
      assert.equal(await hunts.get(mine.id, OTHER), undefined, 'another key\'s hunt');
      assert.equal(await hunts.get(mine.id, ANON), undefined);
      assert.equal((await hunts.get(mine.id, { admin: true }))?.id, mine.id);
      assert.deepEqual((await hunts.list(OWNER)).map((h) => [h.id, h.matches, h.errors]), [[mine.id, 2, 1]]);
      assert.deepEqual((await hunts.list({ admin: true })).map((h) => h.id), [theirs.id, mine.id], 'newest first');
      await hunts.progress(theirs.id, 1);
      assert.equal((await hunts.get(theirs.id, OTHER))?.status, 'running');
      const realNow = Date.now();
      mock.method(Date, 'now', () => realNow + (HUNT_STALE_S + 5) * 1000);
      try {
        const stale = await hunts.get(theirs.id, OTHER);
        assert.equal(stale?.status, 'failed');
        assert.match(stale?.error ?? '', /^interrupted/);
        assert.equal((await hunts.get(mine.id, OWNER))?.status, 'done', 'a finished hunt stays done');
      } finally {
        mock.restoreAll();
      }
    });

    it('deleting a capture removes its labels, votes, comments and signature', async () => {
      const e = ids['malware-trickbot.pcap'];
      await store.intel.addComment(e, null, 'bye');
      assert.equal(await store.intel.hasSignature(e), true);
      assert.equal(await store.deleteCapture(e), true);
      assert.deepEqual(await store.intel.labels(e), []);
      assert.deepEqual(await store.intel.comments(e), []);
      assert.equal(await store.intel.hasSignature(e), false);
      assert.deepEqual(await store.intel.features(e), []);
      assert.ok(!(await store.intel.archive()).some((x) => x.value === 'trickbot'));
    });
  });
}
