/**
 * The shape of GET /api/captures/{id}/summary (summary.ts), apart from the route so the web UI can
 * import it without Fastify's types.
 */
import type { CaptureRow } from '../../store/store.js';

export interface HostBytes { ip: string; bytes: number; conns: number }
export interface PairBytes { src: string; dst: string; bytes: number; conns: number }

export interface CaptureSummary {
  capture: CaptureRow;
  logs: { log: string; count: number }[];
  services: { service: string; count: number }[];
  alerts: { severity: number | null; count: number }[];
  signatures: { signature: string; severity: number | null; count: number }[];
  talkers: HostBytes[];
  endpoints: HostBytes[];
  edges: PairBytes[];
  timeline: { start: number; bucketS: number; conns: number[]; alerts: number[] };
  scan: { conns: number; alerts: number; complete: boolean };
}
