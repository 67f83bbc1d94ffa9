/**
 * The files framework, for protocol analyzers that carry files (HTTP bodies, mail attachments,
 * FTP data, TLS certificates). Use it through `ctx.files`:
 *
 *   const f = ctx.files.begin({ source: 'SMTP', isOrig: true, filename, depth });
 *   f.data(buf, off, len);   // content in order, any number of times
 *   f.gap(n);                // n bytes of content never seen
 *   f.end();                 // writes files.log; idempotent
 *   f.fuid / f.mimeType      // for the protocol's own log (e.g. http.log resp_fuids, resp_mime_types)
 *
 * Begin a file on its first content byte (Zeek logs no file for an empty body). Pass
 * `mimeType` only when the protocol itself fixes the type (certificates); otherwise the type is
 * sniffed from the content and `mimeHint` (the sender's claim) is informational.
 */
export { FileManager, type ConnFiles, type FileBeginOptions, type FileHandle } from './file-manager.js';
export { FILES_LOG } from './files-log.js';
export { sniffMime } from './magic.js';
