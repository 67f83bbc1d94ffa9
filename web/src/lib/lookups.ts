/**
 * Public lookup sites row tools link out to, per value kind: edit this list to add or remove
 * one. Each URL is a fixed site plus the value, URL-encoded, and is passed through safeHttpUrl
 * before it becomes an href; links open in a new tab without a referrer, so the site never learns
 * which Capdex page the analyst came from.
 */
import type { ValueKind } from './classify.js';
import { safeHttpUrl } from './safe-url.js';

export interface LookupSite {
  name: string;
  kinds: readonly ValueKind[];
  url: (value: string) => string;
}

const e = encodeURIComponent;
const IP: ValueKind[] = ['ipv4', 'ipv6'];
const HASH: ValueKind[] = ['md5', 'sha1', 'sha256'];

export const LOOKUP_SITES: readonly LookupSite[] = [
  { name: 'VirusTotal', kinds: [...IP, 'domain', ...HASH], url: (v) => `https://www.virustotal.com/gui/search/${e(v)}` },
  { name: 'VirusTotal (URL)', kinds: ['url'], url: (v) => `https://www.virustotal.com/gui/search/${e(e(v))}` },
  { name: 'AbuseIPDB', kinds: IP, url: (v) => `https://www.abuseipdb.com/check/${e(v)}` },
  { name: 'Shodan', kinds: IP, url: (v) => `https://www.shodan.io/host/${e(v)}` },
  { name: 'GreyNoise', kinds: IP, url: (v) => `https://viz.greynoise.io/ip/${e(v)}` },
  { name: 'urlscan.io', kinds: [...IP, 'domain', 'url'], url: (v) => `https://urlscan.io/search/#${e(`"${v}"`)}` },
  { name: 'crt.sh', kinds: ['domain'], url: (v) => `https://crt.sh/?q=${e(v)}` },
  { name: 'AlienVault OTX', kinds: [...IP, 'domain', ...HASH], url: (v) => `https://otx.alienvault.com/browse/global/pulses?q=${e(v)}` },
  { name: 'MalwareBazaar', kinds: HASH, url: (v) => `https://bazaar.abuse.ch/browse.php?search=${e(`hash:${v}`)}` },
  { name: 'ja3.zone', kinds: ['ja3'], url: (v) => `https://ja3.zone/check/${e(v)}` },
  { name: 'Censys', kinds: [...IP, 'cert_fp'], url: (v) => `https://search.censys.io/search?resource=hosts&q=${e(v)}` },
];

/** The lookup links for a value of a kind: names and safe absolute https URLs. */
export function lookupsFor(kind: ValueKind, value: string): { name: string; href: string }[] {
  const out: { name: string; href: string }[] = [];
  for (const s of LOOKUP_SITES) {
    if (!s.kinds.includes(kind)) continue;
    const href = safeHttpUrl(s.url(value));
    if (href) out.push({ name: s.name, href });
  }
  return out;
}
