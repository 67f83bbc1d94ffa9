/**
 * The detection engine: runs compiled rules (rules/rule.ts) on what the engine sees and writes
 * EVE alerts. Three doors, all fed synchronously by the engine core:
 * - packet(): every accepted packet, for header rules and payload rules of UDP, ICMP and other IP
 *   protocols (and TCP rules that ask for packets: flow:no_stream, dsize, flags, ...);
 * - streamData(): reassembled TCP bytes, for TCP payload rules, as Suricata inspects the raw
 *   stream: each chunk together with the bytes before it (a bounded window), so content split
 *   across segments matches, and never a second alert from one rule on bytes it alerted on;
 * - inspect(): app-layer inspection units (one direction of one transaction) from analyzers,
 *   for sticky-buffer rules.
 * Each door looks up its rule table (rule-groups.ts), collects candidates with the prefilter and
 * evaluates only those, in rank order (flowbit setters before their testers). Connection state
 * (flowbits, flowints, stream alert marks) lives on Conn.detect (flow-state.ts).
 *
 * Hostile input on both sides is bounded: pcre steps per rule (DETECT_LIMITS) and per inspection
 * (LIMITS.detectPcreStepsPerInspection); rules that exhaust their budget are switched off after
 * LIMITS.detectPcreExhaustionsBeforeDisable times, and once such rules have wasted
 * LIMITS.detectPcreWastedStepsPerRun steps every rule's budget shrinks to
 * LIMITS.detectPcreStepsDegraded and one exhaustion switches a rule off: 10,000 pathological rules
 * cost a bounded number of steps over the whole run, not per packet. Alerts per inspection are
 * capped too.
 */
import type { Conn } from '../flow/conn.js';
import { PROTO_ICMP, PROTO_ICMP6, PROTO_SCTP, PROTO_TCP, PROTO_UDP } from '../flow/conn.js';
import type { Packet } from '../decode/packet.js';
import type { ConnInfo } from '../analyzers/analyzer.js';
import type { RecordSink } from '../logs/schema.js';
import type { TcpStream } from '../reassembly/tcp-stream.js';
import type { BufferName, InspectionUnit, Inspector } from './inspection.js';
import {
  type BufferKey, type DetectList, type FlowintOp, type MatchState, type PacketFacts, type Rule,
  emptyPacketFacts,
} from './rules/rule.js';
import { createMatchState } from './match/state.js';
import { DETECT_LIMITS } from './match/limits.js';
import { Candidates, RuleTable } from './rule-groups.js';
import { ConnDetect } from './flow-state.js';
import { Thresholds } from './thresholds.js';
import { EVE_LOG, type EveEndpoints, eveAlert, eveTimestamp } from './eve-log.js';
import { unitEve } from './unit-eve.js';
import { CLS_ICMP, CLS_OTHER, CLS_TCP, CLS_UDP, type Runnable, type XbitRun, classesOf, compile, directionsOf, rankKey, unitProtoOf } from './runnable.js';
import { XbitTable } from './xbits.js';
import { APP_EVENT_UNIT, EVENT_FACT, EVENT_PROTO_FACT, appEventOf } from './app-events.js';
import { appProtoOf, established, fillPacketFacts, fillStreamFacts } from './packet-facts.js';
import { LIMITS } from '../support/limits.js';
import { formatAddr, parseAddr } from '../support/addr.js';

export interface DetectorServices {
  sink: RecordSink;
  /** Community ID of a connection (conn-record.ts). */
  communityId(c: Conn): string;
}

/** What a run of the detector did, for EngineStats and the CLI summary. */
export interface DetectionStats {
  alerts: number;
  /** Alerts per signature: "gid:sid msg" → count. */
  bySignature: Map<string, number>;
  /** Rules evaluated in full (prefilter candidates and rules without a fast pattern). */
  evaluated: number;
  /** Rule evaluations whose pcre ran out of steps (counted as no match). */
  pcreBudgetExhausted: number;
  /** Rules switched off for the run after exhausting their pcre budget repeatedly. */
  rulesDisabled: number;
  /** Rules loaded that the engine cannot run (a payload list mixed with sticky buffers). */
  notRunnable: number;
  /** Alerts dropped by LIMITS.detectMaxAlertsPerInspection. */
  alertsCapped: number;
}

const enum Ctx { Packet, Stream, Unit }

/** Table key prefix of rules that read file.* buffers from the files framework's 'file' units. */
const FILE_UNIT_PREFIX = 'file-unit:';

