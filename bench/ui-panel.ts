/**
 * A 1M-row log panel: how the server pages, sorts and filters it, and how smoothly the console
 * scrolls it in Debian's Chromium. Stores N generated conn records (default 1,000,000,
 * `--rows N`) as one capture of a real service (SQLite, 127.0.0.1), then:
 *  - the logs endpoint: plain pages near the start and deep in the log (ts order, by index), the
 *    first and later pages sorted by a document field (one statement builds the view's ordered
 *    ids, then pages are id lookups), a filter's first page and total;
 *  - the browser: the conn panel full screen, scrolled by requestAnimationFrame for a few seconds
 *    at a reading pace and at a fling pace, frame times sampled in the page; jumps to random
 *    places (as dragging the scrollbar) timed until their rows are drawn; the conn pages fetched,
 *    the rows in the DOM and the JS heap (Chromium's Performance.getMetrics) after all that.
 *
 *   CAPDEX_WEB_ROOT=/tmp/web-you node --import tsx bench/ui-panel.ts [--rows 1000000]
 */
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import type { LogRecord } from '../src/engine/logs/schema.js';
import { CONN_LOG } from '../src/engine/logs/conn-log.js';
import { openUi } from '../test/web/browser.js';
import { prng } from '../test/support/prng.js';

const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const ROWS = arg('--rows', 1_000_000);
/** --profile: a CPU profile of the page while it scrolls at reading pace, its top functions by self time. */
const PROFILE = process.argv.includes('--profile');
const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function connRecord(n: number, r: () => number): LogRecord {
  let uid = 'C';
  for (let i = 0, x = n * 2654435761; i < 17; i++, x = Math.floor(x / 62) + i * 7919) uid += B62[x % 62];
  const tcp = r() < 0.7;
  return {
    ts: 1_700_000_000 + n * 0.001, uid, 'id.orig_h': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, 'id.orig_p': 1024 + Math.floor(r() * 60000),
    'id.resp_h': `${11 + Math.floor(r() * 200)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`, 'id.resp_p': tcp ? 443 : 53,
    proto: tcp ? 'tcp' : 'udp', service: tcp ? 'ssl' : 'dns', duration: r() * 30, orig_bytes: Math.floor(r() * 5000), resp_bytes: Math.floor(r() * 2_000_000),
    conn_state: 'SF', missed_bytes: 0, history: tcp ? 'ShADadFf' : 'Dd', orig_pkts: 8, orig_ip_bytes: 900, resp_pkts: 10, resp_ip_bytes: 12000,
  };
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN; };
const ms = (x: number) => `${x.toFixed(1)} ms`;

