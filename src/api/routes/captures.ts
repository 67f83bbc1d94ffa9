/**
 * Captures: upload (raw body or multipart, deduplicated by sha256), list, one capture with its
 * job, live progress (SSE), its logs (paged) and the original file.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import type { Service } from '../../service.js';
import { isFinished, type Job } from '../../jobs/jobs.js';
import type { CaptureRow, Viewer, Visibility } from '../../store/store.js';
import { canSee } from '../../store/visibility.js';
import { ApiError, ERROR_SCHEMA } from '../errors.js';
import { submissionOf } from '../auth.js';
import { receiveCapture } from '../upload.js';
import { PAGE_QUERY } from './search.js';
import { FLOW_QUERY, sendFlowSlice } from './downloads.js';
import { warmSummaryWhenDone } from './summary.js';
import { PREVIEW_RECORDS_PER_LOG } from '../../jobs/limits.js';
import { SORT_FIELD_MAX_CHARS } from '../../store/query/log-view.js';

/** A page of one log: stored records, or a running job's first records (partial). */
const LOG_PAGE_SCHEMA = {
  type: 'object',
  properties: {
    captureId: { type: 'string' }, log: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'done', 'failed', 'importing'] },
    partial: { type: 'boolean', description: 'true: the job still runs and these are the first records it produced; false: the stored results' },
    records: { type: 'array', items: { type: 'object', additionalProperties: true, description: 'id, captureId, log, ts, uid, communityId, doc (the record as the engine wrote it)' } },
    total: { type: 'integer', description: 'Stored records of this log matching q (all of them without q); absent while partial' },
  },
} as const;

/** Names kept for display only (never a path): control characters out, length capped. */
const NAME_MAX_CHARS = 255;
const cleanName = (name: string | undefined): string =>
  (name ?? '').replace(/[\x00-\x1f\x7f]/g, '').slice(0, NAME_MAX_CHARS) || 'upload.pcap';

/** Time bounds of the capture list (epoch seconds, inclusive). */
const TIME_QUERY = {
  submitted_from: { type: 'number', description: 'imported (submitted and analysed) at or after' },
  submitted_to: { type: 'number', description: 'imported at or before' },
  first_packet_from: { type: 'number', description: 'first packet at or after' },
  first_packet_to: { type: 'number', description: 'first packet at or before' },
} as const;

const ID_PARAMS = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[0-9a-fA-F]{8,64}$', description: 'sha256 (or md5, sha1, or a sha256 prefix of 8+ hex digits)' } },
  required: ['id'],
} as const;

/**
 * What a capture id names for this viewer: its store row once analysed, its latest job from the
 * upload on. What the viewer may not see is not found (docs/contracts/access.md).
 */
async function findCapture(service: Service, id: string, viewer: Viewer): Promise<{ id: string; capture?: CaptureRow; job?: Job }> {
  const lower = id.toLowerCase();
  const capture = await service.store.capture(lower, viewer);
  const fullId = capture?.id ?? lower;
  const latest = await service.jobs.latestFor(fullId);
  const job = latest && canSee(viewer, latest) ? latest : undefined;
  if (!capture && !job) throw new ApiError('CAPTURE_NOT_FOUND', id);
  return { id: fullId, capture, job };
}