export class Detector implements Inspector {
  readonly stats: DetectionStats = {
    alerts: 0, bySignature: new Map(), evaluated: 0, pcreBudgetExhausted: 0, rulesDisabled: 0, notRunnable: 0, alertsCapped: 0,
  };
  private readonly runnable: Runnable[];
  /** [class][direction] → table; direction 0 = to server (from the originator). */
  private readonly packetTables: (RuleTable | undefined)[][];
  private readonly streamTables: (RuleTable | undefined)[];
  private readonly unitTables = new Map<string, (RuleTable | undefined)[]>();
  /** Fact-only rules by the unit proto that carries their facts, per direction. */
  private readonly factTables = new Map<string, (RuleTable | undefined)[]>();
  private readonly unitProtos = new Set<string>();
  /** Whether any rule inspects TCP stream bytes (the app layer then keeps every stream). */
  readonly wantsStream: boolean;
  readonly ruleCount: number;

  private readonly cands: Candidates;
  private readonly match: MatchState = createMatchState();
  private readonly facts: PacketFacts = emptyPacketFacts();
  private readonly thresholds = new Thresholds();
  private readonly xbits = new XbitTable();
  /** Some rule uses stream_size: packets get their connection's stream sizes. */
  private readonly wantsStreamSize: boolean;
  private readonly loose = new Map<string, ConnDetect>();
  private junction: Buffer = Buffer.alloc(0);
  private window: Buffer = Buffer.alloc(0);

  // ---- the inspection in progress (one at a time; reused, never allocated per packet) ----
  private ts = 0;
  /** Frame number of the packet being processed (EVE pcap_cnt); set by the engine core. */
  pcapCnt = 0;
  private vIsOrig = true;
  private vConn: Conn | undefined = undefined;
  private vInfo: ConnInfo | undefined = undefined;
  private vState: ConnDetect | undefined = undefined;
  private vUnit: InspectionUnit | undefined = undefined;
  private vS0 = 0; private vS1 = 0; private vS2 = 0; private vS3 = 0; private vSp = 0;
  private vD0 = 0; private vD1 = 0; private vD2 = 0; private vD3 = 0; private vDp = 0;
  private vIpVersion = 4;
  private vEstablished = false;
  /** The packet in view was reassembled from IP fragments. */
  private vFragment = false;
  private stepsLeft = 0;
  /** Regex steps spent by evaluations that ran out of budget, over the run. */
  private pcreWasted = 0;
  /** The run's allowance for such steps is gone: every rule gets LIMITS.detectPcreStepsDegraded. */
  private pcreDegraded = false;
  private alertsLeft = 0;
  private passed = false;

  constructor(rules: readonly Rule[], private readonly services: DetectorServices) {
    const names = new Map<string, number>();
    const intern = (n: string): number => {
      let id = names.get(n);
      if (id === undefined) names.set(n, (id = names.size));
      return id;
    };
    const order = rules.map((r, i) => ({ r, i, key: rankKey(r) })).sort((a, b) => a.key - b.key || a.r.priority - b.r.priority || a.i - b.i);
    this.runnable = order.map(({ r }, rank) => compile(r, rank, intern));
    this.ruleCount = this.runnable.length;
    this.wantsStreamSize = rules.some((r) => r.packetTests.some((t) => t.keyword === 'stream_size'));
    this.cands = new Candidates(this.ruleCount);

    const packet: number[][][] = [[[], []], [[], []], [[], []], [[], []]];
    const stream: number[][] = [[], []];
    const unit = new Map<string, number[][]>();
    /** Fact-only rules by the unit proto that carries their facts. */
    const fact = new Map<string, number[][]>();
    for (const rt of this.runnable) {
      const r = rt.rule;
      const dirs = directionsOf(r, rt.unitLists);
      if (rt.unitLists.length === 0 && r.factTests.length > 0) {
        // No buffer to match, only facts of one kind of unit: every such unit is a candidate.
        if (rt.payload) { this.stats.notRunnable++; continue; }
        const proto = r.factTests[0].unit;
        let t = fact.get(proto);
        if (!t) fact.set(proto, (t = [[], []]));
        for (const d of dirs) t[d].push(rt.rank);
        this.unitProtos.add(proto);
        continue;
      }
      if (rt.unitLists.length > 0) {
        if (rt.payload) { this.stats.notRunnable++; continue; }
        const buffer: BufferKey = r.fastPattern && r.fastPattern.buffer !== 'payload' ? r.fastPattern.buffer : rt.unitLists[0].buffer;
        // Rules that read files from 'file' units have their own tables: an HTTP body is not scanned twice.
        const key = rt.fileVia === 'file' ? FILE_UNIT_PREFIX + buffer : buffer;
        let t = unit.get(key);
        if (!t) unit.set(key, (t = [[], []]));
        for (const d of dirs) t[d].push(rt.rank);
        // An http rule's file.data is the HTTP unit's body: it needs no 'file' units (whose
        // making costs the files framework a copy of every file).
        for (const l of rt.unitLists) if (l.buffer !== 'payload') this.unitProtos.add(rt.fileVia === 'http' && l.buffer.startsWith('file.') ? 'http' : unitProtoOf(l.buffer));
        if (r.appProto) this.unitProtos.add(r.appProto);
        continue;
      }
      for (const cls of classesOf(r.ipProtos)) {
        const toStream = cls === CLS_TCP && !r.flow.noStream && !r.flow.onlyFrag && r.packetTests.length === 0 && (rt.payload !== undefined || r.flow.onlyStream === true);
        for (const d of dirs) (toStream ? stream[d] : packet[cls][d]).push(rt.rank);
      }
    }
    const all = this.runnable.map((x) => x.rule);
    const table = (m: number[], b: BufferKey) => (m.length > 0 ? new RuleTable(all, m, b) : undefined);
    this.packetTables = packet.map((byDir) => byDir.map((m) => table(m, 'payload')));
    this.streamTables = stream.map((m) => table(m, 'payload'));
    for (const [k, byDir] of unit) {
      const b = (k.startsWith(FILE_UNIT_PREFIX) ? k.slice(FILE_UNIT_PREFIX.length) : k) as BufferKey;
      this.unitTables.set(k, byDir.map((m) => table(m, b)));
    }
    // No buffer to prefilter: every rule of a fact table is a candidate for each of its units.
    for (const [proto, byDir] of fact) this.factTables.set(proto, byDir.map((m) => table(m, 'payload')));
    this.wantsStream = this.streamTables.some((t) => t !== undefined);
  }

