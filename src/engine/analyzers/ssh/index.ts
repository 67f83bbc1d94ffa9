/**
 * SSH analyzer descriptor: Zeek's port 22, and on any port a side that starts with "SSH-" (the
 * identification string, RFC 4253 §4.2).
 */
import type { AnalyzerDescriptor, ProbeResult } from '../analyzer.js';
import { SshAnalyzer } from './ssh-analyzer.js';

const PREFIX = [0x53, 0x53, 0x48, 0x2d]; // "SSH-"

export function probeSsh(buf: Buffer, off: number, len: number): ProbeResult {
  for (let k = 0; k < 4; k++) {
    if (k >= len) return 'more';
    if (buf[off + k] !== PREFIX[k]) return 'no';
  }
  return 'yes';
}

export const SSH_ANALYZER: AnalyzerDescriptor = {
  name: 'ssh',
  tcpPorts: [22],
  probe: (_isOrig, buf, off, len, transport) => (transport === 'tcp' ? probeSsh(buf, off, len) : 'no'),
  createStream: (ctx) => new SshAnalyzer(ctx),
};
