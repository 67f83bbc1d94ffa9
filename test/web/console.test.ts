/**
 * The analysis console in a real browser (Debian Chromium, real server, real analysis): a shared
 * capture uploaded through the API, then /captures/{id}: the summary matches the API, every log
 * present has a panel whose first rows are the API's, sort and filter give the API's answers,
 * full screen and collapse work, the layout survives a reload, and the timeline, host graph and
 * world map draw (canvas) with the DB-IP attribution — all without console errors.
 * CAPDEX_SCREENSHOTS=1 also writes docs/screenshots/console-*.png (dark and light).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openUi, type Ui } from './browser.js';

const PCAPS = join(import.meta.dirname, '../../../shared/pcaps');
const SHOTS = join(import.meta.dirname, '../../docs/screenshots');
const CAPTURE = 'malware-emotet.pcap';

interface Rec { ts: number | null; uid: string | null; doc: Record<string, unknown> }
interface Summary {
  logs: { log: string; count: number }[]; services: { service: string; count: number }[];
  talkers: { ip: string; bytes: number; conns: number }[]; edges: unknown[]; endpoints: { ip: string }[];
  capture: { id: string; md5: string; packets: number }; timeline: { conns: number[] };
}

let ui: Ui;
let id: string;
let summary: Summary;

async function api<T>(path: string): Promise<T> {
  const r = await fetch(ui.base + path);
  assert.equal(r.status, 200, path);
  return (await r.json()) as T;
}

before(async () => {
  ui = await openUi({ rateLimit: false });
  const up = await fetch(`${ui.base}/api/captures?name=${CAPTURE}`, { method: 'POST', body: readFileSync(join(PCAPS, CAPTURE)), headers: { 'content-type': 'application/octet-stream' } });
  id = ((await up.json()) as { id: string }).id;
  for (let i = 0; i < 600; i++) {
    const c = await api<{ job: { status: string } | null; capture: { status: string } | null }>(`/api/captures/${id}`);
    if (c.capture?.status === 'done') break;
    if (c.job?.status === 'failed') throw new Error('analysis failed');
    await new Promise((r) => setTimeout(r, 100));
  }
  summary = await api<Summary>(`/api/captures/${id}/summary`);
});
after(async () => { await ui?.close(); });

const panel = (page: Page, log: string) => page.locator(`section.panel[data-log="${log}"]`);
const rows = (page: Page, log: string) => panel(page, log).locator('[role="row"]:not(.head):not(.pending)');

/** The text a cell shows for a document value (LogTable's cellText). */
const cell = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

test('the summary agrees with the capture\'s own records (services, talkers by bytes, timeline)', async () => {
  const conns = (await api<{ records: Rec[] }>(`/api/captures/${id}/logs/conn?limit=1000`)).records;
  assert.equal(summary.logs.find((l) => l.log === 'conn')?.count, conns.length);
  const services = new Map<string, number>();
  const bytes = new Map<string, number>();
  for (const { doc } of conns) {
    for (const sv of String(doc.service ?? '-').split(',')) services.set(sv, (services.get(sv) ?? 0) + 1);
    const b = Number(doc.orig_ip_bytes ?? 0) + Number(doc.resp_ip_bytes ?? 0);
    for (const h of [doc['id.orig_h'], doc['id.resp_h']]) bytes.set(String(h), (bytes.get(String(h)) ?? 0) + b);
  }
  assert.deepEqual(Object.fromEntries(summary.services.map((x) => [x.service, x.count])), Object.fromEntries(services));
  const top = [...bytes.values()].sort((a, b) => b - a)[0];
  assert.equal(summary.talkers[0].bytes, top);
  assert.equal(bytes.get(summary.talkers[0].ip), top);
  assert.equal(summary.timeline.conns.reduce((a, b) => a + b, 0), conns.length);
});

test('summary and one panel per log, each showing the API\'s rows', async () => {
  assert.ok(summary.logs.length >= 3, JSON.stringify(summary.logs));
  assert.ok(summary.logs.some((l) => l.log === 'conn'));
  assert.ok(summary.logs.some((l) => l.log === 'alert'), 'the service ran the bundled rules: an alert panel');
  const page = await ui.page();
  await page.goto(`/captures/${id}`);
  await page.getByRole('heading', { name: CAPTURE }).waitFor();
  await page.getByText(summary.capture.md5).waitFor();
  for (const { log, count } of summary.logs) {
    const p = panel(page, log);
    await p.waitFor();
    assert.match(await p.locator('.panel-count').innerText(), new RegExp(`^${count.toLocaleString('en-US')} rows`), log);
    const api1 = (await api<{ records: Rec[] }>(`/api/captures/${id}/logs/${log}?limit=3`)).records;
    await rows(page, log).first().waitFor();
    const first = await rows(page, log).first().innerText();
    const raw = api1[0].doc.ts ?? api1[0].doc.timestamp;
    const ts = typeof raw === 'number' ? new Date(raw * 1000).toISOString().replace('T', ' ').replace('Z', '') : cell(raw);
    if (ts) assert.ok(first.includes(ts), `${log}: first row ${first} lacks ${ts}`);
    if (api1[0].uid) assert.ok(first.includes(api1[0].uid), `${log}: first row lacks ${api1[0].uid}`);
    // An alert panel leads with what the analyst reads first: the signature (LogPanel's LEADING_COLUMNS).
    if (log === 'alert') assert.ok(first.includes((api1[0].doc.alert as { signature: string }).signature), `alert: first row ${first} lacks its signature`);
    assert.equal(await rows(page, log).count() >= Math.min(count, 3), true, log);
  }
  assert.deepEqual(page.errors, []);
});

