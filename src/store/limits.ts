/**
 * The store's named limits. Records come from hostile captures (and from Zeek/EVE files made
 * elsewhere): every size the store keeps or loops over is bounded here, with why.
 */

/**
 * Characters of one observable value kept in the index. Longer values (a 1 MB user agent) are cut
 * here, at the same place for indexing and for pivot input, so a pivot on the full value still
 * finds them while the index stays small. The record's document keeps the whole value.
 */
export const OBSERVABLE_VALUE_MAX_CHARS = 1024;

/**
 * Observables indexed per record. A DNS answer can carry hundreds of records and a set field any
 * number of elements; past this many the rest stays searchable through the document only.
 */
export const OBSERVABLES_PER_RECORD_MAX = 256;

/** Depth of a nested document (EVE) walked for an observable path; deeper is not ours to index. */
export const DOCUMENT_PATH_MAX_DEPTH = 8;

/** Characters of a record's string values fed to the full-text index; the document keeps all. */
export const FTS_TEXT_MAX_CHARS = 16 * 1024;

/** Records inserted per multi-row INSERT statement during an import. */
export const INGEST_BATCH_RECORDS = 256;

/**
 * Record ids one observables row holds (a value seen in more records of one capture, in the same
 * log and field, takes further rows): a pivot reads, and a search unpacks, at most this many ids
 * for one row, so the newest page of a value seen a million times costs one small row.
 */
export const OBSERVABLE_ROW_IDS_MAX = 4096;

/**
 * Distinct (type, value, log, field) groups an import holds in memory before writing them out (a
 * capture of random addresses must not grow the map without end): past it, or past
 * OBSERVABLE_PENDING_IDS_MAX record ids, every group is written and the map starts again, so a
 * value may then have more than one row per capture (every reader allows that).
 */
export const OBSERVABLE_GROUPS_MAX = 200_000;

/** Record ids held by an import's pending observable groups before they are written (8 bytes each). */
export const OBSERVABLE_PENDING_IDS_MAX = 4_000_000;

/** A page of rows returned by one call (captures, records, pivot, search), whatever was asked. */
export const PAGE_MAX_ROWS = 10_000;

/** Rows per page when the caller names no limit. */
export const PAGE_DEFAULT_ROWS = 100;

/** Bytes of one line of an imported Zeek/EVE file; longer lines become an import error record. */
export const IMPORT_LINE_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Records one panel view (a capture's log, filtered and sorted by any field) may hold. Its ordered
 * ids are kept between pages (8 bytes each: 4M is 32 MB); a larger view is refused with a reason
 * (narrow the filter, or sort by ts, which pages by index) rather than sorted on every page.
 */
export const LOG_VIEW_MAX_ROWS = 4_000_000;

/** Ordered ids all cached panel views hold together (8 bytes each: 64 MB); least recently used go first. */
export const LOG_VIEW_CACHE_MAX_IDS = 8_000_000;

/**
 * Rows into the plain view (a whole log by ts) paged by OFFSET on the (capture, log, ts) index;
 * deeper pages come from the view's ordered ids (built once by one walk of that index), since an
 * OFFSET walks every entry before it on every page (offset 900k of a 1M-row log: ~1 s a page).
 */
export const LOG_VIEW_PLAIN_OFFSET_MAX = 50_000;

/** Panel views cached at once, whatever their size (each small view still costs a statement to rebuild). */
export const LOG_VIEW_CACHE_MAX_ENTRIES = 64;
