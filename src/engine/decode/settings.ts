/**
 * Engine-wide switches read in the packet loop. A module-level object (not a parameter threaded
 * through every decoder) keeps the hot path free of extra arguments; the engine sets it once
 * before a run.
 */
export const engineSettings = {
  /** Drop packets whose IPv4/TCP/UDP/ICMP checksums are wrong, as Zeek does by default
   *  (`ignore_checksums=F`); they still count as weirds and `C` in the history. */
  validateChecksums: true,
};
