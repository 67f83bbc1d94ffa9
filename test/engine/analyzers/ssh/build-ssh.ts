/**
 * Builders for hand-made SSH conversations, a fake analyzer context that records output, and a
 * one-connection TCP capture builder (used by the SSH, IRC and MySQL tests).
 */
import type { AnalyzerContext } from '../../../../src/engine/analyzers/analyzer.js';
import type { LogRecord, LogSchema } from '../../../../src/engine/logs/schema.js';
import { ACK, FIN, PSH, SYN, buildPcap, writeTemp, type FrameSpec } from '../../../support/build-pcap.js';

export interface Out { logs: Array<[string, LogRecord]>; weirds: string[]; violations: string[]; confirms: number }

export function fakeCtx(out: Out, respP = 22): AnalyzerContext {
  let t = 100;
  return {
    conn: { uid: 'Ctest', origH: '10.0.0.1', origP: 40000, respH: '10.0.0.2', respP, transport: 'tcp', communityId: '' },
    now: () => t++,
    log: (s: LogSchema, r: LogRecord) => { out.logs.push([s.path, { ...r }]); },
    connFields: () => ({ uid: 'Ctest' }),
    weird: (n: string) => { out.weirds.push(n); },
    confirm: () => { out.confirms++; },
    inspecting: () => false,
    inspect: () => {},
    violation: (r: string) => { out.violations.push(r); },
    upgrade: () => false,
    files: { begin: () => ({ fuid: 'F', mimeType: undefined, mimeHint: undefined, filename: undefined, data() {}, gap() {}, end() {} }) },
  } as unknown as AnalyzerContext;
}

export function newOut(): Out {
  return { logs: [], weirds: [], violations: [], confirms: 0 };
}

export function sshString(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  const h = Buffer.alloc(4);
  h.writeUInt32BE(b.length);
  return Buffer.concat([h, b]);
}

/** An SSH2 binary packet: uint32 length, padding length, type, payload, padding (4..). */
export function packet(type: number, payload: Buffer): Buffer {
  let pad = 8 - ((5 + 1 + payload.length) % 8);
  if (pad < 4) pad += 8;
  const plen = 1 + 1 + payload.length + pad;
  const h = Buffer.alloc(6);
  h.writeUInt32BE(plen);
  h[4] = pad;
  h[5] = type;
  return Buffer.concat([h, payload, Buffer.alloc(pad)]);
}

export interface KexLists { kex: string; hostKey: string; enc: string; mac: string; cmp: string; encS2C?: string; macS2C?: string; cmpS2C?: string }

export function kexinit(l: KexLists): Buffer {
  return packet(20, Buffer.concat([
    Buffer.alloc(16, 0xab),
    sshString(l.kex), sshString(l.hostKey), sshString(l.enc), sshString(l.encS2C ?? l.enc),
    sshString(l.mac), sshString(l.macS2C ?? l.mac), sshString(l.cmp), sshString(l.cmpS2C ?? l.cmp),
    sshString(''), sshString(''), Buffer.from([0, 0, 0, 0, 0]),
  ]));
}

/** A capture of one TCP connection: handshake, the given segments in order, FINs. */
export function tcpSessionPcap(sport: number, dport: number, segs: Array<[boolean, Buffer]>, t0 = 1000): string {
  const C = '10.1.0.1', S = '10.1.0.2';
  let cs = 1000, ss = 9000, t = t0;
  const f: FrameSpec[] = [
    { ts: t, src: C, dst: S, proto: 'tcp', sport, dport, flags: SYN, seq: cs - 1, ack: 0 },
    { ts: (t += 0.01), src: S, dst: C, proto: 'tcp', sport: dport, dport: sport, flags: SYN | ACK, seq: ss - 1, ack: cs },
    { ts: (t += 0.01), src: C, dst: S, proto: 'tcp', sport, dport, flags: ACK, seq: cs, ack: ss },
  ];
  for (const [o, b] of segs) {
    if (o) { f.push({ ts: (t += 0.01), src: C, dst: S, proto: 'tcp', sport, dport, flags: ACK | PSH, seq: cs, ack: ss, payload: b }); cs += b.length; }
    else { f.push({ ts: (t += 0.01), src: S, dst: C, proto: 'tcp', sport: dport, dport: sport, flags: ACK | PSH, seq: ss, ack: cs, payload: b }); ss += b.length; }
  }
  f.push({ ts: (t += 0.01), src: C, dst: S, proto: 'tcp', sport, dport, flags: ACK | FIN, seq: cs, ack: ss });
  f.push({ ts: (t += 0.01), src: S, dst: C, proto: 'tcp', sport: dport, dport: sport, flags: ACK | FIN, seq: ss, ack: cs + 1 });
  f.push({ ts: (t += 0.01), src: C, dst: S, proto: 'tcp', sport, dport, flags: ACK, seq: cs + 1, ack: ss + 1 });
  return writeTemp(buildPcap(f));
}
