/** files.log: one record per file seen in any protocol, with Zeek's Files::Info fields. */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const FILES_LOG: LogSchema = {
  path: 'files',
  doc: 'Files transferred over the network (HTTP bodies, later mail attachments, FTP data, certificates): hashes, type, sizes.',
  fields: [
    field('ts', 'time', 'Time the file was first seen.'),
    field('fuid', 'string', 'Unique id of the file ("F" + 17 base62 characters, stable for a capture).'),
    field('uid', 'string', 'Uid of the connection the file was transferred over.'),
    ...CONN_ID_FIELDS,
    field('source', 'string', 'Protocol the file came from (HTTP, SMTP, FTP_DATA, SSL, ...).'),
    field('depth', 'count', 'Depth of the file in its source: for HTTP the transaction depth in the connection, for SMTP the MIME depth.'),
    field('analyzers', 'set[string]', 'File analyses done on the file (MD5, SHA1, SHA256, EXTRACT).'),
    field('mime_type', 'string', 'MIME type sniffed from the first bytes of the content (Zeek\'s file magic), not the one the sender claimed.'),
    field('filename', 'string', 'File name the protocol gave (Content-Disposition, MIME name); shown only, never used as a path.'),
    field('duration', 'interval', 'Time from the first to the last byte of the file.'),
    field('local_orig', 'bool', 'The sender of the file is in a configured local network (only when local networks are set).'),
    field('is_orig', 'bool', 'The file was sent by the connection\'s originator.'),
    field('seen_bytes', 'count', 'Bytes of the file content seen (after transfer and content decoding).'),
    field('total_bytes', 'count', 'Size the file should have, when the protocol announced it (e.g. HTTP Content-Length of an unencoded body).'),
    field('missing_bytes', 'count', 'Bytes of the file never seen (content gaps, or a transfer cut short of total_bytes).'),
    field('overflow_bytes', 'count', 'Bytes not delivered to the file analyses (out-of-order overflow); always 0 here, streams arrive in order.'),
    field('timedout', 'bool', 'No content arrived for the file timeout (120 s of capture time) at some point.'),
    field('parent_fuid', 'string', 'Fuid of the container file this one was extracted from.'),
    field('md5', 'string', 'MD5 of the content (only when no byte was missing).'),
    field('sha1', 'string', 'SHA1 of the content (only when no byte was missing).'),
    field('sha256', 'string', 'SHA256 of the content (only when no byte was missing).'),
    field('extracted', 'string', 'Name of the extracted copy in the extraction directory: the SHA256 of the extracted bytes.'),
    field('extracted_cutoff', 'bool', 'The extracted copy was cut at the extraction size limit.'),
    field('extracted_size', 'count', 'Bytes written to the extracted copy.'),
    field('yara_matches', 'vector[string]', 'YARA rules (--yara) that matched the file\'s first bytes (up to 4 MiB): "rule", or "namespace:rule" outside the default namespace.'),
  ],
};
