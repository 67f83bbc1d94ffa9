/**
 * Named limits. Every length read from a capture is checked against one of these, and every
 * limit says why it exists. Hitting one yields a weird, never a crash or unbounded growth.
 */
export const LIMITS = {
  /** Largest record (pcap packet or pcapng block) we buffer. Real snaplens top out at 256 KiB;
   *  pcapng blocks with big options stay far below this. Larger is corruption or an attack. */
  maxRecordBytes: 16 * 1024 * 1024,
  /** Header layers decoded per frame (link, VLANs, MPLS, IP, tunnels, ...). Real traffic needs
   *  well under 16; a crafted frame nesting tunnels forever is cut here. */
  maxDecodeLayers: 32,
  /** MPLS label stack entries we walk before giving up. */
  maxMplsLabels: 16,
  /** IPv6 extension headers walked per packet. */
  maxIpv6ExtensionHeaders: 16,
  /** Concurrent IP fragment reassemblies (per engine). */
  maxFragmentReassemblies: 8192,
  /** Bytes buffered for all pending fragment reassemblies together. */
  maxFragmentBytes: 64 * 1024 * 1024,
  /** Fragments buffered for one datagram before it is abandoned. */
  maxFragmentsPerDatagram: 256,
  /** Seconds an incomplete fragmented datagram is kept (Zeek's frag_timeout is off; Linux uses 30 s). */
  fragmentTimeout: 30,
  /** Live connections before the oldest idle ones are expired early (keeps RSS bounded). */
  maxConnections: 1_000_000,
  /** Tunnels tracked at once. */
  maxTunnels: 65536,
} as const;

export type Limits = typeof LIMITS;
