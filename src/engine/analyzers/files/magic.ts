/**
 * MIME type of a file from its first bytes, with Zeek's file-magic signatures
 * (zeek/zeek scripts/base/frameworks/files/magic/*.sig): the same MIME strings and the same
 * precedence (the strongest matching signature wins; every pattern is anchored at the start).
 * Only the signatures for the types that matter on the wire are carried over; anything else is
 * undefined, as in Zeek when no signature matches.
 *
 * Why not `file-type`: its detection is asynchronous (tokenizers), the engine is synchronous,
 * and its MIME names differ from Zeek's (application/x-msdownload vs application/x-dosexec,
 * no text types at all). Zeek's names are the reference for files.log.
 */

type Sig = { mime: string; strength: number; test: (b: Buffer, s: string) => boolean };

const WS = /[\r\n\t ]/;

/** Skips a UTF-8 BOM, whitespace and <!-- comments -->, and (when allowed) an <?xml ...?> declaration. */
function prologueEnd(s: string, xmlDecl: boolean, bom = true): number {
  let i = bom && s.startsWith('\xef\xbb\xbf') ? 3 : 0;
  let sawDecl = false;
  for (let guard = 0; guard < 64; guard++) {
    while (i < s.length && WS.test(s[i])) i++;
    if (s.startsWith('<!--', i)) {
      const e = s.indexOf('-->', i + 4);
      // Zeek's `.` does not cross a newline: a comment spanning lines ends the prologue.
      if (e < 0 || s.lastIndexOf('\n', e) > i) return i;
      i = e + 3;
      continue;
    }
    if (xmlDecl && !sawDecl && s.startsWith('<?xml ', i)) {
      const e = s.indexOf('?>', i);
      if (e < 0 || s.lastIndexOf('\n', e) > i) return i;
      sawDecl = true;
      i = e + 2;
      continue;
    }
    break;
  }
  return i;
}

function tagAfterPrologue(re: RegExp, xmlDecl = true, bom = true): (b: Buffer, s: string) => boolean {
  return (_b, s) => {
    const i = prologueEnd(s, xmlDecl, bom);
    re.lastIndex = i;
    return re.test(s);
  };
}

const starts = (prefix: string) => (_b: Buffer, s: string) => s.startsWith(prefix);
const re = (r: RegExp) => (_b: Buffer, s: string) => r.test(s);

function elfType(b: Buffer, type: number): boolean {
  // \x7fELF, EI_CLASS 1|2, EI_DATA 1 (little-endian) | 2 (big-endian), e_type at offset 16
  if (b.length < 18 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46 || (b[4] !== 1 && b[4] !== 2)) return false;
  if (b[5] === 1) return b[16] === type && b[17] === 0;
  if (b[5] === 2) return b[16] === 0 && b[17] === type;
  return false;
}

