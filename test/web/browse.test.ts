/**
 * Browse, labels and the API-key dialog in a real browser over a real server: captures submitted
 * over the API are listed with links to their console and their downloads (the pcap link answers
 * the very bytes uploaded); a wrong key is refused in the dialog with the server's reason; with a
 * real key (store.createKey) the key's private capture appears, a label added through the dialog
 * shows as a chip, /browse?label= lists the capture, and the label can be removed again.
 * Screenshots (CAPDEX_SCREENSHOTS=1) go to docs/screenshots/browse-*.png (both themes) and labels-add-dialog.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job } from '../../src/jobs/jobs.js';
import { openUi, type Ui } from './browser.js';

const PCAPS = new URL('../../../shared/pcaps/', import.meta.url).pathname;
const SHOTS = process.env.CAPDEX_SCREENSHOTS === '1';

let ui: Ui;
let secret: string;
const ids: Record<string, string> = {};

/** Uploads a capture over the API and waits for its job to finish. */
async function submit(file: string, query: string, key?: string): Promise<string> {
  const r = await fetch(`${ui.base}/api/captures?${query}`, {
    method: 'POST', body: readFileSync(join(PCAPS, file)),
    headers: { 'content-type': 'application/octet-stream', ...(key ? { authorization: `Bearer ${key}` } : {}) },
  });
  assert.ok(r.status === 201 || r.status === 200, `upload of ${file}: ${r.status}`);
  const { id } = (await r.json()) as { id: string };
  for (let i = 0; i < 600; i++) {
    const job = (await ui.service.jobs.latestFor(id)) as Job;
    if (job.status === 'done') return id;
    assert.notEqual(job.status, 'failed', job.error);
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`${file} was not analysed in a minute`);
}

before(async () => {
  ui = await openUi({ rateLimit: false });
  secret = (await ui.service.store.createKey('ui-browse-test')).secret;
  ids.emotet = await submit('malware-emotet.pcap', 'name=emotet%20invoice.pcap');
  ids.dns = await submit('dns-exfiltration.pcap', 'name=dns-exfil.pcap');
  ids.secret = await submit('sip.pcap', 'name=my-private-sip.pcap&visibility=private', secret);
});
after(async () => { await ui?.close(); });

test('browse lists the public captures with console links and downloads; the private one stays hidden', async () => {
  const page = await ui.page();
  await page.goto('/browse');
  const table = page.getByRole('table', { name: 'Analysed captures' });
  await table.waitFor();
  const link = table.getByRole('link', { name: 'emotet invoice.pcap', exact: true });
  assert.equal(await link.getAttribute('href'), `/captures/${ids.emotet}`);
  await table.getByRole('link', { name: 'dns-exfil.pcap', exact: true }).waitFor();
  assert.equal(await table.getByText('my-private-sip.pcap').count(), 0);
  // The pcap download is the uploaded file, byte for byte.
  const pcapHref = await table.getByRole('link', { name: 'Download pcap of emotet invoice.pcap' }).getAttribute('href');
  const got = Buffer.from(await (await fetch(ui.base + pcapHref)).arrayBuffer());
  assert.ok(got.equals(readFileSync(join(PCAPS, 'malware-emotet.pcap'))));
  for (const what of ['files', 'logs']) {
    const href = await table.getByRole('link', { name: `Download ${what} of emotet invoice.pcap` }).getAttribute('href');
    assert.equal(href, `/api/captures/${ids.emotet}/${what}.zip`);
  }
  // The name filter narrows the list and lives in the URL.
  await page.getByLabel('Name contains').fill('exfil');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL('**/browse?q=exfil');
  await table.getByRole('link', { name: 'dns-exfil.pcap', exact: true }).waitFor();
  assert.equal(await table.getByRole('link', { name: 'emotet invoice.pcap', exact: true }).count(), 0);
  await link.waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
});