  // ---------------------------------------------------------------- packets

  /** One accepted packet of connection `c` (called after the flow table processed it). */
  packet(c: Conn, pkt: Packet): void {
    const proto = pkt.ipProto;
    const cls = proto === PROTO_TCP ? CLS_TCP : proto === PROTO_UDP ? CLS_UDP : proto === PROTO_ICMP || proto === PROTO_ICMP6 ? CLS_ICMP : CLS_OTHER;
    const byDir = this.packetTables[cls];
    // No packet rule for this protocol class (the bundled rules' TCP ones all run on the stream).
    if (byDir[0] === undefined && byDir[1] === undefined) return;
    const isOrig = c.oneWay || (c.o3 === pkt.src3 && c.o0 === pkt.src0 && c.o1 === pkt.src1 && c.o2 === pkt.src2
      && (c.oPort === pkt.srcPort || cls >= CLS_ICMP));
    const table = byDir[isOrig ? 0 : 1];
    if (table === undefined) return;
    const hasPorts = cls === CLS_TCP || cls === CLS_UDP || proto === PROTO_SCTP;
    const dport = hasPorts ? pkt.dstPort : 0;
    const plen = pkt.payloadCap < pkt.payloadLen ? pkt.payloadCap : pkt.payloadLen;
    const cands = this.cands;
    cands.reset();
    let payload: Uint8Array | undefined;
    const g = table.groupFor(dport);
    if (g === undefined) return;
    g.addUnconditional(cands);
    if (plen > 0 && g.hasPatterns) g.scan((payload = pkt.buf.subarray(pkt.payloadOff, pkt.payloadOff + plen)), cands);
    if (cands.count === 0) return;
    if (plen > 0) payload ??= pkt.buf.subarray(pkt.payloadOff, pkt.payloadOff + plen);
    fillPacketFacts(this.facts, pkt, plen);
    if (this.wantsStreamSize) fillStreamFacts(this.facts, c);
    this.ts = pkt.ts;
    this.viewPacket(c, pkt, isOrig, hasPorts);
    this.run(Ctx.Packet, payload, 0);
  }

  // ---------------------------------------------------------------- TCP streams

