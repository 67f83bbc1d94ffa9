/**
 * The one packet the engine is working on. Decoders fill its fields in place as they peel
 * layers; nothing here is allocated per packet. After a tunnel, the inner layers overwrite the
 * outer ones (the outer headers have been handed to the flow layer by then).
 */
export class Packet {
  // ---- frame (set by the reader loop) ----
  /** 1-based index of the frame in the capture (tshark's frame.number). */
  index = 0;
  /** Capture time in seconds (double; microsecond-exact for any realistic epoch). */
  ts = 0;
  tsSec = 0;
  tsNsec = 0;
  linkType = 0;
  wireLen = 0;
  capLen = 0;
  private buffer: Buffer = Buffer.alloc(0);
  /**
   * A DataView over `buf`. Decoders read multi-byte fields through it: DataView getters cost
   * under 1 ns, Buffer#readUInt16BE about 7 ns on Node 20 (validation), and a packet does dozens.
   */
  view: DataView = new DataView(this.buffer.buffer, 0, 0);

  /** Buffer holding the bytes being decoded (the read window, or a reassembled datagram). */
  get buf(): Buffer {
    return this.buffer;
  }

  set buf(b: Buffer) {
    if (b !== this.buffer) {
      this.buffer = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
  }

  // ---- network layer (innermost decoded so far) ----
  /** 4 or 6; 0 until an IP header is decoded. */
  ipVersion = 0;
  /** Source and destination as four words each (IPv4 is ::ffff:a.b.c.d). */
  src0 = 0; src1 = 0; src2 = 0; src3 = 0;
  dst0 = 0; dst1 = 0; dst2 = 0; dst3 = 0;
  /** Transport protocol number (after IPv6 extension headers). */
  ipProto = 0;
  /** Offset of the IP header in `buf`. */
  ipOff = 0;
  /** IP total length claimed by the header (IPv6: 40 + payload length + extension headers). */
  ipLen = 0;
  ttl = 0;
  /** Offset of the transport header in `buf`. */
  l4Off = 0;
  /** Transport bytes per the IP header (what was on the wire). */
  l4Len = 0;
  /** Transport bytes actually captured (<= l4Len when snaplen cut the packet). */
  l4Cap = 0;

  // ---- transport ----
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  seq = 0;
  ack = 0;
  window = 0;
  /** TCP window scale option from a SYN, or -1. */
  windowScale = -1;
  /** ICMP: the message type has no counterpart (unreachable, time exceeded...): the flow is
   *  keyed one-way, as Zeek and Community ID do. */
  icmpOneWay = false;
  /** Set by the transport decoder when checksums are validated and this one is wrong. */
  badChecksum = false;
  /** The IP datagram was rebuilt from fragments (`buf` is then the datagram; the rule keyword only_frag). */
  reassembled = false;
  /** Offset of the transport payload in `buf`. */
  payloadOff = 0;
  /** Payload bytes on the wire. */
  payloadLen = 0;
  /** Payload bytes captured. */
  payloadCap = 0;

  // ---- encapsulation ----
  /** Layers decoded so far; bounded by LIMITS.maxDecodeLayers. */
  depth = 0;
  /** Tunnel ids of the enclosing tunnels, outermost first; `tunnelCount` are valid. */
  readonly tunnels: number[] = [];
  tunnelCount = 0;
  /** Outermost 802.1Q VLAN id, or -1. */
  vlan = -1;
  /** Second 802.1Q VLAN id (QinQ), or -1. */
  innerVlan = -1;

  /** Clears per-frame state before decoding a new frame. */
  reset(): void {
    this.ipVersion = 0;
    this.reassembled = false;
    this.depth = 0;
    this.tunnelCount = 0;
    this.vlan = -1;
    this.innerVlan = -1;
    this.windowScale = -1;
  }

  /** Enters a tunnel: inner layers follow. */
  pushTunnel(id: number): void {
    this.tunnels[this.tunnelCount++] = id;
    this.ipVersion = 0;
  }
}

export const TH_FIN = 0x01;
export const TH_SYN = 0x02;
export const TH_RST = 0x04;
export const TH_PUSH = 0x08;
export const TH_ACK = 0x10;
export const TH_URG = 0x20;
