/** conn.log's conn_state, computed from endpoint states exactly as Zeek's conn/main.zeek does. */
import { type Conn, PROTO_TCP, PROTO_UDP } from './conn.js';
import { TcpState } from './tcp-endpoint.js';

/** Zeek's history pattern for RSTOS0 (an S, no H/A/F/G/I/Q, then an R). */
const RSTOS0_HISTORY = /^\^?S[^HAFGIQ]*R.*$/;

export function connState(c: Conn): string {
  if (c.proto === PROTO_TCP) {
    const o = c.tcpOrig!, r = c.tcpResp!;
    const os = o.state, rs = r.state;
    const oInactive = os === TcpState.Inactive || os === TcpState.Partial;
    const rInactive = rs === TcpState.Inactive || rs === TcpState.Partial;
    if (rs === TcpState.Reset) {
      if (os === TcpState.SynSent || os === TcpState.SynAckSent
          || (os === TcpState.Reset && o.size(r) === 0 && r.size(o) === 0)) return 'REJ';
      return oInactive ? 'RSTRH' : 'RSTR';
    }
    if (os === TcpState.Reset) {
      if (rInactive) return RSTOS0_HISTORY.test(c.history) ? 'RSTOS0' : 'OTH';
      return 'RSTO';
    }
    if (rs === TcpState.Closed && os === TcpState.Closed) return 'SF';
    if (os === TcpState.Closed) return rInactive ? 'SH' : 'S2';
    if (rs === TcpState.Closed) return oInactive ? 'SHR' : 'S3';
    if (os === TcpState.SynSent && rs === TcpState.Inactive) return 'S0';
    if (os === TcpState.Established && rs === TcpState.Established) return 'S1';
    return 'OTH';
  }
  if (c.proto === PROTO_UDP) {
    const oActive = c.origLen >= 0, rActive = c.respLen >= 0;
    if (oActive) return rActive ? 'SF' : 'S0';
    return rActive ? 'SHR' : 'OTH';
  }
  return 'OTH';
}
