/**
 * NTLMSSP messages ([MS-NLMP] §2.2.1): NEGOTIATE, CHALLENGE (with its target info AV pairs) and
 * AUTHENTICATE, parsed from a token that may wrap them (SPNEGO/GSSAPI in SMB session setup, a
 * DCE/RPC auth verifier, an HTTP "Authorization: NTLM" header after base64). Every offset and
 * length in the message is checked against the token's end; a field outside it is left unset
 * (and counted as an anomaly), never read. Nothing here throws.
 */
import { wireText } from '../../support/wire-text.js';
import { utf16Text } from '../../support/utf16-text.js';
import { readTlv } from '../../support/ber.js';

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
/** NTLMSSP_NEGOTIATE_UNICODE: strings are UTF-16LE, else OEM (we read them as bytes). */
const NEGOTIATE_UNICODE = 0x00000001;

/** AV pair ids of the CHALLENGE target info (§2.2.2.1). */
const AV_EOL = 0, AV_NB_COMPUTER = 1, AV_DNS_COMPUTER = 3, AV_DNS_TREE = 5;
/** AV pairs read per target info; a real one has fewer than 12. */
const MAX_AV_PAIRS = 64;

export type NtlmMessage =
  | { type: 1 }
  | { type: 2; nbComputerName?: string; dnsComputerName?: string; dnsTreeName?: string }
  | { type: 3; userName?: string; workstation?: string; domainName?: string };

export interface NtlmParse {
  msg?: NtlmMessage;
  /** Weird names for what did not fit (a field past the message's end, an unknown type). */
  weirds?: string[];
}

/** Where "NTLMSSP\0" starts in buf[off, end), or -1. */
export function findNtlmssp(buf: Buffer, off: number, end: number): number {
  if (end - off < SIGNATURE.length) return -1;
  // Search only the token: the buffer may be a whole SMB message head.
  const i = buf.subarray(off, end).indexOf(SIGNATURE);
  return i >= 0 ? off + i : -1;
}

/** A (length u16, maxlen u16, offset u32) field descriptor at buf[p]: the bytes it names, or undefined. */
function fieldRange(buf: Buffer, msg: number, end: number, p: number): [number, number] | undefined {
  if (p + 8 > end) return undefined;
  const len = buf.readUInt16LE(p);
  const at = buf.readUInt32LE(p + 4);
  if (len === 0) return [msg, msg];
  if (at > end - msg || len > end - msg - at) return undefined;
  return [msg + at, msg + at + len];
}

/** The NTLMSSP message at buf[msg, end) (msg is where the signature starts). */
export function parseNtlmssp(buf: Buffer, msg: number, end: number): NtlmParse {
  if (end - msg < 12 || buf.compare(SIGNATURE, 0, 8, msg, msg + 8) !== 0) return { weirds: ['NTLM_truncated_message'] };
  const type = buf.readUInt32LE(msg + 8);
  const weirds: string[] = [];
  const text = (p: number, unicode: boolean): string | undefined => {
    const r = fieldRange(buf, msg, end, p);
    if (!r) {
      weirds.push('NTLM_field_out_of_bounds');
      return undefined;
    }
    if (r[1] === r[0]) return undefined; // Zeek sets the field only when its length is non-zero
    return unicode ? utf16Text(buf, r[0], r[1]) : wireText(buf, r[0], r[1]);
  };
  const out = (m: NtlmMessage): NtlmParse => (weirds.length ? { msg: m, weirds } : { msg: m });
  switch (type) {
    case 1:
      return { msg: { type: 1 } };
    case 2: {
      const m: NtlmMessage & { type: 2 } = { type: 2 };
      if (end - msg < 48) return out(m); // no target info (NTLMv1-era servers)
      const ti = fieldRange(buf, msg, end, msg + 40);
      if (!ti) {
        weirds.push('NTLM_field_out_of_bounds');
        return out(m);
      }
      let p = ti[0];
      for (let n = 0; n < MAX_AV_PAIRS && p + 4 <= ti[1]; n++) {
        const id = buf.readUInt16LE(p);
        const len = buf.readUInt16LE(p + 2);
        p += 4;
        if (id === AV_EOL) break;
        if (len > ti[1] - p) {
          weirds.push('NTLM_field_out_of_bounds');
          break;
        }
        // AV pair strings are always UTF-16LE (§2.2.2.1), whatever the negotiated flags say.
        if (id === AV_NB_COMPUTER) m.nbComputerName = utf16Text(buf, p, p + len);
        else if (id === AV_DNS_COMPUTER) m.dnsComputerName = utf16Text(buf, p, p + len);
        else if (id === AV_DNS_TREE) m.dnsTreeName = utf16Text(buf, p, p + len);
        p += len;
      }
      return out(m);
    }
    case 3: {
      const m: NtlmMessage & { type: 3 } = { type: 3 };
      if (end - msg < 64) {
        weirds.push('NTLM_truncated_message');
        return out(m);
      }
      const unicode = (buf.readUInt32LE(msg + 60) & NEGOTIATE_UNICODE) !== 0;
      m.domainName = text(msg + 28, unicode);
      m.userName = text(msg + 36, unicode);
      m.workstation = text(msg + 44, unicode);
      return out(m);
    }
    default:
      return { weirds: ['NTLM_unknown_message_type'] };
  }
}

/**
 * The SPNEGO negState of a negTokenResp ([RFC 4178] §4.2.2: [1] SEQUENCE { [0] ENUMERATED ... }):
 * 0 accept-completed, 1 accept-incomplete, 2 reject, 3 request-mic; undefined if the token is not
 * a negTokenResp or carries no state.
 */
export function spnegoNegState(buf: Buffer, off: number, end: number): number | undefined {
  const resp = readTlv(buf, off, end);
  if (!resp || resp.tag !== 0xa1) return undefined;
  const seq = readTlv(buf, resp.off, resp.end);
  if (!seq || seq.tag !== 0x30) return undefined;
  const first = readTlv(buf, seq.off, seq.end);
  if (!first || first.tag !== 0xa0) return undefined;
  const e = readTlv(buf, first.off, first.end);
  if (!e || e.tag !== 0x0a || e.end - e.off !== 1) return undefined;
  return buf[e.off];
}
