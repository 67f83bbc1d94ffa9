/**
 * Capture writers for slices: classic pcap (one link type, microsecond or nanosecond magic) and
 * pcapng (one Interface Description Block per link type seen, nanosecond timestamps), both
 * little-endian. Output goes through a synchronous `emit(chunk)` in chunks of at most
 * WRITER_CHUNK_BYTES, so callers writing to a file descriptor never hold more than that.
 * References: draft-ietf-opsawg-pcap §4-5; draft-ietf-opsawg-pcapng §4.1-4.3.
 */

/** Bytes gathered before a chunk is emitted. */
export const WRITER_CHUNK_BYTES = 1024 * 1024;
/** Snaplen written when the source declared a smaller one (tshark's own maximum). */
const DEFAULT_SNAPLEN = 262144;

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAP_HEADER = 24;
const PCAP_RECORD_HEADER = 16;

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const SHB_LEN = 28;
/** IDB with if_tsresol = 9 (nanoseconds) and opt_endofopt. */
const IDB_LEN = 32;
const EPB_OVERHEAD = 32;
const OPT_IF_TSRESOL = 9;

export type SliceFormat = 'pcap' | 'pcap-ns' | 'pcapng';

export interface CaptureWriter {
  /** Appends one packet; `buf[off, off + capLen)` is only read during the call. */
  packet(buf: Buffer, off: number, capLen: number, wireLen: number, tsSec: number, tsNsec: number, linkType: number): void;
  /** Emits whatever is buffered (the file header too, for an empty output). */
  finish(): void;
  readonly packets: number;
  /** Link types written (pcap: exactly one once a packet was written). */
  readonly linkTypes: number[];
}

/** Buffers output and hands it on in chunks of at most WRITER_CHUNK_BYTES (bigger packets alone). */
class ChunkedOutput {
  private buf = Buffer.allocUnsafe(WRITER_CHUNK_BYTES);
  private used = 0;

  constructor(private readonly emit: (chunk: Buffer) => void) {}

  /** Room for `n` bytes at the returned offset in `this.bytes` (flushing first if needed). */
  reserve(n: number): number {
    if (this.used + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    }
    const at = this.used;
    this.used += n;
    return at;
  }

  get bytes(): Buffer {
    return this.buf;
  }

  flush(): void {
    if (this.used === 0) return;
    // A copy: the emitted chunk may be kept (a stream) while this buffer is reused.
    this.emit(Buffer.from(this.buf.subarray(0, this.used)));
    this.used = 0;
  }
}

/** Classic pcap: the first packet's link type is the file's; packets of another link type are not written. */
export class PcapWriter implements CaptureWriter {
  packets = 0;
  readonly linkTypes: number[] = [];
  /** Packets left out because their link type differs from the file's (a pcap holds one). */
  skippedLinkType = 0;
  private readonly out: ChunkedOutput;
  private headerDone = false;

  constructor(emit: (chunk: Buffer) => void, private readonly nano: boolean, private readonly snaplen = DEFAULT_SNAPLEN, private linkType = -1) {
    this.out = new ChunkedOutput(emit);
  }

  packet(buf: Buffer, off: number, capLen: number, wireLen: number, tsSec: number, tsNsec: number, linkType: number): void {
    if (!this.headerDone) this.header(linkType);
    if (linkType !== this.linkType) { this.skippedLinkType++; return; }
    const at = this.out.reserve(PCAP_RECORD_HEADER + capLen);
    const b = this.out.bytes;
    b.writeUInt32LE(tsSec >>> 0, at);
    b.writeUInt32LE(this.nano ? tsNsec : Math.floor(tsNsec / 1000), at + 4);
    b.writeUInt32LE(capLen, at + 8);
    b.writeUInt32LE(Math.max(wireLen, capLen), at + 12);
    buf.copy(b, at + PCAP_RECORD_HEADER, off, off + capLen);
    this.packets++;
  }

  finish(): void {
    if (!this.headerDone) this.header(this.linkType < 0 ? 1 : this.linkType);
    this.out.flush();
  }

