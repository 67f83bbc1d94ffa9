/** The labels' API calls (src/api/routes/labels.ts, archive.ts): read, add, remove, and the archive's label list. */
import { capturePath, getJson, sendJson } from '../../api.js';
import type { Label, VoteSummary, ArchiveEntry } from '../../../../src/store/intel/intel-store.js';
import { LABEL_KINDS, CATEGORIES, LABEL_VALUE_MAX_CHARS, type LabelKind } from '../../../../src/store/intel/labels.js';

export type { Label, LabelKind, ArchiveEntry };
export { LABEL_KINDS, CATEGORIES, LABEL_VALUE_MAX_CHARS };

export const labelsApi = {
  list: (captureId: string, signal?: AbortSignal) =>
    getJson<{ labels: Label[]; votes: VoteSummary }>(capturePath(captureId, '/labels'), undefined, signal),
  add: (captureId: string, kind: LabelKind, value: string) =>
    sendJson<{ label: Label }>('POST', capturePath(captureId, '/labels'), { kind, value }),
  remove: (captureId: string, labelId: string) =>
    sendJson<{ deleted: Label }>('DELETE', capturePath(captureId, `/labels/${encodeURIComponent(labelId)}`)),
  archive: (signal?: AbortSignal) => getJson<{ entries: ArchiveEntry[] }>('/api/archive', undefined, signal),
};
