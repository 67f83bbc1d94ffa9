/**
 * The UI shell in a real browser: every page of the navigation renders, deep links survive a
 * reload (the server answers client routes with the UI), the theme switch is remembered, API
 * paths keep their JSON 404s, and UI responses carry the CSP that forbids inline scripts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openUi, type Ui } from './browser.js';

let ui: Ui;
before(async () => { ui = await openUi(); });
after(async () => { await ui?.close(); });

test('the navigation reaches every page, with no script errors', async () => {
  const page = await ui.page();
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  for (const name of ['Browse', 'Search', 'Submit']) {
    await page.getByRole('link', { name, exact: true }).click();
    assert.equal(await page.getByRole('link', { name, exact: true }).getAttribute('aria-current'), 'page');
  }
  await page.getByRole('link', { name: 'Browse', exact: true }).click();
  await page.getByText('No captures yet').waitFor();
  assert.deepEqual(page.errors, []);
});

test('a deep link opens on reload, and the theme choice is remembered', async () => {
  const page = await ui.page();
  const r = await page.goto('/browse');
  assert.equal(r?.status(), 200);
  assert.match(r?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
  await page.getByRole('heading', { name: 'Captures' }).waitFor();
  const before = await page.evaluate(() => document.documentElement.dataset.theme);
  await page.getByRole('button', { name: /Switch to (light|dark) theme/ }).click();
  await page.reload();
  await page.getByRole('heading', { name: 'Captures' }).waitFor();
  const afterReload = await page.evaluate(() => document.documentElement.dataset.theme);
  assert.notEqual(afterReload, before);
  assert.deepEqual(page.errors, []);
});

test('API paths keep their JSON errors even when a browser asks for HTML', async () => {
  const r = await fetch(`${ui.base}/api/nope`, { headers: { accept: 'text/html' } });
  assert.equal(r.status, 404);
  assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  const ui404 = await fetch(`${ui.base}/captures/abc`, { headers: { accept: 'text/html' } });
  assert.equal(ui404.status, 200);
  assert.match(await ui404.text(), /<div id="root">/);
});
