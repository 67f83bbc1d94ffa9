/**
 * The application layer of every connection: TCP reassembly into streams, protocol detection
 * (well-known ports first, then payload probes, on any port), and the chosen analyzer fed with
 * bytes or datagrams. A probe that fails hands the data to the next candidate; a connection no
 * analyzer claims stops costing anything.
 */
import type { Packet } from '../decode/packet.js';
import { TH_FIN } from '../decode/packet.js';
import type { Conn } from '../flow/conn.js';
import { PROTO_TCP } from '../flow/conn.js';
import { tcpSegment } from '../flow/tcp-session.js';
import type { LogRecord, LogSchema, RecordSink } from '../logs/schema.js';
import { formatAddr } from '../support/addr.js';
import { LIMITS } from '../support/limits.js';
import { ReassemblyBudget, type StreamReceiver, TcpStream } from '../reassembly/tcp-stream.js';
import { type ConnFiles, FileManager } from './files/file-manager.js';
import type { AnalyzerContext, AnalyzerDescriptor, ConnInfo, Credential, DatagramAnalyzer, Expectation, StreamAnalyzer } from './analyzer.js';
import { parseAddr } from '../support/addr.js';
import { type InspectionUnit, type Inspector, NO_INSPECTOR } from '../detect/inspection.js';

/** What the flow table calls; implemented by AppLayer. */
export interface AppHooks {
  tcp(c: Conn, pkt: Packet, isOrig: boolean): void;
  udp(c: Conn, pkt: Packet, isOrig: boolean): void;
  done(c: Conn): void;
}

export interface AppServices {
  sink: RecordSink;
  now(): number;
  connWeird(c: Conn, name: string, addl?: string): void;
  communityId(c: Conn): string;
  /** A content gap of `len` bytes on one side (conn.log missed_bytes, history G/g). */
  gap(c: Conn, isOrig: boolean, len: number): void;
  /** The engine's files framework (one per engine); a default one writing to `sink` if absent. */
  files?: FileManager;
  /** Whether an address (four words) is in the configured local networks; absent: none set. */
  isLocal?: (w0: number, w1: number, w2: number, w3: number) => boolean;
  /** The detection engine's door for app-layer transactions; absent: no rules run. */
  inspector?: Inspector;
  /**
   * The detection engine's door for reassembled TCP bytes (buf[off, off+len) just delivered by
   * `stream`); when set, every TCP connection keeps its streams even when no analyzer claims it.
   */
  streamInspector?: (c: Conn, isOrig: boolean, buf: Buffer, off: number, len: number, stream: TcpStream) => void;
  /** Where AnalyzerContext.credential() goes (the run's credentials summary); absent: dropped. */
  credential?: (connFields: LogRecord, service: string, c: Credential, ts: number) => void;
}

/**
 * Bytes seen while detecting, kept for replay. `borrowed`: data is a view of the caller's buffer,
 * valid only during the call that delivered it; owned() copies it if it is still needed after.
 */
type Chunk = { isOrig: boolean; data: Buffer | undefined; gap: number; borrowed: boolean };

const enum Phase { Detecting, Active, Off }

/** Per-connection state, kept on Conn.app. */
class ConnApp implements StreamReceiver {
  phase = Phase.Detecting;
  candidates: AnalyzerDescriptor[];
  /** Everything seen so far, in order, for probing and replay (bounded by LIMITS.detectionBytes). */
  replay: Chunk[] = [];
  replayBytes = [0, 0];
  replayOverflow = false;
  datagrams = 0;
  active: { desc: AnalyzerDescriptor; ctx: Ctx; stream?: StreamAnalyzer; dgram?: DatagramAnalyzer; confirmed: boolean } | undefined;
  origStream: TcpStream | undefined;
  respStream: TcpStream | undefined;
  /** Which side the stream receiver is currently delivering for. */
  side = true;
  eofSent = [false, false];
  /** The expectation's info when an expected connection brought this one (FTP data). */
  expectation: unknown = undefined;
  /** Streams are kept for the detection engine even when no analyzer runs (phase Off). */
  detectStream = false;

