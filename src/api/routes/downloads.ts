/**
 * Downloads: a capture's extracted files (listed, one by one, or all in a zip encrypted with the
 * password "infected", the malware-sharing convention), its logs as a zip of Zeek JSON lines, and
 * per-flow pcap slices. Everything is viewer-aware: a capture the viewer cannot see is 404, and a
 * file is served only when a capture the viewer can see holds it.
 *
 * Header hygiene: download names are built from our own hex digests and validated uids, never
 * from traffic (file names in files.log are shown in JSON only). Zips are streamed with
 * @zip.js/zip.js (ZipCrypto, which `unzip -P` and Python's zipfile read; AES would not open
 * there), one entry after the other straight from the blob store, never built in memory.
 */
import { mkdir, open, unlink } from 'node:fs/promises';
import { closeSync, openSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ZipWriter, configure } from '@zip.js/zip.js';
import type { Service } from '../../service.js';
import type { CaptureRow, StoredRecord, Viewer } from '../../store/store.js';
import { PAGE_MAX_ROWS } from '../../store/limits.js';
import { flowSelectorOf, sliceFlow, type FlowSelector, type SliceResult } from '../../engine/capture/slice.js';
import { sliceInWorker } from '../../jobs/slice.js';
import { ApiError, ERROR_SCHEMA } from '../errors.js';
import { PAGE_QUERY } from './search.js';

// Worker threads would only move ZipCrypto's cheap XOR loop; the deflate itself runs in zlib.
configure({ useWebWorkers: false });

/** The password of files.zip: the convention for sharing malware samples. */
export const FILES_ZIP_PASSWORD = 'infected';
/** Entries in one files.zip (distinct files of a capture); more are left out. */
export const ZIP_MAX_FILES = 100_000;
/** Records per log in logs.zip: past this the log is cut (the capture's own limit on records is far above). */
export const ZIP_MAX_RECORDS_PER_LOG = 10_000_000;
const LOGS_ZIP_CHUNK_CHARS = 256 * 1024;

const SHA256 = '^[0-9a-fA-F]{64}$';
const UID = /^C[0-9A-Za-z]{1,40}$/;
const LOG_FILE_NAME = /^[a-z0-9_][a-z0-9_-]{0,63}$/;
const COMMUNITY_ID = /^1:[A-Za-z0-9+/]{1,60}={0,2}$/;
/** Connections on one 5-tuple looked at to bound a slice (a capture rarely reuses one this often). */
const SLICE_MAX_SAME_FLOW = 10_000;

const ID_PARAMS = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[0-9a-fA-F]{8,64}$', description: 'sha256 (or md5, sha1, or a sha256 prefix of 8+ hex digits)' } },
  required: ['id'],
} as const;

/** What GET /api/captures/{id}/files answers per file. */
const FILE_SCHEMA = {
  type: 'object',
  properties: {
    fuid: { type: 'string' }, uid: { type: 'string', nullable: true }, ts: { type: 'number', nullable: true },
    source: { type: 'string', nullable: true }, mime_type: { type: 'string', nullable: true },
    filename: { type: 'string', nullable: true, description: 'As the traffic named it: display only' },
    size: { type: 'integer', nullable: true, description: 'Bytes seen' }, total_bytes: { type: 'integer', nullable: true },
    md5: { type: 'string', nullable: true }, sha1: { type: 'string', nullable: true }, sha256: { type: 'string', nullable: true },
    downloadable: { type: 'boolean', description: 'The content is kept: GET /api/files/{sha256} serves it' },
  },
} as const;

