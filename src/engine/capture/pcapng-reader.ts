/**
 * pcapng: several sections and interfaces, per-interface link type, if_tsresol and if_tsoffset,
 * Enhanced/Simple/obsolete Packet Blocks; every other block is skipped by its length.
 * Reference: draft-ietf-opsawg-pcapng (§4 general block structure, §4.1 SHB, §4.2 IDB,
 * §4.3 EPB, §4.4 SPB, Appendix A OPB).
 */
import type { CaptureInfo, CaptureReader, FrameSink } from './frame-sink.js';
import { ticksToSecNsec, tsOut } from './timestamps.js';
import { LIMITS } from '../support/limits.js';

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_OPB = 0x00000002;
const BT_SPB = 0x00000003;
const BT_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Interfaces per section we accept; each costs a few numbers, more is corruption. */
const MAX_INTERFACES = 65536;

interface Iface {
  linkType: number;
  snaplen: number;
  unitsPerSec: number;
  offsetSec: number;
}

export class PcapngReader implements CaptureReader {
  readonly info: CaptureInfo = { format: 'pcapng', linkTypes: [], snaplen: 0, records: 0, stoppedEarly: false };
  private le = true;
  private inSection = false;
  private ifaces: Iface[] = [];
  private stopped = false;
  private warned = new Set<string>();

  constructor(private readonly sink: FrameSink) {}

  parse(buf: Buffer, start: number, end: number, eof: boolean): number {
    let p = start;
    if (this.stopped) return end;
    while (end - p >= 12) {
      let type = this.le ? buf.readUInt32LE(p) : buf.readUInt32BE(p);
      if (buf.readUInt32BE(p) === BT_SHB) {
        // A new section may switch byte order: read it from the byte-order magic (§4.1).
        const bom = buf.readUInt32LE(p + 8);
        if (bom === BYTE_ORDER_MAGIC) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else { this.fail('pcapng_bad_byte_order_magic', `at byte offset block ${this.info.records}`); return end; }
        type = BT_SHB;
      } else if (!this.inSection) {
        this.fail('pcapng_missing_section_header', 'first block is not a Section Header Block');
        return end;
      }
      const totalLen = this.le ? buf.readUInt32LE(p + 4) : buf.readUInt32BE(p + 4);
      if (totalLen < 12 || totalLen % 4 !== 0 || totalLen > LIMITS.maxRecordBytes) {
        this.fail('pcapng_bad_block_length', `block type 0x${type.toString(16)} claims ${totalLen} bytes`);
        return end;
      }
      if (end - p < totalLen) break;
      const trailer = this.le ? buf.readUInt32LE(p + totalLen - 4) : buf.readUInt32BE(p + totalLen - 4);
      if (trailer !== totalLen) this.warnOnce('pcapng_block_length_mismatch', `type 0x${type.toString(16)}: ${totalLen} vs trailer ${trailer}`);
      const body = p + 8;
      const bodyEnd = p + totalLen - 4;
      switch (type) {
        case BT_SHB: this.sectionHeader(); break;
        case BT_IDB: this.interfaceBlock(buf, body, bodyEnd); break;
        case BT_EPB: this.enhancedPacket(buf, body, bodyEnd); break;
        case BT_SPB: this.simplePacket(buf, body, bodyEnd); break;
        case BT_OPB: this.obsoletePacket(buf, body, bodyEnd); break;
        default: break; // NRB, ISB, DSB, custom...: not needed for analysis, skipped by length.
      }
      p += totalLen;
    }
    if (eof && p < end) {
      this.sink.captureWeird('truncated_capture_record', `last pcapng block cut short: ${end - p} bytes left after ${this.info.records} packets`);
      this.stop();
      return end;
    }
    return p;
  }

  private sectionHeader(): void {
    this.inSection = true;
    this.ifaces = [];
  }

  private interfaceBlock(buf: Buffer, p: number, end: number): void {
    if (end - p < 8) { this.warnOnce('pcapng_truncated_interface_block'); return; }
    if (this.ifaces.length >= MAX_INTERFACES) { this.warnOnce('pcapng_too_many_interfaces'); return; }
    const linkType = this.le ? buf.readUInt16LE(p) : buf.readUInt16BE(p);
    const snaplen = this.le ? buf.readUInt32LE(p + 4) : buf.readUInt32BE(p + 4);
    const iface: Iface = { linkType, snaplen, unitsPerSec: 1e6, offsetSec: 0 };
    // Options (§3.5): code(2) length(2) value padded to 32 bits; opt_endofopt (0) ends them.
    let o = p + 8;
    while (end - o >= 4) {
      const code = this.le ? buf.readUInt16LE(o) : buf.readUInt16BE(o);
      const len = this.le ? buf.readUInt16LE(o + 2) : buf.readUInt16BE(o + 2);
      if (code === 0) break;
      const v = o + 4;
      if (v + len > end) { this.warnOnce('pcapng_truncated_option'); break; }
      if (code === 9 && len >= 1) {
        // if_tsresol: MSB clear = 10^-n, set = 2^-n (§4.2). Beyond 2^30 ticks/s a double can't keep up.
        const r = buf[v];
        const exp = r & 0x7f;
        const units = r & 0x80 ? 2 ** exp : 10 ** exp;
        if (units >= 1 && units <= 2 ** 30) iface.unitsPerSec = units;
        else this.warnOnce('pcapng_unsupported_tsresol', `0x${r.toString(16)}`);
      } else if (code === 14 && len >= 8) {
        // if_tsoffset: signed seconds added to every timestamp of this interface.
        iface.offsetSec = Number(this.le ? buf.readBigInt64LE(v) : buf.readBigInt64BE(v));
      }
      o = v + ((len + 3) & ~3);
    }
    this.ifaces.push(iface);
    if (!this.info.linkTypes.includes(linkType)) this.info.linkTypes.push(linkType);
    if (snaplen > this.info.snaplen) this.info.snaplen = snaplen;
  }

