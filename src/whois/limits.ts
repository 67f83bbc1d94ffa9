/**
 * Whois limits: an answer comes from a server on the internet and is treated as hostile input,
 * so its size, the wait for it, the referrals followed and the cache are all bounded.
 */

/** Bytes kept of one server's answer; the rest is dropped and the answer marked truncated. Real answers are 2-20 KB. */
export const WHOIS_ANSWER_MAX_BYTES = 64 * 1024;

/** Milliseconds for one server to connect and answer completely (RFC 3912 has no timeout of its own). */
export const WHOIS_TIMEOUT_MS = 8000;

/** Referrals followed after the first server (IANA → registry → registrar). */
export const WHOIS_MAX_REFERRALS = 2;

/** Answers cached (values looked up), least recently used dropped first. */
export const WHOIS_CACHE_ENTRIES = 2000;

/** How long a cached answer is served: registrations change rarely, and registries rate-limit. */
export const WHOIS_CACHE_TTL_MS = 6 * 3600 * 1000;

/** Longest value accepted for a lookup (a domain name is at most 253 characters). */
export const WHOIS_QUERY_MAX_CHARS = 253;
