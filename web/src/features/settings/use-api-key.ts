/**
 * The API key as React state: every component reading it re-renders when it changes, in this tab
 * (a custom event, since localStorage's own event only fires in the other tabs) and in others.
 */
import { useSyncExternalStore } from 'react';
import { apiKey } from '../../api.js';

const CHANGED = 'capdex:api-key';

function subscribe(onChange: () => void): () => void {
  window.addEventListener(CHANGED, onChange);
  window.addEventListener('storage', onChange);
  return () => {
    window.removeEventListener(CHANGED, onChange);
    window.removeEventListener('storage', onChange);
  };
}

/** Stores (or, with null, forgets) the key and tells every reader. */
export function setApiKey(key: string | null): void {
  apiKey.set(key);
  window.dispatchEvent(new Event(CHANGED));
}

export function useApiKey(): string | null {
  return useSyncExternalStore(subscribe, apiKey.get);
}

/** A key as shown on screen: its prefix and last characters, never the whole secret. */
export function maskKey(key: string): string {
  return key.length <= 12 ? '••••' : `${key.slice(0, 8)}…${key.slice(-4)}`;
}
