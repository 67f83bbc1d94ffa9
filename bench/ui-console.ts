/**
 * How fast the analysis console of a big capture becomes interactive: builds a capture of N tiny
 * TCP connections (SYN, SYN-ACK, RST; default 100k, `--conns N`) with test/support/build-pcap.ts,
 * uploads it to a real server (127.0.0.1) and waits for the analysis, then opens /captures/{id}
 * in Debian's Chromium and times navigation → first conn rows drawn. The first open includes the
 * server's summary (one scan of conn, then cached); later opens are what an analyst returning sees.
 *
 * `--profile`: a CPU profile of the server (this process's main thread) from the job's end to the
 * first open's rows, its top functions (idle and the browser driver's own work listed too); the event loop's longest stall over the first open either way.
 *
 *   CAPDEX_WEB_ROOT=/tmp/web-you node --import tsx bench/ui-console.ts [--conns 100000] [--opens 3] [--profile]
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { summarise } from './top-functions.js';
import { buildPcap, ACK, RST, SYN, type FrameSpec } from '../test/support/build-pcap.js';
import { openUi } from '../test/web/browser.js';

const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const CONNS = arg('--conns', 100_000);
const OPENS = arg('--opens', 3);
const PROFILE = process.argv.includes('--profile');

function capture(n: number): Buffer {
  const frames: FrameSpec[] = [];
  const t0 = 1_700_000_000;
  for (let i = 0; i < n; i++) {
    const src = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${(i & 255) || 1}`;
    const dst = `${[23, 45, 81, 104, 151, 185, 203][i % 7]}.${(i * 7) % 250 + 1}.${(i * 13) % 250}.${(i % 97) + 1}`;
    const ts = t0 + i * 0.01;
    const sport = 1024 + (i % 60000);
    frames.push({ ts, src, dst, proto: 'tcp', sport, dport: 443, flags: SYN, seq: 1000 });
    frames.push({ ts: ts + 0.001, src: dst, dst: src, proto: 'tcp', sport: 443, dport: sport, flags: SYN | ACK, seq: 5000, ack: 1001 });
    frames.push({ ts: ts + 0.002, src, dst, proto: 'tcp', sport, dport: 443, flags: RST, seq: 1001 });
  }
  return buildPcap(frames);
}

const ui = await openUi({ rateLimit: false });
try {
  let t = Date.now();
  const pcap = capture(CONNS);
  console.log(`built ${CONNS} connections: ${(pcap.length / 1e6).toFixed(1)} MB in ${Date.now() - t} ms`);
  t = Date.now();
  const up = await fetch(`${ui.base}/api/captures?name=bench-${CONNS}-conns.pcap`, { method: 'POST', body: new Uint8Array(pcap), headers: { 'content-type': 'application/octet-stream' } });
  const { id } = (await up.json()) as { id: string };
  // The analyst submitted it from the UI: the browser is running and the shell's assets are in its
  // cache (the console's own chunks are not: the first open still loads them).
  const page = await ui.page();
  await page.goto('/');
  const inspector = new Session();
  if (PROFILE) { inspector.connect(); await inspector.post('Profiler.enable'); await inspector.post('Profiler.setSamplingInterval', { interval: 500 }); }
  let profiling = false;
  for (;;) {
    const c = (await (await fetch(`${ui.base}/api/captures/${id}`)).json()) as { capture: { status: string; recordCount: number } | null; job: { status: string } | null };
    if (c.capture?.status === 'done') {
      console.log(`analysed and stored: ${c.capture.recordCount} records in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      // From the job's end (seen within 100 ms) to the first open's rows: what competes with them.
      if (PROFILE) { await inspector.post('Profiler.start'); profiling = true; }
      break;
    }
    if (c.job?.status === 'failed') throw new Error('analysis failed');
    await new Promise((r) => setTimeout(r, 100));
  }
  // The moment the first conn row is drawn, taken in the page (a MutationObserver), not by polling.
  await page.addInitScript(() => {
    const w = window as unknown as { firstRowsAt?: number };
    new MutationObserver((_m, obs) => {
      if (document.querySelector('section.panel[data-log="conn"] [role="row"]:not(.head):not(.pending)')) { w.firstRowsAt = performance.now(); obs.disconnect(); }
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
  });
  const times: number[] = [];
  for (let i = 0; i < OPENS; i++) {
    await page.goto('about:blank');
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    // CPU of this process (server threads, the pre-started worker, the browser driver) over the
    // open: the work competing with the browser, unlike wall time nearly independent of the load.
    const cpu0 = process.cpuUsage();
    await page.goto(`/captures/${id}`);
    await page.locator('section.panel[data-log="conn"] [role="row"]:not(.head):not(.pending)').first().waitFor({ timeout: 60_000 });
    loop.disable();
    const cpu = process.cpuUsage(cpu0);
    times.push(Math.round(await page.evaluate(() => (window as unknown as { firstRowsAt: number }).firstRowsAt)));
    console.log(`open ${i + 1}: conn rows drawn ${times[i]} ms after navigation start${i === 0 ? ' (the first since the job ended)' : ''}; server event loop: longest stall ${Math.round(loop.max / 1e6)} ms; this process's CPU over it ${Math.round((cpu.user + cpu.system) / 1000)} ms`);
    if (i === 0 && profiling) {
      const { profile } = await inspector.post('Profiler.stop');
      profiling = false;
      const path = '/tmp/ui-console-first-open.cpuprofile';
      writeFileSync(path, JSON.stringify(profile));
      const s = summarise(profile as Parameters<typeof summarise>[0]);
      console.log(`  server main thread from the job's end to the first rows: ${(s.totalMs / 1000).toFixed(2)} s sampled (${path}); top self time:`);
      for (const f of s.functions.filter((fn) => fn.name !== '(idle)').slice(0, 15)) console.log(`    ${f.selfMs.toFixed(1).padStart(8)} ms self ${f.totalMs.toFixed(1).padStart(8)} total  ${f.name}  ${f.location}`);
      for (const f of s.files.slice(0, 8)) console.log(`    ${f.selfMs.toFixed(1).padStart(8)} ms  ${f.file}`);
    }
    // Where the time went: the document, each script and API call (start → end, ms since navigation).
    const entries = await page.evaluate(() => [
      ...performance.getEntriesByType('navigation').map((e) => ({ name: 'document', start: 0, end: (e as PerformanceNavigationTiming).domContentLoadedEventEnd })),
      ...(performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((e) => ({ name: e.name.replace(location.origin, '').slice(0, 60), start: e.startTime, end: e.responseEnd })),
    ]);
    for (const e of entries) console.log(`    ${Math.round(e.start).toString().padStart(5)} → ${Math.round(e.end).toString().padStart(5)}  ${e.name}`);
  }
  // Scrolling deep into the log fetches only the pages in view (once the charts and map are drawn).
  await page.getByText(/endpoints located/).waitFor({ timeout: 120_000 });
  t = Date.now();
  await page.locator('section.panel[data-log="conn"] [role="table"]').evaluate((el) => { el.scrollTop = el.scrollHeight / 2; });
  await page.waitForFunction((CONNS_IN_PAGE) => [...document.querySelectorAll('section.panel[data-log="conn"] [role="row"]:not(.head)')].some((r) => !r.classList.contains('pending') && Number(r.getAttribute('aria-rowindex')) > 0.4 * CONNS_IN_PAGE), CONNS);
  console.log(`jump to the middle of conn: rows drawn in ${Date.now() - t} ms; DOM rows: ${await page.locator('section.panel[data-log="conn"] [role="row"]').count()}`);
  if (page.errors.length) console.log('page errors:', page.errors);
} finally {
  await ui.close();
}