  /**
   * In-order bytes buf[off, off+len) of one direction of a TCP connection, just delivered by
   * `stream` (whose retained tail ends with them): inspected with up to
   * LIMITS.detectStreamWindowBytes of the bytes before them.
   */
  streamData(c: Conn, isOrig: boolean, buf: Buffer, off: number, len: number, stream: TcpStream, ts: number): void {
    const table = this.streamTables[isOrig ? 0 : 1];
    if (table === undefined || len <= 0) return;
    const W = LIMITS.detectStreamWindowBytes;
    const pos = stream.nextSeq - len;
    const kept = stream.retainedLen;
    if (len <= kept && len <= LIMITS.detectStreamChunkBytes) {
      // The usual case: the chunk and the bytes before it lie side by side in the retained tail,
      // so the window is read where it is, not copied.
      const tail = stream.retained;
      const at = stream.retainedStart + kept - len;
      const prevLen = Math.min(W, kept - len);
      this.ts = ts;
      this.streamPiece(table, c, isOrig, tail, at - prevLen, prevLen, tail, at, len, pos);
      return;
    }
    const prevLen = kept > len ? Math.min(W, kept - len) : 0;
    const prevOff = kept - len - prevLen;
    this.ts = ts;
    for (let p = 0; p < len; p += LIMITS.detectStreamChunkBytes) {
      const n = Math.min(LIMITS.detectStreamChunkBytes, len - p);
      if (p === 0) this.streamPiece(table, c, isOrig, stream.retained, prevOff, prevLen, buf, off, n, pos);
      else {
        const back = Math.min(W, p);
        this.streamPiece(table, c, isOrig, buf, off + p - back, back, buf, off + p, n, pos + p);
      }
    }
  }

  private streamPiece(table: RuleTable, c: Conn, isOrig: boolean, prev: Buffer, prevOff: number, prevLen: number,
    cur: Buffer, curOff: number, n: number, pos: number): void {
    const cands = this.cands;
    cands.reset();
    const g = table.groupFor(isOrig ? c.rPort : c.oPort);
    if (g === undefined) return;
    g.addUnconditional(cands);
    const contiguous = prev === cur && prevOff + prevLen === curOff;
    if (g.hasPatterns) {
      // A pattern straddling the chunk boundary ends in the new bytes and starts at most
      // maxPatternLen - 1 bytes before them.
      const k = Math.min(g.maxPatternLen - 1, prevLen, LIMITS.detectStreamWindowBytes);
      if (contiguous) g.scan(cur.subarray(curOff - k, curOff + n), cands);
      else g.scan(cur.subarray(curOff, curOff + n), cands);
      if (k > 0 && !contiguous) {
        // The seam, put together (its end lies in the new bytes).
        const m = Math.min(g.maxPatternLen - 1, n);
        if (this.junction.length < k + m) this.junction = Buffer.alloc(Math.max(k + m, 2 * LIMITS.detectStreamWindowBytes));
        prev.copy(this.junction, 0, prevOff + prevLen - k, prevOff + prevLen);
        cur.copy(this.junction, k, curOff, curOff + m);
        g.scan(this.junction.subarray(0, k + m), cands);
      }
    }
    if (cands.count === 0) return;
    let win: Uint8Array;
    if (contiguous) win = cur.subarray(prevOff, curOff + n);
    else {
      const need = prevLen + n;
      if (this.window.length < need) this.window = Buffer.alloc(Math.max(need, LIMITS.detectStreamWindowBytes + 16384));
      prev.copy(this.window, 0, prevOff, prevOff + prevLen);
      cur.copy(this.window, prevLen, curOff, curOff + n);
      win = this.window.subarray(0, need);
    }
    this.viewConn(c, isOrig);
    this.run(Ctx.Stream, win, pos - prevLen, prevLen);
  }

  // ---------------------------------------------------------------- inspection units

  wants(proto: string): boolean {
    return this.unitProtos.has(proto);
  }

  inspect(info: ConnInfo, unit: InspectionUnit, ts: number, conn?: Conn): void {
    const dir = unit.isOrig ? 0 : 1;
    const dport = unit.isOrig ? info.respP : info.origP;
    const cands = this.cands;
    cands.reset();
    const bufs = unit.buffers;
    const fileUnit = unit.proto === 'file';
    for (const name in bufs) {
      const byDir = this.unitTables.get(fileUnit ? FILE_UNIT_PREFIX + name : name);
      const table = byDir?.[dir];
      if (table === undefined) continue;
      const v = bufs[name as BufferName];
      const g = table.groupFor(dport);
      if (g === undefined) continue;
      g.addUnconditional(cands);
      if (v === undefined || !g.hasPatterns) continue;
      if (v instanceof Uint8Array) g.scan(v, cands);
      else for (const b of v) g.scan(b, cands);
    }
    this.factTables.get(unit.proto)?.[dir]?.groupFor(dport)?.addUnconditional(cands);
    const state = conn ? connState(conn) : this.looseState(info.uid);
    // An alert on the response names the request it answered (EVE http.url ...).
    if (unit.proto === 'http' && unit.isOrig) state.lastHttpRequest = unit;
    if (cands.count === 0) return;
    this.ts = ts;
    this.viewUnit(info, unit, conn, state);
    this.run(Ctx.Unit, undefined, 0);
    this.vUnit = undefined;
  }

  // ---------------------------------------------------------------- app-layer events

