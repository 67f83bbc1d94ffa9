/** Builds DHCP messages (RFC 2131 §2) for tests. */
export interface DhcpSpec {
  op?: number;
  xid: number;
  chaddr?: string;
  yiaddr?: string;
  cookie?: number;
  /** [code, value] pairs; a number value is one byte. End option appended unless `noEnd`. */
  options?: Array<[number, Buffer | number | string]>;
  noEnd?: boolean;
}

export const ip = (a: string) => Buffer.from(a.split('.').map(Number));
export const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };

export function dhcp(s: DhcpSpec): Buffer {
  const h = Buffer.alloc(240);
  h[0] = s.op ?? 1;
  h[1] = 1;
  h[2] = 6;
  h.writeUInt32BE(s.xid >>> 0, 4);
  if (s.yiaddr) ip(s.yiaddr).copy(h, 16);
  Buffer.from((s.chaddr ?? '00:0b:82:01:fc:42').split(':').map((x) => parseInt(x, 16))).copy(h, 28);
  h.writeUInt32BE((s.cookie ?? 0x63825363) >>> 0, 236);
  const opts: Buffer[] = [];
  for (const [code, v] of s.options ?? []) {
    const val = typeof v === 'number' ? Buffer.from([v]) : typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
    opts.push(Buffer.from([code, val.length]), val);
  }
  if (!s.noEnd) opts.push(Buffer.from([255]));
  return Buffer.concat([h, ...opts]);
}