test('sort by ts descending, filter by an address, full screen and collapse; layout remembered after reload', async () => {
  const page = await ui.page();
  await page.goto(`/captures/${id}`);
  const conn = panel(page, 'conn');
  await rows(page, 'conn').first().waitFor();

  // Sort: newest first, as the API's -ts.
  await conn.getByRole('button', { name: /^Sort by ts/ }).click();
  const newest = (await api<{ records: Rec[] }>(`/api/captures/${id}/logs/conn?limit=1&sort=-ts`)).records[0];
  await page.waitForFunction((uid) => document.querySelector('section.panel[data-log="conn"] [role="row"]:not(.head):not(.pending)')?.textContent?.includes(uid), newest.uid!);
  assert.equal(await conn.getByRole('columnheader', { name: /ts/ }).first().getAttribute('aria-sort'), 'descending');

  // Filter: one host's connections, counted as the search API counts them.
  const host = String(newest.doc['id.resp_h']);
  const q = `capture:${id} log:"conn" (${host})`;
  const counted = (await api<{ aggregation: { count: number }[] }>(`/api/search?q=${encodeURIComponent(q + ' | count')}`)).aggregation[0].count;
  assert.ok(counted >= 1 && counted < summary.logs.find((l) => l.log === 'conn')!.count);
  await conn.getByRole('searchbox', { name: 'Filter conn' }).fill(host);
  await conn.getByRole('searchbox', { name: 'Filter conn' }).press('Enter');
  await page.waitForFunction(([n]) => document.querySelector('section.panel[data-log="conn"] .panel-count')?.textContent?.startsWith(`${n} of`), [counted.toLocaleString('en-US')]);
  await rows(page, 'conn').first().waitFor();
  const shown = await rows(page, 'conn').allInnerTexts();
  assert.equal(shown.length, counted);
  for (const t of shown) assert.ok(t.includes(host), t);
  assert.match(page.url(), new RegExp(`panel=conn&filter=${host.replace(/\./g, '\\.')}`));

  // Full screen, then Escape.
  await conn.getByRole('button', { name: 'Full screen: conn' }).click();
  const box = await conn.boundingBox();
  assert.ok(box && box.width >= 1300 && box.height >= 780, JSON.stringify(box));
  await conn.locator('[role="table"]').focus();
  await page.keyboard.press('Escape');
  assert.equal(await conn.getAttribute('class'), 'panel');

  // Collapse dns, move conn down: both survive a reload.
  const other = summary.logs.map((l) => l.log).find((l) => l !== 'conn')!;
  await panel(page, other).getByRole('button', { name: `Collapse ${other}` }).click();
  assert.equal(await panel(page, other).locator('[role="table"]').count(), 0);
  const orderBefore = await page.locator('section.panel').evaluateAll((els) => els.map((e) => e.getAttribute('data-log')));
  await conn.getByRole('button', { name: 'Move conn down' }).click();
  const orderAfter = await page.locator('section.panel').evaluateAll((els) => els.map((e) => e.getAttribute('data-log')));
  assert.equal(orderAfter.indexOf('conn'), orderBefore.indexOf('conn') + 1);
  await page.goto(`/captures/${id}`);
  await rows(page, 'conn').first().waitFor();
  assert.deepEqual(await page.locator('section.panel').evaluateAll((els) => els.map((e) => e.getAttribute('data-log'))), orderAfter);
  assert.equal(await panel(page, other).getByRole('button', { name: `Expand ${other}` }).count(), 1);
  assert.equal(await panel(page, other).locator('[role="table"]').count(), 0);
  // Deep link: the filter comes from the URL.
  await page.goto(`/captures/${id}?panel=conn&filter=${encodeURIComponent(host)}`);
  await page.waitForFunction(([n]) => document.querySelector('section.panel[data-log="conn"] .panel-count')?.textContent?.startsWith(`${n} of`), [counted.toLocaleString('en-US')]);
  assert.equal(await conn.getByRole('searchbox', { name: 'Filter conn' }).inputValue(), host);
  // A row opens its tools.
  await rows(page, 'conn').first().click();
  await page.getByRole('dialog').first().waitFor();
  await page.keyboard.press('Escape');
  assert.deepEqual(page.errors, []);
});