  constructor(readonly layer: AppLayer, readonly conn: Conn, candidates: AnalyzerDescriptor[]) {
    this.candidates = candidates;
  }

  // StreamReceiver (the current side is set before each stream call)
  data(buf: Buffer, off: number, len: number): void {
    const side = this.side;
    this.layer.bytes(this, side, buf, off, len);
    // Detection after the analyzer: a rule for the app-layer protocol sees the chunk that confirmed it.
    const hook = this.layer.services.streamInspector;
    if (hook !== undefined) hook(this.conn, side, buf, off, len, (side ? this.origStream : this.respStream)!);
  }

  gap(len: number): void {
    this.layer.gapped(this, this.side, len);
  }
}

/**
 * A connection's ConnInfo for its analyzers. The Community ID (a SHA-1) is worked out only when
 * read, which few analyzers' records do (alerts, YARA matches); the conn.log record computes it
 * once per connection anyway, and the Conn keeps it. Kept out of `Ctx.conn` so that getter, on
 * the path of every record an analyzer writes (connFields), stays small for the optimizing
 * compiler (the hashing was inlined into its compiled code). A literal with a getter: a class
 * repeating ConnInfo's fields measured the same within noise (engine-speed.md, 7).
 */
function lazyConnInfo(c: Conn, services: AppServices): ConnInfo {
  return {
    uid: c.uid,
    origH: formatAddr(c.o0, c.o1, c.o2, c.o3), origP: c.oPort,
    respH: formatAddr(c.r0, c.r1, c.r2, c.r3), respP: c.rPort,
    transport: c.proto === PROTO_TCP ? 'tcp' : 'udp',
    get communityId() { return services.communityId(c); },
    origLocal: services.isLocal?.(c.o0, c.o1, c.o2, c.o3),
    respLocal: services.isLocal?.(c.r0, c.r1, c.r2, c.r3),
  };
}

class Ctx implements AnalyzerContext {
  private info: ConnInfo | undefined;
  private connFiles: ConnFiles | undefined;
  constructor(private readonly app: ConnApp, private readonly layer: AppLayer, private readonly desc: AnalyzerDescriptor) {}

  get conn(): ConnInfo {
    return (this.info ??= lazyConnInfo(this.app.conn, this.layer.services));
  }

  now(): number {
    return this.layer.services.now();
  }

  get files(): ConnFiles {
    return (this.connFiles ??= this.layer.files.forConn(this.conn, this));
  }

  log(schema: LogSchema, record: LogRecord): void {
    this.layer.services.sink.write(schema, record);
  }

  connFields(): LogRecord {
    const i = this.conn;
    return { uid: i.uid, 'id.orig_h': i.origH, 'id.orig_p': i.origP, 'id.resp_h': i.respH, 'id.resp_p': i.respP };
  }

  weird(name: string, addl?: string): void {
    this.layer.services.connWeird(this.app.conn, name, addl);
  }

  confirm(): void {
    const a = this.app.active;
    if (!a || a.desc !== this.desc || a.confirmed) return;
    a.confirmed = true;
    this.app.conn.addService(this.desc.name);
    // Confirmed: the beginning kept for re-detection is no longer needed.
    this.app.replay = [];
  }

  violation(reason: string): void {
    this.layer.violation(this.app, this.desc, reason);
  }

  upgrade(name: string): boolean {
    return this.layer.upgrade(this.app, this.desc, name);
  }

  get expectation(): unknown {
    return this.app.expectation;
  }

  expect(e: Expectation): void {
    this.layer.expect(e);
  }

  inspecting(proto: string): boolean {
    return this.layer.inspector.wants(proto);
  }

  credential(c: Credential): void {
    this.layer.services.credential?.(this.connFields(), this.desc.name, c, this.layer.services.now());
  }

  inspect(unit: InspectionUnit): void {
    this.layer.inspector.inspect(this.conn, unit, this.layer.services.now(), this.app.conn);
  }

  shared<T>(key: string, init: () => T): T {
    const state = this.layer.sharedState;
    if (!state.has(key)) state.set(key, init());
    return state.get(key) as T;
  }
}

