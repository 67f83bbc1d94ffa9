/**
 * IP fragment reassembly (IPv4 RFC 791 §3.2, IPv6 RFC 8200 §4.5). Placeholder until the
 * reassembler lands: fragments are reported and not reassembled.
 */
import type { Packet } from '../packet.js';

export class FragmentReassembler {
  constructor(private readonly weird: (pkt: Packet, name: string, addl?: string) => void) {}

  add(pkt: Packet, id: number, offsetBytes: number, moreFragments: boolean, dataOff: number, dataLen: number): boolean {
    void id; void moreFragments; void dataOff; void dataLen;
    if (offsetBytes === 0) this.weird(pkt, 'fragment_not_reassembled');
    return false;
  }
}