/** Strongest first; ties keep Zeek's file order. */
const SIGS: Sig[] = [
  { mime: 'text/x-shellscript', strength: 250, test: re(/^#![^\n]{1,15}bin\/(env[\t\n\v\f\r ]+)?(ba|tc|c|z|fa|ae|k)?sh/) },
  { mime: 'application/x-debian-package', strength: 171, test: starts('!<arch>\ndebian') },
  { mime: 'image/png', strength: 110, test: starts('\x89PNG') },
  { mime: 'application/vnd.ms-cab-compressed', strength: 110, test: starts('MSCF\x00\x00\x00\x00') },
  { mime: 'text/html', strength: 100, test: tagAfterPrologue(/<(![dD][oO][cC][tT][yY][pP][eE] +[hH][tT][mM][lL]|[hH][tT][mM][lL]|[mM][eE][tT][aA] +[hH][tT][tT][pP]-[eE][qQ][uU][iI][vV])/y) },
  { mime: 'application/java-archive', strength: 100, test: re(/^PK\x03\x04[^\n]{1,200}\x14\x00[^\n][^\n]META-INF\/MANIFEST\.MF/) },
  { mime: 'application/x-mach-o-executable', strength: 100, test: (b) => b.length >= 4 && (b[0] === 0xce || b[0] === 0xcf) && b[1] === 0xfa && b[2] === 0xed && b[3] === 0xfe },
  { mime: 'application/x-mach-o-executable', strength: 100, test: (b) => b.length >= 8 && b[0] === 0xca && b[1] === 0xfe && b[2] === 0xba && b[3] === 0xbe && b[6] === 0 && b[7] >= 1 && b[7] <= 0x14 },
  { mime: 'application/vnd.tcpdump.pcap', strength: 100, test: (b) => b.length >= 12 && b.readUInt32BE(0) === 0x0a0d0d0a && (b.readUInt32BE(8) === 0x1a2b3c4d || b.readUInt32BE(8) === 0x4d3c2b1a) },
  { mime: 'application/x-gzip', strength: 100, test: (b) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b },
  { mime: 'text/rss', strength: 90, test: tagAfterPrologue(/<[rR][sS][sS]/y) },
  { mime: 'application/x-xz', strength: 90, test: starts('\xfd7zXZ\x00') },
  { mime: 'application/pdf', strength: 80, test: starts('%PDF-') },
  { mime: 'application/x-java-applet', strength: 71, test: (b) => b.length >= 8 && b[0] === 0xca && b[1] === 0xfe && b[2] === 0xba && b[3] === 0xbe && b[7] >= 0x2d && b[7] <= 0x34 },
  { mime: 'application/x-lzma', strength: 71, test: starts('\x5d\x00\x00') },
  { mime: 'image/gif', strength: 70, test: starts('GIF8') },
  { mime: 'image/tiff', strength: 70, test: re(/^(MM\x00[\x2a\x2b]|II[\x2a\x2b]\x00)/) },
  { mime: 'image/x-icon', strength: 70, test: starts('\x00\x00\x01\x00') },
  { mime: 'image/webp', strength: 70, test: re(/^RIFF[^]{4}WEBP/) },
  { mime: 'application/x-rar', strength: 70, test: starts('Rar!') },
  { mime: 'application/vnd.tcpdump.pcap', strength: 70, test: (b) => b.length >= 4 && (b.readUInt32BE(0) === 0xa1b2c3d4 || b.readUInt32BE(0) === 0xd4c3b2a1) },
  { mime: 'application/x-shockwave-flash', strength: 60, test: re(/^[FCZ]WS/) },
  { mime: 'text/x-python', strength: 60, test: re(/^#![^\n]{1,15}bin\/(env[\t\n\v\f\r ]+)?python/) },
  { mime: 'text/x-perl', strength: 60, test: re(/^#![^\n]{1,15}bin\/(env[\t\n\v\f\r ]+)?perl/) },
  { mime: 'application/x-bzip2', strength: 60, test: starts('BZh') },
  { mime: 'application/javascript', strength: 60, test: re(/^[\r\n\t ]*(<[sS][cC][rR][iI][pP][tT][\t ]+([tT][yY][pP][eE]|[lL][aA][nN][gG][uU][aA][gG][eE])=['"]?([tT][eE][xX][tT]\/)?[jJ][aA][vV][aA][sS][cC][rR][iI][pP][tT]|for \(;;\);|document\.write(ln)?[:blank]?\(|<script>[\r\n\t ]*(var|function) )|^\(function\(\)[\t \n]*\{/) },
  { mime: 'image/jpeg', strength: 52, test: (b) => b.length >= 2 && b[0] === 0xff && b[1] === 0xd8 },
  { mime: 'application/x-dosexec', strength: 51, test: starts('MZ') },
  { mime: 'application/x-object', strength: 50, test: (b) => elfType(b, 1) },
  { mime: 'application/x-executable', strength: 50, test: (b) => elfType(b, 2) },
  { mime: 'application/x-sharedlib', strength: 50, test: (b) => elfType(b, 3) },
  { mime: 'application/x-coredump', strength: 50, test: (b) => elfType(b, 4) },
  { mime: 'image/x-ms-bmp', strength: 50, test: (b) => b.length >= 16 && b[0] === 0x42 && b[1] === 0x4d && [0x0c, 0x28, 0x40, 0x6c, 0x7c, 0x80].includes(b[14]) && b[15] === 0 },
  { mime: 'application/x-7z-compressed', strength: 50, test: starts('7z\xbc\xaf\x27\x1c') },
  { mime: 'text/html', strength: 49, test: tagAfterPrologue(/<![dD][oO][cC][tT][yY][pP][eE] +[hH][tT][mM][lL]/y) },
  { mime: 'application/soap+xml', strength: 49, test: tagAfterPrologue(/<[sS][oO][aA][pP](-[eE][nN][vV])?:[eE][nN][vV][eE][lL][oO][pP][eE]/y) },
  { mime: 'text/x-cross-domain-policy', strength: 49, test: tagAfterPrologue(/<(![dD][oO][cC][tT][yY][pP][eE] +)?[cC][rR][oO][sS][sS]-[dD][oO][mM][aA][iI][nN]-[pP][oO][lL][iI][cC][yY]/y, true, false) },
  { mime: 'application/xml-rpc', strength: 49, test: tagAfterPrologue(/<[mM][eE][tT][hH][oO][dD][rR][eE][sS][pP][oO][nN][sS][eE]>/y) },
  { mime: 'text/x-php', strength: 40, test: re(/^[^\n]*<\?php/) },
  { mime: 'text/html', strength: 20, test: tagAfterPrologue(/<([hH][eE][aA][dD]|[hH][tT][mM][lL]|[tT][iI][tT][lL][eE]|[bB][oO][dD][yY])/y) },
  { mime: 'application/xml', strength: 10, test: (_b, s) => s.startsWith('<?xml ', prologueEnd(s, false)) },
  { mime: 'application/zip', strength: 10, test: (b) => (b.length >= 6 && b.readUInt32BE(0) === 0x504b0304) || (b.length >= 8 && b.readUInt32BE(0) === 0x504b0708 && b.readUInt32BE(4) === 0x504b0304) },
  { mime: 'text/json', strength: 1, test: re(/^(\xef\xbb\xbf)?[\r\n\t ]*(\{[\r\n\t ]*("[^"]+"|[a-zA-Z][a-zA-Z0-9\\_]*)[\r\n\t ]*:[\r\n\t ]*("|\[|\{|[0-9]|true|false)|\[[\r\n\t ]*((("[^"]+"|[0-9]+(\.[0-9]+)?|true|false)[\r\n\t ]*,)|\{|\[))/) },
  { mime: 'text/json', strength: 0, test: re(/^(\xef\xbb\xbf)?[\r\n\t ]*(\[\]|\{\})[\r\n\t ]*$/) },
  { mime: 'text/plain', strength: -20, test: re(/^(\xef\xbb\xbf|(\x00\x00)?\xfe\xff|\xff\xfe(\x00\x00)?)?[\t\n\v\f\r\x20-\x7e]{10}/) },
];

/**
 * The MIME type of content starting with `bof` (Zeek sniffs the first 4096 bytes,
 * default_file_bof_buffer_size), or undefined when no signature matches.
 */
export function sniffMime(bof: Buffer): string | undefined {
  if (bof.length === 0) return undefined;
  const s = bof.toString('latin1');
  for (const sig of SIGS) if (sig.test(bof, s)) return sig.mime;
  return undefined;
}