/** An address's place in the console's order: IPv4 by value, then IPv6 by value, then other text (src/store/query/address-order.ts). */
function addrKey(v: unknown): [number, bigint, string] {
  const t = typeof v === 'string' ? v : '';
  if (isIPv4(t)) return [1, t.split('.').reduce((n, o) => n * 256n + BigInt(o), 0n), ''];
  if (isIPv6(t) && !/[.%]/.test(t)) {
    const [head, tail] = t.includes('::') ? t.split('::').map((x) => (x ? x.split(':') : [])) : [t.split(':'), []];
    return [2, [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail].reduce((n, g) => n * 65536n + BigInt(parseInt(g, 16)), 0n), ''];
  }
  return [3, 0n, t];
}
const byAddr = (a: unknown, b: unknown): number => {
  const [ca, va, ta] = addrKey(a); const [cb, vb, tb] = addrKey(b);
  return ca - cb || (va < vb ? -1 : va > vb ? 1 : 0) || (ta < tb ? -1 : ta > tb ? 1 : 0);
};

test('a panel sorted by an address shows addresses in numeric order (9.x before 10.x before 192.x), both ways', async () => {
  const conns = (await api<{ records: Rec[] }>(`/api/captures/${id}/logs/conn?limit=1000`)).records;
  const all = conns.map((r) => String(r.doc['id.resp_h']));
  const numeric = [...all].sort(byAddr);
  const page = await ui.page();
  await page.goto(`/captures/${id}?panel=conn`);
  const conn = panel(page, 'conn');
  await rows(page, 'conn').first().waitFor();
  const column = (await conn.locator('[role="columnheader"]').allInnerTexts()).findIndex((t) => t.replace(/[▲▼↕]/g, '').trim() === 'id.resp_h');
  assert.ok(column >= 0, 'conn shows id.resp_h');
  const shownAddrs = async () => (await rows(page, 'conn').evaluateAll((els, i) => els.map((e) => e.querySelectorAll('[role="cell"]')[i]?.textContent ?? ''), column))
    .filter((t) => t.trim());
  const text = [...all].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const [label, expected, asText] of [['Sort by id.resp_h', numeric, text], ['Sort by id.resp_h, descending', [...numeric].reverse(), [...text].reverse()]] as const) {
    await conn.getByRole('button', { name: label, exact: true }).click();
    const first = expected[0];
    await page.waitForFunction(([i, v]) => document.querySelector('section.panel[data-log="conn"] [role="row"]:not(.head):not(.pending)')?.querySelectorAll('[role="cell"]')[i as number]?.textContent === v, [column, first] as const);
    const shown = await shownAddrs();
    assert.ok(shown.length >= 5, `${shown.length} rows drawn`);
    assert.deepEqual(shown, expected.slice(0, shown.length), label);
    assert.notDeepEqual(shown, asText.slice(0, shown.length), `${label}: the rows drawn would differ in text order`);
  }
  assert.match(page.url(), /sort=-id\.resp_h/);
  assert.deepEqual(page.errors, []);
});

test('timeline, host graph and world map draw, with the DB-IP attribution', async () => {
  const page = await ui.page();
  await page.goto(`/captures/${id}`);
  await page.locator('.views canvas').nth(2).waitFor({ timeout: 30_000 });
  assert.ok(await page.locator('.views canvas').count() >= 3);
  const link = page.getByRole('link', { name: 'IP Geolocation by DB-IP' });
  assert.equal(await link.getAttribute('href'), 'https://db-ip.com/');
  await page.getByText(/endpoints located/).waitFor({ timeout: 30_000 });
  assert.ok(summary.edges.length >= 1);
  if (process.env.CAPDEX_SCREENSHOTS === '1') {
    mkdirSync(SHOTS, { recursive: true });
    await page.waitForTimeout(800);
    for (let i = 0; i < 2; i++) {
      const theme = await page.evaluate(() => document.documentElement.dataset.theme ?? 'dark');
      await page.screenshot({ path: join(SHOTS, `console-${theme}.png`), fullPage: false });
      if (i === 1) break;
      await page.getByRole('button', { name: /Switch to (light|dark) theme/ }).click();
      await page.reload();
      await page.locator('.views canvas').nth(2).waitFor();
      await page.getByText(/endpoints located/).waitFor({ timeout: 30_000 });
      await page.waitForTimeout(800);
    }
  }
  assert.deepEqual(page.errors, []);
});