/**
 * The call that delivered a borrowed chunk is over: if the chunk is still kept for replay (no
 * analyzer confirmed yet), it gets its own copy now. Most connections confirm on their first
 * bytes, so most chunks are never copied at all.
 */
function owned(app: ConnApp, chunk: Chunk): void {
  if (!chunk.borrowed) return;
  chunk.borrowed = false;
  if (app.replay.lastIndexOf(chunk) >= 0) chunk.data = Buffer.from(chunk.data!);
}

export class AppLayer implements AppHooks {
  private readonly budget = new ReassemblyBudget();
  /** Per-run state analyzers share across connections (AnalyzerContext.shared). */
  readonly sharedState = new Map<string, unknown>();
  /** Expected connections by "respH|respP" (AnalyzerContext.expect). */
  private readonly expected = new Map<string, Array<Expectation & { until: number }>>();
  private expectedCount = 0;
  readonly files: FileManager;
  readonly inspector: Inspector;

  constructor(readonly analyzers: readonly AnalyzerDescriptor[], readonly services: AppServices) {
    this.files = services.files ?? new FileManager({ sink: services.sink, now: services.now });
    this.inspector = services.inspector ?? NO_INSPECTOR;
  }

  // ---- hooks from the flow table ----

  tcp(c: Conn, pkt: Packet, isOrig: boolean): void {
    let app = c.app as ConnApp | undefined;
    if (app === undefined) {
      if (pkt.payloadLen <= 0) return; // nothing to analyse until a byte of payload shows up
      app = this.attach(c, 'tcp');
      if (!app) return;
    }
    if (app.phase === Phase.Off && !app.detectStream) return;
    const seg = tcpSegment;
    const mine = isOrig ? app.origStream! : app.respStream!;
    const peer = isOrig ? app.respStream! : app.origStream!;
    if (seg.relAck >= 0) {
      app.side = !isOrig;
      peer.ack(seg.relAck);
    }
    if (!seg.skipData && pkt.payloadCap > 0) {
      app.side = isOrig;
      mine.segment(seg.relDataSeq, pkt.buf, pkt.payloadOff, Math.min(pkt.payloadCap, pkt.payloadLen));
    }
    if (pkt.tcpFlags & TH_FIN) mine.fin(seg.relDataSeq + pkt.payloadLen);
    this.checkEof(app, isOrig, mine);
  }

  udp(c: Conn, pkt: Packet, isOrig: boolean): void {
    if (pkt.payloadCap <= 0) return;
    let app = c.app as ConnApp | undefined;
    if (app === undefined) {
      app = this.attach(c, 'udp');
      if (!app) return;
    }
    if (app.phase === Phase.Off) return;
    const len = Math.min(pkt.payloadCap, pkt.payloadLen);
    if (app.phase === Phase.Active) {
      app.active!.dgram!.packet(isOrig, pkt.buf, pkt.payloadOff, len);
      return;
    }
    // Detecting: keep a few datagrams for replay, probe with this one.
    let kept: Chunk | undefined;
    if (app.datagrams < LIMITS.detectionDatagrams) {
      kept = { isOrig, data: pkt.buf.subarray(pkt.payloadOff, pkt.payloadOff + len), gap: 0, borrowed: true };
      app.replay.push(kept);
    } else app.replayOverflow = true;
    app.datagrams++;
    this.detect(app, isOrig, pkt.buf, pkt.payloadOff, len);
    if (kept !== undefined) owned(app, kept);
    if (app.phase === Phase.Detecting && app.datagrams >= LIMITS.detectionDatagrams) this.giveUp(app);
  }

  done(c: Conn): void {
    const app = c.app as ConnApp | undefined;
    if (!app) return;
    if ((app.phase !== Phase.Off || app.detectStream) && app.origStream && app.respStream) {
      app.side = true;
      app.origStream.flush();
      app.side = false;
      app.respStream.flush();
      // Each eof() may end in a violation that detaches the analyzer: look again every time.
      if (!app.eofSent[0] && app.phase === Phase.Active && app.active?.stream) { app.eofSent[0] = true; app.active.stream.eof(true); }
      if (!app.eofSent[1] && app.phase === Phase.Active && app.active?.stream) { app.eofSent[1] = true; app.active.stream.eof(false); }
    }
    this.finishAnalyzer(app);
    app.origStream?.release();
    app.respStream?.release();
    c.app = undefined;
  }

