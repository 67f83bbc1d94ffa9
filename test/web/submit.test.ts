/**
 * The Submit page in a real browser over a real server: a shared capture picked through the file
 * chooser goes through every stage to "Open analysis" (its packet counter checked against
 * tshark's frame count, its first conn rows shown); a capture big enough to be mid-analysis shows
 * the stages live with partial rows; a text file is refused with the server's reason and code;
 * the same file again says "already analysed" and re-analyses on request; several files dropped
 * on the zone queue and are analysed in order.
 * Screenshots (CAPDEX_SCREENSHOTS=1) go to docs/screenshots/submit-*.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openUi, type Ui } from './browser.js';
import { bigCapture } from '../jobs/big-capture.js';

const PCAPS = new URL('../../../shared/pcaps/', import.meta.url).pathname;
const EMOTET = join(PCAPS, 'malware-emotet.pcap');
const SHOTS = process.env.CAPDEX_SCREENSHOTS === '1';
const STAGES = ['Uploading', 'Queued', 'Reading', 'Analysing', 'Indexing', 'Done'];

let ui: Ui;
let tmp: string;
before(async () => {
  ui = await openUi({ rateLimit: false });
  tmp = mkdtempSync(join(tmpdir(), 'capdex-ui-submit-'));
});
after(async () => {
  await ui?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Picks files through the drop zone's file chooser, as a person would (click, then choose). */
async function pickFiles(page: Page, files: string[] | { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: /Choose capture files/ }).click();
  await (await chooser).setFiles(files);
}

/**
 * Records every stage the page showed as current, from now on (a MutationObserver in the page).
 * A script string: tsx would wrap a function's inner helpers in names the page does not know.
 */
const WATCH_STAGES = `(() => {
  const seen = window.seenStages = [];
  const push = (t) => { if (seen[seen.length - 1] !== t) seen.push(t); };
  const note = () => {
    for (const el of document.querySelectorAll('[aria-current="step"] .stage-name')) push(el.textContent || '');
    if (document.querySelector('.submission[data-phase="done"]')) push('Done');
  };
  new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  note();
})()`;

async function watchStages(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(WATCH_STAGES);
  return () => page.evaluate('window.seenStages') as Promise<string[]>;
}

