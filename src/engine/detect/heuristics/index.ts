/**
 * The heuristics, one descriptor each: the one list the engine runs (add a heuristic here).
 * Each file documents its notes, thresholds and false positives.
 */
import type { HeuristicDescriptor } from './heuristic.js';
import { DGA_DOMAIN } from './dga-domain.js';
import { DNS_TUNNEL } from './dns-tunnel.js';
import { BEACONING } from './beaconing.js';
import { DISGUISED_EXECUTABLE } from './disguised-executable.js';
import { SELF_SIGNED_CERT } from './self-signed-cert.js';
import { CERT_VALIDITY } from './cert-validity.js';
import { TLS_BARE_IP } from './tls-bare-ip.js';
import { USER_AGENT } from './user-agent.js';
import { CLEARTEXT_CREDENTIALS } from './cleartext-credentials.js';
import { PORT_MISMATCH } from './port-mismatch.js';
import { LONG_CONNECTION } from './long-connection.js';
import { LARGE_OUTBOUND } from './large-outbound.js';
import { SCANNING } from './scanning.js';
import { INTEL_MATCH } from './intel-match.js';

export const HEURISTICS: readonly HeuristicDescriptor[] = [
  DGA_DOMAIN, DNS_TUNNEL, BEACONING, DISGUISED_EXECUTABLE, SELF_SIGNED_CERT, CERT_VALIDITY, TLS_BARE_IP,
  USER_AGENT, CLEARTEXT_CREDENTIALS, PORT_MISMATCH, LONG_CONNECTION, LARGE_OUTBOUND, SCANNING, INTEL_MATCH,
];

export { HeuristicSink, type HeuristicOptions } from './heuristic-sink.js';
export { IntelSet } from './intel-set.js';
