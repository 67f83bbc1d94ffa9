/**
 * Community ID v1 (https://github.com/corelight/community-id-spec): SHA-1 over seed, the
 * ordered endpoint addresses, protocol, a zero pad byte and the ordered ports, base64, "1:".
 * The smaller (address, port) endpoint comes first, except for one-way ICMP messages, which are
 * hashed as sent. Protocols without ports hash addresses and protocol only.
 */
import { hash } from 'node:crypto';
import { isV4 } from '../support/addr.js';

const scratch = Buffer.alloc(2 + 16 + 16 + 1 + 1 + 4);

/** True when endpoint a (words + port) sorts before endpoint b. */
function lessThan(a: readonly number[], ap: number, b: readonly number[], bp: number): boolean {
  for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return (a[i] >>> 0) < (b[i] >>> 0);
  return ap < bp;
}

export interface CommunityIdInput {
  proto: number;
  src: readonly [number, number, number, number];
  dst: readonly [number, number, number, number];
  srcPort: number;
  dstPort: number;
  /** ICMP message with no counterpart type: hashed in its own direction. */
  oneWay?: boolean;
  /** Protocol carries ports (TCP, UDP, SCTP, ICMP type/code). */
  hasPorts: boolean;
}

/** Big-endian stores into `scratch` by hand: Buffer's writeUInt*BE check their arguments, and
 *  that code was inlined into every compiled caller of communityId. */
function put16(p: number, v: number): number {
  scratch[p] = v >>> 8;
  scratch[p + 1] = v;
  return p + 2;
}

function put32(p: number, w: number): number {
  scratch[p] = w >>> 24;
  scratch[p + 1] = w >>> 16;
  scratch[p + 2] = w >>> 8;
  scratch[p + 3] = w;
  return p + 4;
}

export function communityId(input: CommunityIdInput, seed = 0): string {
  let src = input.src, dst = input.dst, srcPort = input.srcPort, dstPort = input.dstPort;
  if (!input.oneWay && !lessThan(src, srcPort, dst, dstPort)) {
    const a = src; src = dst; dst = a;
    const ap = srcPort; srcPort = dstPort; dstPort = ap;
  }
  const v4 = isV4(src[0], src[1], src[2]) && isV4(dst[0], dst[1], dst[2]);
  let p = put16(0, seed);
  if (v4) {
    p = put32(p, src[3]);
    p = put32(p, dst[3]);
  } else {
    for (let i = 0; i < 4; i++) p = put32(p, src[i]);
    for (let i = 0; i < 4; i++) p = put32(p, dst[i]);
  }
  scratch[p++] = input.proto;
  scratch[p++] = 0;
  if (input.hasPorts) {
    p = put16(p, srcPort);
    p = put16(p, dstPort);
  }
  // One-shot hashing: no Hash object per connection.
  return '1:' + hash('sha1', scratch.subarray(0, p), 'base64');
}
