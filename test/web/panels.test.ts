/**
 * The console's log panels in a real browser (Debian Chromium, real server, real analysis): any
 * column sorts on the server in both directions and the rows drawn are the API's order; the
 * filter row under the header (text contains, =exact, CIDR, >n/<n) narrows the whole log with the
 * server's count; the view (panel, sort, column filters) is in the URL and a link reopens it; a
 * filter the client cannot turn into a query says why instead of showing unfiltered rows.
 * CAPDEX_SCREENSHOTS=1 also writes docs/screenshots/panels-*.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openUi, type Ui } from './browser.js';

const PCAPS = join(import.meta.dirname, '../../../shared/pcaps');
const SHOTS = join(import.meta.dirname, '../../docs/screenshots');
const CAPTURE = 'mixed-arkime-synthetic-many-protocols.pcap';

interface Rec { id: number; uid: string | null; doc: Record<string, unknown> }
interface LogPage { records: Rec[]; total: number }

let ui: Ui;
let id: string;

async function logPage(log: string, params: Record<string, string | number>): Promise<LogPage> {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const r = await fetch(`${ui.base}/api/captures/${id}/logs/${log}?${q}`);
  assert.equal(r.status, 200, await r.clone().text());
  return (await r.json()) as LogPage;
}

before(async () => {
  ui = await openUi({ rateLimit: false });
  const up = await fetch(`${ui.base}/api/captures?name=${CAPTURE}`, { method: 'POST', body: readFileSync(join(PCAPS, CAPTURE)), headers: { 'content-type': 'application/octet-stream' } });
  id = ((await up.json()) as { id: string }).id;
  for (let i = 0; i < 600; i++) {
    const c = (await (await fetch(`${ui.base}/api/captures/${id}`)).json()) as { capture: { status: string } | null; job: { status: string } | null };
    if (c.capture?.status === 'done') break;
    if (c.job?.status === 'failed') throw new Error('analysis failed');
    await new Promise((r) => setTimeout(r, 100));
  }
});
after(async () => { await ui?.close(); });

const panel = (page: Page, log: string) => page.locator(`section.panel[data-log="${log}"]`);
/** The uids of the drawn rows of a panel, top to bottom (rows are absolutely placed: sort by row index). */
async function drawnUids(page: Page, log: string): Promise<string[]> {
  return panel(page, log).locator('[role="row"]:not(.head):not(.pending)').evaluateAll((rows) => rows
    .map((r) => ({ i: Number(r.getAttribute('aria-rowindex')), t: r.textContent ?? '' }))
    .sort((a, b) => a.i - b.i).map((r) => /C[0-9A-Za-z]{17}/.exec(r.t)?.[0] ?? ''));
}
/** The drawn rows are the expected records (all of them when few enough to be drawn at once). */
function rowsAre(shown: string[], expected: Rec[]): void {
  const want = new Set(expected.map((r) => r.uid));
  for (const uid of shown) assert.ok(want.has(uid), `${uid} is not one of the filtered records`);
  if (expected.length <= 20) assert.equal(shown.length, expected.length);
}
async function countText(page: Page, log: string): Promise<string> {
  return panel(page, log).locator('.panel-count').innerText();
}
async function waitCount(page: Page, log: string, n: number, of?: number): Promise<void> {
  const want = `${n.toLocaleString('en-US')}${of === undefined ? '' : ` of ${of.toLocaleString('en-US')}`} rows`;
  await page.waitForFunction(([log, want]) => document.querySelector(`section.panel[data-log="${log}"] .panel-count`)?.textContent === want, [log, want] as const);
}

test('any column sorts on the server, both directions, as the API orders the whole log', async () => {
  const page = await ui.page();
  await page.goto(`/captures/${id}`);
  const conn = panel(page, 'conn');
  await conn.locator('[role="row"]:not(.head):not(.pending)').first().waitFor();
  const total = (await logPage('conn', { limit: 1 })).total;
  for (const [column, clicks, sort] of [['orig_bytes', 1, 'orig_bytes'], ['orig_bytes', 1, '-orig_bytes'], ['id.resp_h', 1, 'id.resp_h']] as const) {
    const header = conn.getByRole('button', { name: new RegExp(`^Sort by ${column.replace('.', '\\.')}`) });
    for (let i = 0; i < clicks; i++) await header.click();
    const expected = (await logPage('conn', { sort, limit: 1000 })).records.map((r) => r.uid ?? '');
    await page.waitForFunction(([uid]) => {
      const rows = [...document.querySelectorAll('section.panel[data-log="conn"] [role="row"]:not(.head):not(.pending)')];
      return rows.find((r) => r.getAttribute('aria-rowindex') === '3')?.textContent?.includes(uid);
    }, [expected[0]] as const);
    const drawn = await drawnUids(page, 'conn');
    assert.deepEqual(drawn, expected.slice(0, drawn.length), sort);
    assert.ok(drawn.length >= Math.min(8, total), `${drawn.length} rows drawn`);
    assert.equal(await conn.locator('[role="columnheader"]', { has: page.getByRole('button', { name: new RegExp(`^Sort by ${column.replace('.', '\\.')}`) }) }).getAttribute('aria-sort'), sort.startsWith('-') ? 'descending' : 'ascending');
    assert.match(page.url(), new RegExp(`[?&]sort=${encodeURIComponent(sort).replace('.', '\\.')}(&|$)`));
    assert.equal(await countText(page, 'conn'), `${total.toLocaleString('en-US')} rows`);
  }
  assert.deepEqual(page.errors, []);
});

