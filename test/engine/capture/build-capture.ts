/**
 * Byte-exact capture files for the reader tests: classic pcap (either byte order, µs or ns,
 * any version, raw link-type field) and pcapng blocks (SHB, IDB with options, EPB, SPB, OPB,
 * anything else), so every header field and every corruption can be chosen.
 */

export interface PcapHeaderSpec {
  le?: boolean;
  nano?: boolean;
  major?: number;
  minor?: number;
  snaplen?: number;
  /** The whole 32-bit link-type field (FCS bits included). */
  linkTypeField?: number;
}

export interface PcapRecordSpec {
  sec: number;
  /** Microseconds or nanoseconds, as the magic says. */
  frac: number;
  data: Buffer;
  /** Defaults: data.length. */
  capLen?: number;
  wireLen?: number;
}

export function pcapHeader(h: PcapHeaderSpec = {}): Buffer {
  const le = h.le ?? true;
  const b = Buffer.alloc(24);
  const magic = h.nano ? 0xa1b23c4d : 0xa1b2c3d4;
  if (le) {
    b.writeUInt32LE(magic, 0); b.writeUInt16LE(h.major ?? 2, 4); b.writeUInt16LE(h.minor ?? 4, 6);
    b.writeInt32LE(0, 8); b.writeUInt32LE(0, 12); b.writeUInt32LE(h.snaplen ?? 65535, 16); b.writeUInt32LE((h.linkTypeField ?? 1) >>> 0, 20);
  } else {
    b.writeUInt32BE(magic, 0); b.writeUInt16BE(h.major ?? 2, 4); b.writeUInt16BE(h.minor ?? 4, 6);
    b.writeInt32BE(0, 8); b.writeUInt32BE(0, 12); b.writeUInt32BE(h.snaplen ?? 65535, 16); b.writeUInt32BE((h.linkTypeField ?? 1) >>> 0, 20);
  }
  return b;
}

export function pcapRecord(r: PcapRecordSpec, le = true): Buffer {
  const h = Buffer.alloc(16);
  const w = (v: number, o: number) => (le ? h.writeUInt32LE(v >>> 0, o) : h.writeUInt32BE(v >>> 0, o));
  w(r.sec, 0); w(r.frac, 4); w(r.capLen ?? r.data.length, 8); w(r.wireLen ?? r.data.length, 12);
  return Buffer.concat([h, r.data]);
}

export function pcapFile(h: PcapHeaderSpec, records: PcapRecordSpec[]): Buffer {
  return Buffer.concat([pcapHeader(h), ...records.map((r) => pcapRecord(r, h.le ?? true))]);
}

// ---- pcapng ----

const pad4 = (n: number) => (n + 3) & ~3;

/** A writer bound to one byte order. */
export class Ng {
  constructor(readonly le = true) {}

  u16(v: number): Buffer { const b = Buffer.alloc(2); this.le ? b.writeUInt16LE(v) : b.writeUInt16BE(v); return b; }
  u32(v: number): Buffer { const b = Buffer.alloc(4); this.le ? b.writeUInt32LE(v >>> 0) : b.writeUInt32BE(v >>> 0); return b; }
  i64(v: bigint): Buffer { const b = Buffer.alloc(8); this.le ? b.writeBigInt64LE(v) : b.writeBigInt64BE(v); return b; }

  /** One option (code, value), value padded to 32 bits. */
  opt(code: number, value: Buffer): Buffer {
    return Buffer.concat([this.u16(code), this.u16(value.length), value, Buffer.alloc(pad4(value.length) - value.length)]);
  }
  endOpt(): Buffer { return Buffer.concat([this.u16(0), this.u16(0)]); }

  /** A block: type, total length, body (padded), total length again. `lengths` overrides either. */
  block(type: number, body: Buffer, lengths: { total?: number; trailer?: number } = {}): Buffer {
    const padded = Buffer.concat([body, Buffer.alloc(pad4(body.length) - body.length)]);
    const total = 12 + padded.length;
    return Buffer.concat([this.u32(type), this.u32(lengths.total ?? total), padded, this.u32(lengths.trailer ?? total)]);
  }

  shb(options: Buffer[] = []): Buffer {
    return this.block(0x0a0d0d0a, Buffer.concat([this.u32(0x1a2b3c4d), this.u16(1), this.u16(0), this.i64(-1n), ...options]));
  }

  idb(linkType: number, snaplen = 65535, opts: { tsresol?: number; tsoffset?: bigint; raw?: Buffer[] } = {}): Buffer {
    const o: Buffer[] = [];
    if (opts.tsresol !== undefined) o.push(this.opt(9, Buffer.from([opts.tsresol])));
    if (opts.tsoffset !== undefined) o.push(this.opt(14, this.i64(opts.tsoffset)));
    if (opts.raw) o.push(...opts.raw);
    if (o.length) o.push(this.endOpt());
    return this.block(1, Buffer.concat([this.u16(linkType), this.u16(0), this.u32(snaplen), ...o]));
  }

  /** Enhanced Packet Block; `ticks` in the interface's resolution. */
  epb(ifId: number, ticks: bigint, data: Buffer, wireLen = data.length, capLen = data.length): Buffer {
    const hi = Number(ticks >> 32n), lo = Number(ticks & 0xffffffffn);
    return this.block(6, Buffer.concat([this.u32(ifId), this.u32(hi), this.u32(lo), this.u32(capLen), this.u32(wireLen), data]));
  }

  spb(data: Buffer, wireLen = data.length): Buffer {
    return this.block(3, Buffer.concat([this.u32(wireLen), data]));
  }

  /** Obsolete Packet Block (pcapng Appendix A): 16-bit interface id and drops count. */
  opb(ifId: number, ticks: bigint, data: Buffer, wireLen = data.length): Buffer {
    const hi = Number(ticks >> 32n), lo = Number(ticks & 0xffffffffn);
    return this.block(2, Buffer.concat([this.u16(ifId), this.u16(0), this.u32(hi), this.u32(lo), this.u32(data.length), this.u32(wireLen), data]));
  }
}

/** A small distinct payload per frame. */
export function frameBytes(n: number, len = 60): Buffer {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = (n * 31 + i) & 0xff;
  return b;
}
