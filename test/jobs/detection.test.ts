/**
 * A service analysis runs the same detection as `capdex analyze`: the bundled rules by default
 * (alerts stored in the capture's alert log, counted in the job's progress), the operator's rule
 * files added (`capdex serve --rules FILE`), none of the bundled ones with --no-default-rules, intel
 * files (`--intel`) and local networks (`--local-nets`) as analyze takes them; a rule file the
 * worker cannot read fails the job with a reason, not silently without alerts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openService, type Service } from '../../src/service.js';
import { isFinished, type Job } from '../../src/jobs/jobs.js';
import type { AnalysisConfig } from '../../src/jobs/worker-protocol.js';
import { PCAPS, ROOT } from '../helpers.js';

const CAPTURE = 'http-pe-download-disguised-as-png.pcap';

async function analysed(svc: Service, file: string): Promise<Job> {
  const d = await svc.blobs.put(createReadStream(join(PCAPS, file)), { sha256Only: true });
  const job = await svc.jobs.submit({ captureId: d.sha256, name: file, visibility: 'public', size: d.size });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('job did not finish in 60 s')), 60_000);
    const check = (j: Job | undefined): void => { if (j && isFinished(j)) { clearTimeout(t); stop(); resolve(j); } };
    const stop = svc.jobs.watch(job.id, check);
    void svc.jobs.get(job.id).then(check);
  });
}

/** `capdex analyze`'s records of one log for the capture (eve for eve.json). */
function cliRecords(file: string, log: string, ...flags: string[]): Record<string, unknown>[] {
  const out = mkdtempSync(join(tmpdir(), 'capdex-det-cli-'));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'analyze', join(PCAPS, file), '--out', out, '-q', '--no-progress', ...flags], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(join(out, log === 'eve' ? 'eve.json' : `${log}.log`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** `capdex analyze`'s eve.json for the capture: signature ids, in order. */
const cliAlertSids = (file: string, ...flags: string[]): number[] => cliRecords(file, 'eve', ...flags).map((r) => (r.alert as { signature_id: number }).signature_id);

async function withService(analysis: AnalysisConfig | undefined, body: (svc: Service) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-det-'));
  const svc = await openService({ dataDir: dir }, { analysis });
  try {
    await body(svc);
  } finally {
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const storedSids = async (svc: Service, job: Job): Promise<number[]> =>
  (await svc.store.records(job.captureId, 'alert')).map((r) => (r.doc.alert as { signature_id: number }).signature_id);

test('a service analysis stores the alerts `capdex analyze` writes, from the bundled rules by default; MD5/SHA-1 computed by the job', async () => {
  const expected = cliAlertSids(CAPTURE);
  assert.ok(expected.length > 0, 'the bundled rules alert on this capture');
  await withService(undefined, async (svc) => {
    const job = await analysed(svc, CAPTURE);
    assert.equal(job.status, 'done', job.error);
    assert.deepEqual((await storedSids(svc, job)).sort(), [...expected].sort());
    assert.equal(job.progress.alerts, expected.length);
    const bytes = readFileSync(join(PCAPS, CAPTURE));
    const row = await svc.store.capture(job.captureId);
    assert.equal(row?.md5, (await import('node:crypto')).createHash('md5').update(bytes).digest('hex'));
  });
});

test('--rules FILE adds the operator\'s rules, --no-default-rules leaves the bundled ones out; an unreadable rule file fails the job with the reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-det-rules-'));
  try {
    const file = join(dir, 'local.rules');
    writeFileSync(file, 'alert http any any -> any any (msg:"LOCAL png requested"; http.uri; content:".png"; sid:9000001; rev:1;)\n');
    const expected = cliAlertSids(CAPTURE, '--no-default-rules', '--rules', file);
    assert.deepEqual(expected.filter((s) => s === 9000001).length > 0, true, 'the local rule alerts');
    await withService({ bundledRules: false, ruleFiles: [file] }, async (svc) => {
      const job = await analysed(svc, CAPTURE);
      assert.equal(job.status, 'done', job.error);
      assert.deepEqual((await storedSids(svc, job)).sort(), [...expected].sort());
    });
    await withService({ bundledRules: true, ruleFiles: [join(dir, 'gone.rules')] }, async (svc) => {
      const job = await analysed(svc, CAPTURE);
      assert.equal(job.status, 'failed');
      assert.match(job.error ?? '', /cannot read rules file .*gone\.rules: ENOENT/);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--intel and --local-nets: the service\'s notices and conn.log local_orig/local_resp equal capdex analyze\'s with the same options', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capdex-det-intel-'));
  try {
    const list = join(dir, 'feed.intel');
    writeFileSync(list, '#fields\tindicator\tindicator_type\tmeta.source\n185.98.87.185\tIntel::ADDR\tfeed-x\n');
    const flags = ['--intel', list, '--local-nets', '10.0.0.0/8'];
    const notes = cliRecords(CAPTURE, 'notice', ...flags).map((r) => `${String(r.note)} ${String(r.uid)}`).sort();
    assert.ok(notes.some((n) => n.startsWith('Capdex::Intel_Match')), 'the CLI found the listed address');
    const locals = cliRecords(CAPTURE, 'conn', ...flags).map((r) => `${String(r.uid)} ${String(r.local_orig)} ${String(r.local_resp)}`).sort();
    assert.ok(locals.some((l) => l.endsWith('true false')), 'the CLI marked local originators');
    await withService({ bundledRules: true, ruleFiles: [], intelFiles: [list], localNets: ['10.0.0.0/8'] }, async (svc) => {
      const job = await analysed(svc, CAPTURE);
      assert.equal(job.status, 'done', job.error);
      assert.deepEqual((await svc.store.records(job.captureId, 'notice')).map((r) => `${String(r.doc.note)} ${String(r.doc.uid)}`).sort(), notes);
      assert.deepEqual((await svc.store.records(job.captureId, 'conn')).map((r) => `${String(r.doc.uid)} ${String(r.doc.local_orig)} ${String(r.doc.local_resp)}`).sort(), locals);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

