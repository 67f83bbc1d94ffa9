/**
 * Deterministic synthetic records for bench:store: conn, dns, http and ssl records in the
 * engine's shapes (its own schemas), drawn from fixed pools of addresses, names, user agents and
 * fingerprints with a seeded PRNG, so every run stores the same rows and pivots ask for values
 * that are known to be there. Proportions and sizes follow a typical capture: half conn.
 */
import type { LogRecord, LogSchema, RecordSink } from '../src/engine/logs/schema.js';
import { CONN_LOG } from '../src/engine/logs/conn-log.js';
import { DNS_LOG } from '../src/engine/analyzers/dns/dns-log.js';
import { HTTP_LOG } from '../src/engine/analyzers/http/http-log.js';
import { SSL_LOG } from '../src/engine/analyzers/ssl/ssl-log.js';
import { prng } from '../test/support/prng.js';

export { prng };


const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface Pools {
  clients: string[];
  servers: string[];
  domains: string[];
  agents: string[];
  ja3: string[];
}

export function makePools(seed = 1): Pools {
  const r = prng(seed);
  const hex = (n: number): string => { let s = ''; for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(r() * 16)]; return s; };
  const word = (): string => { let s = ''; const n = 4 + Math.floor(r() * 8); for (let i = 0; i < n; i++) s += 'abcdefghijklmnopqrstuvwxyz'[Math.floor(r() * 26)]; return s; };
  const clients = Array.from({ length: 4096 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.${1 + Math.floor(r() * 250)}`);
  const servers = Array.from({ length: 500_000 }, (_, i) =>
    i % 10 === 9 ? `2001:db8:${(i >> 16).toString(16)}::${(i & 0xffff).toString(16)}` : `${11 + Math.floor(r() * 200)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`);
  const tlds = ['com', 'net', 'org', 'io', 'ru', 'de', 'duckdns.org', 'co.uk'];
  const domains = Array.from({ length: 200_000 }, () => `${r() < 0.5 ? 'www.' : ''}${word()}.${tlds[Math.floor(r() * tlds.length)]}`);
  const agents = Array.from({ length: 2000 }, (_, i) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${100 + (i % 40)}.0.${i}.0 Safari/537.36`);
  const ja3 = Array.from({ length: 5000 }, () => hex(32));
  return { clients, servers, domains, agents, ja3 };
}

/** Writes `count` records to `sink`, starting at record number `from` (captures are slices of one stream). */
export function generateRecords(sink: RecordSink, pools: Pools, from: number, count: number, seed = 7): void {
  const r = prng(seed + from);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)];
  // Skewed choice: a few hot values, a long tail (as real traffic: one resolver, many sites).
  const skew = <T>(a: T[]): T => a[Math.floor(a.length * r() * r() * r())];
  const baseTs = 1_700_000_000;
  for (let n = from; n < from + count; n++) {
    let uid = 'C';
    for (let i = 0, x = n * 2654435761; i < 17; i++, x = Math.floor(x / 62) + i * 7919) uid += B62[x % 62];
    const ts = baseTs + n * 0.001;
    const orig = skew(pools.clients);
    const resp = skew(pools.servers);
    const kind = r();
    const origP = 1024 + Math.floor(r() * 60000);
    let schema: LogSchema = CONN_LOG;
    let rec: LogRecord;
    // Literal objects, not `{ ...id, ... }`: V8 makes spread copies with dotted keys very slowly (~40 µs each).
    if (kind < 0.5) {
      const tcp = r() < 0.7;
      rec = {
        ts, uid, 'id.orig_h': orig, 'id.orig_p': origP, 'id.resp_h': resp, 'id.resp_p': tcp ? 443 : 53, proto: tcp ? 'tcp' : 'udp', service: tcp ? 'ssl' : 'dns', duration: r() * 30,
        orig_bytes: Math.floor(r() * 5000), resp_bytes: Math.floor(r() * 2_000_000), conn_state: 'SF', local_orig: true, local_resp: false,
        missed_bytes: 0, history: tcp ? 'ShADadFf' : 'Dd', orig_pkts: 8, orig_ip_bytes: 900, resp_pkts: 10, resp_ip_bytes: 12000,
        community_id: '1:' + uid.slice(1, 17) + 'AAAAAAAAAAA=',
      };
    } else if (kind < 0.75) {
      schema = DNS_LOG;
      const q = skew(pools.domains);
      rec = {
        ts, uid, 'id.orig_h': orig, 'id.orig_p': origP, 'id.resp_h': resp, 'id.resp_p': 53, proto: 'udp', trans_id: Math.floor(r() * 65536), rtt: r() * 0.05, query: q, qclass: 1, qclass_name: 'C_INTERNET',
        qtype: 1, qtype_name: 'A', rcode: 0, rcode_name: 'NOERROR', AA: false, TC: false, RD: true, RA: true, Z: 0,
        answers: [pick(pools.servers), pick(pools.servers)], TTLs: [300, 300], rejected: false,
      };
    } else if (kind < 0.9) {
      schema = HTTP_LOG;
      const host = skew(pools.domains);
      rec = {
        ts, uid, 'id.orig_h': orig, 'id.orig_p': origP, 'id.resp_h': resp, 'id.resp_p': 80, trans_depth: 1, method: 'GET', host, uri: `/path/${n % 1000}/index.html?id=${n}`, version: '1.1',
        user_agent: skew(pools.agents), request_body_len: 0, response_body_len: Math.floor(r() * 100000), status_code: 200, status_msg: 'OK',
        tags: [], resp_fuids: ['F' + uid.slice(1)], resp_mime_types: ['text/html'],
      };
    } else {
      schema = SSL_LOG;
      rec = {
        ts, uid, 'id.orig_h': orig, 'id.orig_p': origP, 'id.resp_h': resp, 'id.resp_p': 443, version: 'TLSv13', cipher: 'TLS_AES_128_GCM_SHA256', curve: 'x25519', server_name: skew(pools.domains),
        resumed: false, established: true, ssl_history: 'CsiI', ja3: skew(pools.ja3), ja3s: pick(pools.ja3),
        ja4: 't13d1516h2_8daaf6152771_b186095e22b6',
      };
    }
    sink.write(schema, rec);
  }
}
