/**
 * YARA on files: the files framework's scanner (FileScanner) that runs the --yara rules over the
 * first LIMITS.yaraScanBytes of every file when it ends. A match is reported twice:
 * - in files.log, field yara_matches (the rule names);
 * - as an EVE alert (eve-log.ts) with gid 3, signature "YARA <rule>", the file's direction
 *   (src = the side that sent the file) and a fileinfo{} object (magic: libmagic-like). signature_id is the rule's `sid`
 *   meta when it is a positive integer, else a stable 31-bit hash of the rule's name; severity
 *   is its `severity` meta (1-4) when given, else 2; rev its `rev` meta, else 1.
 * A scan that fails (the binding throws) counts in `errors` and reports no match: a file never
 * stops the analysis.
 */
import type { FileScanner, ScannedFile } from '../../analyzers/files/file-manager.js';
import type { RecordSink } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { EVE_LOG, eveAlert } from '../eve-log.js';
import type { YaraMatch, YaraRuleSet } from './yara-rules.js';
import { describeFile } from '../../analyzers/files/describe.js';

/** Generator id of YARA alerts (rules use 1). */
export const YARA_GID = 3;

/** A match's rule as reports name it: "rule", or "namespace:rule" outside the default namespace. */
export function ruleName(m: YaraMatch): string {
  return m.namespace === 'default' || m.namespace === '' ? m.rule : `${m.namespace}:${m.rule}`;
}

/** FNV-1a of the name, in 1 .. 2^31-1: the same sid in every run. */
export function yaraSid(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return ((h >>> 1) % 0x7ffffffe) + 1;
}

function intMeta(meta: Readonly<Record<string, unknown>>, key: string, min: number, max: number): number | undefined {
  const v = meta[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

/** files.log `source` ("HTTP", "FTP_DATA") as EVE's app_proto ("http", "ftp-data"). */
function appProto(source: string): string {
  return source.toLowerCase().replace(/_/g, '-');
}

export class YaraFileScanner implements FileScanner {
  readonly maxBytes = LIMITS.yaraScanBytes;
  scanned = 0;
  matched = 0;
  errors = 0;

  constructor(private readonly rules: YaraRuleSet) {}

  scan(content: Buffer, file: ScannedFile, sink: RecordSink): string[] {
    let found: YaraMatch[];
    try {
      found = this.rules.scan(content.length > this.maxBytes ? content.subarray(0, this.maxBytes) : content);
    } catch {
      this.errors++;
      return [];
    }
    this.scanned++;
    if (found.length === 0) return [];
    const names: string[] = [];
    for (const m of found) {
      const name = ruleName(m);
      if (names.includes(name)) continue;
      names.push(name);
      this.matched++;
      if (file.conn) sink.write(EVE_LOG, this.alert(m, name, file, content));
    }
    return names;
  }

  private alert(m: YaraMatch, name: string, file: ScannedFile, content: Buffer): Record<string, unknown> {
    const c = file.conn!;
    return eveAlert({
      ts: file.ts,
      where: {
        uid: c.uid, origH: c.origH, origP: c.origP, respH: c.respH, respP: c.respP,
        communityId: c.communityId, isOrig: file.isOrig, transport: c.transport,
      },
      alert: {
        action: 'allowed',
        gid: YARA_GID,
        signature_id: intMeta(m.meta, 'sid', 1, 0x7fffffff) ?? yaraSid(name),
        rev: intMeta(m.meta, 'rev', 1, 0x7fffffff) ?? 1,
        signature: `YARA ${name}`,
        category: 'YARA rule match on a file',
        severity: intMeta(m.meta, 'severity', 1, 4) ?? 2,
        metadata: m.tags.length > 0 ? { yara_tags: [...m.tags] } : undefined,
      },
      appProto: appProto(file.source),
      txId: file.depth,
      extra: {
        fileinfo: {
          fuid: file.fuid, filename: file.filename, magic: describeFile(content, file.mime), size: file.size,
          md5: file.md5, sha1: file.sha1, sha256: file.sha256,
        },
      },
    });
  }
}
