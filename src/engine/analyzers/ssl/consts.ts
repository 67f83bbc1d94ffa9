/**
 * Zeek's SSL constants (scripts/base/protocols/ssl/consts.zeek): version, alert and curve names
 * as ssl.log prints them, with Zeek's &default spellings for unknown values.
 */

export const SSLv2 = 0x0002;
export const SSLv3 = 0x0300;
export const TLSv10 = 0x0301;
export const TLSv11 = 0x0302;
export const TLSv12 = 0x0303;
export const TLSv13 = 0x0304;

const VERSIONS: ReadonlyMap<number, string> = new Map([
  [SSLv2, 'SSLv2'], [SSLv3, 'SSLv3'], [TLSv10, 'TLSv10'], [TLSv11, 'TLSv11'], [TLSv12, 'TLSv12'],
  [TLSv13, 'TLSv13'], [0xfeff, 'DTLSv10'], [0xfefd, 'DTLSv12'], [0xfefc, 'DTLSv13'],
]);

/** SSL::version_strings. */
export function versionName(v: number): string {
  const s = VERSIONS.get(v);
  if (s !== undefined) return s;
  if (Math.floor(v / 0xff) === 0x7f) return `TLSv13-draft${v % 0x7f}`; // TLS 1.3 drafts: 0x7fNN
  return `unknown-${v}`;
}

/** Versions Zeek's record layer accepts (determine_ssl_record_layer). */
export function isRecordVersion(v: number): boolean {
  return v >= SSLv3 && v <= TLSv12;
}

/** A version Zeek's hello parsers accept (version_ok): SSLv2..TLS 1.3, TLS 1.3 drafts, DTLS. */
export function isHelloVersion(v: number): boolean {
  return v === SSLv2 || (v >= SSLv3 && v <= TLSv13) || v >> 8 === 0x7f || v === 0xfeff || v === 0xfefd || v === 0xfefc;
}

const ALERTS: ReadonlyMap<number, string> = new Map([
  [0, 'close_notify'], [10, 'unexpected_message'], [20, 'bad_record_mac'], [21, 'decryption_failed'],
  [22, 'record_overflow'], [30, 'decompression_failure'], [40, 'handshake_failure'], [41, 'no_certificate'],
  [42, 'bad_certificate'], [43, 'unsupported_certificate'], [44, 'certificate_revoked'], [45, 'certificate_expired'],
  [46, 'certificate_unknown'], [47, 'illegal_parameter'], [48, 'unknown_ca'], [49, 'access_denied'],
  [50, 'decode_error'], [51, 'decrypt_error'], [60, 'export_restriction'], [70, 'protocol_version'],
  [71, 'insufficient_security'], [80, 'internal_error'], [86, 'inappropriate_fallback'], [90, 'user_canceled'],
  [100, 'no_renegotiation'], [110, 'unsupported_extension'], [111, 'certificate_unobtainable'],
  [112, 'unrecognized_name'], [113, 'bad_certificate_status_response'], [114, 'bad_certificate_hash_value'],
  [115, 'unknown_psk_identity'], [116, 'certificate_required'], [117, 'general_error'],
  [120, 'no_application_protocol'], [121, 'ech_required'],
]);

/** SSL::alert_descriptions. */
export function alertName(d: number): string {
  return ALERTS.get(d) ?? `unknown-${d}`;
}

const CURVE_LIST = [
  'sect163k1', 'sect163r1', 'sect163r2', 'sect193r1', 'sect193r2', 'sect233k1', 'sect233r1', 'sect239k1',
  'sect283k1', 'sect283r1', 'sect409k1', 'sect409r1', 'sect571k1', 'sect571r1', 'secp160k1', 'secp160r1',
  'secp160r2', 'secp192k1', 'secp192r1', 'secp224k1', 'secp224r1', 'secp256k1', 'secp256r1', 'secp384r1',
  'secp521r1', 'brainpoolP256r1', 'brainpoolP384r1', 'brainpoolP512r1', 'x25519', 'x448',
  'brainpoolP256r1tls13', 'brainpoolP384r1tls13', 'brainpoolP512r1tls13', 'GC256A', 'GC256B', 'GC256C',
  'GC256D', 'GC512A', 'GC512B', 'GC512C', 'curveSM2',
];
const CURVES: ReadonlyMap<number, string> = new Map<number, string>([
  ...CURVE_LIST.map((n, i) => [i + 1, n] as [number, string]),
  [256, 'ffdhe2048'], [257, 'ffdhe3072'], [258, 'ffdhe4096'], [259, 'ffdhe6144'], [260, 'ffdhe8192'],
  [512, 'MLKEM512'], [513, 'MLKEM768'], [514, 'MLKEM1024'],
  [4587, 'SecP256r1MLKEM768'], [4588, 'X25519MLKEM768'], [4589, 'SecP384r1MLKEM1024'], [4590, 'curveSM2MLKEM768'],
  [16696, 'CECPQ2'], [25497, 'X25519Kyber768Draft00'], [25498, 'SecP256r1Kyber768Draft00'],
  [0xff01, 'arbitrary_explicit_prime_curves'], [0xff02, 'arbitrary_explicit_char2_curves'],
]);

/** SSL::ec_curves (GREASE values print as grease_0xNNNN, as Zeek's table has them). */
export function curveName(c: number): string {
  const s = CURVES.get(c);
  if (s !== undefined) return s;
  if (isGrease(c)) return `grease_0x${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return `unknown-${c}`;
}

/** RFC 8701 GREASE values: 0x?A?A with both bytes equal. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

/** Handshake message types → Zeek's ssl_history letter (main.zeek ssl_handshake_message). */
export function historyLetter(type: number): string {
  switch (type) {
    case 0: return 'h';
    case 1: return 'c';
    case 2: return 's';
    case 3: return 'v';
    case 4: return 't';
    case 5: return 'e';
    case 6: return 'j';
    case 8: return 'o';
    case 11: return 'x';
    case 12: return 'k';
    case 13: return 'r';
    case 14: return 'n';
    case 15: return 'y';
    case 16: return 'g';
    case 20: return 'f';
    case 21: return 'w';
    case 22: return 'u';
    case 23: return 'a';
    case 24: return 'p';
    case 254: return 'm';
    default: return 'z';
  }
}

/** The ServerHello random that marks a HelloRetryRequest (RFC 8446 §4.1.3). */
export const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