test('a wrong API key is refused with the server\'s reason; a real one shows private captures and labels', async () => {
  const page = await ui.page();
  await page.goto('/browse');
  await page.getByRole('button', { name: 'No API key: set one' }).click();
  const dialog = page.getByRole('dialog', { name: 'API key' });
  await dialog.getByLabel('New key').fill('cdx_not-a-real-key-at-all-000000000000000');
  await dialog.getByRole('button', { name: 'Check and save' }).click();
  assert.match(await dialog.getByRole('alert').textContent() ?? '', /\(BAD_API_KEY\)/);
  await dialog.getByLabel('New key').fill(secret);
  await dialog.getByRole('button', { name: 'Check and save' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: /API key cdx_.* active/ }).waitFor();

  const table = page.getByRole('table', { name: 'Analysed captures' });
  await table.getByRole('link', { name: 'my-private-sip.pcap', exact: true }).waitFor();

  // Add a family label and two tags through the dialog.
  await table.getByRole('button', { name: 'Add label to emotet invoice.pcap' }).click();
  const add = page.getByRole('dialog', { name: 'Add label' });
  await add.getByLabel('Kind').selectOption('family');
  await add.getByLabel('Value').fill('Emotet');
  await add.getByLabel(/Tags/).fill('epoch4, malspam');
  if (SHOTS) await page.screenshot({ path: 'docs/screenshots/labels-add-dialog.png' });
  await add.getByRole('button', { name: 'Add', exact: true }).click();
  await add.waitFor({ state: 'detached' });
  const chips = table.getByRole('list', { name: 'Labels of emotet invoice.pcap' });
  await chips.getByRole('link', { name: 'family emotet' }).waitFor();
  assert.deepEqual((await chips.getByRole('link').allTextContents()).sort(), ['family emotet', 'tag epoch4', 'tag malspam']);
  const stored = await ui.service.store.intel.labels(ids.emotet);
  assert.deepEqual(stored.map((l) => `${l.kind}:${l.value}`).sort(), ['family:emotet', 'tag:epoch4', 'tag:malspam']);
  if (SHOTS) {
    for (let i = 0; i < 2; i++) {
      const theme = await page.evaluate('document.documentElement.dataset.theme');
      await page.screenshot({ path: `docs/screenshots/browse-${String(theme)}.png` });
      await page.getByRole('button', { name: /Switch to (light|dark) theme/ }).click();
    }
  }

  // Browse by label: the chip leads there.
  await chips.getByRole('link', { name: 'family emotet' }).click();
  await page.waitForURL('**/browse?label=emotet');
  await page.getByText('labelled emotet').waitFor();
  await table.getByRole('link', { name: 'emotet invoice.pcap', exact: true }).waitFor();
  assert.equal(await table.getByRole('link', { name: 'dns-exfil.pcap', exact: true }).count(), 0);

  // Remove the tag again.
  await table.getByRole('button', { name: 'Remove label tag malspam' }).click();
  await chips.getByRole('link', { name: 'tag malspam' }).waitFor({ state: 'detached' });
  assert.deepEqual((await ui.service.store.intel.labels(ids.emotet)).map((l) => l.value).sort(), ['emotet', 'epoch4']);
  // A private capture's download carries the key (a plain link could not): the very bytes uploaded.
  await page.goto('/browse');
  const dl = page.waitForEvent('download');
  await table.getByRole('button', { name: 'Download pcap of my-private-sip.pcap' }).click();
  const file = await (await dl).path();
  assert.ok(readFileSync(file).equals(readFileSync(join(PCAPS, 'sip.pcap'))));
  // The label chips offered as one-click filters (the archive's labels in use).
  await page.getByRole('list', { name: 'Labels in use' }).getByRole('link', { name: /family emotet/ }).waitFor();

  // The one console error is the wrong key's 401 itself (Chromium logs every failed response).
  assert.equal(page.errors.length, 1, page.errors.join('\n'));
  assert.match(page.errors[0]!, /status of 401 .*\/api\/captures\?limit=1/);
});

test('with the key set, a capture submitted as private belongs to that key', async () => {
  const page = await ui.page();
  await page.goto('/');
  await page.getByRole('button', { name: /API key cdx_.* active/ }).waitFor();
  await page.getByRole('radio', { name: 'Private' }).check();
  assert.match(await page.locator('#private-help').textContent() ?? '', /only your API key/);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: /Choose capture files/ }).click();
  await (await chooser).setFiles(join(PCAPS, 'dns-tunnel-iodine.pcap'));
  const card = page.getByRole('article', { name: 'Submission dns-tunnel-iodine.pcap' });
  await card.getByRole('link', { name: /Open analysis/ }).waitFor({ timeout: 60_000 });
  assert.match(await card.textContent() ?? '', /private/);
  const id = (await card.getByRole('link', { name: /Open analysis/ }).getAttribute('href'))!.split('/').pop()!;
  const keyId = (await ui.service.store.keyBySecret(secret))!.id;
  const stored = await ui.service.store.capture(id);
  assert.equal(stored?.visibility, 'private');
  assert.equal(stored?.submitter, keyId);
  // Anonymous requests do not see it.
  assert.equal((await fetch(`${ui.base}/api/captures/${id}`)).status, 404);
  assert.deepEqual(page.errors, []);
});

test('without a key the private option is explained and disabled, and labels offer no editing', async () => {
  const page = await ui.page();
  await page.goto('/');
  // The key set by the test before: forgotten through the dialog, as a person would.
  if (await page.getByRole('button', { name: /API key cdx_.* active/ }).count()) {
    await page.getByRole('button', { name: /API key cdx_.* active/ }).click();
    await page.getByRole('dialog', { name: 'API key' }).getByRole('button', { name: 'Forget key' }).click();
  }
  await page.getByRole('button', { name: 'No API key: set one' }).waitFor();
  const priv = page.getByRole('radio', { name: 'Private' });
  assert.equal(await priv.isDisabled(), true);
  assert.match(await page.locator('#private-help').textContent() ?? '', /Private needs an API key/);
  await page.goto('/browse');
  await page.getByRole('table', { name: 'Analysed captures' }).waitFor();
  await page.getByRole('list', { name: 'Labels of emotet invoice.pcap' }).waitFor();
  assert.equal(await page.getByRole('button', { name: /Add label/ }).count(), 0);
  assert.deepEqual(page.errors, []);
});
