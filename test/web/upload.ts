/** Uploads a capture to a test server through the API and waits for its analysis (browser tests' setup). */
import { readFileSync } from 'node:fs';
import type { Job } from '../../src/jobs/jobs.js';

export async function uploadAndWait(base: string, capture: Buffer | string, name: string): Promise<string> {
  const bytes = typeof capture === 'string' ? readFileSync(capture) : capture;
  const r = await fetch(`${base}/api/captures?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
  const up = (await r.json()) as { id: string };
  if (!r.ok) throw new Error(`upload of ${name} failed: ${JSON.stringify(up)}`);
  for (let i = 0; i < 600; i++) {
    const d = (await (await fetch(`${base}/api/captures/${up.id}`)).json()) as { job: Job | null };
    if (d.job?.status === 'done') return up.id;
    if (d.job?.status === 'failed') throw new Error(`analysis of ${name} failed`);
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`analysis of ${name} did not finish`);
}
