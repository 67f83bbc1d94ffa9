/**
 * Browse's date filters in a real browser: four shared captures uploaded through the API, their
 * first-packet times read by capinfos (the oracle); "first packet from/to" keeps exactly the
 * captures whose first packet falls in those UTC days (both ends inclusive), "submitted" bounds
 * around today keep all or none; the filter is in the URL and a link reopens it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openUi, type Ui } from './browser.js';

const PCAPS = join(import.meta.dirname, '../../../shared/pcaps');
const FILES = ['dns-tcp.pcap', 'malware-emotet.pcap', 'syslog-udp.pcap', 'pop3.pcap'];

let ui: Ui;
/** File → the UTC day of its first packet (capinfos). */
const firstDay = new Map<string, string>();

before(async () => {
  ui = await openUi({ rateLimit: false });
  for (const f of FILES) {
    const first = Number(/First packet time:\s+([\d.]+)/.exec(execFileSync('capinfos', ['-a', '-S', join(PCAPS, f)], { encoding: 'utf8' }))?.[1]);
    firstDay.set(f, new Date(first * 1000).toISOString().slice(0, 10));
    const r = await fetch(`${ui.base}/api/captures?name=${f}`, { method: 'POST', body: readFileSync(join(PCAPS, f)), headers: { 'content-type': 'application/octet-stream' } });
    const { id } = (await r.json()) as { id: string };
    for (let i = 0; i < 600; i++) {
      const c = (await (await fetch(`${ui.base}/api/captures/${id}`)).json()) as { capture: { status: string } | null };
      if (c.capture?.status === 'done') break;
      await new Promise((res) => setTimeout(res, 100));
    }
  }
});
after(async () => { await ui?.close(); });

test('first packet between two days keeps the captures of those days, both inclusive; the link reopens the view', async () => {
  const page = await ui.page();
  await page.goto('/browse');
  await page.locator('a.capture-link', { hasText: FILES[0] }).waitFor();
  // The earliest and the latest day of two of the captures: everything in between too.
  const days = [...firstDay.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  const [from, to] = [days[1][1], days[2][1]];
  const expected = days.filter(([, d]) => d >= from && d <= to).map(([f]) => f).sort();
  assert.ok(expected.length >= 2 && expected.length < FILES.length, JSON.stringify(days));
  await page.getByLabel('First packet from').fill(from);
  await page.getByLabel('First packet to').fill(to);
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/first_from=/);
  assert.match(page.url(), new RegExp(`first_from=${from}&first_to=${to}`));
  const names = async () => {
    await page.getByRole('table', { name: 'Analysed captures' }).waitFor();
    return (await page.locator('a.capture-link').allInnerTexts()).sort();
  };
  await page.waitForFunction((n) => document.querySelectorAll('a.capture-link').length === n, expected.length);
  assert.deepEqual(await names(), expected);
  await page.getByText(`first packet ${from} – ${to}`).waitFor();
  // The link alone gives the same view, the boxes filled.
  const again = await ui.page();
  await again.goto(page.url().replace(ui.base, ''));
  await again.waitForFunction((n) => document.querySelectorAll('a.capture-link').length === n, expected.length);
  assert.equal(await again.getByLabel('First packet from').inputValue(), from);
  assert.deepEqual(page.errors.concat(again.errors), []);
});

test('submitted bounds: today keeps every capture, until yesterday none', async () => {
  const page = await ui.page();
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await page.goto(`/browse?submitted_from=${today}&submitted_to=${today}`);
  await page.waitForFunction((n) => document.querySelectorAll('a.capture-link').length === n, FILES.length);
  await page.goto(`/browse?submitted_to=${yesterday}`);
  await page.getByText('No captures match.').waitFor();
  // A date that is not one is ignored, not sent.
  await page.goto('/browse?first_from=2024-02-31');
  await page.waitForFunction((n) => document.querySelectorAll('a.capture-link').length === n, FILES.length);
  assert.deepEqual(page.errors, []);
});