  /**
   * An analyzer's weird on connection `c` (once per connection and name, as weird.log has it),
   * raised while `pkt` was being processed: run the app-layer-event rules if the weird stands for
   * a Suricata event (app-events.ts), once per connection and event. The side is the packet's:
   * a weird names none.
   */
  appEvent(c: Conn, weird: string, pkt: Packet, ts: number): void {
    const byDir = this.factTables.get(APP_EVENT_UNIT);
    if (byDir === undefined) return;
    const fromOrig = c.o0 === pkt.src0 && c.o1 === pkt.src1 && c.o2 === pkt.src2 && c.o3 === pkt.src3 && c.oPort === pkt.srcPort;
    const fromResp = c.r0 === pkt.src0 && c.r1 === pkt.src1 && c.r2 === pkt.src2 && c.r3 === pkt.src3 && c.rPort === pkt.srcPort;
    // Raised outside that connection's packets (a timeout, the end of the capture): side unknown.
    if (fromOrig === fromResp) return;
    const ev = appEventOf(weird, fromOrig);
    if (ev === undefined) return;
    // Several weirds may stand for one event (dns.malformed_data): raised once per connection.
    const state = connState(c);
    if (state.appEvents?.has(ev.event)) return;
    (state.appEvents ??= new Set()).add(ev.event);
    const info: ConnInfo = {
      uid: c.uid, origH: formatAddr(c.o0, c.o1, c.o2, c.o3), origP: c.oPort, respH: formatAddr(c.r0, c.r1, c.r2, c.r3), respP: c.rPort,
      transport: c.proto === PROTO_TCP ? 'tcp' : 'udp', communityId: this.services.communityId(c),
    };
    this.inspect(info, { proto: APP_EVENT_UNIT, isOrig: fromOrig, buffers: {}, facts: { [EVENT_FACT]: ev.event, [EVENT_PROTO_FACT]: ev.proto } }, ts, c);
  }

  // ---------------------------------------------------------------- evaluation

  /**
   * Evaluates the collected candidates in rank order; `data` is the payload, or the stream window
   * starting at stream position `dataPos` whose new chunk starts at `chunkOff`.
   */
  private run(ctx: Ctx, data: Uint8Array | undefined, dataPos: number, chunkOff = 0): void {
    const list = this.cands.sorted();
    this.stepsLeft = LIMITS.detectPcreStepsPerInspection;
    this.alertsLeft = LIMITS.detectMaxAlertsPerInspection;
    this.passed = false;
    const dir = this.vIsOrig ? 0 : 1;
    for (let i = 0; i < list.length && !this.passed; i++) {
      const rt = this.runnable[list[i]];
      if (rt.disabled) continue;
      let buf = data;
      let from = 0;
      if (ctx === Ctx.Stream && data !== undefined && this.vState !== undefined) {
        // Only bytes after this rule's last alert in this direction may make it alert again.
        const upTo = this.vState.alertedUpTo(dir, rt.rank);
        if (upTo > dataPos) {
          if (upTo >= dataPos + data.length) continue;
          from = upTo - dataPos;
          buf = data.subarray(from);
        }
      }
      // Stream: the chunk alone first, so anchored keywords (depth, offset, startswith) count
      // from where this segment's data starts as they would in a packet; then the window, for
      // content split across chunks.
      let base = from;
      let ok: boolean;
      if (ctx === Ctx.Stream && chunkOff > from) {
        ok = this.evaluate(rt, ctx, data!.subarray(chunkOff));
        if (ok) base = chunkOff;
        else ok = this.evaluate(rt, ctx, buf);
      } else ok = this.evaluate(rt, ctx, buf);
      if (!ok) continue;
      const end = this.match.matchEnd;
      this.matched(rt, ctx);
      if (ctx === Ctx.Stream && data !== undefined && this.vState !== undefined) {
        // The rule alerted on the bytes up to where its match ended (the whole window when the
        // match cannot say): a later occurrence starting after them, even one that straddles the
        // next segment boundary, alerts again.
        this.vState.markAlerted(dir, rt.rank, end >= 0 ? dataPos + base + end : dataPos + data.length);
      }
    }
  }

