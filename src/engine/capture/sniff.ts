/**
 * What is this file? Captures are recognised by their own magic numbers (never by file name);
 * anything else is named as precisely as we can, so a user hears "this is a zip archive", not
 * "invalid pcap".
 */
import { fileTypeFromBuffer } from 'file-type';

export type CaptureFormat = 'pcap' | 'pcapng';

export type Sniffed =
  | { kind: 'capture'; format: CaptureFormat }
  | { kind: 'gzip' }
  | { kind: 'other'; description: string };

/** Bytes needed to tell a capture apart; file-type looks further for other formats. */
export const SNIFF_BYTES = 4100;

const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1]);
const PCAPNG_SHB = 0x0a0d0d0a;

export function sniffCaptureMagic(head: Uint8Array): Sniffed | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return { kind: 'gzip' };
  if (head.length < 4) return undefined;
  const m = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
  if (PCAP_MAGICS.has(m)) return { kind: 'capture', format: 'pcap' };
  if (m === PCAPNG_SHB) return { kind: 'capture', format: 'pcapng' };
  return undefined;
}

/** Formats that file-type does not name, or names less helpfully than an analyst would. */
function describeSpecial(head: Uint8Array): string | undefined {
  const ascii = Buffer.from(head.subarray(0, 16)).toString('latin1');
  if (head.length === 0) return 'an empty file';
  if (ascii.startsWith('snoop\0\0\0')) return 'a Solaris snoop capture (convert it to pcap with editcap)';
  if (ascii.startsWith('GMBU')) return 'a Microsoft Network Monitor capture (convert it to pcap with editcap)';
  if (ascii.startsWith('XCP\0')) return 'a NetXRay/Sniffer capture (convert it to pcap with editcap)';
  if (ascii.startsWith('\x00\x00\x00\x00\x00\x00\x00\x00') && head.length >= 16) return undefined;
  return undefined;
}

/** Printable UTF-8/ASCII text (allowing tabs and newlines) in the first bytes. */
function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let printable = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b === 9 || b === 10 || b === 13 || (b >= 32 && b !== 127)) printable++;
  }
  return printable / head.length > 0.95;
}

function describeText(head: Uint8Array): string {
  const s = Buffer.from(head).toString('utf8').trimStart().slice(0, 200).toLowerCase();
  if (s.startsWith('<!doctype html') || s.startsWith('<html')) return 'an HTML document';
  if (s.startsWith('<?xml')) return 'an XML document';
  if (s.startsWith('{') || s.startsWith('[')) return 'JSON text';
  if (/^#separator \\x09/.test(s) || s.startsWith('#fields')) return 'a Zeek log';
  if (/^\d+\s+\d+\.\d+\s/.test(s) || s.startsWith('no.') || s.includes('"no.","time"')) return 'a text export of packets, not a capture';
  return 'text';
}

/**
 * Names what a non-capture looks like, e.g. "a zip archive", "a PDF document", "text".
 * Only called on the refusal path, so it may be slow.
 */
export async function describeNonCapture(head: Uint8Array): Promise<string> {
  const special = describeSpecial(head);
  if (special) return special;
  const ft = await fileTypeFromBuffer(head).catch(() => undefined);
  if (ft) return describeFileType(ft.ext, ft.mime);
  if (looksLikeText(head)) return describeText(head);
  return 'not a format we recognise (no pcap or pcapng magic number at the start)';
}

const NAMES: Record<string, string> = {
  zip: 'a zip archive', gz: 'a gzip file', bz2: 'a bzip2 file', xz: 'an xz file', '7z': 'a 7-Zip archive',
  rar: 'a RAR archive', tar: 'a tar archive', zst: 'a Zstandard file', pdf: 'a PDF document',
  png: 'a PNG image', jpg: 'a JPEG image', gif: 'a GIF image', exe: 'a Windows executable (PE)',
  elf: 'an ELF executable', docx: 'a Word document', xlsx: 'an Excel workbook', sqlite: 'an SQLite database',
  mp4: 'an MP4 video', mp3: 'an MP3 file', html: 'an HTML document', xml: 'an XML document',
  cab: 'a Windows cabinet archive', msi: 'a Windows installer', class: 'a Java class file',
};

function describeFileType(ext: string, mime: string): string {
  return NAMES[ext] ?? `a ${ext.toUpperCase()} file (${mime})`;
}
