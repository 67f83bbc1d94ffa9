/**
 * Addresses no GeoIP database can place: private, loopback, link-local, CGNAT, documentation,
 * multicast and other special-purpose blocks (IANA's IPv4/IPv6 special-purpose registries).
 * /api/geo answers `{ private: true }` for them instead of a misleading country.
 */
import { NetworkSet } from '../engine/support/networks.js';

export const RESERVED_NETWORKS: readonly string[] = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '192.168.0.0/16', '198.18.0.0/15',
  '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4',
  '::/128', '::1/128', '64:ff9b:1::/48', '100::/64', '2001:db8::/32', 'fc00::/7', 'fe80::/10', 'ff00::/8',
];

const RESERVED = new NetworkSet(RESERVED_NETWORKS);

/** Whether the address (four words from parseAddr) lies in a special-purpose block. */
export function isReservedAddr(w: readonly [number, number, number, number]): boolean {
  return RESERVED.contains(w[0], w[1], w[2], w[3]);
}