test('a shared capture picked through the file chooser reaches "Open analysis", its counters matching tshark', async () => {
  const page = await ui.page();
  await page.goto('/');
  await page.getByRole('heading', { name: 'Analyse a capture' }).waitFor();
  await page.getByLabel('Name (optional, for a single file)').fill('emotet sample');
  const seen = await watchStages(page);
  await pickFiles(page, [EMOTET]);
  const card = page.getByRole('article', { name: 'Submission emotet sample' });
  const open = card.getByRole('link', { name: /Open analysis/ });
  await open.waitFor({ timeout: 30_000 });
  assert.equal(await open.getAttribute('href'), `/captures/${sha256(EMOTET)}`);
  // Every stage is shown, all completed.
  const steps = card.getByRole('list', { name: 'Stages' }).getByRole('listitem');
  assert.deepEqual((await steps.locator('.stage-name').allTextContents()), STAGES);
  assert.deepEqual(await steps.evaluateAll((els) => els.map((e) => e.getAttribute('data-state'))), STAGES.map(() => 'done'));
  const shown = await seen();
  assert.equal(shown[0], 'Uploading');
  assert.equal(shown[shown.length - 1], 'Done');
  // The live counters end on the engine's figures: packets as tshark counts frames.
  const frames = execFileSync('tshark', ['-r', EMOTET], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim().split('\n').length;
  assert.equal(await card.locator('[data-counter="packets"]').textContent(), frames.toLocaleString('en-US'));
  const stored = await ui.service.store.capture(sha256(EMOTET));
  assert.equal(stored?.name, 'emotet sample');
  assert.equal(await card.locator('[data-counter="records"]').textContent(), stored!.recordCount.toLocaleString('en-US'));
  // Results: the first conn rows, the same as the store's first ones.
  const conn = card.getByRole('region', { name: 'First Connections records' });
  await conn.waitFor();
  const firstConn = (await ui.service.store.records(sha256(EMOTET), 'conn', { limit: 1 }))[0]!;
  assert.equal(await conn.locator('tbody tr').first().locator('td').first().textContent(), firstConn.doc['id.orig_h']);
  if (SHOTS) await page.screenshot({ path: 'docs/screenshots/submit-done.png', fullPage: true });
  await open.click();
  await page.waitForURL(`**/captures/${sha256(EMOTET)}`);
  assert.deepEqual(page.errors, []);
});

test('a capture still being analysed shows its stages live and its first records as partial', async () => {
  const big = bigCapture(tmp, 24);
  const page = await ui.page();
  await page.goto('/');
  const seen = await watchStages(page);
  // Partial rows on screen while the job runs (how long each stage lasts is the worker's business:
  // the test asserts what was shown, not when).
  const partialSeen = page.waitForSelector('.preview-log .badge', { timeout: 60_000 }).then(async () => {
    if (SHOTS) await page.screenshot({ path: 'docs/screenshots/submit-running.png', fullPage: true });
    return true;
  }, () => false);
  await pickFiles(page, [big.path]);
  const card = page.locator('article.submission').first();
  await card.getByRole('link', { name: /Open analysis/ }).waitFor({ timeout: 60_000 });
  const shown = await seen();
  assert.ok(shown.includes('Analysing'), `stages seen: ${shown.join(' → ')}`);
  assert.deepEqual(shown.filter((s) => STAGES.includes(s)), [...shown].sort((a, b) => STAGES.indexOf(a) - STAGES.indexOf(b)), 'stages went backwards');
  assert.ok(await partialSeen, 'no partial records were shown while the job ran');
  assert.deepEqual(page.errors, []);
});

test('a text file is refused with the server\'s reason and code', async () => {
  const page = await ui.page();
  await page.goto('/');
  await pickFiles(page, [{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('these are not packets\n'.repeat(20)) }]);
  const card = page.getByRole('article', { name: 'Submission notes.txt' });
  const alert = card.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent() ?? '', /Not a packet capture.*\(NOT_A_CAPTURE\)/);
  assert.match(await card.textContent() ?? '', /HTTP 415/);
  assert.equal(await card.getAttribute('data-phase'), 'refused');
  // An empty file: the server's other reason.
  await pickFiles(page, [{ name: 'empty.pcap', mimeType: 'application/octet-stream', buffer: Buffer.alloc(0) }]);
  const empty = page.getByRole('article', { name: 'Submission empty.pcap' }).getByRole('alert');
  await empty.waitFor();
  assert.match(await empty.textContent() ?? '', /\((EMPTY_UPLOAD|NOT_A_CAPTURE)\)/);
  if (SHOTS) await page.screenshot({ path: 'docs/screenshots/submit-refused.png' });
  // The console shows the 4xx answers as failed resources: those are the refusals themselves.
  assert.deepEqual(page.errors.filter((e) => !/status of 4(15|00)/.test(e)), []);
});

test('the same file again says "already analysed"; re-analyse runs it again; several files dropped at once queue', async () => {
  const page = await ui.page();
  await page.goto('/');
  await pickFiles(page, [EMOTET]);
  const card = page.locator('article.submission').first();
  await card.getByText(/Already analysed/).waitFor({ timeout: 30_000 });
  assert.equal(await card.getByRole('link', { name: /Open analysis/ }).getAttribute('href'), `/captures/${sha256(EMOTET)}`);
  const jobBefore = (await ui.service.jobs.latestFor(sha256(EMOTET)))!.id;
  await card.getByRole('button', { name: 'Re-analyse' }).click();
  await card.locator('[data-phase="done"]').or(card.and(page.locator('[data-phase="done"]'))).first().waitFor({ timeout: 30_000 });
  assert.notEqual((await ui.service.jobs.latestFor(sha256(EMOTET)))!.id, jobBefore);

  // Several files dropped on the zone at once (a real drop event carrying real files).
  const more = ['dns-exfiltration.pcap', 'http-pe-download-disguised-as-png.pcap'].map((f) => join(PCAPS, f));
  const files = more.map((f) => ({ name: f.split('/').pop()!, b64: readFileSync(f).toString('base64') }));
  await page.evaluate(`(() => {
    const dt = new DataTransfer();
    for (const f of ${JSON.stringify(files)}) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
    const zone = document.querySelector('.dropzone');
    zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  })()`);
  const cards = page.locator('article.submission');
  await page.waitForFunction(() => document.querySelectorAll('article.submission[data-phase="done"]').length === 3, undefined, { timeout: 60_000 });
  assert.deepEqual(await cards.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))),
    ['Submission malware-emotet.pcap', ...more.map((f) => `Submission ${f.split('/').pop()}`)]);
  for (const f of more) assert.equal((await ui.service.store.capture(sha256(f)))?.status, 'done');
  assert.deepEqual(page.errors, []);
});
