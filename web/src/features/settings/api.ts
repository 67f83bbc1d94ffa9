/** The settings' API call: does the server accept this key? */
import { ApiRequestError } from '../../api.js';

/**
 * Asks for one capture with `key` (not the stored one): an unknown or revoked key is 401
 * BAD_API_KEY. Resolves when the server accepts it, rejects with the server's reason otherwise.
 */
export async function checkApiKey(key: string, signal?: AbortSignal): Promise<void> {
  const r = await fetch('/api/captures?limit=1', { headers: { accept: 'application/json', authorization: `Bearer ${key}` }, signal });
  if (r.ok) return;
  let err: { code?: string; message?: string } | undefined;
  try { err = ((await r.json()) as { error?: { code?: string; message?: string } }).error; } catch { err = undefined; }
  throw new ApiRequestError(r.status, err?.code ?? `HTTP_${r.status}`, err?.message ?? (r.statusText || 'the key was refused'));
}
