/**
 * The DCE/RPC analyzer over TCP (Zeek's ports: 135, plus any port where a bind PDU opens the
 * stream, as after an endpoint-mapper lookup), producing dce_rpc.log (session.ts) and ntlm.log
 * from NTLMSSP auth verifiers. SMB named pipes reuse DceRpcSession with one channel per pipe.
 * conn.log service is "dce_rpc", Zeek's analyzer name.
 */
import type { AnalyzerContext, AnalyzerDescriptor, ProbeResult, StreamAnalyzer } from '../analyzer.js';
import { LIMITS } from '../../support/limits.js';
import { NtlmSession } from '../ntlm/session.js';
import { HEADER_BYTES, PTYPE, readHeader } from './pdu.js';
import { DceRpcSession, type DceRpcChannel } from './session.js';

export { DceRpcSession, DceRpcChannel } from './session.js';
export { DCE_RPC_LOG } from './dce-rpc-log.js';

class DceRpcStream implements StreamAnalyzer {
  private readonly ntlm: NtlmSession;
  private readonly session: DceRpcSession;
  private readonly channel: DceRpcChannel;
  private confirmed = false;
  private stopped = false;

  constructor(private readonly ctx: AnalyzerContext) {
    this.ntlm = new NtlmSession(ctx);
    this.session = new DceRpcSession(ctx, this.ntlm);
    this.channel = this.session.channel('');
  }

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    if (this.stopped) return;
    this.channel.data(isOrig, buf, off, len);
    if (!this.confirmed && this.channel.parsed) {
      this.confirmed = true;
      this.ctx.confirm();
    }
    if (!this.confirmed && this.channel.lost) {
      this.stopped = true;
      this.ctx.violation('not DCE/RPC PDUs');
    }
  }

  gap(isOrig: boolean, _len: number): void {
    this.channel.gap(isOrig);
  }

  eof(_isOrig: boolean): void {}

  done(): void {
    this.session.done();
    this.ntlm.done();
  }
}

/** A bind or alter_context PDU from the client: version 5.0/5.1, a sane fragment length. */
function probe(isOrig: boolean, buf: Buffer, off: number, len: number, transport: 'tcp' | 'udp'): ProbeResult {
  if (transport !== 'tcp') return 'no';
  if (len < 1) return 'more';
  if (buf[off] !== 5) return 'no';
  if (len < HEADER_BYTES) return 'more';
  const h = readHeader(buf, off);
  if (!h || h.fragLen > LIMITS.dceRpcMaxFragmentBytes) return 'no';
  if (isOrig) return (h.ptype === PTYPE.BIND || h.ptype === PTYPE.ALTER_CONTEXT) && h.fragLen >= 28 ? 'yes' : 'no';
  return h.ptype === PTYPE.BIND_ACK || h.ptype === PTYPE.BIND_NAK ? 'yes' : 'no';
}

export const DCE_RPC_ANALYZER: AnalyzerDescriptor = {
  name: 'dce_rpc',
  tcpPorts: [135],
  probe,
  probeAnyPort: true,
  createStream: (ctx) => new DceRpcStream(ctx),
};
