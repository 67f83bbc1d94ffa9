/** The one list of rule keywords. A keyword not here makes its rule unsupported (counted by name). */
import type { KeywordDescriptor } from './keyword.js';
import { META_KEYWORDS } from './meta.js';
import { CONTENT_KEYWORDS } from './content.js';
import { PCRE_KEYWORDS } from './pcre.js';
import { BYTE_KEYWORDS } from './byte.js';
import { FLOW_KEYWORDS } from './flow.js';
import { FLOWBITS_KEYWORDS } from './flowbits.js';
import { THRESHOLD_KEYWORDS } from './threshold.js';
import { HEADER_KEYWORDS } from './header.js';
import { BUFFER_KEYWORDS } from './buffers.js';
import { FILE_KEYWORDS } from './file.js';
import { DATASET_KEYWORDS } from './dataset.js';
import { TRANSFORM_KEYWORDS } from './transforms.js';
import { APP_KEYWORDS } from './app.js';
import { BASE64_KEYWORDS } from './base64.js';
import { XBITS_KEYWORDS } from './xbits.js';
import { STREAM_KEYWORDS } from './stream.js';
import { DCE_KEYWORDS } from './dce.js';
import { APP_EVENT_KEYWORDS } from './app-event.js';

export const KEYWORDS: readonly KeywordDescriptor[] = [
  ...META_KEYWORDS, ...CONTENT_KEYWORDS, ...PCRE_KEYWORDS, ...BYTE_KEYWORDS, ...FLOW_KEYWORDS,
  ...FLOWBITS_KEYWORDS, ...THRESHOLD_KEYWORDS, ...HEADER_KEYWORDS, ...BUFFER_KEYWORDS, ...FILE_KEYWORDS,
  ...DATASET_KEYWORDS, ...TRANSFORM_KEYWORDS, ...APP_KEYWORDS, ...BASE64_KEYWORDS, ...XBITS_KEYWORDS, ...STREAM_KEYWORDS, ...DCE_KEYWORDS,
  ...APP_EVENT_KEYWORDS,
];

/** Name (and alias) → descriptor; built once. Throws at startup if two keywords share a name (a bug). */
export const KEYWORD_TABLE: ReadonlyMap<string, KeywordDescriptor> = (() => {
  const m = new Map<string, KeywordDescriptor>();
  for (const k of KEYWORDS) {
    for (const n of [k.name, ...(k.aliases ?? [])]) {
      if (m.has(n)) throw new Error(`keyword ${n} registered twice`);
      m.set(n, k);
    }
  }
  return m;
})();
