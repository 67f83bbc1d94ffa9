/** Builds DNS messages for tests, field by field (RFC 1035 §4.1). */

export function name(n: string): Buffer {
  const parts: Buffer[] = [];
  for (const l of n.split('.').filter((x) => x !== '')) parts.push(Buffer.from([l.length]), Buffer.from(l, 'latin1'));
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

export function ptr(off: number): Buffer {
  return Buffer.from([0xc0 | (off >> 8), off & 0xff]);
}

export function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}

export function header(id: number, flags: number, qd: number, an: number, ns = 0, ar = 0): Buffer {
  return Buffer.concat([u16(id), u16(flags), u16(qd), u16(an), u16(ns), u16(ar)]);
}

export function question(owner: Buffer, qtype: number, qclass = 1): Buffer {
  return Buffer.concat([owner, u16(qtype), u16(qclass)]);
}

export function rr(owner: Buffer, type: number, ttl: number, rdata: Buffer): Buffer {
  const b = Buffer.alloc(10);
  b.writeUInt16BE(type, 0);
  b.writeUInt16BE(1, 2);
  b.writeUInt32BE(ttl, 4);
  b.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner, b, rdata]);
}

export const QUERY = 0x0100, RESPONSE = 0x8180;
