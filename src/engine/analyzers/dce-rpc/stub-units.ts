/**
 * DCE/RPC calls for the detection engine: one inspection unit (proto 'dcerpc') per request and
 * per response, whose dce.stub_data buffer is the call's stub with its fragments joined, and whose
 * facts name the bound interface (iface, iface_version) and the operation (opnum) for dce_iface and
 * dce_opnum. Only built when some rule inspects DCE/RPC.
 *
 * Fragments of a call are joined up to LIMITS.dceRpcMaxStubBytes (the rest is cut, as a rule
 * looking that deep is rare and the memory is the attacker's to ask for); at most
 * LIMITS.dceRpcMaxPendingCalls calls per binding are being joined at once.
 */
import type { InspectionUnit } from '../../detect/inspection.js';
import { LIMITS } from '../../support/limits.js';
import { PFC_FIRST_FRAG, PFC_LAST_FRAG, stubRange, type PduHeader } from './pdu.js';

interface JoinedStub {
  parts: Buffer[];
  size: number;
}

export interface CallIdentity {
  iface: string | undefined;
  ifaceVersion: number | undefined;
  opnum: number;
}

export class StubUnits {
  /** (call id, direction) → fragments so far. */
  private readonly partial = new Map<number, JoinedStub>();

  /**
   * One request (isOrig) or response fragment; returns the unit once the call's last fragment is
   * in, else undefined.
   */
  fragment(buf: Buffer, off: number, h: PduHeader, isOrig: boolean, who: CallIdentity): InspectionUnit | undefined {
    const range = stubRange(off, h);
    const key = h.callId * 2 + (isOrig ? 0 : 1);
    const first = (h.flags & PFC_FIRST_FRAG) !== 0;
    const last = (h.flags & PFC_LAST_FRAG) !== 0;
    if (first && last) {
      this.partial.delete(key);
      return unit(range ? buf.subarray(range[0], Math.min(range[1], range[0] + LIMITS.dceRpcMaxStubBytes)) : Buffer.alloc(0), isOrig, who);
    }
    let p = this.partial.get(key);
    if (first || p === undefined) {
      if (!first) return undefined; // a middle or last fragment whose start we never saw
      if (this.partial.size >= LIMITS.dceRpcMaxPendingCalls) {
        const oldest = this.partial.keys().next();
        if (!oldest.done) this.partial.delete(oldest.value);
      }
      this.partial.set(key, (p = { parts: [], size: 0 }));
    }
    if (range && p.size < LIMITS.dceRpcMaxStubBytes) {
      const take = Math.min(range[1] - range[0], LIMITS.dceRpcMaxStubBytes - p.size);
      p.parts.push(Buffer.from(buf.subarray(range[0], range[0] + take))); // copied: buf is reused
      p.size += take;
    }
    if (!last) return undefined;
    this.partial.delete(key);
    return unit(Buffer.concat(p.parts, p.size), isOrig, who);
  }
}

function unit(stub: Buffer, isOrig: boolean, who: CallIdentity): InspectionUnit {
  return {
    proto: 'dcerpc', isOrig,
    buffers: { 'dce.stub_data': stub },
    facts: { iface: who.iface, iface_version: who.ifaceVersion, opnum: who.opnum >= 0 ? who.opnum : undefined },
  };
}
