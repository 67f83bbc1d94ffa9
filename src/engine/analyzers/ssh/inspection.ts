/**
 * SSH inspection units (detect/inspection.ts) with Suricata 7's buffers: each side's
 * identification line gives ssh.proto ("2.0") and ssh.software (the softwareversion up to the
 * first space: "OpenSSH_8.9p1", comments left out, as Suricata's banner parser does); each
 * side's first KEXINIT gives ssh.hassh / ssh.hassh.string (client) or ssh.hassh.server /
 * ssh.hassh.server.string (server).
 */
import type { InspectionUnit } from '../../detect/inspection.js';

/** The identification line b[i, e) (without CR LF), already known to start with "SSH-". */
export function bannerUnit(b: Buffer, i: number, e: number, isOrig: boolean): InspectionUnit {
  const p = i + 4;
  let dash = p;
  while (dash < e && b[dash] !== 0x2d) dash++;
  let sp = dash + 1;
  while (sp < e && b[sp] !== 0x20) sp++;
  const buffers: Record<string, Buffer> = { 'ssh.proto': Buffer.from(b.subarray(p, dash)) };
  if (dash < e) buffers['ssh.software'] = Buffer.from(b.subarray(dash + 1, sp));
  return { proto: 'ssh', isOrig, buffers };
}

/** HASSH (client) or HASSHServer of a KEXINIT: the MD5 and the algorithm string it hashes. */
export function hasshUnit(hash: string, algorithms: string, isOrig: boolean): InspectionUnit {
  const h = Buffer.from(hash, 'latin1'), s = Buffer.from(algorithms, 'utf8');
  return { proto: 'ssh', isOrig, buffers: isOrig ? { 'ssh.hassh': h, 'ssh.hassh.string': s } : { 'ssh.hassh.server': h, 'ssh.hassh.server.string': s } };
}