  private enhancedPacket(buf: Buffer, p: number, end: number): void {
    if (end - p < 20) { this.warnOnce('pcapng_truncated_packet_block'); return; }
    const le = this.le;
    const ifId = le ? buf.readUInt32LE(p) : buf.readUInt32BE(p);
    const hi = le ? buf.readUInt32LE(p + 4) : buf.readUInt32BE(p + 4);
    const lo = le ? buf.readUInt32LE(p + 8) : buf.readUInt32BE(p + 8);
    const capLen = le ? buf.readUInt32LE(p + 12) : buf.readUInt32BE(p + 12);
    const wireLen = le ? buf.readUInt32LE(p + 16) : buf.readUInt32BE(p + 16);
    this.deliver(buf, p + 20, end, ifId, hi, lo, capLen, wireLen);
  }

  private obsoletePacket(buf: Buffer, p: number, end: number): void {
    if (end - p < 20) { this.warnOnce('pcapng_truncated_packet_block'); return; }
    const le = this.le;
    const ifId = le ? buf.readUInt16LE(p) : buf.readUInt16BE(p);
    const hi = le ? buf.readUInt32LE(p + 4) : buf.readUInt32BE(p + 4);
    const lo = le ? buf.readUInt32LE(p + 8) : buf.readUInt32BE(p + 8);
    const capLen = le ? buf.readUInt32LE(p + 12) : buf.readUInt32BE(p + 12);
    const wireLen = le ? buf.readUInt32LE(p + 16) : buf.readUInt32BE(p + 16);
    this.deliver(buf, p + 20, end, ifId, hi, lo, capLen, wireLen);
  }

  private simplePacket(buf: Buffer, p: number, end: number): void {
    if (end - p < 4) { this.warnOnce('pcapng_truncated_packet_block'); return; }
    const iface = this.ifaces[0];
    if (!iface) { this.warnOnce('pcapng_packet_without_interface', 'simple packet block before any interface'); return; }
    const wireLen = this.le ? buf.readUInt32LE(p) : buf.readUInt32BE(p);
    // SPBs carry no timestamp (§4.4); libpcap reports zero, and so do we.
    let capLen = Math.min(wireLen, end - p - 4);
    if (iface.snaplen > 0 && capLen > iface.snaplen) capLen = iface.snaplen;
    this.info.records++;
    this.sink.frame(buf, p + 4, capLen, wireLen, 0, 0, iface.linkType);
  }

  private deliver(buf: Buffer, data: number, end: number, ifId: number, hi: number, lo: number, capLen: number, wireLen: number): void {
    const iface = this.ifaces[ifId];
    if (!iface) { this.warnOnce('pcapng_packet_without_interface', `interface ${ifId} undefined`); return; }
    // This record's anomalies are reported after it is delivered, so they carry its capture time.
    let overBlock = -1, overLen = -1;
    if (capLen > end - data) {
      overBlock = capLen;
      capLen = end - data;
    }
    if (capLen > wireLen) { overLen = wireLen; wireLen = capLen; }
    ticksToSecNsec(hi, lo, iface.unitsPerSec);
    this.info.records++;
    this.sink.frame(buf, data, capLen, wireLen, tsOut.sec + iface.offsetSec, tsOut.nsec, iface.linkType);
    if (overBlock >= 0) this.warnOnce('pcapng_caplen_exceeds_block', `caplen ${overBlock} > ${end - data} bytes in block`);
    if (overLen >= 0) this.warnOnce('capture_caplen_exceeds_len', `caplen ${capLen} > len ${overLen}`);
  }

  private warnOnce(name: string, addl?: string): void {
    if (this.warned.has(name)) return;
    this.warned.add(name);
    this.sink.captureWeird(name, addl);
  }

  private fail(name: string, addl: string): void {
    this.sink.captureWeird(name, addl);
    this.stop();
  }

  private stop(): void {
    this.stopped = true;
    this.info.stoppedEarly = true;
  }
}
