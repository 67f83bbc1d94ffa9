/** CIDR sets for "is this address local" (conn.log local_orig/local_resp; Zeek's Site::local_nets). */
import { parseAddr } from './addr.js';

interface Net {
  words: [number, number, number, number];
  prefix: number;
}

export class NetworkSet {
  private readonly nets: Net[] = [];

  constructor(cidrs: readonly string[] = []) {
    for (const c of cidrs) this.add(c);
  }

  get size(): number {
    return this.nets.length;
  }

  /** Adds "10.0.0.0/8" or "2001:db8::/32"; throws a clear error for a malformed entry. */
  add(cidr: string): void {
    const [addr, len] = cidr.trim().split('/');
    const words = parseAddr(addr);
    if (!words) throw new Error(`not a network: ${JSON.stringify(cidr)}`);
    const v4 = !addr.includes(':');
    let prefix = len === undefined ? (v4 ? 32 : 128) : Number(len);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (v4 ? 32 : 128)) throw new Error(`bad prefix length in ${JSON.stringify(cidr)}`);
    if (v4) prefix += 96; // IPv4 lives in ::ffff:0:0/96
    this.nets.push({ words, prefix });
  }

  contains(w0: number, w1: number, w2: number, w3: number): boolean {
    const a = [w0, w1, w2, w3];
    for (const n of this.nets) {
      let bits = n.prefix;
      let match = true;
      for (let i = 0; i < 4 && bits > 0; i++) {
        const take = Math.min(32, bits);
        const mask = take === 32 ? 0xffffffff : ~(0xffffffff >>> take) >>> 0;
        if (((a[i] & mask) >>> 0) !== ((n.words[i] & mask) >>> 0)) { match = false; break; }
        bits -= take;
      }
      if (match) return true;
    }
    return false;
  }
}
