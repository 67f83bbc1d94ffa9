/**
 * Regenerates src/engine/detect/heuristics/benign-domains.generated.ts, the benign names the DGA
 * heuristic's character model is trained on, from the npm package top-sites (MIT, Kiko Beats:
 * the 500 most linked-to domains by Moz's ranking). The package is not a dependency (it pulls in
 * a scraper's dependencies); fetch its tarball from the npm registry when refreshing the list:
 *
 *   npm pack top-sites@1.1.222 && tar xzf top-sites-1.1.222.tgz
 *   node --import tsx scripts/build-benign-domains.ts package/top-sites.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benignDomainsSource } from '../src/engine/detect/heuristics/benign-domains-source.js';

const input = process.argv[2];
if (!input) {
  process.stderr.write('usage: build-benign-domains.ts path/to/top-sites.json\n');
  process.exit(2);
}
const pkgJson = JSON.parse(readFileSync(join(dirname(input), 'package.json'), 'utf8')) as { name: string; version: string; license: string };
const sites = JSON.parse(readFileSync(input, 'utf8')) as { rootDomain: string }[];
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'engine', 'detect', 'heuristics', 'benign-domains.generated.ts');
writeFileSync(out, benignDomainsSource(sites.map((s) => s.rootDomain), `${pkgJson.name}@${pkgJson.version} (${pkgJson.license} licence, Copyright (c) 2018 Kiko Beats)`));
process.stdout.write(`wrote ${out}\n`);