  private evaluate(rt: Runnable, ctx: Ctx, data: Uint8Array | undefined): boolean {
    const r = rt.rule;
    if (!this.header(r)) return false;
    const f = r.flow;
    if (f.toServer !== undefined && f.toServer !== this.vIsOrig) return false;
    if (f.established !== undefined && f.established !== this.vEstablished) return false;
    if (ctx !== Ctx.Unit) {
      if (f.onlyStream && ctx !== Ctx.Stream) return false;
      if (f.noStream && ctx === Ctx.Stream) return false;
    }
    // only_frag / no_frag: a packet rebuilt from IP fragments (streams and units are never one).
    if (f.onlyFrag !== undefined || f.noFrag !== undefined) {
      const frag = ctx === Ctx.Packet && this.vFragment;
      if ((f.onlyFrag && !frag) || (f.noFrag && frag)) return false;
    }
    if (rt.services !== undefined && !this.appMatches(rt.services, r.appProto!)) return false;
    if (!this.flowTests(rt)) return false;
    if (ctx === Ctx.Packet) {
      const tests = r.packetTests;
      for (let i = 0; i < tests.length; i++) if (!tests[i].test(this.facts)) return false;
    }
    this.stats.evaluated++;
    const st = this.match;
    st.reset();
    // A rule's own budget; small for everyone once pathological rules have wasted the run's allowance.
    const perRule = this.pcreDegraded ? LIMITS.detectPcreStepsDegraded : Math.min(DETECT_LIMITS.pcreStepsPerRule, LIMITS.detectPcreStepsPerInspection);
    const give = Math.min(perRule, this.stepsLeft);
    st.pcreStepsLeft = give;
    const exhaustedBefore = st.pcreBudgetExhausted;
    let ok = true;
    if (ctx === Ctx.Unit) {
      const unit = this.vUnit!;
      if (rt.fileVia !== undefined && (unit.proto === 'file') !== (rt.fileVia === 'file')) return false;
      const ft = r.factTests;
      for (let i = 0; i < ft.length && ok; i++) ok = ft[i].test(unit.facts);
      for (let i = 0; i < rt.unitLists.length && ok; i++) ok = listMatches(rt.unitLists[i], unit, st);
    } else if (rt.payload !== undefined) {
      ok = data !== undefined && data.length > 0 && rt.payload.matchBuffer(data, st);
    }
    const spent = give - Math.max(0, st.pcreStepsLeft);
    this.stepsLeft -= spent;
    if (st.pcreBudgetExhausted > exhaustedBefore) {
      this.stats.pcreBudgetExhausted++;
      this.pcreWasted += spent;
      if (this.pcreWasted > LIMITS.detectPcreWastedStepsPerRun) this.pcreDegraded = true;
      // Only a rule that had its whole budget and still ran out is at fault (not one starved by others).
      const allowed = this.pcreDegraded ? 1 : LIMITS.detectPcreExhaustionsBeforeDisable;
      if (give === perRule && ++rt.exhaustions >= allowed) {
        rt.disabled = true;
        this.stats.rulesDisabled++;
      }
    }
    return ok;
  }

  private header(r: Rule): boolean {
    if (r.ipVersion !== undefined && r.ipVersion !== this.vIpVersion) return false;
    if ((r.src.any || r.src.matchesWords(this.vS0, this.vS1, this.vS2, this.vS3))
      && (r.dst.any || r.dst.matchesWords(this.vD0, this.vD1, this.vD2, this.vD3))
      && (r.srcPorts.any || r.srcPorts.matches(this.vSp))
      && (r.dstPorts.any || r.dstPorts.matches(this.vDp))) return true;
    return r.bidirectional
      && (r.src.any || r.src.matchesWords(this.vD0, this.vD1, this.vD2, this.vD3))
      && (r.dst.any || r.dst.matchesWords(this.vS0, this.vS1, this.vS2, this.vS3))
      && (r.srcPorts.any || r.srcPorts.matches(this.vDp))
      && (r.dstPorts.any || r.dstPorts.matches(this.vSp));
  }

  private appMatches(services: readonly string[], appProto: string): boolean {
    const u = this.vUnit;
    if (u !== undefined && (u.proto === appProto || (u.proto === APP_EVENT_UNIT && u.facts?.[EVENT_PROTO_FACT] === appProto))) return true;
    const have = this.vConn?.services;
    if (have === undefined) return false;
    for (let i = 0; i < services.length; i++) if (have.includes(services[i])) return true;
    return false;
  }

  private flowTests(rt: Runnable): boolean {
    const s = this.vState;
    for (const t of rt.bitTests) {
      let any = false, all = true;
      for (const id of t.ids) {
        const set = s !== undefined && s.hasBit(id);
        const want = t.op === 'isset' ? set : !set;
        if (want) any = true; else all = false;
      }
      if (t.and ? !all : !any) return false;
    }
    for (const t of rt.intTests) {
      const ints = s?.flowints;
      const cur = ints?.get(t.id);
      if (t.op === 'isset') { if (cur === undefined) return false; continue; }
      if (t.op === 'notset') { if (cur !== undefined) return false; continue; }
      const rhs = t.valueVar >= 0 ? ints?.get(t.valueVar) : t.value;
      if (cur === undefined || rhs === undefined || !compare(t.op, cur, rhs)) return false;
    }
    for (const t of rt.xbitTests) if (this.xbits.isSet(this.xbitKey(t), this.ts) !== (t.op === 'isset')) return false;
    return true;
  }

