/**
 * The browser tests' harness: a real `capdex serve` stack (service + API + built UI) on
 * 127.0.0.1:0 over a temp data dir, and Debian's Chromium driven by playwright-core (never a
 * downloaded browser, STACK.md). `openUi()` gives both and a `close()` that stops them; each page
 * collects console errors and uncaught exceptions so a test can assert there were none.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { openService, type Service } from '../../src/service.js';
import { buildApi, type ApiOptions } from '../../src/api/app.js';
import { webRoot } from '../../src/api/web.js';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

export interface Ui {
  base: string;
  service: Service;
  app: FastifyInstance;
  browser: Browser;
  context: BrowserContext;
  dataDir: string;
  /** A new page whose console errors and page errors are collected in `errors`. */
  page(): Promise<Page & { errors: string[] }>;
  close(): Promise<void>;
}

export async function openUi(opts: ApiOptions = {}): Promise<Ui> {
  if (!webRoot()) throw new Error('the web UI is not built: run `npm run build` first');
  const dataDir = mkdtempSync(join(tmpdir(), 'capdex-ui-'));
  const service = await openService({ dataDir });
  const app = await buildApi(service, opts);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({
    // playwright gives each launch a fresh temporary profile of its own.
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS,
  });
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1366, height: 800 }, acceptDownloads: true });
  return {
    base, service, app, browser, context, dataDir,
    async page() {
      const p = (await context.newPage()) as Page & { errors: string[] };
      p.errors = [];
      p.on('pageerror', (e) => p.errors.push(`pageerror: ${e.message}`));
      p.on('console', (m) => { if (m.type() === 'error') p.errors.push(`console: ${m.text()} (${m.location().url})`); });
      return p;
    },
    async close() {
      await browser.close().catch(() => {});
      await app.close();
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
