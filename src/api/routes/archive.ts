/**
 * The Malware Archive: GET /api/archive (families, categories, campaigns, actors), GET
 * /api/archive/{label} (one label's captures) and GET /api/archive/{label}/captures.zip (the
 * label's captures in one zip encrypted with "infected", the one-click download).
 *
 * The zip holds only captures the viewer may see (a private one is another key's business),
 * streamed one blob after the other (downloads.ts's ZipCrypto writer, never built in memory), with
 * a manifest.csv naming each. Its size is known before the first byte goes out (the blobs' sizes)
 * and capped: past the cap the answer is 413 ZIP_TOO_LARGE with the total and the cap, never a zip
 * cut halfway.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { Service } from '../../service.js';
import { LABEL_KINDS, normaliseLabelValue } from '../../store/intel/labels.js';
import { csvCell } from '../../store/intel/export.js';
import { ApiError, ERROR_SCHEMA } from '../errors.js';
import { FILES_ZIP_PASSWORD, streamZip } from './downloads.js';
import { LABEL_ROUTE, labelRefOf, viewerOf } from './labels.js';

/** Default cap on the captures in one archive zip (their stored bytes together). */
export const ARCHIVE_ZIP_MAX_BYTES = 2 * 1024 ** 3;
/** Captures in one archive zip (the newest; the manifest says when more exist). */
export const ARCHIVE_ZIP_MAX_CAPTURES = 500;

export interface ArchiveRouteOptions {
  /** Cap on the stored bytes of one label's zip (default ARCHIVE_ZIP_MAX_BYTES). */
  zipMaxBytes?: number;
}

/** A stored capture's file name inside the zip: its sha256 and the extension of its format. */
function entryName(id: string, format: string | undefined): string {
  const base = format?.startsWith('pcapng') ? 'pcapng' : 'pcap';
  return `${id}.${base}${isGzip(format) ? '.gz' : ''}`;
}

const isGzip = (format: string | undefined): boolean => format?.endsWith('+gzip') === true;

export const archiveRoutes = (service: Service, opts: ArchiveRouteOptions = {}): FastifyPluginAsync => async (app) => {
  const zipMaxBytes = opts.zipMaxBytes ?? ARCHIVE_ZIP_MAX_BYTES;

  app.get('/api/archive', {
    schema: {
      summary: 'Families, categories, campaigns and actors with capture counts, first/last seen and top domains, JA3/JA4, user agents, URI patterns, alerts',
      tags: ['intel'],
    },
  }, async (req) => ({ entries: await service.store.intel.archive(viewerOf(req)) }));

  app.get<{ Params: { label: string }; Querystring: { kind?: string } }>('/api/archive/:label', {
    schema: {
      summary: 'One label: its entry per kind and its captures (newest first, with their labels)', tags: ['intel'],
      params: LABEL_ROUTE.params,
      querystring: { type: 'object', properties: { kind: { type: 'string', enum: [...LABEL_KINDS] } } },
      response: { 400: ERROR_SCHEMA, 404: ERROR_SCHEMA },
    },
  }, async (req) => {
    const page = await service.store.intel.archiveLabel(normaliseLabelValue(req.params.label), viewerOf(req), req.query.kind);
    if (!page) throw new ApiError('LABEL_NOT_FOUND', req.params.label);
    return page;
  });

  app.get<{ Params: { label: string }; Querystring: { kind?: string } }>('/api/archive/:label/captures.zip', {
    schema: {
      summary: `A label's captures (those you may see, newest ${ARCHIVE_ZIP_MAX_CAPTURES}) in one zip encrypted with the password "infected" (ZipCrypto): `
        + `<sha256>.pcap|pcapng[.gz] and manifest.csv; 413 ZIP_TOO_LARGE past ${ARCHIVE_ZIP_MAX_BYTES} bytes of captures`,
      tags: ['intel'], params: LABEL_ROUTE.params, produces: ['application/zip'],
      querystring: { type: 'object', properties: { kind: LABEL_ROUTE.kind } },
      response: { 400: ERROR_SCHEMA, 404: ERROR_SCHEMA, 413: ERROR_SCHEMA },
    },
  }, async (req, reply) => {
    const viewer = viewerOf(req);
    const label = labelRefOf(req.params.label, req.query.kind);
    // One more than the cap: the manifest can say the zip is not the whole label.
    const refs = await service.store.intel.labelCaptures(label, viewer, ARCHIVE_ZIP_MAX_CAPTURES + 1);
    if (refs.length === 0) throw new ApiError('LABEL_NOT_FOUND', req.params.label);
    const more = refs.length > ARCHIVE_ZIP_MAX_CAPTURES;
    const entries: { id: string; name: string; entry: string; size: number; gzip: boolean }[] = [];
    const missing: string[] = [];
    let total = 0;
    for (const ref of refs.slice(0, ARCHIVE_ZIP_MAX_CAPTURES)) {
      const row = await service.store.capture(ref.id, viewer);
      const size = row ? await service.blobs.size(row.id) : undefined;
      if (!row || size === undefined) { missing.push(ref.id); continue; }
      entries.push({ id: row.id, name: row.name, entry: entryName(row.id, row.format), size, gzip: isGzip(row.format) });
      total += size;
    }
    if (total > zipMaxBytes) {
      throw new ApiError('ZIP_TOO_LARGE', `${entries.length} captures, ${total} bytes; the cap is ${zipMaxBytes} bytes`, { bytes: total, maxBytes: zipMaxBytes, captures: entries.length });
    }
    const slug = label.value.replace(/[^a-z0-9_.-]/g, '_').slice(0, 64);
    return streamZip(reply, `capdex-${label.kind ?? 'label'}-${slug}.zip`, async (zip) => {
      // The manifest first: a reader sees what the zip holds (and lacks) before the first capture.
      const lines = ['sha256,file,name,bytes'];
      for (const e of entries) lines.push([e.id, e.entry, e.name, String(e.size)].map(csvCell).join(','));
      for (const id of missing) lines.push([id, '', 'not in the blob store (imported from the command line?)', ''].map(csvCell).join(','));
      if (more) lines.push(['', '', `more than ${ARCHIVE_ZIP_MAX_CAPTURES} captures carry this label: the newest are here`, ''].map(csvCell).join(','));
      await zip.add('manifest.csv', Readable.toWeb(Readable.from([Buffer.from(lines.join('\r\n') + '\r\n')])) as ReadableStream<Uint8Array>);
      for (const e of entries) {
        // A gzip'd capture is stored as it is (deflating it again only costs CPU); others at level 1:
        // bench/archive-zip.ts, 4 × 32 MB pcaps: 57% of their size for 6.3 CPU s, where the default
        // level gave 55% for 7.6 and storing 100% for 5.9 (ZipCrypto's JS loop is most of the cost).
        await zip.add(e.entry, Readable.toWeb(await service.blobs.open(e.id)) as ReadableStream<Uint8Array>, { level: e.gzip ? 0 : 1 });
      }
    }, FILES_ZIP_PASSWORD);
  });
};
