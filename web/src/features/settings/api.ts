/** The settings' API call: does the server accept this key? */
import { failure } from '../../api.js';

/**
 * Asks for one capture with `key` (not the stored one): an unknown or revoked key is 401
 * BAD_API_KEY. Resolves when the server accepts it, rejects with the server's reason otherwise.
 */
export async function checkApiKey(key: string, signal?: AbortSignal): Promise<void> {
  const r = await fetch('/api/captures?limit=1', { headers: { accept: 'application/json', authorization: `Bearer ${key}` }, signal });
  if (!r.ok) throw await failure(r);
}