  /** The xbits key of `x` for the packet or unit in view (its source and destination addresses). */
  private xbitKey(x: XbitRun): string {
    if (x.track === 'ip_pair') return XbitTable.pairKey(x.id, this.vS0, this.vS1, this.vS2, this.vS3, this.vD0, this.vD1, this.vD2, this.vD3);
    return x.track === 'ip_src'
      ? XbitTable.hostKey(x.id, this.vS0, this.vS1, this.vS2, this.vS3)
      : XbitTable.hostKey(x.id, this.vD0, this.vD1, this.vD2, this.vD3);
  }

  /** A rule matched: flow variables, then pass / noalert / thresholds, then the alert. */
  private matched(rt: Runnable, ctx: Ctx): void {
    const r = rt.rule;
    const s = this.vState;
    if (s !== undefined) {
      for (const a of rt.bitActs) for (const id of a.ids) s.setBit(id, a.op === 'set' ? true : a.op === 'unset' ? false : !s.hasBit(id));
      for (const a of rt.intActs) {
        const ints = (s.flowints ??= new Map());
        const v = a.valueVar >= 0 ? ints.get(a.valueVar) : a.value;
        if (v === undefined) continue;
        const cur = ints.get(a.id) ?? 0;
        ints.set(a.id, a.op === '=' ? v : a.op === '+' ? cur + v : cur - v);
      }
    }
    for (const x of rt.xbitActs) {
      const key = this.xbitKey(x);
      if (x.op === 'set' || (x.op === 'toggle' && !this.xbits.isSet(key, this.ts))) this.xbits.set(key, this.ts, x.expire);
      else this.xbits.unset(key);
    }
    if (r.action === 'pass') { this.passed = true; return; }
    if (r.noalert) return;
    if (r.threshold !== undefined || r.detectionFilter !== undefined) {
      const who = this.trackSubject();
      if (r.detectionFilter !== undefined && !this.thresholds.allow(r.detectionFilter, rt.rank, who, this.ts)) return;
      if (r.threshold !== undefined && !this.thresholds.allow(r.threshold, rt.rank, who, this.ts)) return;
    }
    if (this.alertsLeft <= 0) { this.stats.alertsCapped++; return; }
    this.alertsLeft--;
    this.emit(rt, ctx);
  }

  private trackSubject(): { src: string; dst: string; flow: string } {
    return {
      src: formatAddr(this.vS0, this.vS1, this.vS2, this.vS3),
      dst: formatAddr(this.vD0, this.vD1, this.vD2, this.vD3),
      flow: this.vInfo?.uid ?? this.vConn?.uid ?? '',
    };
  }

  private emit(rt: Runnable, ctx: Ctx): void {
    const c = this.vConn;
    const info = this.vInfo;
    const s = this.vState;
    let where: EveEndpoints;
    if (info !== undefined) {
      where = {
        uid: info.uid, origH: info.origH, origP: info.origP, respH: info.respH, respP: info.respP,
        communityId: info.communityId, isOrig: this.vIsOrig, transport: info.transport,
      };
    } else {
      const cc = c!;
      const st = s ?? connState(cc);
      st.origH ??= formatAddr(cc.o0, cc.o1, cc.o2, cc.o3);
      st.respH ??= formatAddr(cc.r0, cc.r1, cc.r2, cc.r3);
      st.communityId ??= this.services.communityId(cc);
      const ported = cc.proto === PROTO_TCP || cc.proto === PROTO_UDP || cc.proto === PROTO_SCTP;
      where = {
        uid: cc.uid, origH: st.origH, origP: cc.oPort, respH: st.respH, respP: cc.rPort,
        communityId: st.communityId, isOrig: this.vIsOrig, transport: cc.proto, noPorts: !ported,
      };
    }
    const unit = this.vUnit;
    const extra: Record<string, unknown> = {};
    if (unit !== undefined) Object.assign(extra, unitEve(unit, s?.lastHttpRequest));
    if (c !== undefined) {
      extra.flow = {
        pkts_toserver: c.origPkts, pkts_toclient: c.respPkts, bytes_toserver: c.origIpBytes, bytes_toclient: c.respIpBytes,
        start: eveTimestamp(c.startTs),
      };
    }
    const rec = eveAlert({
      ts: this.ts, where, alert: rt.alert,
      pcapCnt: ctx === Ctx.Unit ? undefined : this.pcapCnt || undefined,
      appProto: unit !== undefined ? (unit.proto === 'file' ? appProtoOf(c) : unit.proto === APP_EVENT_UNIT ? appProtoOf(c) ?? String(unit.facts?.[EVENT_PROTO_FACT]) : unit.proto) : appProtoOf(c),
      txId: unit?.txId,
      extra,
    });
    this.stats.alerts++;
    this.stats.bySignature.set(rt.sigKey, (this.stats.bySignature.get(rt.sigKey) ?? 0) + 1);
    this.services.sink.write(EVE_LOG, rec);
  }

