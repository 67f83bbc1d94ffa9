/**
 * Per-flow slices: the packets of one connection (as conn.log names it: 5-tuple and start time),
 * both directions, copied byte for byte into a new capture. A connection owns every packet of its
 * 5-tuple from its first packet (conn.log ts) until the next connection on the same 5-tuple
 * starts: conn.log's duration is no bound, since a last ACK after both FINs is counted in the
 * connection's packets but not in its duration. Frames outside that span are skipped before
 * decoding, so a slice of a large capture costs little more than reading it. Inside the span, frames are decoded with the engine's own decoders (every link
 * type and tunnel it knows) and kept when any decoded layer carries the connection: the outer
 * packet of a tunnel connection and the inner packet of a tunnelled one alike.
 *
 * Output: pcapng for a pcapng source (several link types fit), classic pcap with the source's
 * timestamp precision otherwise.
 *
 * IP fragments are not reassembled here: a fragment belongs to the slice when its addresses
 * and protocol are the connection's (only the first fragment carries ports) and it falls within
 * the connection's duration (plus FRAGMENT_MARGIN_S): fragments match loosely, the span keeps
 * garbage fragments between the same hosts out.
 */
import type { Readable } from 'node:stream';
import { Packet } from '../decode/packet.js';
import { Dispatcher, type DecodeServices } from '../decode/registry.js';
import { DECODERS } from '../decode/index.js';
import { flowHints } from '../decode/flow-hints.js';
import { parseAddr } from '../support/addr.js';
import type { CaptureReader, FrameSink } from './frame-sink.js';
import { readCapture, defaultReaderFactory, type SourceProgress } from './source.js';
import { createCaptureWriter, type CaptureWriter, type SliceFormat } from './pcap-writer.js';

/**
 * Seconds taken off both ends of a connection's span [ts, next connection's ts): conn.log times
 * may be rounded to microseconds when written, and the neighbours' first packets must stay out.
 */
export const SLICE_MARGIN_S = 0.000001;
/**
 * Seconds around a connection's counted packets (first to last) in which its fragments may be:
 * a datagram counts when its last fragment completes it, after its first fragments arrived.
 */
export const FRAGMENT_MARGIN_S = 1;

/** One connection as conn.log describes it. */
export interface FlowSelector {
  origH: string;
  origP: number;
  respH: string;
  respP: number;
  /** conn.log's proto: tcp, udp, icmp (v4 and v6), sctp, unknown_transport (addresses only). */
  proto: string;
  /** First packet time, and the first packet time of the next connection on the 5-tuple (Infinity: none), in seconds. */
  from: number;
  until: number;
  /** First packet time plus conn.log's duration: the last packet counted in it. */
  last: number;
}

export interface SliceResult {
  format: SliceFormat;
  /** Packets written. */
  packets: number;
  /** Frames read from the source. */
  frames: number;
  linkTypes: number[];
}

const PROTOCOLS: Record<string, readonly number[]> = { tcp: [6], udp: [17], icmp: [1, 58], sctp: [132] };
const PORTED = new Set(Object.values(PROTOCOLS).flat());

/**
 * A selector from a stored conn.log record; `others` are any conn.log records of the same capture
 * that may share its 5-tuple (e.g. those with its Community ID): the next one to start ends this
 * connection's span. Undefined when the record lacks what it takes.
 */
export function flowSelectorOf(conn: Record<string, unknown>, others: Iterable<Record<string, unknown>> = []): FlowSelector | undefined {
  const origH = conn['id.orig_h'], respH = conn['id.resp_h'], origP = conn['id.orig_p'], respP = conn['id.resp_p'];
  const proto = conn.proto, ts = conn.ts, duration = typeof conn.duration === 'number' && conn.duration >= 0 ? conn.duration : 0;
  if (typeof origH !== 'string' || typeof respH !== 'string' || typeof proto !== 'string') return undefined;
  if (typeof origP !== 'number' || typeof respP !== 'number' || typeof ts !== 'number' || !Number.isFinite(ts)) return undefined;
  let until = Infinity;
  for (const o of others) {
    const t = o.ts;
    if (typeof t !== 'number' || t <= ts || t >= until || o.proto !== proto) continue;
    const same = (o['id.orig_h'] === origH && o['id.orig_p'] === origP && o['id.resp_h'] === respH && o['id.resp_p'] === respP)
      || (o['id.orig_h'] === respH && o['id.orig_p'] === respP && o['id.resp_h'] === origH && o['id.resp_p'] === origP);
    if (same) until = t;
  }
  return { origH, origP, respH, respP, proto, from: ts, until, last: ts + duration };
}

/** Picks out one connection's frames and hands them to a writer. */
class FlowMatcher implements FrameSink, DecodeServices {
  frames = 0;
  /** Set when a layer of the frame being decoded belongs to the connection. */
  private hit = false;
  private readonly pkt = new Packet();
  private readonly dispatcher = new Dispatcher(DECODERS, this);
  private readonly o: Words;
  private readonly r: Words;
  private readonly protos: readonly number[];
  /** unknown_transport: any protocol without ports, matched on addresses alone. */
  private readonly portless: boolean;
  private readonly from: number;
  private readonly until: number;
  private readonly fragmentsFrom: number;
  private readonly fragmentsUntil: number;