test('the filter row narrows the whole log (contains, =exact, CIDR, >n), counted by the server, and lives in the URL', async () => {
  const page = await ui.page();
  await page.goto(`/captures/${id}`);
  const conn = panel(page, 'conn');
  await conn.locator('[role="row"]:not(.head):not(.pending)').first().waitFor();
  const all = (await logPage('conn', { limit: 1000 })).records;
  const total = all.length;

  // Numbers: the column holds numbers, so a number is an equality.
  const port = Number(all[0].doc['id.resp_p']);
  const byPort = all.filter((r) => r.doc['id.resp_p'] === port);
  await conn.getByRole('textbox', { name: 'Filter id.resp_p' }).fill(String(port));
  await conn.getByRole('textbox', { name: 'Filter id.resp_p' }).press('Enter');
  await waitCount(page, 'conn', byPort.length, total);
  rowsAre(await drawnUids(page, 'conn'), byPort);
  assert.match(page.url(), new RegExp(`col\\.id\\.resp_p=${port}`));
  await page.getByRole('list', { name: 'Column filters of conn' }).getByText(/id\.resp_p/).waitFor();

  // Add a CIDR on the responder: both apply.
  const resp = String(byPort[0].doc['id.resp_h']);
  const net = resp.includes(':') ? `${resp}/128` : `${resp.split('.').slice(0, 2).join('.')}.0.0/16`;
  const prefix = resp.includes(':') ? resp : `${resp.split('.').slice(0, 2).join('.')}.`;
  const both = byPort.filter((r) => (resp.includes(':') ? r.doc['id.resp_h'] === resp : String(r.doc['id.resp_h']).startsWith(prefix)));
  await conn.getByRole('textbox', { name: 'Filter id.resp_h' }).fill(net);
  await conn.getByRole('textbox', { name: 'Filter id.resp_h' }).press('Enter');
  await waitCount(page, 'conn', both.length, total);
  rowsAre(await drawnUids(page, 'conn'), both);

  // A link with the view reopens it: same count, the boxes hold the texts.
  const link = page.url();
  const fresh = await ui.page();
  await fresh.goto(link);
  await waitCount(fresh, 'conn', both.length, total);
  assert.equal(await panel(fresh, 'conn').getByRole('textbox', { name: 'Filter id.resp_h' }).inputValue(), net);
  assert.equal(await panel(fresh, 'conn').getByRole('textbox', { name: 'Filter id.resp_p' }).inputValue(), String(port));

  // Clear, then >n on a number column and contains on text; each counted as the API counts it.
  await conn.getByRole('button', { name: 'Clear column filters' }).click();
  await waitCount(page, 'conn', total);
  const bytes = all.map((r) => r.doc.orig_bytes).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  const mid = bytes[Math.floor(bytes.length / 2)];
  const over = all.filter((r) => typeof r.doc.orig_bytes === 'number' && r.doc.orig_bytes > mid).length;
  assert.ok(over > 0 && over < total);
  await conn.getByRole('textbox', { name: 'Filter orig_bytes' }).fill(`>${mid}`);
  await conn.getByRole('textbox', { name: 'Filter orig_bytes' }).press('Enter');
  await waitCount(page, 'conn', over, total);
  await conn.getByRole('button', { name: 'Remove the orig_bytes filter' }).click();
  await waitCount(page, 'conn', total);
  // Text contains (ASCII case-insensitive, as the query language's wildcards).
  const part = String(all.find((r) => String(r.doc.history ?? '').length >= 3)!.doc.history).slice(1, 3);
  const containing = all.filter((r) => typeof r.doc.history === 'string' && r.doc.history.toLowerCase().includes(part.toLowerCase())).length;
  await conn.getByRole('textbox', { name: 'Filter history' }).fill(part);
  await conn.getByRole('textbox', { name: 'Filter history' }).press('Enter');
  await waitCount(page, 'conn', containing, total);
  assert.deepEqual([...page.errors, ...fresh.errors], []);
});

test('a comparison without a number says why and shows no rows; Escape in a box restores it; keys in a box stay in it', async () => {
  const page = await ui.page();
  await page.goto(`/captures/${id}?panel=conn&col.orig_bytes=${encodeURIComponent('>lots')}`);
  const conn = panel(page, 'conn');
  await conn.getByRole('alert').filter({ hasText: 'needs a number' }).waitFor();
  assert.equal(await conn.locator('[role="table"]').count(), 0);
  await page.goto(`/captures/${id}`);
  await conn.locator('[role="row"]:not(.head):not(.pending)').first().waitFor();
  const box = conn.getByRole('textbox', { name: 'Filter uid' });
  await box.fill('abc');
  await box.press('Home');
  await box.press('Escape');
  assert.equal(await box.inputValue(), '');
  assert.equal(await conn.locator('[role="row"].active').getAttribute('aria-rowindex'), '3', 'Home in the box did not move the row cursor');
  if (process.env.CAPDEX_SCREENSHOTS === '1') {
    mkdirSync(SHOTS, { recursive: true });
    await page.goto(`/captures/${id}?panel=conn&sort=-orig_bytes&col.id.resp_p=${encodeURIComponent('<1024')}`);
    await panel(page, 'conn').locator('[role="row"]:not(.head):not(.pending)').first().waitFor();
    await panel(page, 'conn').getByRole('button', { name: 'Full screen: conn' }).click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, 'panels-conn-filtered.png') });
  }
  assert.deepEqual(page.errors, []);
});
