/**
 * The submission queue: files the user dropped or picked, uploaded one at a time (the server's
 * upload rate limit and the user's uplink are both better served in order), each followed through
 * its job's stages by SSE. It lives at module level, not in a component, so uploads and their
 * progress survive a visit to another page and back.
 */
import { useSyncExternalStore } from 'react';
import { api, ApiRequestError, followJob, uploadCapture, type Job, type UploadAnswer } from '../../api.js';

export const STAGES = ['uploading', 'queued', 'reading', 'analysing', 'indexing', 'done'] as const;
export type Stage = (typeof STAGES)[number];

export type Phase =
  | 'waiting'    // in the queue, not sent yet
  | 'uploading'  // bytes going up
  | 'following'  // the job runs; SSE progress
  | 'existing'   // the server already had it analysed: offer open / re-analyse
  | 'done' | 'failed' | 'refused';

export interface Submission {
  key: number;
  file: File;
  name?: string;
  visibility: 'public' | 'private';
  phase: Phase;
  sent: number;
  total: number;
  /** Upload speed, bytes per second (over the whole upload so far). */
  speed: number;
  answer?: UploadAnswer;
  job?: Job;
  error?: Error;
  /** When each stage was first seen, ms since the submission started uploading. */
  reached: Partial<Record<Stage, number>>;
  startedAt?: number;
}

/** Files taken from one drop: a folder dragged in by mistake must not queue thousands. */
export const FILES_PER_DROP_MAX = 50;
/** How often the job is read again when its event stream broke (a proxy cut it). */
const POLL_FALLBACK_MS = 1000;

let items: Submission[] = [];
let nextKey = 1;
const listeners = new Set<() => void>();
const stops = new Map<number, () => void>();

function emit(): void {
  for (const l of listeners) l();
}

function patch(key: number, change: Partial<Submission> | ((s: Submission) => Partial<Submission>)): void {
  items = items.map((s) => (s.key === key ? { ...s, ...(typeof change === 'function' ? change(s) : change) } : s));
  emit();
}

const find = (key: number): Submission | undefined => items.find((s) => s.key === key);

/** The stage a job is at, as the staged view names it. */
export function stageOf(job: Job): Stage {
  if (job.status === 'done') return 'done';
  const st = job.progress.stage;
  return st === 'failed' ? 'queued' : st;
}

function reach(s: Submission, stage: Stage): Partial<Submission> {
  if (s.reached[stage] !== undefined) return {};
  return { reached: { ...s.reached, [stage]: Date.now() - (s.startedAt ?? Date.now()) } };
}

function onJob(key: number, job: Job, final: boolean): void {
  patch(key, (s) => ({
    job,
    ...reach(s, stageOf(job)),
    ...(final || job.status === 'done' || job.status === 'failed'
      ? { phase: job.status === 'done' ? 'done' : 'failed', error: job.status === 'failed' ? new Error(job.error ?? 'the analysis failed') : undefined }
      : {}),
  }));
}

/** Follows by SSE; if the stream breaks before the end, reads the job until it finishes. */
function follow(key: number, id: string): void {
  stops.get(key)?.();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = async (): Promise<void> => {
    if (stopped) return;
    try {
      const d = await api.capture(id);
      if (d.job) onJob(key, d.job, d.job.status === 'done' || d.job.status === 'failed');
      else if (d.capture) patch(key, (s) => ({ phase: 'done', ...reach(s, 'done') }));
    } catch { /* the next poll tries again */ }
    const s = find(key);
    if (!stopped && s?.phase === 'following') timer = setTimeout(() => void poll(), POLL_FALLBACK_MS);
  };
  const close = followJob(id, (job, final) => onJob(key, job, final), () => { if (find(key)?.phase === 'following') void poll(); });
  stops.set(key, () => { stopped = true; close(); if (timer) clearTimeout(timer); });
}

async function upload(key: number, reanalyse: boolean): Promise<void> {
  const s = find(key);
  if (!s) return;
  const startedAt = Date.now();
  patch(key, { phase: 'uploading', startedAt, sent: 0, total: s.file.size, speed: 0, reached: { uploading: 0 }, error: undefined, job: undefined });
  try {
    const answer = await uploadCapture(s.file, {
      name: s.name, visibility: s.visibility, reanalyse,
      onProgress: (sent, total) => patch(key, { sent, total, speed: sent / Math.max(0.001, (Date.now() - startedAt) / 1000) }),
    });
    const job = answer.job;
    if (answer.existing && job.status === 'done') {
      patch(key, (cur) => ({ phase: 'existing', answer, job, sent: cur.total }));
      return;
    }
    patch(key, (cur) => ({ phase: 'following', answer, job, sent: cur.total, ...reach(cur, stageOf(job)) }));
    follow(key, answer.id);
  } catch (e) {
    const refused = e instanceof ApiRequestError && e.status >= 400;
    patch(key, { phase: refused ? 'refused' : 'failed', error: e as Error });
  }
}

let pumping = false;
/** Uploads the waiting submissions one after the other. */
async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  try {
    for (let next = items.find((s) => s.phase === 'waiting'); next; next = items.find((s) => s.phase === 'waiting')) {
      await upload(next.key, false);
    }
  } finally {
    pumping = false;
  }
}

export const submissions = {
  add(files: File[], opts: { name?: string; visibility: 'public' | 'private' }): void {
    const taken = files.slice(0, FILES_PER_DROP_MAX);
    const name = taken.length === 1 && opts.name?.trim() ? opts.name.trim() : undefined;
    const added: Submission[] = taken.map((file) => ({
      key: nextKey++, file, name: name ?? file.name, visibility: opts.visibility, phase: 'waiting', sent: 0, total: file.size, speed: 0, reached: {},
    }));
    items = [...items, ...added];
    emit();
    void pump();
  },
  /** The same file again with reanalyse=true (after "already analysed", or a failure). */
  reanalyse(key: number): void {
    if (!find(key)) return;
    void upload(key, true);
  },
  /** Forgets a finished (or waiting) submission; a running job keeps running on the server. */
  dismiss(key: number): void {
    stops.get(key)?.();
    stops.delete(key);
    items = items.filter((s) => s.key !== key);
    emit();
  },
};

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useSubmissions(): Submission[] {
  return useSyncExternalStore(subscribe, () => items);
}
