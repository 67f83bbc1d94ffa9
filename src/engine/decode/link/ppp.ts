/**
 * PPP framing (RFC 1661 §2, RFC 1662 §3): LINKTYPE_PPP (9) and LINKTYPE_PPP_HDLC (50), and the
 * PPP frame inside PPPoE and PPTP's enhanced GRE. Address/control (0xff 0x03) may be omitted
 * (ACFC, RFC 1661 §6.6) and the protocol field may be one byte (PFC, RFC 1661 §6.5: a protocol
 * byte with its low bit set is the whole field). Protocols go to the `pppProtocol` table.
 */
import type { Dispatcher, LayerDecoder } from '../registry.js';
import type { Packet } from '../packet.js';
import { CHDLC_BROADCAST, CHDLC_UNICAST, decodeCiscoHdlc } from './cisco-hdlc.js';

const PPP_ADDRESS = 0xff;
/** RFC 1662 §3.1 flag sequence; a frame whose protocol starts with it kept a stray flag byte. */
const HDLC_FLAG = 0x7e;

/** Decodes protocol + information of a PPP frame whose address/control may or may not be present. */
export function decodePppFrame(pkt: Packet, off: number, end: number, d: Dispatcher): void {
  const buf = pkt.buf;
  let p = off;
  // Address/control: only the address byte is tested; some links send a control other than 0x03
  // (tcpdump accepts any control after 0xff as well).
  if (end - p >= 2 && buf[p] === PPP_ADDRESS) p += 2;
  decodePppProtocol(pkt, p, end, d, true);
}

function decodePppProtocol(pkt: Packet, p: number, end: number, d: Dispatcher, allowFlag: boolean): void {
  const buf = pkt.buf;
  if (end - p < 1) {
    d.services.weird(pkt, 'truncated_link_header', 'PPP protocol');
    return;
  }
  let proto: number;
  if ((buf[p] & 1) === 1) {
    proto = buf[p];
    p += 1;
  } else {
    if (end - p < 2) {
      d.services.weird(pkt, 'truncated_link_header', 'PPP protocol');
      return;
    }
    proto = buf.readUInt16BE(p);
    p += 2;
    if (allowFlag && proto >> 8 === HDLC_FLAG) {
      // A flag byte left in front of the protocol (unstripped HDLC framing): re-read after it.
      decodePppProtocol(pkt, p - 1, end, d, false);
      return;
    }
    // Some encapsulators put an EtherType where the PPP protocol goes (tcpdump accepts them too).
    // No clash: 0x0800 cannot be a PPP protocol (its low byte must be odd, RFC 1661 §2) and
    // 0x86dd is unassigned in IANA's PPP DLL protocol numbers.
    if (proto === 0x0800 || proto === 0x86dd) {
      d.dispatch('etherType', proto, pkt, p, end);
      return;
    }
  }
  d.dispatch('pppProtocol', proto, pkt, p, end);
}

export const ppp: LayerDecoder = {
  name: 'ppp',
  keys: [['linkType', 9], ['linkType', 50]],
  decode(pkt, off, end, d) {
    if (end - off < 2) {
      d.services.weird(pkt, 'truncated_link_header', 'PPP');
      return;
    }
    const a = pkt.buf[off];
    // Link type 50 captures from Cisco serial lines may carry Cisco HDLC instead (tcpdump agrees).
    if (a === CHDLC_UNICAST || a === CHDLC_BROADCAST) decodeCiscoHdlc(pkt, off, end, d);
    else decodePppFrame(pkt, off, end, d);
  },
};
