/**
 * The engine: frames in, records out. Wires the capture reader to the decoders, the decoders to
 * the flow table, and finished connections to the record sink. Pure: no storage, no network.
 */
import type { Readable } from 'node:stream';
import type { FrameSink } from './capture/frame-sink.js';
import { type OpenedCapture, type SourceProgress, readCapture } from './capture/source.js';
import { Packet } from './decode/packet.js';
import { type DecodeServices, Dispatcher, type TunnelType } from './decode/registry.js';
import { DECODERS } from './decode/index.js';
import { type ChecksumMode, setChecksumMode } from './decode/settings.js';
import { flowHints } from './decode/flow-hints.js';
import { DEFAULT_FLOW_OPTIONS, type FlowOptions, FlowTable } from './flow/flow-table.js';
import type { Conn } from './flow/conn.js';
import { PROTO_ICMP, PROTO_ICMP6, PROTO_TCP, PROTO_UDP } from './flow/conn.js';
import { connCommunityId, connRecord } from './flow/conn-record.js';
import { scaledHistory } from './flow/tcp-session.js';
import { AppLayer } from './analyzers/app-layer.js';
import type { AnalyzerDescriptor } from './analyzers/analyzer.js';
import { ANALYZERS } from './analyzers/index.js';
import { type FileScanner, FileManager } from './analyzers/files/file-manager.js';
import { connState } from './flow/conn-state.js';
import { TunnelTable } from './flow/tunnels.js';
import { FragmentReassembler } from './decode/net/fragments.js';
import { CONN_LOG } from './logs/conn-log.js';
import { WEIRD_LOG } from './logs/weird-log.js';
import { TUNNEL_LOG } from './logs/tunnel-log.js';
import type { RecordSink } from './logs/schema.js';
import { SummarySink } from './summaries/summary-sink.js';
import { NetworkSet } from './support/networks.js';
import { WeirdSink, type WeirdRecord } from './support/weird.js';
import { formatAddr } from './support/addr.js';
import type { Inspector } from './detect/inspection.js';
import { Detector } from './detect/engine.js';
import type { Rule } from './detect/rules/rule.js';
import { HEURISTICS, HeuristicSink, type HeuristicOptions } from './detect/heuristics/index.js';

export interface EngineOptions {
  flow: FlowOptions;
  /** Bad checksums: 'mark' (report, keep; default), 'strict' (drop, as Zeek), 'off' (don't check). */
  checksums: ChecksumMode;
  /** Shorthand kept for callers: false means checksums 'off'. */
  validateChecksums?: boolean;
  /** Networks considered local (conn.log local_orig/local_resp). */
  localNets: readonly string[];
  /** Protocol analyzers to run; empty for connections-only analysis. */
  analyzers: readonly AnalyzerDescriptor[];
  /** Directory to extract transferred files to (content-addressed by SHA256); none when unset. */
  extractDir?: string;
  /** The detection engine's door for app-layer transactions (detect/inspection.ts); none: no rules. */
  inspector?: Inspector;
  /** Compiled detection rules (detect/): alerts go to the sink as EVE records. None: no detection cost. */
  rules?: readonly Rule[];
  /** credentials.log shows passwords and communities as sent instead of "<hidden>". */
  showCredentials?: boolean;
  /** Scans every file's content when it ends (YARA, --yara: detect/yara); none when unset. */
  fileScanner?: FileScanner;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  flow: DEFAULT_FLOW_OPTIONS,
  checksums: 'mark',
  localNets: [],
  analyzers: ANALYZERS,
};

/** What a run saw, for the CLI summary and the capture's metadata. */
export interface EngineStats {
  packets: number;
  /** Bytes captured (sum of record lengths). */
  capturedBytes: number;
  /** Bytes on the wire (sum of original lengths). */
  wireBytes: number;
  firstTs: number;
  lastTs: number;
  connections: number;
  /** conn.log rows by "proto state", e.g. "tcp SF". */
  connsByProtoState: Record<string, number>;
  weirds: number;
  tunnels: number;
  undecoded: Record<string, number>;
  /** EVE alerts written, and per signature ("gid:sid msg"). */
  alerts: number;
  alertSignatures: Record<string, number>;
}