/** File extensions for zip entry names, by the MIME type we sniffed (never the sender's name). */
const EXTENSIONS: Record<string, string> = {
  'application/x-dosexec': 'exe', 'application/x-executable': 'elf', 'application/x-sharedlib': 'so',
  'application/x-mach-o-executable': 'macho', 'application/java-vm': 'class', 'application/java-archive': 'jar',
  'application/pdf': 'pdf', 'application/zip': 'zip', 'application/gzip': 'gz', 'application/x-gzip': 'gz',
  'application/x-7z-compressed': '7z', 'application/x-rar': 'rar', 'application/vnd.ms-cab-compressed': 'cab',
  'application/msword': 'doc', 'application/vnd.ms-excel': 'xls', 'application/x-shockwave-flash': 'swf',
  'application/javascript': 'js', 'text/javascript': 'js', 'application/json': 'json', 'application/xml': 'xml',
  'text/xml': 'xml', 'text/html': 'html', 'text/plain': 'txt', 'text/css': 'css', 'image/png': 'png',
  'image/gif': 'gif', 'image/jpeg': 'jpg', 'image/x-icon': 'ico', 'image/vnd.microsoft.icon': 'ico',
  'image/svg+xml': 'svg', 'image/webp': 'webp', 'image/bmp': 'bmp', 'application/x-x509-ca-cert': 'der',
  'application/pkix-cert': 'der', 'application/x-x509-user-cert': 'der', 'application/ocsp-response': 'ocsp',
};

export const extensionOf = (mime: unknown): string => (typeof mime === 'string' && EXTENSIONS[mime]) || 'bin';

async function visibleCapture(service: Service, id: string, viewer: Viewer): Promise<CaptureRow> {
  const c = await service.store.capture(id.toLowerCase(), viewer);
  if (!c) throw new ApiError('CAPTURE_NOT_FOUND', id);
  return c;
}

/** Every record of one log of a capture, a page at a time (bounded by `max`). */
async function* allRecords(service: Service, captureId: string, log: string, viewer: Viewer, max: number): AsyncGenerator<StoredRecord> {
  for (let offset = 0; offset < max; offset += PAGE_MAX_ROWS) {
    const page = await service.store.records(captureId, log, { limit: Math.min(PAGE_MAX_ROWS, max - offset), offset, viewer });
    yield* page;
    if (page.length < PAGE_MAX_ROWS) return;
  }
}

/** The capture's logs that hold records, by name ('conn', 'alert', ...). */
async function logsOf(service: Service, captureId: string, viewer: Viewer): Promise<string[]> {
  const r = await service.store.search(`capture:${captureId} | count by log`, { viewer, limit: 1000 });
  return (r.aggregation ?? []).map((a) => a.key).filter((k): k is string => typeof k === 'string').sort();
}

/** The zip file name for a stored log: Zeek's `<path>.log`, EVE alerts in `eve.json`. */
const logFileName = (log: string): string | undefined =>
  log === 'alert' ? 'eve.json' : LOG_FILE_NAME.test(log) ? `${log}.log` : undefined;

/** Streams a zip (ZipCrypto with a password) that `fill` adds entries to; archive.ts uses it too. */
export function streamZip(reply: FastifyReply, name: string, fill: (zip: ZipWriter<unknown>) => Promise<void>, password?: string): FastifyReply {
  const out = new PassThrough();
  const zip = new ZipWriter(Writable.toWeb(out), password ? { password, zipCrypto: true } : {});
  void (async () => {
    try {
      await fill(zip);
      await zip.close();
    } catch (e) {
      // The client went away or a blob vanished: end the response, which leaves the zip unfinished
      // (its central directory missing) so no reader takes it for complete.
      out.destroy(e as Error);
    }
  })();
  return reply
    .header('content-type', 'application/zip')
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('x-content-type-options', 'nosniff')
    .send(out);
}

/** A blob with no local file (a remote blob store) is read as a stream, here on the event loop. */
async function sliceOnLoop(input: Readable, sel: FlowSelector, path: string): Promise<SliceResult> {
  const fd = openSync(path, 'wx');
  try {
    const result = await sliceFlow(input, sel, (chunk) => { writeSync(fd, chunk); });
    closeSync(fd);
    return result;
  } catch (e) {
    closeSync(fd);
    await unlink(path).catch(() => undefined);
    throw e;
  }
}

