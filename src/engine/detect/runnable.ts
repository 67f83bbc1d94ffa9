/**
 * A rule as the detection engine runs it: the compiled rule plus what is worked out once at load
 * (evaluation rank, flow variables interned to integers, the EVE alert object, where it runs).
 * Ranks follow Suricata's signature ordering so flowbit setters run before their testers.
 */
import type { BufferName } from './inspection.js';
import { type DetectList, type FlowbitOp, type FlowintOp, type MatchProgram, type Rule, type XbitOp, isFlowintTest } from './rules/rule.js';
import type { EveAlertInfo } from './eve-log.js';
import { PROTO_ICMP, PROTO_ICMP6, PROTO_TCP, PROTO_UDP } from '../flow/conn.js';

export interface BitOp { readonly op: FlowbitOp['op']; readonly ids: Int32Array; readonly and: boolean }
export interface XbitRun { readonly op: XbitOp['op']; readonly id: number; readonly track: XbitOp['track']; readonly expire: number }
export interface IntOp { readonly op: FlowintOp['op']; readonly id: number; readonly value: number | undefined; readonly valueVar: number }

/** A rule as the engine runs it. */
export interface Runnable {
  readonly rule: Rule;
  readonly rank: number;
  readonly payload: MatchProgram | undefined;
  readonly unitLists: readonly DetectList[];
  readonly bitTests: readonly BitOp[];
  readonly bitActs: readonly BitOp[];
  readonly intTests: readonly IntOp[];
  readonly intActs: readonly IntOp[];
  readonly xbitTests: readonly XbitRun[];
  readonly xbitActs: readonly XbitRun[];
  /** Zeek service names that satisfy the rule's app-layer protocol; undefined: any. */
  readonly services: readonly string[] | undefined;
  /**
   * Rules on file.* buffers: which units carry their files. HTTP units carry file.data themselves
   * (the decoded body) and the files framework sends a 'file' unit for the same body: an http
   * rule looks at the former only (unless it also needs file.name, which only 'file' units carry),
   * any other at the latter, so one body never alerts twice.
   */
  readonly fileVia: 'http' | 'file' | undefined;
  readonly alert: EveAlertInfo;
  readonly sigKey: string;
  exhaustions: number;
  disabled: boolean;
}

/** Packet tables by IP protocol class. */
export const CLS_TCP = 0, CLS_UDP = 1, CLS_ICMP = 2, CLS_OTHER = 3;

/** Suricata app-layer names → the Zeek service names our analyzers confirm. */
const SERVICE_ALIASES: Record<string, readonly string[]> = {
  tls: ['ssl'], http1: ['http'], krb5: ['krb', 'krb_tcp'], dcerpc: ['dce_rpc'], 'ftp-data': ['ftp-data', 'ftp_data'],
};

/** The app-layer protocol whose inspection units carry a sticky buffer. */
export function unitProtoOf(buffer: BufferName): string {
  const dot = buffer.indexOf('.');
  const head = dot < 0 ? buffer : buffer.slice(0, dot);
  if (head === 'ja3' || head === 'ja3s' || head === 'ja4') return 'tls';
  if (head === 'dce') return 'dcerpc';
  return head;
}

export function classesOf(ipProtos: readonly number[] | null): number[] {
  if (ipProtos === null) return [CLS_TCP, CLS_UDP, CLS_ICMP, CLS_OTHER];
  const out = new Set<number>();
  for (const p of ipProtos) {
    out.add(p === PROTO_TCP ? CLS_TCP : p === PROTO_UDP ? CLS_UDP : p === PROTO_ICMP || p === PROTO_ICMP6 ? CLS_ICMP : CLS_OTHER);
  }
  return [...out];
}

