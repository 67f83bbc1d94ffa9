/** Shared assertions for the link-layer and tunnel decoder tests: inner conns and their tunnels. */
import assert from 'node:assert/strict';
import type { MemorySink } from '../../../src/engine/logs/file-sink.js';
import type { LogRecord } from '../../../src/engine/logs/schema.js';

export interface ConnExpectation {
  proto: 'tcp' | 'udp' | 'icmp' | 'sctp' | 'unknown_transport';
  orig: string;
  origPort: number;
  resp: string;
  respPort: number;
  origPkts: number;
  respPkts: number;
  /** Tunnel type the conn's parents must include; undefined for a conn outside any tunnel. */
  tunnel?: string;
  /** How many conns share this 5-tuple (a flow split by inactivity timeouts). */
  count?: number;
}

function label(e: ConnExpectation): string {
  return `${e.proto} ${e.orig}:${e.origPort} -> ${e.resp}:${e.respPort}`;
}

/** Asserts each expected conn is in conn.log with its packet counts and tunnel parents. */
export function expectConns(sink: MemorySink, expected: readonly ConnExpectation[]): void {
  const conns = sink.get('conn');
  const tunnels = sink.get('tunnel');
  for (const e of expected) {
    const found = conns.filter((c) => c.proto === e.proto && c['id.orig_h'] === e.orig && c['id.orig_p'] === e.origPort
      && c['id.resp_h'] === e.resp && c['id.resp_p'] === e.respPort);
    assert.equal(found.length, e.count ?? 1, `${label(e)}: conn rows (have ${conns.map((c) => `${c.proto} ${c['id.orig_h']}:${c['id.orig_p']}->${c['id.resp_h']}:${c['id.resp_p']}`).join(', ')})`);
    const c = found[0];
    assert.equal(c.orig_pkts, e.origPkts, `${label(e)}: orig_pkts`);
    assert.equal(c.resp_pkts, e.respPkts, `${label(e)}: resp_pkts`);
    const parents = parentsOf(c);
    if (e.tunnel === undefined) {
      assert.equal(parents.length, 0, `${label(e)}: no tunnel parents`);
      continue;
    }
    assert.ok(parents.length > 0, `${label(e)}: has tunnel_parents`);
    const types = new Set<unknown>();
    for (const uid of parents) {
      const disc = tunnels.find((t) => t.uid === uid && t.action === 'Tunnel::DISCOVER');
      assert.ok(disc, `${label(e)}: parent ${uid} has a Tunnel::DISCOVER record`);
      types.add(disc.tunnel_type);
    }
    assert.ok(types.has(e.tunnel), `${label(e)}: parents' tunnel types ${[...types].join(',')} include ${e.tunnel}`);
  }
}

export function parentsOf(c: LogRecord): string[] {
  const p = c.tunnel_parents;
  if (p === undefined || p === null || p === '') return [];
  return Array.isArray(p) ? p.map(String) : [String(p)];
}

/** Names of the weirds no connection owns: the decoders' own (app-layer weirds carry a uid). */
export function decodeWeirds(sink: MemorySink): string[] {
  return sink.get('weird').filter((w) => w.uid === undefined || w.uid === '').map((w) => String(w.name));
}