/** The per-flow pcap of `GET /api/captures/{id}/pcap?uid=|community_id=` (captures.ts hands it here). */
export async function sendFlowSlice(service: Service, req: FastifyRequest, reply: FastifyReply, q: { uid?: string; community_id?: string }): Promise<FastifyReply> {
  const viewer = req.viewer;
  const c = await visibleCapture(service, (req.params as { id: string }).id, viewer);
  // The connections sharing a Community ID share the 5-tuple: the next one to start ends this one's span.
  const sameFlow = async (cid: string | null | undefined): Promise<StoredRecord[]> => {
    if (typeof cid !== 'string' || !COMMUNITY_ID.test(cid)) return [];
    // Checked against the Community ID v1 pattern: no quote can reach the query.
    const r = await service.store.search(`log:conn capture:${c.id} community_id:"${cid}"`, { viewer, limit: SLICE_MAX_SAME_FLOW });
    return r.rows ?? [];
  };
  let conn: StoredRecord | undefined;
  let others: StoredRecord[] = [];
  if (q.uid !== undefined) {
    [conn] = await service.store.records(c.id, 'conn', { uid: q.uid, limit: 1, viewer });
    if (conn) others = await sameFlow(conn.communityId);
  } else if (q.community_id !== undefined) {
    others = await sameFlow(q.community_id);
    // Several connections on one 5-tuple: the first (its uid picks any other).
    conn = others.reduce<StoredRecord | undefined>((a, r) => (a === undefined || (r.ts ?? Infinity) < (a.ts ?? Infinity) ? r : a), undefined);
  }
  const sel = conn ? flowSelectorOf(conn.doc, others.map((r) => r.doc)) : undefined;
  const uid = conn?.uid ?? undefined;
  if (!conn || !sel || uid === undefined || !UID.test(uid)) throw new ApiError('UID_NOT_FOUND', q.uid ?? q.community_id);
  const size = await service.blobs.size(c.id);
  if (size === undefined) throw new ApiError('CAPTURE_NOT_FOUND', 'its file is not in the blob store (imported from the command line?)');

  // Sliced into a temp file first: the client reads at its own pace while the slicer writes,
  // and the length is known before the first byte goes out. A local capture file is sliced in a
  // worker thread (jobs/slice.ts): reading a large capture must not stall the event loop.
  const dir = join(service.dataDir ?? tmpdir(), 'tmp');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `slice-${randomBytes(12).toString('hex')}`);
  const local = service.blobs.localPath?.(c.id);
  const result = local !== undefined ? await sliceInWorker(local, sel, path) : await sliceOnLoop(await service.blobs.open(c.id), sel, path);
  const fh = await open(path, 'r');
  // Unlinked at once: the open handle keeps the bytes until the response is done with them.
  await unlink(path).catch(() => undefined);
  const { size: length } = await fh.stat();
  const ext = result.format === 'pcapng' ? 'pcapng' : 'pcap';
  return reply
    .header('content-type', result.format === 'pcapng' ? 'application/x-pcapng' : 'application/vnd.tcpdump.pcap')
    .header('content-length', length)
    .header('content-disposition', `attachment; filename="${c.id}-${uid}.${ext}"`)
    .header('x-capdex-packets', result.packets)
    .send(fh.createReadStream());
}

/** The querystring the capture download takes for a flow slice (captures.ts declares it). */
export const FLOW_QUERY = {
  uid: { type: 'string', pattern: '^C[0-9A-Za-z]{1,40}$', description: 'Only the packets of this connection (a conn.log uid)' },
  community_id: { type: 'string', pattern: '^1:[A-Za-z0-9+/]{1,60}={0,2}$', description: 'Only the packets of the connection with this Community ID' },
} as const;

