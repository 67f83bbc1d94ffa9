/** A recording Inspector for the unit tests: keeps every unit the analyzers hand over. */
import { execFileSync } from 'node:child_process';
import type { ConnInfo } from '../../../../src/engine/analyzers/analyzer.js';
import type { BufferName, InspectionUnit, Inspector } from '../../../../src/engine/detect/inspection.js';
import { run } from '../../../helpers.js';

export interface Recorded { conn: ConnInfo; unit: InspectionUnit; ts: number }

export class RecordingInspector implements Inspector {
  readonly units: Recorded[] = [];
  wantsCalls = 0;
  inspectCalls = 0;
  /** protos: the protocols it consumes; undefined: all of them; empty: none (a run without rules). */
  constructor(private readonly protos?: ReadonlySet<string>) {}

  wants(proto: string): boolean {
    this.wantsCalls++;
    return this.protos === undefined || this.protos.has(proto);
  }

  inspect(conn: ConnInfo, unit: InspectionUnit, ts: number): void {
    this.inspectCalls++;
    this.units.push({ conn, unit, ts });
  }

  of(proto: string, isOrig?: boolean): InspectionUnit[] {
    return this.units.map((r) => r.unit).filter((u) => u.proto === proto && (isOrig === undefined || u.isOrig === isOrig));
  }
}

/** Runs a capture with a recording inspector. */
export async function record(file: string, protos?: ReadonlySet<string>, engine: Record<string, unknown> = {}) {
  const inspector = new RecordingInspector(protos);
  const { sink } = await run(file, { inspector, ...engine });
  return { inspector, sink };
}

/** A buffer as text (latin1: one char per byte); arrays joined by '|'. */
export function text(u: InspectionUnit, name: BufferName): string | undefined {
  const b = u.buffers[name];
  if (b === undefined) return undefined;
  if (b instanceof Uint8Array) return Buffer.from(b).toString('latin1');
  return b.map((x) => Buffer.from(x).toString('latin1')).join('|');
}

export function values(u: InspectionUnit, name: BufferName): string[] {
  const b = u.buffers[name];
  if (b === undefined) return [];
  if (b instanceof Uint8Array) return [Buffer.from(b).toString('latin1')];
  return b.map((x) => Buffer.from(x).toString('latin1'));
}

/** tshark's values of fields, one line per frame that has them (the oracle). */
export function tshark(file: string, filter: string, ...fields: string[]): string[] {
  const args = ['-r', file, '-Y', filter, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|'];
  for (const f of fields) args.push('-e', f);
  return execFileSync('tshark', args, { encoding: 'utf8' }).split('\n').filter((l) => l.trim() !== '');
}

/** tshark's reassembled bytes of one side of a TCP stream (follow,tcp,raw): the oracle for bodies. */
export function followTcp(file: string, stream: number, fromServer: boolean): Buffer {
  const out = execFileSync('tshark', ['-r', file, '-q', '-z', `follow,tcp,raw,${stream}`], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const body = out.split('\n').slice(6).filter((l) => /^\t?[0-9a-f]+$/.test(l));
  const hex = body.filter((l) => l.startsWith('\t') === fromServer).map((l) => l.trim()).join('');
  return Buffer.from(hex, 'hex');
}
