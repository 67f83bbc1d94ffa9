/**
 * A libmagic-like description of a file's first bytes ("PE32 executable (GUI) Intel 80386, for
 * MS Windows", "PDF document, version 1.4"), for the detection engine's filemagic keyword, which
 * rules write against libmagic's wording. Only the types rules commonly name are described, in
 * libmagic's words (its first clause); anything else falls back to the sniffed MIME type, or
 * "data" as libmagic says for unknown content. Reads only within `b`, never throws.
 */

const PE_MACHINES: ReadonlyMap<number, string> = new Map([
  [0x014c, 'Intel 80386'], [0x8664, 'x86-64'], [0x01c0, 'ARM'], [0x01c4, 'ARMv7 Thumb'], [0xaa64, 'Aarch64'], [0x0200, 'Intel Itanium'],
]);

const ELF_MACHINES: ReadonlyMap<number, string> = new Map([
  [3, 'Intel 80386'], [62, 'x86-64'], [40, 'ARM'], [183, 'ARM aarch64'], [8, 'MIPS'], [20, 'PowerPC'], [21, '64-bit PowerPC'], [243, 'UCB RISC-V'],
]);

const ELF_OSABI: ReadonlyMap<number, string> = new Map([[0, 'SYSV'], [3, 'GNU/Linux'], [6, 'Solaris'], [9, 'FreeBSD'], [12, 'OpenBSD']]);

const ELF_TYPES = ['no file type', 'relocatable', 'executable', 'shared object', 'core file'];

function pe(b: Buffer): string {
  if (b.length < 0x40) return 'MS-DOS executable';
  const off = b.readUInt32LE(0x3c);
  if (off > b.length - 24 || b.readUInt32BE(off) !== 0x50450000) return 'MS-DOS executable';
  const machine = b.readUInt16LE(off + 4);
  const characteristics = b.readUInt16LE(off + 22);
  const optOff = off + 24;
  const magic = optOff + 2 <= b.length ? b.readUInt16LE(optOff) : 0;
  const kind = magic === 0x20b ? 'PE32+' : 'PE32';
  let s = `${kind} executable`;
  if (characteristics & 0x2000) s += ' (DLL)';
  const subsystemAt = optOff + 68;
  if (subsystemAt + 2 <= b.length) {
    const sub = b.readUInt16LE(subsystemAt);
    if (sub === 2) s += ' (GUI)';
    else if (sub === 3) s += ' (console)';
    else if (sub === 1) s += ' (native)';
    else if (sub >= 10 && sub <= 13) s += ' (EFI application)';
  }
  const m = PE_MACHINES.get(machine);
  if (m) s += ` ${m}`;
  return `${s}, for MS Windows`;
}

function elf(b: Buffer): string {
  const bits = b[4] === 2 ? '64-bit' : '32-bit';
  const le = b[5] !== 2;
  const order = le ? 'LSB' : 'MSB';
  if (b.length < 20) return `ELF ${bits} ${order}`;
  const type = le ? b.readUInt16LE(16) : b.readUInt16BE(16);
  const machine = le ? b.readUInt16LE(18) : b.readUInt16BE(18);
  const t = ELF_TYPES[type] ?? 'unknown type';
  const m = ELF_MACHINES.get(machine);
  return `ELF ${bits} ${order} ${t}${m ? `, ${m}` : ''}, version ${b[6]} (${ELF_OSABI.get(b[7]) ?? 'SYSV'})`;
}

const startsWith = (b: Buffer, s: string) => b.length >= s.length && b.toString('latin1', 0, s.length) === s;

export function describeFile(b: Buffer, mime: string | undefined): string {
  if (b.length >= 2 && b[0] === 0x4d && b[1] === 0x5a) return pe(b);
  if (startsWith(b, '\x7fELF')) return elf(b);
  if (startsWith(b, '%PDF-')) {
    const v = /^%PDF-(\d\.\d)/.exec(b.toString('latin1', 0, 8));
    return v ? `PDF document, version ${v[1]}` : 'PDF document';
  }
  if (startsWith(b, 'PK\x03\x04')) return 'Zip archive data';
  if (b.length >= 3 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 8) return 'gzip compressed data';
  if (startsWith(b, '\x89PNG\r\n\x1a\n') && b.length >= 24) return `PNG image data, ${b.readUInt32BE(16)} x ${b.readUInt32BE(20)}`;
  if ((startsWith(b, 'GIF87a') || startsWith(b, 'GIF89a')) && b.length >= 10) return `GIF image data, version ${b.toString('latin1', 3, 6)}, ${b.readUInt16LE(6)} x ${b.readUInt16LE(8)}`;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'JPEG image data';
  if (startsWith(b, 'Rar!\x1a\x07')) return 'RAR archive data';
  if (startsWith(b, '7z\xbc\xaf\x27\x1c')) return '7-zip archive data';
  if (startsWith(b, '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1')) return 'Composite Document File V2 Document';
  if (mime === 'text/html') return 'HTML document, ASCII text';
  if (mime === 'text/plain') return 'ASCII text';
  return mime ?? 'data';
}