export const downloadRoutes = (service: Service): FastifyPluginAsync => async (app) => {
  app.get<{ Params: { id: string }; Querystring: { limit: number; offset: number } }>('/api/captures/:id/files', {
    schema: {
      summary: 'The files transferred in a capture (files.log), and whether each can be downloaded', tags: ['downloads'],
      params: ID_PARAMS, querystring: { type: 'object', properties: PAGE_QUERY },
      response: { 200: { type: 'object', properties: { captureId: { type: 'string' }, files: { type: 'array', items: FILE_SCHEMA } } }, 404: ERROR_SCHEMA },
    },
  }, async (req) => {
    const viewer = req.viewer;
    const c = await visibleCapture(service, req.params.id, viewer);
    const records = await service.store.records(c.id, 'files', { limit: req.query.limit, offset: req.query.offset, viewer });
    const files = await Promise.all(records.map(async (r) => {
      const d = r.doc;
      const sha256 = typeof d.sha256 === 'string' ? d.sha256 : undefined;
      return {
        fuid: d.fuid, uid: r.uid, ts: r.ts, source: d.source, mime_type: d.mime_type, filename: d.filename,
        size: d.seen_bytes, total_bytes: d.total_bytes, md5: d.md5, sha1: d.sha1, sha256,
        downloadable: sha256 !== undefined && (await service.blobs.has(sha256)),
      };
    }));
    return { captureId: c.id, files };
  });

  app.get<{ Params: { sha256: string } }>('/api/files/:sha256', {
    schema: {
      summary: 'One extracted file, by its SHA-256 (served as application/octet-stream, named <sha256>.bin)', tags: ['downloads'],
      params: { type: 'object', properties: { sha256: { type: 'string', pattern: SHA256 } }, required: ['sha256'] },
      produces: ['application/octet-stream'], response: { 404: ERROR_SCHEMA },
    },
  }, async (req, reply) => {
    const sha256 = req.params.sha256.toLowerCase();
    // Only a file that a capture visible to this viewer transferred: a private capture's files
    // are not there for anyone else, even by hash.
    const seen = await service.store.search(`log:files sha256:${sha256}`, { viewer: req.viewer, limit: 1 });
    const size = (seen.rows?.length ?? 0) > 0 ? await service.blobs.size(sha256) : undefined;
    if (size === undefined) throw new ApiError('FILE_NOT_FOUND', sha256);
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', size)
      .header('content-disposition', `attachment; filename="${sha256}.bin"`)
      .header('x-content-type-options', 'nosniff')
      .send(await service.blobs.open(sha256));
  });

  app.get<{ Params: { id: string } }>('/api/captures/:id/files.zip', {
    schema: {
      summary: 'Every extracted file of a capture in a zip encrypted with the password "infected" (ZipCrypto), entries named <sha256>.<ext>', tags: ['downloads'],
      params: ID_PARAMS, produces: ['application/zip'], response: { 404: ERROR_SCHEMA },
    },
  }, async (req, reply) => {
    const viewer = req.viewer;
    const c = await visibleCapture(service, req.params.id, viewer);
    return streamZip(reply, `${c.id}-files.zip`, async (zip) => {
      const done = new Set<string>();
      for await (const r of allRecords(service, c.id, 'files', viewer, Number.MAX_SAFE_INTEGER)) {
        const sha256 = r.doc.sha256;
        if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256) || done.has(sha256) || done.size >= ZIP_MAX_FILES) continue;
        if (!(await service.blobs.has(sha256))) continue;
        done.add(sha256);
        const body = Readable.toWeb(await service.blobs.open(sha256)) as ReadableStream<Uint8Array>;
        await zip.add(`${sha256}.${extensionOf(r.doc.mime_type)}`, body);
      }
    }, FILES_ZIP_PASSWORD);
  });

  app.get<{ Params: { id: string } }>('/api/captures/:id/logs.zip', {
    schema: {
      summary: 'Every log of a capture as Zeek JSON lines (conn.log, dns.log, ..., notice.log) plus eve.json for alerts, in a zip', tags: ['downloads'],
      params: ID_PARAMS, produces: ['application/zip'], response: { 404: ERROR_SCHEMA },
    },
  }, async (req, reply) => {
    const viewer = req.viewer;
    const c = await visibleCapture(service, req.params.id, viewer);
    const logs = await logsOf(service, c.id, viewer);
    return streamZip(reply, `${c.id}-logs.zip`, async (zip) => {
      for (const log of logs) {
        const name = logFileName(log);
        if (!name) continue;
        // Lines gathered into chunks of LOGS_ZIP_CHUNK_CHARS: one zip write per line would dominate.
        async function* lines(): AsyncGenerator<Buffer> {
          let text = '';
          for await (const r of allRecords(service, c.id, log, viewer, ZIP_MAX_RECORDS_PER_LOG)) {
            text += JSON.stringify(r.doc) + '\n';
            if (text.length >= LOGS_ZIP_CHUNK_CHARS) { yield Buffer.from(text); text = ''; }
          }
          if (text) yield Buffer.from(text);
        }
        await zip.add(name, Readable.toWeb(Readable.from(lines())) as ReadableStream<Uint8Array>);
      }
    });
  });
};
