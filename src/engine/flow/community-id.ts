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

export function communityId(input: CommunityIdInput, seed = 0): string {
  let { src, dst, srcPort, dstPort } = input;
  if (!input.oneWay && !lessThan(src, srcPort, dst, dstPort)) {
    [src, dst] = [dst, src];
    [srcPort, dstPort] = [dstPort, srcPort];
  }
  const v4 = isV4(src[0], src[1], src[2]) && isV4(dst[0], dst[1], dst[2]);
  let p = 0;
  scratch.writeUInt16BE(seed, p); p += 2;
  if (v4) {
    scratch.writeUInt32BE(src[3] >>> 0, p); p += 4;
    scratch.writeUInt32BE(dst[3] >>> 0, p); p += 4;
  } else {
    for (const w of src) { scratch.writeUInt32BE(w >>> 0, p); p += 4; }
    for (const w of dst) { scratch.writeUInt32BE(w >>> 0, p); p += 4; }
  }
  scratch[p++] = input.proto;
  scratch[p++] = 0;
  if (input.hasPorts) {
    scratch.writeUInt16BE(srcPort, p); p += 2;
    scratch.writeUInt16BE(dstPort, p); p += 2;
  }
  // One-shot hashing: no Hash object per connection.
  return '1:' + hash('sha1', scratch.subarray(0, p), 'base64');
}