  constructor(private readonly sel: FlowSelector, private readonly writer: () => CaptureWriter) {
    this.o = parseAddr(sel.origH) ?? [-1, -1, -1, -1];
    this.r = parseAddr(sel.respH) ?? [-1, -1, -1, -1];
    this.protos = PROTOCOLS[sel.proto] ?? [];
    this.portless = sel.proto === 'unknown_transport';
    this.from = sel.from - SLICE_MARGIN_S;
    this.until = sel.until - SLICE_MARGIN_S;
    this.fragmentsFrom = sel.from - FRAGMENT_MARGIN_S;
    this.fragmentsUntil = Math.min(this.until, sel.last + FRAGMENT_MARGIN_S);
  }

  frame(buf: Buffer, off: number, capLen: number, wireLen: number, tsSec: number, tsNsec: number, linkType: number): void {
    this.frames++;
    const ts = tsSec + tsNsec / 1e9;
    if (ts < this.fragmentsFrom || ts >= this.until) return;
    const pkt = this.pkt;
    pkt.reset();
    pkt.index = this.frames;
    pkt.buf = buf;
    pkt.tsSec = tsSec;
    pkt.tsNsec = tsNsec;
    pkt.ts = ts;
    pkt.capLen = capLen;
    pkt.wireLen = wireLen;
    pkt.linkType = linkType;
    this.hit = false;
    this.dispatcher.dispatch('linkType', linkType, pkt, off, off + capLen);
    if (this.hit) this.writer().packet(buf, off, capLen, wireLen, tsSec, tsNsec, linkType);
  }

  captureWeird(): void { /* a slice reports nothing: the analysis did */ }

  weird(): void { /* idem */ }

  session(pkt: Packet): number {
    if (pkt.ts < this.from) {
      // Only fragments are looked for this early (see fragment()).
    } else if (this.portless) {
      if (!PORTED.has(pkt.ipProto) && this.addressesMatch(pkt)) this.hit = true;
    } else if (this.protos.includes(pkt.ipProto)) {
      const s = this.sel;
      if ((pkt.srcPort === s.origP && pkt.dstPort === s.respP && isSrc(pkt, this.o) && isDst(pkt, this.r))
        || (pkt.srcPort === s.respP && pkt.dstPort === s.origP && isSrc(pkt, this.r) && isDst(pkt, this.o))) this.hit = true;
    }
    // No flow table here: UDP tunnels are looked up by the lower port, which for every tunnel
    // port we decode (VXLAN, Geneve, GTP-U, Teredo, AYIYA) is the service's side.
    flowHints.respPort = Math.min(pkt.srcPort, pkt.dstPort);
    flowHints.connId = -1;
    return 0;
  }

  ipTunnel(): number {
    return -1;
  }

  connTunnel(): number {
    return -1;
  }

  fragment(pkt: Packet): boolean {
    if (pkt.ts >= this.fragmentsFrom && pkt.ts <= this.fragmentsUntil && (this.portless ? !PORTED.has(pkt.ipProto) : this.protos.includes(pkt.ipProto)) && this.addressesMatch(pkt)) this.hit = true;
    return false;
  }

  /** Source and destination are the connection's two ends, in either direction. */
  private addressesMatch(pkt: Packet): boolean {
    return (isSrc(pkt, this.o) && isDst(pkt, this.r)) || (isSrc(pkt, this.r) && isDst(pkt, this.o));
  }
}

type Words = readonly [number, number, number, number];
const isSrc = (p: Packet, a: Words): boolean => p.src0 === a[0] && p.src1 === a[1] && p.src2 === a[2] && p.src3 === a[3];
const isDst = (p: Packet, a: Words): boolean => p.dst0 === a[0] && p.dst1 === a[1] && p.dst2 === a[2] && p.dst3 === a[3];

const NANO_MAGICS = new Set([0xa1b23c4d, 0x4d3cb2a1]);

/**
 * Reads `input` (a path or a stream; gzip'd is fine) and writes the frames of the connection
 * `sel` through `emit`, in chunks. A connection with no frames still yields a valid, empty file.
 */
export async function sliceFlow(input: string | Readable, sel: FlowSelector, emit: (chunk: Buffer) => void,
  opts: { onProgress?: (p: SourceProgress) => void } = {}): Promise<SliceResult> {
  let format: SliceFormat = 'pcap';
  let reader: CaptureReader | undefined;
  let writer: CaptureWriter | undefined;
  const getWriter = (): CaptureWriter => (writer ??= createCaptureWriter(format, emit, reader?.info.snaplen));
  const matcher = new FlowMatcher(sel, getWriter);
  await readCapture(input, matcher, {
    onProgress: opts.onProgress,
    readerFactory: (f, sink) => {
      const inner = defaultReaderFactory(f, sink);
      reader = inner;
      if (f === 'pcapng') { format = 'pcapng'; return inner; }
      // The first bytes a pcap reader gets are its file header: keep the source's precision.
      let first = true;
      return {
        get info() { return inner.info; },
        parse(buf, start, end, eof) {
          if (first && end - start >= 4) {
            first = false;
            if (NANO_MAGICS.has(buf.readUInt32BE(start))) format = 'pcap-ns';
          }
          return inner.parse(buf, start, end, eof);
        },
      };
    },
  });
  const w = getWriter();
  w.finish();
  return { format, packets: w.packets, frames: matcher.frames, linkTypes: w.linkTypes };
}
