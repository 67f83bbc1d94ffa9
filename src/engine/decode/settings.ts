/**
 * Engine-wide switches read in the packet loop. A module-level object (not a parameter threaded
 * through every decoder) keeps the hot path free of extra arguments; the engine sets it once
 * before a run.
 */

/**
 * What to do with packets whose IPv4, TCP, UDP or ICMP checksum is wrong:
 * - 'mark' (default): report them (weird, history C/c) and analyse them anyway. Most captures
 *   taken on a sending host carry offloaded, never-computed checksums; dropping those packets
 *   (Zeek's default) loses the host's whole side of every conversation, which is why tools
 *   built on Zeek for uploaded captures run it with -C.
 * - 'strict': drop them after reporting, exactly as Zeek does by default.
 * - 'off': do not compute checksums at all (fastest).
 */
export type ChecksumMode = 'mark' | 'strict' | 'off';

export const engineSettings = {
  checksums: 'mark' as ChecksumMode,
  /** Derived: checksums are computed at all. */
  validateChecksums: true,
  /** Derived: packets with bad checksums are dropped. */
  dropBadChecksums: false,
};

export function setChecksumMode(mode: ChecksumMode): void {
  engineSettings.checksums = mode;
  engineSettings.validateChecksums = mode !== 'off';
  engineSettings.dropBadChecksums = mode === 'strict';
}
