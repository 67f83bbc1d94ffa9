/**
 * Test doubles for the mail and FTP analyzers: an AnalyzerContext that records what an analyzer
 * logs and which files it opens, and tshark's "follow tcp raw" as the independent view of a stream.
 */
import { execFileSync } from 'node:child_process';
import type { AnalyzerContext, Credential, Expectation, StreamAnalyzer } from '../../../../src/engine/analyzers/analyzer.js';
import type { FileBeginOptions, FileHandle } from '../../../../src/engine/analyzers/files/index.js';
import type { LogRecord, LogSchema } from '../../../../src/engine/logs/schema.js';
import { ACK, FIN, PSH, SYN, buildPcap, writeTemp, type FrameSpec } from '../../../support/build-pcap.js';

export interface FakeFile { opts: FileBeginOptions; data: Buffer[]; gaps: number; ended: boolean; content(): Buffer }

export interface Fake {
  ctx: AnalyzerContext;
  logs: Array<{ path: string; rec: LogRecord }>;
  weirds: string[];
  violations: string[];
  confirmed: number;
  upgrades: string[];
  expectations: Expectation[];
  shared: Map<string, unknown>;
  files: FakeFile[];
  credentials: Credential[];
  records(path: string): LogRecord[];
}

export function fakeCtx(): Fake {
  let t = 1000;
  const f: Fake = {
    logs: [], weirds: [], violations: [], confirmed: 0, upgrades: [], expectations: [], shared: new Map(), files: [], credentials: [],
    records: (p) => f.logs.filter((l) => l.path === p).map((l) => l.rec),
    ctx: undefined as unknown as AnalyzerContext,
  };
  let n = 0;
  f.ctx = {
    conn: { uid: 'CTEST', origH: '10.0.0.1', origP: 40000, respH: '10.0.0.2', respP: 25, transport: 'tcp', communityId: '' },
    now: () => t++,
    log: (s: LogSchema, rec: LogRecord) => { f.logs.push({ path: s.path, rec }); },
    connFields: () => ({ uid: 'CTEST', 'id.orig_h': '10.0.0.1', 'id.orig_p': 40000, 'id.resp_h': '10.0.0.2', 'id.resp_p': 25 }),
    weird: (name: string) => { f.weirds.push(name); },
    confirm: () => { f.confirmed++; },
    inspecting: () => false,
    inspect: () => {},
    violation: (r: string) => { f.violations.push(r); },
    upgrade: (name: string) => { f.upgrades.push(name); return true; },
    expect: (e: Expectation) => { f.expectations.push(e); },
    expectation: undefined,
    credential: (c: Credential) => { f.credentials.push(c); },
    shared: <T>(key: string, init: () => T): T => (f.shared.has(key) ? f.shared.get(key) : (f.shared.set(key, init()), f.shared.get(key))) as T,
    files: {
      begin(opts: FileBeginOptions): FileHandle {
        const file: FakeFile = { opts, data: [], gaps: 0, ended: false, content: () => Buffer.concat(file.data) };
        f.files.push(file);
        return {
          fuid: `F${++n}`, mimeType: undefined, mimeHint: opts.mimeHint, filename: opts.filename,
          data: (b: Buffer, o: number, l: number) => { file.data.push(Buffer.from(b.subarray(o, o + l))); },
          gap: (l: number) => { file.gaps += l; },
          end: () => { file.ended = true; },
        };
      },
    },
  };
  return f;
}

/** Feeds a dialogue to an analyzer: [isOrig, text] steps, each cut into pieces of `chunk` bytes. */
export function feed(a: StreamAnalyzer, steps: Array<[boolean, string | Buffer]>, chunk = Infinity): void {
  for (const [isOrig, t] of steps) {
    const b = typeof t === 'string' ? Buffer.from(t, 'latin1') : t;
    for (let i = 0; i < b.length; i += chunk) {
      const piece = Buffer.from(b.subarray(i, Math.min(b.length, i + chunk)));
      a.data(isOrig, piece, 0, piece.length);
    }
  }
}

/** The payload of TCP stream `index` as tshark reassembles it: client bytes and server bytes. */
export function tsharkFollow(pcap: string, index: number): { orig: Buffer; resp: Buffer } {
  const out = execFileSync('tshark', ['-r', pcap, '-q', '-z', `follow,tcp,raw,${index}`], { encoding: 'latin1', maxBuffer: 64 << 20 });
  const orig: Buffer[] = [], resp: Buffer[] = [];
  let body = false;
  for (const line of out.split('\n')) {
    if (line.startsWith('=====')) { body = !body || false; continue; }
    if (/^(Follow|Filter|Node)/.test(line) || line.length === 0) continue;
    const isResp = line.startsWith('\t');
    const hex = line.trim();
    if (!/^[0-9a-f]+$/.test(hex)) continue;
    (isResp ? resp : orig).push(Buffer.from(hex, 'hex'));
  }
  return { orig: Buffer.concat(orig), resp: Buffer.concat(resp) };
}

/** tshark -T fields output as rows of columns. */
export function tsharkFields(pcap: string, filter: string, fields: string[]): string[][] {
  const args = ['-r', pcap, '-Y', filter, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|'];
  for (const f of fields) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

/** A whole TCP connection (handshake, the dialogue's segments, FINs) as a capture file. */
export function dialoguePcap(port: number, steps: Array<[boolean, string]>): string {
  const C = '10.1.0.1', S = '10.1.0.2', CP = 41000;
  let cs = 1000, ss = 5000, ts = 1;
  const frames: FrameSpec[] = [
    { ts: ts++, src: C, dst: S, proto: 'tcp', sport: CP, dport: port, flags: SYN, seq: cs++, ack: 0 },
    { ts: ts++, src: S, dst: C, proto: 'tcp', sport: port, dport: CP, flags: SYN | ACK, seq: ss++, ack: cs },
    { ts: ts++, src: C, dst: S, proto: 'tcp', sport: CP, dport: port, flags: ACK, seq: cs, ack: ss },
  ];
  for (const [isOrig, text] of steps) {
    const payload = Buffer.from(text, 'latin1');
    if (isOrig) { frames.push({ ts: ts++, src: C, dst: S, proto: 'tcp', sport: CP, dport: port, flags: ACK | PSH, seq: cs, ack: ss, payload }); cs += payload.length; }
    else { frames.push({ ts: ts++, src: S, dst: C, proto: 'tcp', sport: port, dport: CP, flags: ACK | PSH, seq: ss, ack: cs, payload }); ss += payload.length; }
  }
  frames.push({ ts: ts++, src: C, dst: S, proto: 'tcp', sport: CP, dport: port, flags: FIN | ACK, seq: cs, ack: ss });
  frames.push({ ts: ts++, src: S, dst: C, proto: 'tcp', sport: port, dport: CP, flags: FIN | ACK, seq: ss, ack: cs + 1 });
  frames.push({ ts: ts++, src: C, dst: S, proto: 'tcp', sport: CP, dport: port, flags: ACK, seq: cs + 1, ack: ss + 1 });
  return writeTemp(buildPcap(frames));
}
