#!/usr/bin/env node
/**
 * Replaces dist/cli/main.js (tsc's output) by one ES module bundle of itself, with each lazily
 * imported part (serve, worker, the store backends) split into a chunk of its own, loaded on use.
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
const outdir = resolve(root, 'dist/cli');
const entry = resolve(outdir, 'main.js');
const BANNER = '// Bundled by scripts/bundle-cli.mjs from the output of tsc.';

// Already a bundle: tsc has not rewritten main.js since (bundling a bundle would fail on its chunks).
if (readFileSync(entry, 'utf8').includes(BANNER)) process.exit(0);

const moduleUrlOfDistFile = {
  name: 'module-url-of-dist-file',
  setup(b) {
    b.onLoad({ filter: /\/dist\/.*\.js$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      if (contents.includes('import.meta.url')) {
        // Relative to dist/cli/, where main.js is; a chunk lies one folder down (chunks/), so its
        // own URL is first taken back to dist/cli/ (a chunk's module would otherwise resolve its
        // neighbours, e.g. the analysis worker's file, under dist/cli/).
        const rel = relative(outdir, args.path).split('\\').join('/');
        contents = contents.replaceAll('import.meta.url',
          `new URL(${JSON.stringify(rel)}, import.meta.url.replace(/\\/chunks\\/[^/]*$/, "/main.js")).href`);
      }
      return { contents, loader: 'js' };
    });
  },
};

// Chunk names carry a content hash: the previous build's would pile up.
await rm(resolve(outdir, 'chunks'), { recursive: true, force: true });
await build({
  entryPoints: { main: entry },
  banner: { js: BANNER },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  allowOverwrite: true,
  sourcemap: true, // chained through tsc's maps to src/*.ts (node --enable-source-maps)
  // Without comments and indentation V8 scans a third less source (and one with no non-ASCII
  // character in comments stays a one-byte string): 1.44 -> 1.42 G instructions for a 10-packet
  // analyze. Names are kept, for profiles and stack traces.
  minifyWhitespace: true,
  logLevel: 'warning',
  plugins: [moduleUrlOfDistFile],
});
