/**
 * "The same capture submitted again, with noise": a classic pcap's packets with their timestamps
 * shifted, interleaved with another capture's packets (same link type), written as a new file (so
 * a new sha256). Both inputs must be little-endian microsecond pcaps.
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface Packet { ts: number; bytes: Buffer }

function packets(file: string): { header: Buffer; packets: Packet[] } {
  const buf = readFileSync(file);
  if (buf.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${file}: not a little-endian µs pcap`);
  const out: Packet[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const incl = buf.readUInt32LE(off + 8);
    if (off + 16 + incl > buf.length) break;
    out.push({ ts: buf.readUInt32LE(off) + buf.readUInt32LE(off + 4) / 1e6, bytes: buf.subarray(off, off + 16 + incl) });
    off += 16 + incl;
  }
  return { header: buf.subarray(0, 24), packets: out };
}

/** Writes `base` shifted by `shiftS` seconds plus `noise`'s packets re-timed into its span. */
export function writeNoisyCopy(base: string, noise: string, out: string, shiftS = 86_400): void {
  const a = packets(base);
  const b = packets(noise);
  const first = a.packets[0]?.ts ?? 0;
  const span = (a.packets.at(-1)?.ts ?? first) - first;
  const all: Packet[] = a.packets.map((p) => ({ ts: p.ts + shiftS, bytes: p.bytes }));
  b.packets.forEach((p, i) => all.push({ ts: first + shiftS + (span * (i + 1)) / (b.packets.length + 1), bytes: p.bytes }));
  all.sort((x, y) => x.ts - y.ts);
  const parts: Buffer[] = [a.header];
  for (const p of all) {
    const rec = Buffer.from(p.bytes);
    const sec = Math.floor(p.ts);
    rec.writeUInt32LE(sec, 0);
    rec.writeUInt32LE(Math.min(999_999, Math.round((p.ts - sec) * 1e6)), 4);
    parts.push(rec);
  }
  writeFileSync(out, Buffer.concat(parts));
}
