/**
 * QUIC Initial packet protection (RFC 9001 §5; QUIC v2: RFC 9369 §3.3): keys derived from the
 * client's first Destination Connection ID with a version-specific salt, header protection
 * removed with AES-128-ECB over a 16-byte sample (§5.4), the payload opened with AES-128-GCM
 * (§5.3). Never throws on wire input: a packet that does not open yields undefined.
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;

/** RFC 9001 §5.2 (v1), RFC 9369 §3.3.1 (v2), draft-ietf-quic-tls-29 §5.2 (drafts 29-32). */
const SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
const SALT_V2 = Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex');
const SALT_DRAFT29 = Buffer.from('afbfec289993d24c9e9786f19c6111e04390a899', 'hex');

/** Versions whose Initial packets we can open: v1, v2 and drafts 29-32. */
export function isDecryptableVersion(v: number): boolean {
  return v === QUIC_V1 || v === QUIC_V2 || (v >= 0xff00001d && v <= 0xff000020);
}

function saltFor(version: number): Buffer {
  if (version === QUIC_V2) return SALT_V2;
  if (version === QUIC_V1) return SALT_V1;
  return SALT_DRAFT29;
}

/** HKDF-Expand-Label (RFC 8446 §7.1) with an empty context; all our lengths fit one SHA-256 block. */
export function hkdfExpandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from('tls13 ' + label, 'latin1');
  const info = Buffer.alloc(2 + 1 + full.length + 1 + 1);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  full.copy(info, 3);
  info[3 + full.length] = 0; // context length
  info[4 + full.length] = 1; // HKDF-Expand block counter T(1)
  return createHmac('sha256', secret).update(info).digest().subarray(0, length);
}

export interface InitialKeys {
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

/** The client's (or server's) Initial keys for a client Destination Connection ID. */
export function initialKeys(version: number, dcid: Buffer, client: boolean): InitialKeys {
  const initialSecret = createHmac('sha256', saltFor(version)).update(dcid).digest(); // HKDF-Extract
  const secret = hkdfExpandLabel(initialSecret, client ? 'client in' : 'server in', 32);
  const p = version === QUIC_V2 ? 'quicv2 ' : 'quic ';
  return { key: hkdfExpandLabel(secret, p + 'key', 16), iv: hkdfExpandLabel(secret, p + 'iv', 12), hp: hkdfExpandLabel(secret, p + 'hp', 16) };
}

/** RFC 9001 §5.4.3: the 5-byte mask from AES-128-ECB of the sample. */
export function headerProtectionMask(hp: Buffer, sample: Buffer): Buffer {
  const c = createCipheriv('aes-128-ecb', hp, null);
  c.setAutoPadding(false);
  return c.update(sample).subarray(0, 5);
}

/**
 * Opens one long-header Initial packet buf[start, end) whose packet number starts at pnOff
 * (end = pnOff + the Length field). Returns the plaintext frames, or undefined when the
 * packet is too short or authentication fails (wrong keys, corrupted, not QUIC).
 */
export function openInitial(keys: InitialKeys, buf: Buffer, start: number, pnOff: number, end: number): Buffer | undefined {
  // §5.4.2: the sample starts 4 bytes after the packet number's start; 16 bytes of tag at least.
  if (pnOff + 4 + 16 > end || end > buf.length) return undefined;
  const mask = headerProtectionMask(keys.hp, buf.subarray(pnOff + 4, pnOff + 20));
  const first = buf[start] ^ (mask[0] & 0x0f);
  const pnLen = (first & 3) + 1;
  const payloadOff = pnOff + pnLen;
  if (end - payloadOff < 16) return undefined;
  const header = Buffer.from(buf.subarray(start, payloadOff)); // copy: the capture stays untouched
  header[0] = first;
  let pn = 0;
  for (let i = 0; i < pnLen; i++) {
    header[pnOff - start + i] ^= mask[1 + i];
    pn = pn * 256 + header[pnOff - start + i];
  }
  // §5.3: nonce = iv XOR the packet number left-padded to 12 bytes.
  const nonce = Buffer.from(keys.iv);
  for (let i = 0; i < 4; i++) nonce[11 - i] ^= (pn >>> (8 * i)) & 0xff;
  try {
    const d = createDecipheriv('aes-128-gcm', keys.key, nonce);
    d.setAAD(header);
    d.setAuthTag(buf.subarray(end - 16, end));
    const out = d.update(buf.subarray(payloadOff, end - 16));
    d.final();
    return out;
  } catch {
    return undefined; // authentication failed
  }
}