const ui = await openUi({ rateLimit: false });
try {
  console.log(`load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores)`);
  const id = createHash('sha256').update(`bench-ui-panel-${ROWS}`).digest('hex');
  let t = Date.now();
  await ui.service.store.importCapture({ id, md5: id.slice(0, 32), sha1: id.slice(0, 40), size: ROWS * 300, name: `bench-${ROWS}-conn-rows`, visibility: 'public' }, async (sink) => {
    const r = prng(42);
    for (let n = 0; n < ROWS; n++) sink.write(CONN_LOG, connRecord(n, r));
    return { firstTs: 1_700_000_000, lastTs: 1_700_000_000 + ROWS * 0.001, packets: ROWS * 8 };
  });
  console.log(`stored ${ROWS} conn records in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  // ---- the logs endpoint ----------------------------------------------------------------------
  const get = async (query: string): Promise<{ ms: number; total: number; rows: number }> => {
    const t0 = performance.now();
    const r = await fetch(`${ui.base}/api/captures/${id}/logs/conn?${query}`);
    const body = (await r.json()) as { total: number; records: unknown[] };
    if (r.status !== 200) throw new Error(`${query}: ${r.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - t0, total: body.total, rows: body.records.length };
  };
  const report = async (what: string, query: string) => { const x = await get(query); console.log(`  ${what.padEnd(52)} ${ms(x.ms).padStart(10)}  (total ${x.total}, ${x.rows} rows)`); return x; };
  console.log('logs endpoint (200-row pages):');
  await report('ts, first page (cold: counts the log)', 'limit=200');
  await report('ts, first page', 'limit=200');
  await report('ts, offset 500k (index walk)', `limit=200&offset=${Math.floor(ROWS / 2)}`);
  await report('-ts, offset 900k', `limit=200&offset=${Math.floor(ROWS * 0.9)}&sort=-ts`);
  await report('sort=-duration first page (cold: builds the view)', 'limit=200&sort=-duration');
  await report('sort=-duration offset 500k (warm)', `limit=200&offset=${Math.floor(ROWS / 2)}&sort=-duration`);
  await report('sort=id.resp_h first page (cold, text)', 'limit=200&sort=id.resp_h');
  await report('sort=id.resp_h offset 700k (warm)', `limit=200&offset=${Math.floor(ROWS * 0.7)}&sort=id.resp_h`);
  await report('q=conn.duration:>25 (cold: filter + count)', `limit=200&q=${encodeURIComponent('conn.duration:>25')}`);
  await report('q=conn.duration:>25 offset 50k (warm)', `limit=200&offset=50000&q=${encodeURIComponent('conn.duration:>25')}`);
  await report('q=id.orig_h:10.1.0.0/16 (observables index)', `limit=200&q=${encodeURIComponent('id.orig_h:10.1.0.0/16')}`);
  const rss = process.memoryUsage().rss / 1e6;
  console.log(`  server process RSS after the views: ${rss.toFixed(0)} MB`);

  // ---- the browser ----------------------------------------------------------------------------
  const page = await ui.page();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  t = Date.now();
  await page.goto(`/captures/${id}?panel=conn`);
  const conn = page.locator('section.panel[data-log="conn"]');
  await conn.locator('[role="row"]:not(.head):not(.pending)').first().waitFor({ timeout: 120_000 });
  console.log(`console open → first conn rows: ${Date.now() - t} ms`);
  // tsx names the functions this file hands to page.evaluate with an __name helper the page lacks.
  await page.evaluate('window.__name = (f) => f');
  // The views (timeline, host graph, map) draw once, after the first rows: let them finish first.
  await page.getByText(/endpoints located/).waitFor({ timeout: 300_000 });
  await page.waitForTimeout(3000);
  await conn.getByRole('button', { name: 'Full screen: conn' }).click();
  await page.waitForTimeout(500);

  const scroll = (pxPerFrame: number, durationMs: number) => page.evaluate(async ([px, dur]) => {
    const el = document.querySelector('section.panel[data-log="conn"] [role="table"]') as HTMLElement;
    const frames: number[] = [];
    let pendingFrames = 0;
    // The position is kept here and only written: reading scrollTop would force a layout every frame.
    let pos = el.scrollTop;
    await new Promise<void>((resolve) => {
      let last = performance.now();
      const t0 = last;
      const step = (now: number) => {
        frames.push(now - last);
        last = now;
        if (el.querySelector('[role="row"].pending')) pendingFrames++;
        pos += px;
        if (px) el.scrollTop = pos;
        if (now - t0 < dur) requestAnimationFrame(step); else resolve();
      };
      requestAnimationFrame(step);
    });
    return { frames: frames.slice(1), pendingFrames, top: el.scrollTop };
  }, [pxPerFrame, durationMs] as const);

  const describe = (what: string, r: { frames: number[]; pendingFrames: number }) => {
    const f = r.frames;
    console.log(`  ${what.padEnd(40)} frames ${f.length}, p50 ${ms(pct(f, 0.5))}, p95 ${ms(pct(f, 0.95))}, p99 ${ms(pct(f, 0.99))}, max ${ms(Math.max(...f))}, >50 ms: ${f.filter((x) => x > 50).length}; frames with placeholder rows: ${r.pendingFrames}`);
  };
  console.log('scrolling the conn panel (requestAnimationFrame sampling):');
  describe('baseline: not scrolling, 3 s', await scroll(0, 3000));
  if (PROFILE) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.start'); }
  describe('reading pace, 130 px/frame, 5 s', await scroll(130, 5000));
  if (PROFILE) {
    type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: { nodes: Node[]; samples: number[]; timeDeltas: number[] } };
    const self = new Map<string, number>();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((sid, i) => {
      const n = byId.get(sid)!;
      const k = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\//, '')}:${n.callFrame.lineNumber}`;
      self.set(k, (self.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
    for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`    ${ms(v).padStart(10)}  ${k}`);
  }
  describe('fling, 20000 px/frame, 3 s', await scroll(20000, 3000));
  await page.waitForTimeout(300);

  // Jumps: as dragging the scrollbar to anywhere; time until the rows in view are real.
  const jumps: number[] = [];
  const r = prng(7);
  for (let i = 0; i < 12; i++) {
    const frac = r();
    jumps.push(await page.evaluate(async (f) => {
      const el = document.querySelector('section.panel[data-log="conn"] [role="table"]') as HTMLElement;
      const t0 = performance.now();
      el.scrollTop = f * (el.scrollHeight - el.clientHeight);
      for (;;) {
        await new Promise((res) => requestAnimationFrame(res));
        const rows = [...el.querySelectorAll('[role="row"]:not(.head)')];
        if (rows.length && !rows.some((x) => x.classList.contains('pending'))) return performance.now() - t0;
        if (performance.now() - t0 > 30_000) return Infinity;
      }
    }, frac));
  }
  console.log(`  jump anywhere → rows drawn: p50 ${ms(pct(jumps, 0.5))}, max ${ms(Math.max(...jumps))} (12 jumps)`);

  // Sorted by a document field in the browser: the view is built on the server once.
  t = Date.now();
  await conn.getByRole('button', { name: /^Sort by duration/ }).click();
  await page.waitForFunction(() => document.querySelector('section.panel[data-log="conn"] [role="columnheader"][aria-sort="ascending"] button')?.textContent?.startsWith('duration')
    && !document.querySelector('section.panel[data-log="conn"] [role="row"].pending'), undefined, { timeout: 120_000 });
  console.log(`  sort by duration (click → rows drawn): ${Date.now() - t} ms`);
  describe('sorted, reading pace, 130 px/frame, 3 s', await scroll(130, 3000));

  const fetched = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/logs/conn')).length);
  const domRows = await conn.locator('[role="row"]').count();
  const metrics = Object.fromEntries(((await cdp.send('Performance.getMetrics')).metrics as { name: string; value: number }[]).map((m) => [m.name, m.value]));
  console.log(`after all that: ${fetched} conn pages fetched, ${domRows} rows in the DOM, JS heap ${(metrics.JSHeapUsedSize / 1e6).toFixed(1)} MB used of ${(metrics.JSHeapTotalSize / 1e6).toFixed(1)} MB, ${metrics.Nodes} DOM nodes`);
  console.log(`load average at end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  if (page.errors.length) console.log('page errors:', page.errors);
} finally {
  await ui.close();
}
