/**
 * A whole mail message (RFC 5322) streamed through the MIME parser into the files framework:
 * used for messages retrieved over POP3 (RETR/TOP) and IMAP (FETCH RFC822 / BODY[]), as SMTP
 * does for DATA. Each leaf entity becomes a file named after its Content-Disposition filename
 * or Content-Type name.
 */
import type { AnalyzerContext } from '../analyzer.js';
import { wireText } from '../../support/wire-text.js';
import { MimeParser, type MimeHeader } from './mime.js';
import { filenameParam } from './mail-text.js';

/** filename of an entity, as Zeek's SMTP entities script takes it (last matching header wins). */
export function entityFilename(hs: readonly MimeHeader[]): string | undefined {
  let filename: string | undefined;
  for (const h of hs) {
    if (h.name === 'CONTENT-DISPOSITION' && /filename\s*\*?=/i.test(h.value)) filename = filenameParam(h.value, 'filename');
    if (h.name === 'CONTENT-TYPE' && /name\s*=/i.test(h.value)) filename = filenameParam(h.value, 'name');
  }
  return filename === undefined ? undefined : wireText(Buffer.from(filename, 'latin1'));
}

/** A MIME parser whose entities become files of `source`; `onFile` gets each fuid. */
export function messageToFiles(ctx: AnalyzerContext, source: string, isOrig: boolean, onFile: (fuid: string) => void): MimeParser {
  let depth = 0;
  return new MimeParser({
    beginEntity: () => { depth++; },
    headers: () => {},
    openContent: (_level, hs) => {
      const ct = hs.find((h) => h.name === 'CONTENT-TYPE')?.value;
      const f = ctx.files.begin({
        source, isOrig, depth, filename: entityFilename(hs),
        mimeHint: ct === undefined ? undefined : wireText(Buffer.from(ct.split(';')[0].trim().toLowerCase(), 'latin1')),
      });
      onFile(f.fuid);
      return f;
    },
    weird: (n, a) => ctx.weird(n, a),
  });
}