  // ---- detection ----

  private attach(c: Conn, transport: 'tcp' | 'udp'): ConnApp | undefined {
    const expected = transport === 'tcp' ? this.takeExpectation(c) : undefined;
    const target = expected ? this.analyzers.find((a) => a.name === expected.analyzer && a.createStream) : undefined;
    const candidates = target ? [target] : this.candidatesFor(transport, c.rPort, c.oPort);
    const app = new ConnApp(this, c, candidates);
    if (target) app.expectation = expected!.info;
    c.app = app;
    app.detectStream = transport === 'tcp' && this.services.streamInspector !== undefined;
    if (candidates.length === 0) {
      app.phase = Phase.Off;
      if (!app.detectStream) return app;
    }
    if (transport === 'tcp') {
      const weird = (name: string, addl?: string) => this.services.connWeird(c, name, addl);
      app.origStream = new TcpStream(app, this.budget, weird);
      app.respStream = new TcpStream(app, this.budget, weird);
    }
    // An expected connection needs no detection: its analyzer was named in advance.
    if (target) this.activate(app, target);
    return app;
  }

  /** Port matches first (responder port, then originator port), then analyzers with probes. */
  private candidatesFor(transport: 'tcp' | 'udp', rPort: number, oPort: number): AnalyzerDescriptor[] {
    const byPort: AnalyzerDescriptor[] = [];
    const rest: AnalyzerDescriptor[] = [];
    for (const a of this.analyzers) {
      const canRun = transport === 'tcp' ? a.createStream : a.createDatagram;
      if (!canRun) continue;
      const ports = transport === 'tcp' ? a.tcpPorts : a.udpPorts;
      if (ports?.includes(rPort) || ports?.includes(oPort)) byPort.push(a);
      else if (a.probe && a.probeAnyPort !== false) rest.push(a);
    }
    return byPort.concat(rest);
  }

  /** In-order stream bytes of one side. */
  bytes(app: ConnApp, isOrig: boolean, buf: Buffer, off: number, len: number): void {
    if (app.phase === Phase.Active) {
      const kept = app.active!.confirmed ? undefined : this.keepForReplay(app, isOrig, buf, off, len);
      app.active!.stream!.data(isOrig, buf, off, len);
      if (kept !== undefined) owned(app, kept);
      return;
    }
    if (app.phase !== Phase.Detecting) return;
    const kept = this.keepForReplay(app, isOrig, buf, off, len);
    const side = this.sideBytes(app, isOrig);
    this.detect(app, isOrig, side, 0, side.length);
    if (kept !== undefined) owned(app, kept);
    if (app.phase === Phase.Detecting && app.replayBytes[0] >= LIMITS.detectionBytes && app.replayBytes[1] >= LIMITS.detectionBytes) this.giveUp(app);
  }

  gapped(app: ConnApp, isOrig: boolean, len: number): void {
    if (app.phase === Phase.Off) return; // streams kept only for detection: conn.log unchanged
    this.services.gap(app.conn, isOrig, len);
    if (app.phase === Phase.Active) {
      if (!app.active!.confirmed) app.replay.push({ isOrig, data: undefined, gap: len, borrowed: false });
      app.active!.stream!.gap(isOrig, len);
    } else if (app.phase === Phase.Detecting) {
      // Probing across a hole is guesswork: this side can no longer be recognised.
      app.replay.push({ isOrig, data: undefined, gap: len, borrowed: false });
      app.replayBytes[isOrig ? 0 : 1] = LIMITS.detectionBytes;
      if (app.replayBytes[0] >= LIMITS.detectionBytes && app.replayBytes[1] >= LIMITS.detectionBytes) this.giveUp(app);
    }
  }

