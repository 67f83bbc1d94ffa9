/**
 * Capdex::Disguised_Executable: a file whose content is a program (files.log mime_type sniffed
 * from its bytes: a Windows PE, an ELF, a Mach-O) but whose name says otherwise: the HTTP URI it
 * was fetched from or its declared file name ends in .png, .jpg, .txt, .pdf, ... Droppers fetch
 * their payload that way to slip past proxies that block .exe downloads.
 *
 * files.log and http.log are joined on the file id (http.log resp_fuids/orig_fuids), in either
 * order, in bounded tables. URIs without an extension, or with a script extension (.php, .asp:
 * a download handler), are not judged: a program from /download.php is normal.
 *
 * False positives: software delivery sites serving installers under odd names (rare);
 * self-extracting archives named .zip or .jar files named otherwise are not programs by MIME.
 */
import type { Heuristic, HeuristicDescriptor, NoticeLog } from './heuristic.js';
import type { LogRecord } from '../../logs/schema.js';
import { LIMITS } from '../../support/limits.js';
import { BoundedTable } from './bounded-table.js';
import { str, strs } from './fields.js';

/** MIME types (as files.log sniffs them) that mean "this is a program". */
export const EXECUTABLE_MIME = new Set(['application/x-dosexec', 'application/x-executable', 'application/x-elf', 'application/x-mach-o-executable', 'application/x-msdownload', 'application/vnd.microsoft.portable-executable']);
/** Extensions under which a program is expected (or at least not disguised). */
const PROGRAM_EXTENSIONS = new Set(['exe', 'dll', 'scr', 'com', 'bin', 'msi', 'sys', 'cpl', 'ocx', 'efi', 'elf', 'so', 'dylib', 'drv', 'pif', 'mui', 'msp', 'tmp', 'dat', 'out', 'x86', 'x64', 'arm', 'mips', 'app', 'run', 'ax', 'node', 'pyd', 'winmd']);
/** Extensions of server-side handlers: the URI names the script, not the file it returns. */
const HANDLER_EXTENSIONS = new Set(['php', 'asp', 'aspx', 'jsp', 'cgi', 'pl', 'py', 'do', 'action', 'ashx', 'cfm']);

/** The extension of the last path segment of a URI or file name, lower-cased ('' if none). */
export function extensionOf(pathOrUri: string): string {
  let end = pathOrUri.length;
  const q = pathOrUri.search(/[?#]/);
  if (q >= 0) end = q;
  const slash = pathOrUri.lastIndexOf('/', end - 1);
  const seg = pathOrUri.slice(slash + 1, end);
  const dot = seg.lastIndexOf('.');
  if (dot <= 0 || dot === seg.length - 1) return '';
  const ext = seg.slice(dot + 1).toLowerCase();
  return /^[a-z0-9]{1,8}$/.test(ext) ? ext : '';
}

/** True when the name claims something other than a program. */
export function disguises(name: string): boolean {
  const ext = extensionOf(name);
  return ext !== '' && !PROGRAM_EXTENSIONS.has(ext) && !HANDLER_EXTENSIONS.has(ext);
}

interface Fetch { rec: LogRecord; uri: string; host: string | undefined }

class DisguisedExecutable implements Heuristic {
  /** fuid → the HTTP request that carried it (until its files.log record arrives). */
  private readonly fetches = new BoundedTable<string, Fetch>(LIMITS.heuristicMaxKeys, 'disguised-executable http fuids');
  /** fuid → an executable's files.log record (until its http.log record arrives). */
  private readonly programs = new BoundedTable<string, LogRecord>(LIMITS.heuristicMaxKeys, 'disguised-executable files');

  observe(path: string, rec: LogRecord, log: NoticeLog): void {
    if (path === 'http') {
      const uri = str(rec, 'uri');
      if (uri === undefined) return;
      for (const fuid of [...strs(rec, 'resp_fuids'), ...strs(rec, 'orig_fuids')]) {
        const file = this.programs.get(fuid);
        if (file) { this.programs.delete(fuid); this.judge(file, { rec, uri, host: str(rec, 'host') }, log); continue; }
        if (disguises(uri)) this.fetches.upsert(fuid, () => ({ rec, uri, host: str(rec, 'host') }), log);
      }
      return;
    }
    const mime = str(rec, 'mime_type');
    const fuid = str(rec, 'fuid');
    if (fuid === undefined) return;
    const fetch = this.fetches.get(fuid);
    if (fetch) this.fetches.delete(fuid);
    if (mime === undefined || !EXECUTABLE_MIME.has(mime)) return;
    if (fetch) { this.judge(rec, fetch, log); return; }
    const filename = str(rec, 'filename');
    if (filename !== undefined && disguises(filename)) { this.judge(rec, undefined, log); return; }
    if (str(rec, 'source') === 'HTTP') this.programs.upsert(fuid, () => rec, log);
  }

  private judge(file: LogRecord, fetch: Fetch | undefined, log: NoticeLog): void {
    const filename = str(file, 'filename');
    const claimed = fetch && disguises(fetch.uri) ? fetch.uri : filename !== undefined && disguises(filename) ? filename : undefined;
    if (claimed === undefined) return;
    const mime = str(file, 'mime_type');
    const where = fetch ? `http://${fetch.host ?? str(fetch.rec, 'id.resp_h') ?? ''}${fetch.uri}` : `${str(file, 'source') ?? 'a transfer'} file ${filename}`;
    const conn = fetch?.rec ?? file;
    log.notice({
      ts: typeof file.ts === 'number' ? file.ts : 0, note: 'Capdex::Disguised_Executable',
      msg: `An executable (${mime}) was transferred as "${claimed}", whose extension .${extensionOf(claimed)} claims another type`,
      sub: `${where}; sha256 ${str(file, 'sha256') ?? '-'}`,
      uid: str(file, 'uid') ?? str(conn, 'uid'), conn, fuid: str(file, 'fuid'), fileMimeType: mime, fileDesc: where,
      src: str(conn, 'id.resp_h'), dst: str(conn, 'id.orig_h'),
    });
  }

  finish(): void {}
}

export const DISGUISED_EXECUTABLE: HeuristicDescriptor = {
  name: 'disguised-executable',
  notes: ['Capdex::Disguised_Executable'],
  doc: 'A program (PE/ELF/Mach-O by content) fetched from a URI or named with a non-program extension such as .png or .txt: a disguised payload download.',
  logs: ['http', 'files'],
  create: () => new DisguisedExecutable(),
};