  private header(linkType: number): void {
    this.headerDone = true;
    if (this.linkType < 0) this.linkType = linkType;
    this.linkTypes.push(this.linkType);
    const at = this.out.reserve(PCAP_HEADER);
    const b = this.out.bytes;
    b.writeUInt32LE(this.nano ? PCAP_MAGIC_NS : PCAP_MAGIC_US, at);
    b.writeUInt16LE(2, at + 4);
    b.writeUInt16LE(4, at + 6);
    b.writeInt32LE(0, at + 8); // thiszone
    b.writeUInt32LE(0, at + 12); // sigfigs
    b.writeUInt32LE(Math.max(this.snaplen, DEFAULT_SNAPLEN), at + 16);
    b.writeUInt32LE(this.linkType, at + 20);
  }
}

/** pcapng: one section; an interface per distinct link type, declared just before its first packet. */
export class PcapngWriter implements CaptureWriter {
  packets = 0;
  readonly linkTypes: number[] = [];
  private readonly out: ChunkedOutput;
  private headerDone = false;
  /** Interface id by link type. */
  private readonly ifaceOf = new Map<number, number>();

  constructor(emit: (chunk: Buffer) => void, private readonly snaplen = DEFAULT_SNAPLEN) {
    this.out = new ChunkedOutput(emit);
  }

  packet(buf: Buffer, off: number, capLen: number, wireLen: number, tsSec: number, tsNsec: number, linkType: number): void {
    if (!this.headerDone) this.sectionHeader();
    let iface = this.ifaceOf.get(linkType);
    if (iface === undefined) iface = this.interfaceBlock(linkType);
    const padded = (capLen + 3) & ~3;
    const total = EPB_OVERHEAD + padded;
    const at = this.out.reserve(total);
    const b = this.out.bytes;
    // 64-bit nanosecond count: beyond 2^53, so BigInt (per written packet only, not per read one).
    const t = BigInt(tsSec) * 1_000_000_000n + BigInt(tsNsec);
    b.writeUInt32LE(BT_EPB, at);
    b.writeUInt32LE(total, at + 4);
    b.writeUInt32LE(iface, at + 8);
    b.writeUInt32LE(Number(t >> 32n), at + 12);
    b.writeUInt32LE(Number(t & 0xffffffffn), at + 16);
    b.writeUInt32LE(capLen, at + 20);
    b.writeUInt32LE(Math.max(wireLen, capLen), at + 24);
    buf.copy(b, at + 28, off, off + capLen);
    b.fill(0, at + 28 + capLen, at + 28 + padded);
    b.writeUInt32LE(total, at + total - 4);
    this.packets++;
  }

  finish(): void {
    if (!this.headerDone) this.sectionHeader();
    this.out.flush();
  }

  private sectionHeader(): void {
    this.headerDone = true;
    const at = this.out.reserve(SHB_LEN);
    const b = this.out.bytes;
    b.writeUInt32LE(BT_SHB, at);
    b.writeUInt32LE(SHB_LEN, at + 4);
    b.writeUInt32LE(BYTE_ORDER_MAGIC, at + 8);
    b.writeUInt16LE(1, at + 12);
    b.writeUInt16LE(0, at + 14);
    // Section length unknown (-1): we stream.
    b.writeInt32LE(-1, at + 16);
    b.writeInt32LE(-1, at + 20);
    b.writeUInt32LE(SHB_LEN, at + 24);
  }

  private interfaceBlock(linkType: number): number {
    const id = this.ifaceOf.size;
    this.ifaceOf.set(linkType, id);
    this.linkTypes.push(linkType);
    const at = this.out.reserve(IDB_LEN);
    const b = this.out.bytes;
    b.writeUInt32LE(BT_IDB, at);
    b.writeUInt32LE(IDB_LEN, at + 4);
    b.writeUInt16LE(linkType, at + 8);
    b.writeUInt16LE(0, at + 10);
    b.writeUInt32LE(Math.max(this.snaplen, DEFAULT_SNAPLEN), at + 12);
    b.writeUInt16LE(OPT_IF_TSRESOL, at + 16);
    b.writeUInt16LE(1, at + 18);
    b.writeUInt32LE(9, at + 20); // resolution 10^-9, then 3 bytes of padding (zero)
    b.writeUInt32LE(0, at + 24); // opt_endofopt
    b.writeUInt32LE(IDB_LEN, at + 28);
    return id;
  }
}

export function createCaptureWriter(format: SliceFormat, emit: (chunk: Buffer) => void, snaplen?: number): CaptureWriter {
  if (format === 'pcapng') return new PcapngWriter(emit, snaplen);
  return new PcapWriter(emit, format === 'pcap-ns', snaplen);
}