function sendEvent(reply: FastifyReply, event: string, data: unknown): void {
  reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

export const captureRoutes = (service: Service, maxUploadBytes: number): FastifyPluginAsync => async (app) => {
  app.post<{ Querystring: { name?: string; reanalyse?: boolean; visibility?: Visibility } }>('/api/captures', {
    schema: {
      summary: 'Upload a capture (raw body, or multipart with a "file" part); the same capture again returns its existing job',
      description: 'Answers once the capture is on the disk, with its SHA-256 (its id) and size. MD5 and SHA-1 are computed by the analysis job '
        + '(off the upload\'s path): the answer carries them only when the capture was analysed before; GET /api/captures/{id} has them once the job is done.',
      tags: ['captures'],
      querystring: { type: 'object', properties: {
        name: { type: 'string', maxLength: 1024 }, reanalyse: { type: 'boolean', default: false },
        visibility: { type: 'string', enum: ['public', 'private'], default: 'public', description: 'private: only this API key (and admins) see it; needs a key' },
      } },
      response: { 400: ERROR_SCHEMA, 413: ERROR_SCHEMA, 415: ERROR_SCHEMA },
    },
  }, async (req, reply) => {
    const who = submissionOf(req, req.query.visibility); // before reading the body: a refused upload costs nothing
    let input: Readable | undefined;
    let name = req.query.name;
    if (req.isMultipart()) {
      const part = await req.file();
      if (!part) throw new ApiError('NO_FILE_FIELD');
      input = part.file;
      name ??= part.filename;
    } else {
      input = req.body as Readable | undefined;
    }
    if (!input) throw new ApiError('EMPTY_UPLOAD');
    const d = await receiveCapture(service.blobs, input, maxUploadBytes);
    const before = await service.jobs.latestFor(d.sha256);
    // The same bytes held privately by another key: this submission takes the capture over
    // (re-analysed as this one's) rather than answering with a job that would reveal the other.
    const hidden = before !== undefined && !canSee(req.viewer, before);
    const job = await service.jobs.submit({
      captureId: d.sha256, name: cleanName(name), ...who, reanalyse: req.query.reanalyse || hidden,
      md5: d.md5, sha1: d.sha1, size: d.size,
    });
    const existing = before?.id === job.id;
    // The console is usually opened as soon as the job is done: have its summary ready by then.
    if (!isFinished(job)) warmSummaryWhenDone(service, job.id, d.sha256);
    const analysed = existing ? await service.store.capture(d.sha256, req.viewer) : undefined;
    return reply.status(existing ? 200 : 201).send({ id: d.sha256, md5: analysed?.md5, sha1: analysed?.sha1, size: d.size, existing, job });
  });

  app.get<{ Querystring: { limit: number; offset: number } & Partial<Record<keyof typeof TIME_QUERY, number>> }>('/api/captures', {
    config: { cache: 'store+jobs' },
    schema: {
      summary: 'Analysed captures, newest first, and the ones still queued or running', tags: ['captures'],
      description: 'With a time bound (epoch seconds, inclusive), only analysed captures within it, and no pending list.',
      querystring: { type: 'object', properties: { ...PAGE_QUERY, ...TIME_QUERY } },
    },
  }, async (req) => {
    const q = req.query;
    const bounds = { importedFrom: q.submitted_from, importedTo: q.submitted_to, firstTsFrom: q.first_packet_from, firstTsTo: q.first_packet_to };
    const timed = Object.values(bounds).some((v) => v !== undefined);
    const captures = await service.store.captures({ limit: q.limit, offset: q.offset, viewer: req.viewer, ...bounds });
    const pending = timed ? [] : (await service.jobs.unfinished(q.limit)).filter((j) => canSee(req.viewer, j));
    return { captures, pending };
  });

  app.get<{ Params: { id: string } }>('/api/captures/:id', {
    config: { cache: 'store+jobs' },
    schema: { summary: 'One capture: metadata once analysed, and its job (status, progress, error)', tags: ['captures'], params: ID_PARAMS, response: { 404: ERROR_SCHEMA } },
  }, async (req) => {
    const c = await findCapture(service, req.params.id, req.viewer);
    return { id: c.id, capture: c.capture ?? null, job: c.job ?? null };
  });

  app.get<{ Params: { id: string } }>('/api/captures/:id/events', {
    schema: {
      summary: 'Server-Sent Events: "progress" events while the job runs, then one "done" or "failed" event, then the stream ends',
      tags: ['captures'], params: ID_PARAMS, produces: ['text/event-stream'], response: { 404: ERROR_SCHEMA },
    },
  }, async (req, reply) => {
    const c = await findCapture(service, req.params.id, req.viewer);
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    const job = c.job;
    if (!job || isFinished(job)) {
      const status = job?.status ?? 'done';
      sendEvent(reply, status, job ?? { captureId: c.id, status, progress: { stage: 'done' } });
      reply.raw.end();
      return;
    }
    let ended = false;
    const end = (): void => { if (!ended) { ended = true; stop(); reply.raw.end(); } };
    const stop = service.jobs.watch(job.id, (j) => {
      if (ended) return;
      if (isFinished(j)) { sendEvent(reply, j.status, j); end(); } else sendEvent(reply, 'progress', j);
    });
    // The response's close (not the request's, which closes once its empty body is read): the client went away.
    reply.raw.on('close', end);
    // The job may have finished between the lookup and the watch: read it once more.
    const now = await service.jobs.get(job.id);
    if (now && !ended) {
      if (isFinished(now)) { sendEvent(reply, now.status, now); end(); } else sendEvent(reply, 'progress', now);
    }
  });

  app.get<{ Params: { id: string; log: string }; Querystring: { limit: number; offset: number; sort: string; q?: string } }>('/api/captures/:id/logs/:log', {
    config: { cache: 'store+jobs' },
    schema: {
      summary: 'One log of a capture (conn, dns, http, alert, notice, ...), filtered, sorted by any field, paged', tags: ['captures'],
      description: 'Once analysed: the stored records (partial: false) matching q (the search language, scoped to this capture and log; '
        + 'no aggregation), ordered by sort (a field, -field for descending: ts, uid, community_id or any document field; records '
        + 'without the field last, numbers by value, text by byte order, ties by record id), with total. While the capture\'s first '
        + `analysis runs: the first records its worker produced, up to ${PREVIEW_RECORDS_PER_LOG} per log, with partial: true `
        + '(unfiltered, in production order; poll again, or follow /events, for the final rows).',
      params: { type: 'object', properties: { ...ID_PARAMS.properties, log: { type: 'string', pattern: '^[a-z0-9_.-]{1,64}$' } }, required: ['id', 'log'] },
      querystring: { type: 'object', properties: {
        ...PAGE_QUERY,
        sort: { type: 'string', default: 'ts', maxLength: SORT_FIELD_MAX_CHARS + 1, description: 'field or -field' },
        q: { type: 'string', maxLength: 4096, description: 'a filter in the search language, e.g. id.resp_h:10.0.0.0/8 AND conn.duration:>2' },
      } },
      response: { 200: LOG_PAGE_SCHEMA, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA },
    },
  }, async (req) => {
    const c = await findCapture(service, req.params.id, req.viewer);
    const { limit, offset, sort, q } = req.query;
    if (c.capture) {
      const r = await service.store.logRows(c.id, req.params.log, { limit, offset, sort, q, viewer: req.viewer });
      if (r.error) throw new ApiError('BAD_QUERY', r.error.message, { position: r.error.position, expected: r.error.expected });
      return { captureId: c.id, log: req.params.log, status: c.job?.status ?? c.capture.status, partial: false, records: r.rows, total: r.total };
    }
    // Nothing stored yet and the job running: the first records its worker posted (ts order of production, not sorted).
    const partial = c.job?.status === 'running' ? await service.jobs.partial(c.id, req.params.log, { limit, offset }) : undefined;
    if (partial) return { captureId: c.id, log: req.params.log, status: 'running', partial: true, records: partial };
    return { captureId: c.id, log: req.params.log, status: c.job?.status, partial: false, records: [], total: 0 };
  });

  app.get<{ Params: { id: string }; Querystring: { uid?: string; community_id?: string } }>('/api/captures/:id/pcap', {
    schema: {
      summary: 'The capture file as uploaded; with uid or community_id, only that connection\'s packets (a per-flow slice, <sha256>-<uid>.pcap)', tags: ['downloads'],
      params: ID_PARAMS, querystring: { type: 'object', properties: FLOW_QUERY }, produces: ['application/vnd.tcpdump.pcap'], response: { 404: ERROR_SCHEMA },
    },
  }, async (req, reply) => {
    if (req.query.uid !== undefined || req.query.community_id !== undefined) return sendFlowSlice(service, req, reply, req.query);
    const c = await findCapture(service, req.params.id, req.viewer);
    const size = await service.blobs.size(c.id);
    if (size === undefined) throw new ApiError('CAPTURE_NOT_FOUND', 'its file is not in the blob store (imported from the command line?)');
    // The download name is the sha256, never the submitted name: nothing user-sent reaches a header.
    return reply
      .header('content-type', 'application/vnd.tcpdump.pcap')
      .header('content-length', size)
      .header('content-disposition', `attachment; filename="${c.id}.pcap"`)
      .send(await service.blobs.open(c.id));
  });
};