/** 0 = to server, 1 = to client: from flow:to_server/to_client, else from the buffers' own direction. */
export function directionsOf(r: Rule, unitLists: readonly DetectList[]): number[] {
  if (r.flow.toServer === true) return [0];
  if (r.flow.toServer === false) return [1];
  if (unitLists.length > 0) {
    if (unitLists.every((l) => l.direction === 'toServer')) return [0];
    if (unitLists.every((l) => l.direction === 'toClient')) return [1];
  }
  return [0, 1];
}

/**
 * Evaluation order (Suricata's signature ordering, simplified): pass rules first, then rules that
 * only set flow variables, then those that set and test, then the rest, then those that only
 * test, so a bit set by one packet's rules is visible to the rules after them.
 */
export function rankKey(r: Rule): number {
  const action = r.action === 'pass' ? 0 : r.action === 'drop' ? 1 : r.action.startsWith('reject') ? 2 : 3;
  const bitSets = (o: { op: string }): boolean => o.op === 'set' || o.op === 'unset' || o.op === 'toggle';
  const sets = r.flowbits.some(bitSets) || r.xbits.some(bitSets) || r.flowints.some((o) => !isFlowintTest(o.op));
  const tests = r.flowbits.some((o) => !bitSets(o)) || r.xbits.some((o) => !bitSets(o)) || r.flowints.some((o) => isFlowintTest(o.op));
  const vars = sets && !tests ? 0 : sets && tests ? 1 : !sets && !tests ? 2 : 3;
  return action * 4 + vars;
}

export function compile(r: Rule, rank: number, intern: (name: string) => number): Runnable {
  const bitTests: BitOp[] = [];
  const bitActs: BitOp[] = [];
  for (const o of r.flowbits) {
    const op: BitOp = { op: o.op, ids: Int32Array.from(o.names.map(intern)), and: o.mode === 'and' };
    (o.op === 'isset' || o.op === 'isnotset' ? bitTests : bitActs).push(op);
  }
  const intTests: IntOp[] = [];
  const intActs: IntOp[] = [];
  for (const o of r.flowints) {
    const op: IntOp = {
      op: o.op, id: intern('int:' + o.name),
      value: typeof o.value === 'number' ? o.value : undefined,
      valueVar: typeof o.value === 'string' ? intern('int:' + o.value) : -1,
    };
    (isFlowintTest(o.op) ? intTests : intActs).push(op);
  }
  const xbitTests: XbitRun[] = [];
  const xbitActs: XbitRun[] = [];
  for (const o of r.xbits) {
    const x: XbitRun = { op: o.op, id: intern('xbit:' + o.name), track: o.track, expire: o.expire };
    (o.op === 'isset' || o.op === 'isnotset' ? xbitTests : xbitActs).push(x);
  }
  const payload = r.lists.find((l) => l.buffer === 'payload')?.program;
  const unitLists = r.lists.filter((l) => l.buffer !== 'payload');
  const metadata: Record<string, string[]> = {};
  for (const [k, v] of r.metadata) (metadata[k] ??= []).push(v);
  const app = r.appProto;
  const fileRule = unitLists.some((l) => l.buffer.startsWith('file.'));
  // HTTP units carry file.data (the body) but not file.name: an http rule naming the file reads 'file' units.
  const httpFile = (app === 'http' || app === 'http1') && !unitLists.some((l) => l.buffer.startsWith('file.') && l.buffer !== 'file.data');
  return {
    fileVia: fileRule ? (httpFile ? 'http' : 'file') : undefined,
    rule: r, rank, payload, unitLists, bitTests, bitActs, intTests, intActs, xbitTests, xbitActs,
    services: app === undefined || app === 'file' ? undefined : SERVICE_ALIASES[app] ?? [app],
    alert: {
      action: r.action === 'alert' || r.action === 'pass' ? 'allowed' : 'blocked',
      gid: r.gid, signature_id: r.sid, rev: r.rev, signature: r.msg,
      category: r.category ?? '', severity: r.priority,
      metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
    },
    sigKey: `${r.gid}:${r.sid} ${r.msg}`,
    exhaustions: 0,
    disabled: false,
  };
}