  /** Keeps (a view of) the bytes for replay; the caller hands the chunk to owned() after the call. */
  private keepForReplay(app: ConnApp, isOrig: boolean, buf: Buffer, off: number, len: number): Chunk | undefined {
    const i = isOrig ? 0 : 1;
    const room = LIMITS.detectionBytes - app.replayBytes[i];
    if (room <= 0) { app.replayOverflow = true; return undefined; }
    const take = Math.min(room, len);
    const chunk: Chunk = { isOrig, data: buf.subarray(off, off + take), gap: 0, borrowed: true };
    app.replay.push(chunk);
    app.replayBytes[i] += take;
    if (take < len) app.replayOverflow = true;
    return chunk;
  }

  private sideBytes(app: ConnApp, isOrig: boolean): Buffer {
    const parts: Buffer[] = [];
    for (const ch of app.replay) if (ch.isOrig === isOrig && ch.data) parts.push(ch.data);
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  private detect(app: ConnApp, isOrig: boolean, buf: Buffer, off: number, len: number): void {
    const transport = app.conn.proto === PROTO_TCP ? 'tcp' : 'udp';
    const rPort = app.conn.rPort, oPort = app.conn.oPort;
    for (let i = 0; i < app.candidates.length; ) {
      const a = app.candidates[i];
      const ports = transport === 'tcp' ? a.tcpPorts : a.udpPorts;
      let r: 'yes' | 'no' | 'more';
      if (a.probe) {
        try {
          r = a.probe(isOrig, buf, off, len, transport);
        } catch {
          r = 'no'; // a probe bug must not take the connection down
        }
      } else r = ports?.includes(rPort) || ports?.includes(oPort) ? 'yes' : 'no';
      if (r === 'yes') {
        this.activate(app, a);
        return;
      }
      if (r === 'no') app.candidates.splice(i, 1);
      else i++;
    }
    if (app.candidates.length === 0) this.giveUp(app);
  }

  private activate(app: ConnApp, desc: AnalyzerDescriptor): void {
    const ctx = new Ctx(app, this, desc);
    app.phase = Phase.Active;
    app.active = {
      desc, ctx, confirmed: false,
      stream: app.conn.proto === PROTO_TCP ? desc.createStream!(ctx) : undefined,
      dgram: app.conn.proto === PROTO_TCP ? undefined : desc.createDatagram!(ctx),
    };
    const chunks = app.replay;
    app.replay = [];
    app.replayBytes = [0, 0];
    // Replay what was seen, in order; while unconfirmed it is kept again for a possible switch.
    for (const ch of chunks) {
      if (app.phase !== Phase.Active || app.active?.desc !== desc) return;
      if (app.active.stream) {
        if (ch.data) this.bytes(app, ch.isOrig, ch.data, 0, ch.data.length);
        else this.gapped(app, ch.isOrig, ch.gap);
      } else if (ch.data) {
        if (!app.active.confirmed) app.replay.push(ch);
        app.active.dgram!.packet(ch.isOrig, ch.data, 0, ch.data.length);
      }
    }
  }

  violation(app: ConnApp, desc: AnalyzerDescriptor, reason: string): void {
    const a = app.active;
    if (!a || a.desc !== desc || app.phase !== Phase.Active) return;
    this.services.connWeird(app.conn, 'protocol_violation', `${desc.name}: ${reason}`);
    if (a.confirmed || app.replayOverflow) {
      // Zeek detaches an analyzer that violates its protocol; we stop analysing the connection.
      this.finishAnalyzer(app);
      this.off(app);
      return;
    }
    // Not confirmed yet: forget this analyzer and let the next candidate look at the replay.
    app.active = undefined;
    app.phase = Phase.Detecting;
    app.candidates = app.candidates.filter((c) => c !== desc);
    const chunks = app.replay;
    app.replay = [];
    app.replayBytes = [0, 0];
    // A chunk may recognise the next analyzer part-way through: activate() replays what came before
    // it, and the chunks after it still go on, to that analyzer now (bytes() and the datagram branch
    // follow the phase), so nothing seen before the violation is lost.
    for (const ch of chunks) {
      if ((app.phase as Phase) === Phase.Off) break; // the calls below move the phase
      if (!ch.data) this.gapped(app, ch.isOrig, ch.gap);
      else if (app.conn.proto === PROTO_TCP) this.bytes(app, ch.isOrig, ch.data, 0, ch.data.length);
      else if (app.phase === Phase.Detecting) { app.replay.push(ch); this.detect(app, ch.isOrig, ch.data, 0, ch.data.length); }
      else {
        if (!app.active!.confirmed) app.replay.push(ch);
        app.active!.dgram!.packet(ch.isOrig, ch.data, 0, ch.data.length);
      }
    }
  }

  /** Records an expected connection (bounded: the oldest go first when the table is full). */
  expect(e: Expectation): void {
    const resp = parseAddr(e.respH);
    if (!resp || e.respP <= 0 || e.respP > 65535) return;
    const key = formatAddr(...resp) + '|' + e.respP;
    const origH = e.origH ? parseAddr(e.origH) : undefined;
    const entry = { ...e, origH: origH ? formatAddr(...origH) : undefined, until: this.services.now() + (e.seconds ?? 300) };
    if (this.expectedCount >= LIMITS.maxExpectedConnections) {
      const oldest = this.expected.keys().next();
      if (!oldest.done) { this.expectedCount -= this.expected.get(oldest.value)!.length; this.expected.delete(oldest.value); }
    }
    const list = this.expected.get(key);
    if (list) list.push(entry);
    else this.expected.set(key, [entry]);
    this.expectedCount++;
  }

  /** The expectation a new connection fulfils, removed from the table (expired ones are dropped). */
  private takeExpectation(c: Conn): (Expectation & { until: number }) | undefined {
    if (this.expectedCount === 0) return undefined;
    const key = formatAddr(c.r0, c.r1, c.r2, c.r3) + '|' + c.rPort;
    const list = this.expected.get(key);
    if (!list) return undefined;
    const now = this.services.now();
    const origH = formatAddr(c.o0, c.o1, c.o2, c.o3);
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      if (e.until < now) { list.splice(i--, 1); this.expectedCount--; continue; }
      if (e.origH && e.origH !== origH) continue;
      list.splice(i, 1);
      this.expectedCount--;
      if (list.length === 0) this.expected.delete(key);
      return e;
    }
    if (list.length === 0) this.expected.delete(key);
    return undefined;
  }