export class Engine implements FrameSink, DecodeServices {
  readonly stats: EngineStats = {
    packets: 0, capturedBytes: 0, wireBytes: 0, firstTs: Infinity, lastTs: -Infinity, connections: 0,
    connsByProtoState: {}, weirds: 0, tunnels: 0, undecoded: {},
    alerts: 0, alertSignatures: {},
  };
  private readonly pkt = new Packet();
  private readonly dispatcher: Dispatcher;
  private readonly flows: FlowTable;
  private readonly tunnels: TunnelTable;
  private readonly weirds: WeirdSink;
  private readonly fragments: FragmentReassembler;
  private readonly localNets: NetworkSet;
  private readonly files: FileManager | undefined;
  private readonly detector: Detector | undefined;
  /** Capture time of the packet being processed (Zeek's network_time). */
  private now = 0;
  private finished = false;

  private readonly sink: RecordSink;
  /** known_services, software and credentials, read off the analyzers' records. */
  private readonly summaries: SummarySink | undefined;

  constructor(sink: RecordSink, private readonly opts: EngineOptions = DEFAULT_ENGINE_OPTIONS) {
    if (opts.analyzers.length > 0) sink = this.summaries = new SummarySink(sink, opts.showCredentials);
    this.sink = sink;
    setChecksumMode(opts.validateChecksums === false ? 'off' : opts.checksums);
    this.localNets = new NetworkSet(opts.localNets);
    const detector = opts.rules && opts.rules.length > 0 ? new Detector(opts.rules, { sink: this.sink, communityId: (c) => connCommunityId(c) }) : undefined;
    this.detector = detector;
    this.weirds = new WeirdSink((w) => this.writeWeird(w));
    this.tunnels = new TunnelTable((rec) => { this.stats.tunnels++; sink.write(TUNNEL_LOG, rec); }, (ts, n, a) => this.weirds.flowless(ts, n, a));
    this.flows = new FlowTable(opts.flow, (c) => this.connDone(c), (c, name, addl) => this.connWeird(c, name, addl));
    this.flows.weirdFlowless = (ts, n, a) => this.weirds.flowless(ts, n, a);
    this.flows.onInnerConnection = (id, ts) => this.tunnels.innerConnection(id, ts);
    if (opts.analyzers.length > 0 || detector?.wantsStream) {
      this.files = new FileManager({ sink, now: () => this.now, extractDir: opts.extractDir, localNets: this.localNets, scanner: opts.fileScanner });
      this.flows.app = new AppLayer(opts.analyzers, {
        sink,
        files: this.files,
        now: () => this.now,
        connWeird: (c, name, addl) => this.connWeird(c, name, addl),
        communityId: (c) => connCommunityId(c),
        isLocal: this.localNets.size > 0 ? (w0, w1, w2, w3) => this.localNets.contains(w0, w1, w2, w3) : undefined,
        inspector: opts.inspector ?? detector,
        streamInspector: detector?.wantsStream ? (c, isOrig, buf, off, len, s) => detector.streamData(c, isOrig, buf, off, len, s, this.now) : undefined,
        credential: (conn, service, cred, ts) => this.summaries?.credential(conn, service, cred, ts),
        gap: (c, isOrig, len) => {
          c.missedBytes += len;
          const e = isOrig ? c.tcpOrig : c.tcpResp;
          if (e) scaledHistory(c, e, 'G', 'gap');
          this.connWeird(c, 'content_gap', `${len} bytes`);
        },
      });
    }
    this.fragments = new FragmentReassembler((pkt, name, addl) => this.weird(pkt, name, addl));
    this.dispatcher = new Dispatcher(DECODERS, this);
  }

  // ---- FrameSink: called by the capture reader ----

  frame(buf: Buffer, off: number, capLen: number, wireLen: number, tsSec: number, tsNsec: number, linkType: number): void {
    const pkt = this.pkt;
    const stats = this.stats;
    pkt.reset();
    pkt.index = ++stats.packets;
    pkt.buf = buf;
    pkt.tsSec = tsSec;
    pkt.tsNsec = tsNsec;
    const ts = tsSec + tsNsec / 1e9;
    pkt.ts = ts;
    pkt.capLen = capLen;
    pkt.wireLen = wireLen;
    pkt.linkType = linkType;
    stats.capturedBytes += capLen;
    stats.wireBytes += wireLen;
    if (ts < stats.firstTs) stats.firstTs = ts;
    if (ts > stats.lastTs) stats.lastTs = ts;
    if (ts > this.now) {
      this.now = ts;
      this.flows.advance(ts);
      this.fragments.expire(ts);
    }
    if (!this.dispatcher.dispatch('linkType', linkType, pkt, off, off + capLen)) {
      this.weirds.flowless(ts, 'unsupported_link_type', String(linkType));
    }
  }

  captureWeird(name: string, addl?: string): void {
    this.weirds.flowless(this.now || 0, name, addl, 'capture');
  }

  // ---- DecodeServices: called by decoders ----

