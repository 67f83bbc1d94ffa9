/**
 * Ports on which a service is likely to listen: Zeek's `likely_server_ports`, which its base
 * scripts fill with every analyzer's well-known ports. Used to pick the originator when the
 * first packet seen is not a SYN (a partial connection) or for UDP.
 */
const TCP = [
  21, 22, 23, 25, 53, 80, 81, 88, 110, 135, 139, 143, 389, 443, 445, 502, 563, 585, 587, 614, 631, 636,
  989, 990, 992, 993, 995, 1080, 1723, 2811, 3128, 3268, 3306, 3389, 5060, 5223, 5432, 6379, 6666, 6667, 6668, 6669,
  8000, 8080, 8888, 20000, 1883, 4222,
];
const UDP = [
  53, 67, 68, 69, 88, 123, 137, 161, 162, 443, 514, 547, 1812, 1813, 2123, 2152, 3544, 3478, 4789, 5060, 5072, 5353, 5355, 6081, 20000,
];

export const likelyServerPortsTcp = new Uint8Array(65536);
export const likelyServerPortsUdp = new Uint8Array(65536);
for (const p of TCP) likelyServerPortsTcp[p] = 1;
for (const p of UDP) likelyServerPortsUdp[p] = 1;
