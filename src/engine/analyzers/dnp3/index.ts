/**
 * DNP3 analyzer descriptor: Zeek's TCP and UDP port 20000 and, on any port, a probe for a link frame
 * header: 0x05 0x64, a length of at least 5 and a correct header CRC (Zeek's dpd.sig looks for
 * the 0x0564 start; the CRC makes a false match unlikely).
 */
import type { AnalyzerDescriptor, ProbeResult } from '../analyzer.js';
import { Dnp3Analyzer, dnp3Crc } from './dnp3-analyzer.js';

export function probeDnp3(buf: Buffer, off: number, len: number): ProbeResult {
  if (len >= 1 && buf[off] !== 0x05) return 'no';
  if (len >= 2 && buf[off + 1] !== 0x64) return 'no';
  if (len < 10) return 'more';
  if (buf[off + 2] < 5) return 'no';
  return dnp3Crc(buf, off, off + 8) === (buf[off + 8] | (buf[off + 9] << 8)) ? 'yes' : 'no';
}

export const DNP3_ANALYZER: AnalyzerDescriptor = {
  name: 'dnp3',
  tcpPorts: [20000],
  udpPorts: [20000],
  // On UDP a datagram is complete: 'more' would wait for bytes that never come.
  probe: (_isOrig, buf, off, len, transport) => {
    const r = probeDnp3(buf, off, len);
    return transport === 'udp' && r === 'more' ? 'no' : r;
  },
  createStream: (ctx) => new Dnp3Analyzer(ctx),
  createDatagram: (ctx) => {
    const a = new Dnp3Analyzer(ctx);
    return {
      packet(isOrig, buf, off, len) {
        a.data(isOrig, buf, off, len);
        a.datagramEnd(isOrig);
      },
      done: () => a.done(),
    };
  },
};
