// Connections-only capdex run for the benchmark: the compiled engine (dist/) with no protocol
// analyzers, conn/weird/tunnel logs written as JSON by a FileSink, exactly as `capdex analyze`
// does. Plain JS so nothing but the engine's own compiled code runs (no tsx in the timed process).
//
//   node bench/capdex-conn.mjs CAPTURE OUTDIR [--dist DIR]     (default DIR: the repository's dist/)
//
// Prints one JSON line: packets, connections, weirds, maxRssKb (process.resourceUsage()).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [capture, outDir, distFlag, distDir] = process.argv.slice(2);
if (!capture || !outDir) {
  process.stderr.write('usage: node bench/capdex-conn.mjs CAPTURE OUTDIR\n');
  process.exit(2);
}
const dist = distFlag === '--dist' && distDir
  ? resolve(distDir, 'engine')
  : resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', 'dist', 'engine');
const load = (p) => import(pathToFileURL(resolve(dist, p)).href);
const { analyze } = await load('pipeline.js');
const { FileSink } = await load('logs/file-sink.js');
const { CONN_LOG } = await load('logs/conn-log.js');
const { WEIRD_LOG } = await load('logs/weird-log.js');
const { TUNNEL_LOG } = await load('logs/tunnel-log.js');

const sink = new FileSink(outDir, 'json');
for (const schema of [CONN_LOG, WEIRD_LOG, TUNNEL_LOG]) sink.ensure(schema);
// Issue 3's measure is readers + decoders + flows + conn.log: no analyzers, no heuristics (they are
// on by default in analyze() since session 2; an older dist ignores the option).
const { stats } = await analyze(capture, sink, { engine: { analyzers: [] }, heuristics: false });
sink.close();
process.stdout.write(JSON.stringify({
  packets: stats.packets, connections: stats.connections, weirds: stats.weirds,
  maxRssKb: process.resourceUsage().maxRSS,
}) + '\n');