  /** Hands the rest of a TCP stream to another analyzer (see AnalyzerContext.upgrade). */
  upgrade(app: ConnApp, from: AnalyzerDescriptor, name: string): boolean {
    const a = app.active;
    if (!a || a.desc !== from || app.phase !== Phase.Active || app.conn.proto !== PROTO_TCP) return false;
    const next = this.analyzers.find((d) => d.name === name && d.createStream);
    if (!next) return false;
    this.finishAnalyzer(app);
    const ctx = new Ctx(app, this, next);
    app.phase = Phase.Active;
    app.replay = [];
    app.replayBytes = [0, 0];
    // Nothing before the upgrade can be replayed to the new protocol: a violation ends analysis.
    app.replayOverflow = true;
    app.eofSent = [false, false];
    app.active = { desc: next, ctx, confirmed: false, stream: next.createStream!(ctx) };
    return true;
  }

  private giveUp(app: ConnApp): void {
    if (app.phase !== Phase.Detecting) return;
    this.off(app);
  }

  private off(app: ConnApp): void {
    app.phase = Phase.Off;
    app.replay = [];
    if (app.detectStream) return;
    app.origStream?.release();
    app.respStream?.release();
  }

  private finishAnalyzer(app: ConnApp): void {
    const a = app.active;
    if (!a) return;
    app.active = undefined;
    try {
      a.stream?.done();
      a.dgram?.done();
    } finally {
      if (app.phase === Phase.Active) app.phase = Phase.Off;
    }
  }

  private checkEof(app: ConnApp, isOrig: boolean, s: TcpStream): void {
    const i = isOrig ? 0 : 1;
    if (app.eofSent[i] || s.finSeq < 0 || s.nextSeq < s.finSeq) return;
    app.eofSent[i] = true;
    if (app.phase === Phase.Active && app.active?.stream) app.active.stream.eof(isOrig);
  }
}