  weird(pkt: Packet, name: string, addl?: string): void {
    this.weirds.flowless(pkt.ts, name, addl);
  }

  session(pkt: Packet): number {
    const d = this.detector;
    if (d === undefined) return this.flows.session(pkt);
    d.pcapCnt = pkt.index;
    const id = this.flows.session(pkt);
    if (id >= 0) d.packet(this.flows.current!, pkt);
    return id;
  }

  ipTunnel(pkt: Packet, type: TunnelType): number {
    return this.tunnels.ipTunnel(pkt, type);
  }

  connTunnel(pkt: Packet, connId: number, type: TunnelType): number {
    const c = this.flows.current;
    if (!c || c.id !== connId) return -1;
    return this.tunnels.connTunnel(pkt.ts, c, type);
  }

  fragment(pkt: Packet, id: number, offsetBytes: number, moreFragments: boolean, dataOff: number, dataLen: number): boolean {
    return this.fragments.add(pkt, id, offsetBytes, moreFragments, dataOff, dataLen);
  }

  // ---- end of input ----

  /** Flushes every open connection; call once after the last frame. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.flows.flush();
    this.files?.finish();
    this.summaries?.finish();
    this.stats.weirds = this.weirds.total;
    this.stats.undecoded = this.dispatcher.undecoded();
    if (this.detector) {
      this.stats.alerts = this.detector.stats.alerts;
      this.stats.alertSignatures = Object.fromEntries(this.detector.stats.bySignature);
    }
  }

  private connDone(c: Conn): void {
    const rec = connRecord(c, this.localNets, (id) => this.tunnels.uid(id));
    this.sink.write(CONN_LOG, rec);
    this.tunnels.connClosed(this.now, c);
    const key = rec.proto + ' ' + rec.conn_state;
    this.stats.connsByProtoState[key] = (this.stats.connsByProtoState[key] ?? 0) + 1;
    this.stats.connections++;
    if (c.weirds) this.weirds.forgetConn(c.uid, c.weirds);
  }

  private connWeird(c: Conn, name: string, addl?: string): void {
    // Logged once per connection and name: repeats only count (and cost no formatting).
    if (c.weirds?.includes(name)) { this.weirds.total++; return; }
    (c.weirds ??= []).push(name);
    this.detector?.appEvent(c, name, this.pkt, this.now);
    this.weirds.conn({
      ts: this.now, uid: c.uid,
      orig_h: formatAddr(c.o0, c.o1, c.o2, c.o3), orig_p: c.oPort,
      resp_h: formatAddr(c.r0, c.r1, c.r2, c.r3), resp_p: c.rPort,
    }, name, addl, protoSource(c.proto));
  }

  private writeWeird(w: WeirdRecord): void {
    this.sink.write(WEIRD_LOG, {
      ts: w.ts, uid: w.uid, 'id.orig_h': w.orig_h, 'id.orig_p': w.orig_p, 'id.resp_h': w.resp_h, 'id.resp_p': w.resp_p,
      name: w.name, addl: w.addl, notice: w.notice, peer: w.peer, source: w.source,
    });
  }
}

function protoSource(p: number): string {
  if (p === PROTO_TCP) return 'TCP';
  if (p === PROTO_UDP) return 'UDP';
  if (p === PROTO_ICMP || p === PROTO_ICMP6) return 'ICMP';
  return 'IP';
}

export interface AnalyzeOptions {
  engine?: Partial<EngineOptions>;
  onProgress?: (p: SourceProgress, stats: EngineStats) => void;
  onOpen?: (c: OpenedCapture) => void;
  /** Heuristics writing notice.log (detect/heuristics/): on by default, false turns them off. */
  heuristics?: false | HeuristicOptions;
}

export interface AnalysisResult {
  capture: OpenedCapture;
  stats: EngineStats;
}

/** Analyses a capture file ('-' for stdin) or stream, writing every record to `sink`. */
export async function analyze(input: string | Readable, sink: RecordSink, opts: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const heuristics = opts.heuristics === false ? undefined : new HeuristicSink(sink, opts.heuristics?.heuristics ?? HEURISTICS, opts.heuristics?.config);
  const engine = new Engine(heuristics ?? sink, { ...DEFAULT_ENGINE_OPTIONS, ...opts.engine });
  const capture = await readCapture(input, engine, {
    onOpen: opts.onOpen,
    onProgress: opts.onProgress ? (p) => opts.onProgress!(p, engine.stats) : undefined,
  });
  engine.finish();
  heuristics?.finish();
  return { capture, stats: engine.stats };
}

export { connState, flowHints };
