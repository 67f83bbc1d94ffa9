/**
 * API keys, the parts both backends share: making a key (its id and secret), and hashing a secret
 * for the lookup. Only the SHA-256 of a secret is stored; a request's secret is hashed and found
 * by an index lookup on that hash, so no secret is ever compared character by character (no
 * timing signal) and a stolen database holds nothing a client could present.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ApiKey } from './store.js';

/** Every secret starts with this: a key is recognisable in a config file or a leak scanner. */
export const KEY_SECRET_PREFIX = 'cdx_';
/** 32 random bytes as base64url (43 characters). */
const SECRET_RANDOM_BYTES = 32;
/** Longest name a key may carry (shown in `capdex keys list`). */
export const KEY_NAME_MAX_CHARS = 200;
/** A request's key longer than this is no key of ours: refused before hashing. */
export const KEY_SECRET_MAX_CHARS = 128;

export interface NewKey {
  id: string;
  secret: string;
  secretSha256: string;
}

export function makeKey(): NewKey {
  const secret = KEY_SECRET_PREFIX + randomBytes(SECRET_RANDOM_BYTES).toString('base64url');
  return { id: 'key_' + randomBytes(6).toString('hex'), secret, secretSha256: hashSecret(secret) };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The key name as stored: control characters out, length capped; empty names are refused. */
export function cleanKeyName(name: string): string {
  const clean = name.replace(/[\x00-\x1f\x7f]/g, '').trim().slice(0, KEY_NAME_MAX_CHARS);
  if (clean === '') throw new Error('a key needs a name (what or who it is for)');
  return clean;
}

/** A stored api_keys row (both backends select these columns) as an ApiKey. */
export interface ApiKeyDbRow {
  id: string;
  name: string;
  admin: number | boolean;
  created_at: number;
  revoked_at: number | null;
}

export function toApiKey(r: ApiKeyDbRow): ApiKey {
  const key: ApiKey = { id: r.id, name: r.name, admin: r.admin === true || r.admin === 1, createdAt: r.created_at };
  if (r.revoked_at !== null) key.revokedAt = r.revoked_at;
  return key;
}

export const API_KEY_COLUMNS = 'id, name, admin, created_at, revoked_at';
