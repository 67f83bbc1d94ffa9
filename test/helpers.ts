/** Shared test helpers: paths to the shared captures, running the engine into memory. */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readdirSync } from 'node:fs';
import { analyze, type AnalysisResult, type EngineOptions } from '../src/engine/pipeline.js';
import { MemorySink } from '../src/engine/logs/file-sink.js';
import { loadRuleset } from '../src/engine/detect/ruleset.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PCAPS = join(ROOT, '..', 'shared', 'pcaps');

export function pcap(name: string): string {
  return join(PCAPS, name);
}

/** Every shared capture file name (pcap and pcapng). */
export function allCaptures(): string[] {
  return readdirSync(PCAPS).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();
}

export async function run(input: string, engine?: Partial<EngineOptions>): Promise<{ sink: MemorySink; result: AnalysisResult }> {
  const sink = new MemorySink();
  const result = await analyze(input, sink, { engine });
  return { sink, result };
}

/**
 * The engine options of a service analysis (`capdex serve`/`worker`/`import` jobs): the bundled
 * rules, as `capdex analyze` runs them. Tests comparing stored records with an in-memory run use it.
 */
export const SERVICE_ENGINE: Partial<EngineOptions> = { rules: loadRuleset([]).rules };