  // ---------------------------------------------------------------- the view of one inspection

  private viewPacket(c: Conn, pkt: Packet, isOrig: boolean, hasPorts: boolean): void {
    this.vConn = c; this.vInfo = undefined; this.vUnit = undefined; this.vState = connState(c);
    this.vIsOrig = isOrig;
    this.vS0 = pkt.src0; this.vS1 = pkt.src1; this.vS2 = pkt.src2; this.vS3 = pkt.src3;
    this.vD0 = pkt.dst0; this.vD1 = pkt.dst1; this.vD2 = pkt.dst2; this.vD3 = pkt.dst3;
    this.vSp = hasPorts ? pkt.srcPort : 0;
    this.vDp = hasPorts ? pkt.dstPort : 0;
    this.vIpVersion = pkt.ipVersion;
    this.vEstablished = established(c);
    this.vFragment = pkt.reassembled;
  }

  private viewConn(c: Conn, isOrig: boolean): void {
    this.vConn = c; this.vInfo = undefined; this.vUnit = undefined; this.vState = connState(c);
    this.vIsOrig = isOrig;
    if (isOrig) {
      this.vS0 = c.o0; this.vS1 = c.o1; this.vS2 = c.o2; this.vS3 = c.o3; this.vSp = c.oPort;
      this.vD0 = c.r0; this.vD1 = c.r1; this.vD2 = c.r2; this.vD3 = c.r3; this.vDp = c.rPort;
    } else {
      this.vS0 = c.r0; this.vS1 = c.r1; this.vS2 = c.r2; this.vS3 = c.r3; this.vSp = c.rPort;
      this.vD0 = c.o0; this.vD1 = c.o1; this.vD2 = c.o2; this.vD3 = c.o3; this.vDp = c.oPort;
    }
    this.vIpVersion = c.ipVersion;
    this.vEstablished = established(c);
  }

  private viewUnit(info: ConnInfo, unit: InspectionUnit, conn: Conn | undefined, state: ConnDetect): void {
    if (conn !== undefined) this.viewConn(conn, unit.isOrig);
    else {
      const o = parseAddr(info.origH) ?? [0, 0, 0, 0];
      const r = parseAddr(info.respH) ?? [0, 0, 0, 0];
      const [s, d] = unit.isOrig ? [o, r] : [r, o];
      this.vS0 = s[0]; this.vS1 = s[1]; this.vS2 = s[2]; this.vS3 = s[3];
      this.vD0 = d[0]; this.vD1 = d[1]; this.vD2 = d[2]; this.vD3 = d[3];
      this.vSp = unit.isOrig ? info.origP : info.respP;
      this.vDp = unit.isOrig ? info.respP : info.origP;
      this.vIpVersion = info.origH.includes(':') ? 6 : 4;
      this.vEstablished = true;
      this.vConn = undefined;
    }
    this.vIsOrig = unit.isOrig;
    this.vInfo = info;
    this.vUnit = unit;
    this.vState = state;
    // Application data means the connection got that far, whatever the TCP state machine saw.
    this.vEstablished = true;
  }

  /** Detection state for units that come without their Conn (direct callers): bounded by uid. */
  private looseState(uid: string): ConnDetect {
    let s = this.loose.get(uid);
    if (s === undefined) {
      if (this.loose.size >= 4096) this.loose.delete(this.loose.keys().next().value!);
      this.loose.set(uid, (s = new ConnDetect()));
    }
    return s;
  }
}

function connState(c: Conn): ConnDetect {
  return (c.detect ??= new ConnDetect()) as ConnDetect;
}

function listMatches(l: DetectList, unit: InspectionUnit, st: MatchState): boolean {
  const v = unit.buffers[l.buffer as BufferName];
  if (v === undefined) return false;
  if (v instanceof Uint8Array) return l.program.matchBuffer(v, st);
  for (const b of v) if (l.program.matchBuffer(b, st)) return true;
  return false;
}

function compare(op: FlowintOp['op'], a: number, b: number): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '>': return a > b;
    case '<=': return a <= b;
    case '>=': return a >= b;
    default: return false;
  }
}
