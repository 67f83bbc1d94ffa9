/**
 * app-layer-event:<proto>.<event> — the rule matches when an app-layer parser raised that anomaly
 * on the connection (Suricata's detect-app-layer-event.c). Our parsers raise weirds; app-events.ts
 * says which weird is which Suricata event. An event no weird stands for makes the rule
 * unsupported, counted as `app-layer-event:<name>`, rather than a rule that silently never fires.
 */
import { APP_EVENT_UNIT, EVENT_FACT, KNOWN_APP_EVENTS } from '../app-events.js';
import { KeywordError, UnsupportedKeyword, type KeywordDescriptor } from './keyword.js';

export const APP_EVENT_KEYWORDS: readonly KeywordDescriptor[] = [
  {
    name: 'app-layer-event',
    docs: 'proto.event: a parser anomaly Suricata names so (http.request_field_too_long, tls.invalid_certificate, dns.malformed_data, smtp.invalid_reply, ...)',
    value: 'required',
    parse(v, rule) {
      const name = v!.trim().toLowerCase();
      if (!/^[a-z0-9_-]+(?:\.[a-z0-9_]+)?$/.test(name)) throw new KeywordError(`app-layer-event: bad event name ${JSON.stringify(v)}`);
      if (!KNOWN_APP_EVENTS.has(name)) throw new UnsupportedKeyword(`app-layer-event:${name}`);
      // First, so the event units decide where a rule with other fact tests runs.
      rule.factTests.unshift({ keyword: 'app-layer-event', unit: APP_EVENT_UNIT, test: (f) => f?.[EVENT_FACT] === name });
    },
  },
];
