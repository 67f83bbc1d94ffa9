/**
 * The search and pivot pages in a real browser over real captures: a deep-linked search grouped
 * by capture (tshark says which captures ask for example.com), field autocomplete, a caret under
 * the server's error position, an aggregation as table and chart, paging, and row tools: whois
 * (against a whois server this test runs on 127.0.0.1), "other captures with this" to the pivot
 * page. Screenshots with CAPDEX_SCREENSHOTS=1.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { openUi, type Ui } from './browser.js';
import { uploadAndWait } from './upload.js';

const PCAPS = join(import.meta.dirname, '../../../shared/pcaps');
const SHOTS = join(import.meta.dirname, '../../docs/screenshots');
const EXAMPLE_CAPTURES = ['link-raw-ipv4.pcap', 'link-ipv6-linktype229.pcap'];
const OTHERS = ['dns-many-record-types.pcap', 'dns-exfiltration.pcap'];

let ui: Ui;
let whois: Server;
const whoisQueries: string[] = [];

before(async () => {
  whois = createServer((s) => {
    s.on('error', () => {});
    s.once('data', (d) => { const q = d.toString('latin1').trim(); whoisQueries.push(q); s.end(`Domain Name: ${q.toUpperCase()}\r\nRegistrar: Test Registrar <b>bold?</b>\r\n`); });
  });
  await new Promise<void>((r) => whois.listen(0, '127.0.0.1', r));
  const port = (whois.address() as { port: number }).port;
  ui = await openUi({ rateLimit: false, whois: { domainServer: `127.0.0.1:${port}`, ipServer: `127.0.0.1:${port}`, timeoutMs: 2000 } });
  for (const f of [...EXAMPLE_CAPTURES, ...OTHERS]) await uploadAndWait(ui.base, join(PCAPS, f), f);
});
after(async () => {
  await ui?.close();
  await new Promise((r) => whois?.close(r));
});

async function shot(page: Awaited<ReturnType<Ui['page']>>, name: string, theme?: 'dark' | 'light') {
  if (process.env.CAPDEX_SCREENSHOTS !== '1') return;
  mkdirSync(SHOTS, { recursive: true });
  if (theme) await page.evaluate((t) => { document.documentElement.dataset.theme = t; }, theme);
  await page.screenshot({ path: join(SHOTS, `search-${name}${theme ? `-${theme}` : ''}.png`), fullPage: false });
}

test('a deep-linked search shows its records grouped by capture (the captures tshark finds asking for example.com)', async () => {
  const oracle = EXAMPLE_CAPTURES.filter((f) => execFileSync('tshark', ['-r', join(PCAPS, f), '-Y', 'dns.qry.name == "example.com"', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' }).trim() !== '');
  const page = await ui.page();
  await page.goto(`/search?q=${encodeURIComponent('dns.query:example.com')}`);
  await page.locator('.capture-group').first().waitFor();
  const groups = await page.locator('.capture-group-title a').allTextContents();
  assert.deepEqual(groups.sort(), oracle.sort());
  assert.equal(await page.locator('table.records tbody tr').count(), oracle.length);
  assert.equal(await page.getByRole('combobox', { name: 'Query' }).inputValue(), 'dns.query:example.com');
  await shot(page, 'results');
  assert.deepEqual(page.errors, []);
});

test('field names complete at the caret; a bad query shows the server\'s message with a caret at its position', async () => {
  const page = await ui.page();
  await page.goto('/search');
  const box = page.getByRole('combobox', { name: 'Query' });
  await box.fill('log:dns AND dns.qu');
  await page.getByRole('option', { name: /dns\.query/ }).first().waitFor();
  assert.equal(await box.getAttribute('aria-expanded'), 'true');
  await box.press('Enter');
  assert.equal(await box.inputValue(), 'log:dns AND dns.query:');
  await box.press('Enter');
  const err = page.locator('.query-error');
  await err.waitFor();
  const api = (await (await fetch(`${ui.base}/api/search?q=${encodeURIComponent('log:dns AND dns.query:')}`)).json()) as { error: { position: number; message: string } };
  assert.match(await err.locator('p').textContent() ?? '', /expected/);
  const caret = (await err.locator('pre').textContent())!.split('\n')[1];
  assert.equal(caret.indexOf('^'), api.error.position);
  assert.equal(await box.getAttribute('aria-invalid'), 'true');
  assert.equal(await box.getAttribute('aria-describedby'), 'query-error');
  assert.deepEqual(page.errors.filter((e) => !/status of 400/.test(e)), []);
});

test('an aggregation is a table and a bar chart; its values link to records and pivots', async () => {
  const page = await ui.page();
  await page.goto('/search');
  await page.getByRole('combobox', { name: 'Query' }).fill('dns.query:example.com | count by dns.query');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const table = page.getByRole('table', { name: 'Counts by dns.query' });
  await table.waitFor();
  const row = table.locator('tbody tr').first();
  assert.equal(await row.locator('td').first().textContent(), 'example.com');
  assert.equal(await row.locator('td').nth(1).textContent(), String(EXAMPLE_CAPTURES.length));
  await page.locator('.agg-chart canvas').first().waitFor();
  await page.getByRole('combobox', { name: 'Query' }).fill('log:dns | top 10 dns.qtype_name');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('table', { name: 'Counts by dns.qtype_name' }).waitFor();
  await page.locator('.agg-chart canvas').first().waitFor();
  await shot(page, 'aggregation', 'dark');
  await shot(page, 'aggregation', 'light');
  await row.getByRole('link', { name: /Other captures with/ }).count(); // the first table is gone; pivot links are checked below
  assert.deepEqual(page.errors, []);
});

test('row tools: a value is classified, whois answers from the server, and "other captures with this" pivots', async () => {
  const page = await ui.page();
  await page.goto(`/search?q=${encodeURIComponent('dns.query:example.com')}`);
  await page.locator('.chip', { hasText: 'example.com' }).first().click();
  const dialog = page.getByRole('dialog', { name: /Row tools/ });
  await dialog.waitFor();
  assert.equal(await dialog.getByTestId('tool-value').textContent(), 'example.com');
  assert.match(await dialog.locator('.row-tools-tools .kind-badge').first().textContent() ?? '', /Domain/);
  const vt = dialog.getByRole('link', { name: /VirusTotal/ });
  assert.equal(await vt.getAttribute('href'), 'https://www.virustotal.com/gui/search/example.com');
  assert.equal(await vt.getAttribute('rel'), 'noopener noreferrer');
  await dialog.getByRole('button', { name: 'Whois example.com' }).click();
  const answer = dialog.getByLabel('Whois answer');
  await answer.waitFor();
  assert.match(await answer.textContent() ?? '', /Domain Name: EXAMPLE\.COM/);
  assert.match(await answer.textContent() ?? '', /<b>bold\?<\/b>/); // text, not markup
  assert.equal(await dialog.locator('b').count(), 0);
  assert.ok(whoisQueries.includes('example.com'));
  await shot(page, 'row-tools');
  // The connection's uid: every record of it, and its pcap slice (a real pcap with the one DNS packet, as tshark reads it).
  await dialog.locator('.value-pick', { hasText: 'Connection uid' }).click();
  assert.match(await dialog.getByRole('link', { name: 'Every record of this connection' }).getAttribute('href') ?? '', /^\/search\?q=uid%3A%22C/);
  const slice = await dialog.getByRole('link', { name: 'Download pcap slice' }).getAttribute('href');
  assert.match(slice ?? '', /^\/api\/captures\/[0-9a-f]+\/pcap\?uid=C/);
  const bytes = Buffer.from(await (await fetch(ui.base + slice)).arrayBuffer());
  const sliceFile = join(mkdtempSync(join(tmpdir(), 'capdex-slice-')), 'slice.pcap');
  writeFileSync(sliceFile, bytes);
  assert.equal(execFileSync('tshark', ['-r', sliceFile, '-Y', 'dns.qry.name == "example.com"', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' }).trim(), '1');
  await dialog.locator('.value-pick', { hasText: 'example.com' }).click();
  // An IP value: geo/ASN degrades to a note when the server has none for a documentation address.
  await dialog.getByRole('link', { name: 'Other captures with this' }).click();
  await page.waitForURL(/\/pivot\/domain\/example\.com$/);
  await page.getByRole('heading', { name: /Captures with/ }).waitFor();
  await page.locator('.capture-group').first().waitFor();
  assert.deepEqual((await page.locator('.capture-group-title a').allTextContents()).sort(), [...EXAMPLE_CAPTURES].sort());
  await shot(page, 'pivot');
  // Escape closes the dialog (keyboard): open one from the pivot page and press Escape.
  await page.locator('table.records tbody tr').first().focus();
  await page.keyboard.press('Enter');
  const again = page.getByRole('dialog', { name: /Row tools/ });
  await again.waitFor();
  // Arrow keys walk the values: the pressed one follows and its tools show.
  await again.locator('.value-pick').first().focus();
  await page.keyboard.press('ArrowDown');
  assert.equal(await again.locator('.value-pick').nth(1).getAttribute('aria-pressed'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('value-pick')), true);
  await page.keyboard.press('Escape');
  await page.getByRole('dialog', { name: /Row tools/ }).waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
});

test('results page through the API 100 at a time', async () => {
  const total = ((await (await fetch(`${ui.base}/api/search?q=log:dns%20|%20count`)).json()) as { aggregation: { count: number }[] }).aggregation[0].count;
  assert.ok(total > 100, `need more than 100 dns records, have ${total}`);
  const page = await ui.page();
  await page.goto('/search?q=log:dns');
  await page.locator('table.records').first().waitFor();
  assert.equal(await page.locator('table.records tbody tr').count(), 100);
  await page.getByRole('button', { name: 'Next →' }).first().click();
  await page.waitForURL(/page=1$/);
  await page.getByText(/Records 101–/).first().waitFor();
  assert.equal(await page.locator('table.records tbody tr').count(), Math.min(100, total - 100));
  assert.deepEqual(page.errors, []);
});
