#!/usr/bin/env node
/**
 * Replaces dist/cli/main.js and dist/jobs/analysis-worker.js (tsc's output) by ES module bundles of
 * themselves, with each lazily imported part (serve, worker, the store backends) and the code the
 * two share split into chunks (dist/cli/chunks/), loaded on use. The analysis worker is bundled
 * because `capdex serve` starts one thread per job: unbundled, each spent ~0.3 s of CPU loading
 * ~330 modules before reading a byte.
 *
 * Why: Node 20's ESM loader costs ~1.5 M instructions per module (resolve, package scope lookup,
 * open, stat, read), and `capdex analyze` loads ~330 of ours; one bundle cuts start-up by ~0.5 G
 * instructions (docs/design/engine-speed.md). Node 22's compile cache is not there to help.
 * A plain `tsc -p tsconfig.json` afterwards writes an unbundled main.js back: slower, never stale.
 *
 * Each module's `import.meta.url` is rewritten to the URL of its unbundled file in dist/, so paths
 * relative to a module (the bundled rules, the web root, worker entries, the GeoIP data) still
 * resolve as they do without the bundle.
 */
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(root, 'dist');
/** Output name (under dist/, no .js) → tsc's file it replaces. */
const entryPoints = {
  'cli/main': resolve(dist, 'cli/main.js'),
  'jobs/analysis-worker': resolve(dist, 'jobs/analysis-worker.js'),
};
const BANNER = '// Bundled by scripts/bundle-cli.mjs from the output of tsc.';

// Already bundles: tsc has not rewritten them since (bundling a bundle would fail on its chunks).
// tsc writes every file at once, so a mix means someone edited dist/ by hand.
const bundled = Object.values(entryPoints).filter((f) => readFileSync(f, 'utf8').includes(BANNER));
if (bundled.length === Object.keys(entryPoints).length) process.exit(0);
if (bundled.length > 0) throw new Error(`${bundled.join(', ')} already bundled but not the rest: run tsc -p tsconfig.json first`);

const moduleUrlOfDistFile = {
  name: 'module-url-of-dist-file',
  setup(b) {
    b.onLoad({ filter: /\/dist\/.*\.js$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      if (contents.includes('import.meta.url')) {
        // Relative to dist/: the module may end up in either entry (dist/cli/, dist/jobs/) or in a
        // chunk (dist/cli/chunks/), so the output file's own URL is first taken back to dist/.
        const rel = relative(dist, args.path).split('\\').join('/');
        contents = contents.replaceAll('import.meta.url',
          `new URL(${JSON.stringify(rel)}, import.meta.url.replace(/\\/(?:cli\\/chunks|cli|jobs)\\/[^/]*$/, "/")).href`);
      }
      return { contents, loader: 'js' };
    });
  },
};

// Chunk names carry a content hash: the previous build's would pile up.
await rm(resolve(dist, 'cli/chunks'), { recursive: true, force: true });
await build({
  entryPoints,
  banner: { js: BANNER },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'cli/chunks/[name]-[hash]',
  allowOverwrite: true,
  sourcemap: true, // chained through tsc's maps to src/*.ts (node --enable-source-maps)
  // Without comments and indentation V8 scans a third less source (and one with no non-ASCII
  // character in comments stays a one-byte string): 1.44 -> 1.42 G instructions for a 10-packet
  // analyze. Names are kept, for profiles and stack traces.
  minifyWhitespace: true,
  logLevel: 'warning',
  plugins: [moduleUrlOfDistFile],
});
