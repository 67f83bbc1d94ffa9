/**
 * DCE/RPC state of one connection → dce_rpc.log, as base/protocols/dce-rpc/main.zeek keeps it:
 * one binding per channel (the TCP connection itself, or each SMB named pipe by its file id), its
 * presentation contexts (context id → interface UUID) and secondary address, and the calls in
 * flight by call id. A call is written when its response arrives (with rtt), unless Zeek's
 * ignored_operations list it.
 *
 * Deliberate differences from Zeek:
 * - rtt is measured per call (by call_id); Zeek keeps one request time per binding.
 * - Calls still unanswered at the end are written without rtt (Zeek's finalize hook writes the
 *   binding's last state instead: its TODO).
 * - named_pipe falls back to the name the SMB client opened when no bind_ack was seen.
 */
import type { AnalyzerContext } from '../analyzer.js';
import { LIMITS } from '../../support/limits.js';
import { GrowingBuffer } from '../../support/growing-buffer.js';
import type { NtlmSession } from '../ntlm/session.js';
import { DCE_RPC_LOG } from './dce-rpc-log.js';
import { StubUnits } from './stub-units.js';
import { endpointName, isIgnored, operationName, PIPE_TO_UUID } from './consts.js';
import {
  authValue, bindAckSecAddr, bindContexts, callContext, HEADER_BYTES, PFC_FIRST_FRAG, PFC_LAST_FRAG, PTYPE, readHeader, type PduHeader,
} from './pdu.js';

interface PendingCall {
  ts: number;
  ctxId: number;
  opnum: number;
}

/** One binding: the contexts and calls of a TCP connection or an SMB pipe. */
class Binding {
  readonly contexts = new Map<number, string>();
  /** Context id → the bound interface's major version. */
  readonly versions = new Map<number, number>();
  /** Calls' stub data being joined for the detection engine (only when a rule inspects DCE/RPC). */
  stubs: StubUnits | undefined;
  /** UUID of the latest bound context (Zeek's State$uuid). */
  uuid: string | undefined;
  secAddr: string | undefined;
  readonly calls = new Map<number, PendingCall>();
  channel: DceRpcChannel | undefined;
  constructor(readonly pipeName: string | undefined) {}
}

/** Reassembles the PDUs of one direction of one channel from stream bytes. */
class PduReader {
  private readonly msg = new GrowingBuffer();
  /** A header split across chunks, gathered here (made on first need: most PDUs come whole). */
  private hdr: Buffer | undefined;
  private hdrHave = 0;
  lost = false;

  constructor(private readonly onPdu: (buf: Buffer, off: number, h: PduHeader) => void, private readonly onBad: (weird: string) => void) {}

  push(buf: Buffer, off: number, len: number): void {
    const end = off + len;
    let p = off;
    while (p < end && !this.lost) {
      if (this.hdrHave < HEADER_BYTES) {
        // Fast path: a whole PDU in this chunk, nothing buffered.
        if (this.hdrHave === 0 && end - p >= HEADER_BYTES) {
          const h = this.header(buf, p);
          if (!h) return;
          if (end - p >= h.fragLen) {
            this.onPdu(buf, p, h);
            p += h.fragLen;
            continue;
          }
        }
        const hdr = (this.hdr ??= Buffer.allocUnsafe(HEADER_BYTES));
        const take = Math.min(HEADER_BYTES - this.hdrHave, end - p);
        buf.copy(hdr, this.hdrHave, p, p + take);
        this.hdrHave += take;
        p += take;
        if (this.hdrHave < HEADER_BYTES) return;
        const h = this.header(hdr, 0);
        if (!h) return;
        this.msg.start(h.fragLen);
        this.msg.append(hdr, 0, HEADER_BYTES);
      }
      p += this.msg.append(buf, p, end - p);
      if (this.msg.complete) {
        this.hdrHave = 0;
        const b = this.msg.bytes;
        this.onPdu(b, 0, readHeader(b, 0)!);
        this.msg.release();
      }
    }
  }

  /** Bytes were lost: PDU boundaries cannot be found again. */
  gap(): void {
    this.lost = true;
    this.msg.release();
  }

  private header(buf: Buffer, off: number): PduHeader | undefined {
    const h = readHeader(buf, off);
    if (!h) {
      this.lost = true;
      this.onBad('DCE_RPC_bad_header');
      return undefined;
    }
    if (h.fragLen > LIMITS.dceRpcMaxFragmentBytes) {
      this.lost = true;
      this.onBad('DCE_RPC_fragment_too_large');
      return undefined;
    }
    return h;
  }
}

/** The DCE/RPC byte streams of one channel (both directions). */
export class DceRpcChannel {
  private readonly readers: [PduReader, PduReader];
  /** At least one PDU parsed. */
  parsed = false;

  constructor(private readonly session: DceRpcSession, private readonly binding: Binding, onBad: (weird: string) => void) {
    const reader = () => new PduReader((b, o, h) => this.pdu(b, o, h), onBad);
    this.readers = [reader(), reader()];
  }

  /** Stream bytes from one side (a TCP stream, or the payload of SMB writes/reads on the pipe). */
  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    this.readers[isOrig ? 0 : 1].push(buf, off, len);
  }

  gap(isOrig: boolean): void {
    this.readers[isOrig ? 0 : 1].gap();
  }

  get lost(): boolean {
    return this.readers[0].lost && this.readers[1].lost;
  }

  private pdu(buf: Buffer, off: number, h: PduHeader): void {
    this.parsed = true;
    this.session.pdu(this.binding, buf, off, h);
  }
}

export class DceRpcSession {
  private readonly bindings = new Map<string, Binding>();

  /** Whether a rule inspects DCE/RPC calls (the units are only built then). */
  private readonly inspecting: boolean;

  constructor(private readonly ctx: AnalyzerContext, private readonly ntlm: NtlmSession) {
    this.inspecting = ctx.inspecting('dcerpc');
  }

  /**
   * The channel for `fid` ('' for a DCE/RPC TCP connection, the SMB file id of a pipe), created
   * on first use. Bindings are bounded: past the limit the oldest is written out and forgotten.
   */
  channel(fid: string, pipeName?: string): DceRpcChannel {
    let b = this.bindings.get(fid);
    if (!b) {
      if (this.bindings.size >= LIMITS.dceRpcMaxBindings) {
        const oldest = this.bindings.keys().next().value as string;
        this.close(oldest);
        this.ctx.weird('SMB_discarded_dce_rpc_analyzers');
      }
      b = new Binding(pipeName);
      this.bindings.set(fid, b);
    }
    return (b.channel ??= new DceRpcChannel(this, b, (w) => this.ctx.weird(w)));
  }

  /** The pipe was closed: its unanswered calls are written and the binding forgotten. */
  close(fid: string): void {
    const b = this.bindings.get(fid);
    if (!b) return;
    this.flush(b);
    this.bindings.delete(fid);
  }

  done(): void {
    for (const b of this.bindings.values()) this.flush(b);
    this.bindings.clear();
  }

  /** @internal One complete PDU of a binding. */
  pdu(b: Binding, buf: Buffer, off: number, h: PduHeader): void {
    switch (h.ptype) {
      case PTYPE.BIND:
      case PTYPE.ALTER_CONTEXT:
        for (const c of bindContexts(buf, off, h)) {
          if (b.contexts.size >= LIMITS.dceRpcMaxContexts && !b.contexts.has(c.ctxId)) break;
          b.contexts.set(c.ctxId, c.uuid);
          b.versions.set(c.ctxId, c.version);
          b.uuid = c.uuid;
        }
        this.auth(buf, off, h);
        break;
      case PTYPE.BIND_ACK: {
        const sec = bindAckSecAddr(buf, off, h);
        if (sec !== undefined) b.secAddr = sec;
        this.auth(buf, off, h);
        break;
      }
      case PTYPE.ALTER_CONTEXT_RESP:
      case PTYPE.AUTH3:
        this.auth(buf, off, h);
        break;
      case PTYPE.REQUEST: {
        const c = callContext(buf, off, h);
        if (c && this.inspecting) this.inspectStub(b, buf, off, h, true, c.ctxId, c.opnum);
        if (!(h.flags & PFC_FIRST_FRAG)) break; // later fragments of the same call
        if (!c) break;
        if (b.calls.size >= LIMITS.dceRpcMaxPendingCalls) {
          const oldest = b.calls.keys().next().value as number;
          this.write(b, b.calls.get(oldest)!, undefined);
          b.calls.delete(oldest);
        }
        b.calls.set(h.callId, { ts: this.ctx.now(), ctxId: c.ctxId, opnum: c.opnum });
        break;
      }
      case PTYPE.RESPONSE: {
        if (this.inspecting) {
          const pending = b.calls.get(h.callId);
          const c = callContext(buf, off, h);
          if (c) this.inspectStub(b, buf, off, h, false, c.ctxId, pending?.opnum ?? -1);
        }
        if (!(h.flags & PFC_LAST_FRAG)) break; // the call is answered by its last fragment
        const call = b.calls.get(h.callId);
        if (!call) break; // request not seen: no opnum to name (Zeek does not log these either)
        b.calls.delete(h.callId);
        const c = callContext(buf, off, h);
        this.write(b, c ? { ...call, ctxId: c.ctxId } : call, this.ctx.now());
        break;
      }
      case PTYPE.FAULT:
        b.calls.delete(h.callId); // Zeek raises no response event for a fault: nothing is logged
        break;
    }
  }

  /** A request or response fragment for dce_iface / dce_opnum / dce_stub_data rules. */
  private inspectStub(b: Binding, buf: Buffer, off: number, h: PduHeader, isOrig: boolean, ctxId: number, opnum: number): void {
    const uuid = b.contexts.get(ctxId) ?? b.uuid;
    const unit = (b.stubs ??= new StubUnits()).fragment(buf, off, h, isOrig, { iface: uuid, ifaceVersion: b.versions.get(ctxId), opnum });
    if (unit !== undefined) this.ctx.inspect(unit);
  }

  private auth(buf: Buffer, off: number, h: PduHeader): void {
    const v = authValue(buf, off, h);
    if (v) this.ntlm.token(buf, v[0], v[1]);
  }

  private flush(b: Binding): void {
    for (const call of b.calls.values()) this.write(b, call, undefined);
    b.calls.clear();
  }

  private write(b: Binding, call: PendingCall, responseTs: number | undefined): void {
    let uuid = b.contexts.get(call.ctxId) ?? b.uuid;
    const pipe = b.secAddr ?? b.pipeName;
    if (uuid === undefined && pipe !== undefined) uuid = PIPE_TO_UUID.get(pipeKey(pipe));
    if (uuid === undefined) return; // no binding seen: nothing to name the call by
    const endpoint = endpointName(uuid);
    const operation = operationName(uuid, call.opnum);
    if (isIgnored(endpoint, operation)) return;
    const rec: Record<string, unknown> = { ts: call.ts, ...this.ctx.connFields() };
    if (responseTs !== undefined && responseTs !== call.ts) rec.rtt = responseTs - call.ts;
    if (pipe !== undefined) rec.named_pipe = pipe;
    rec.endpoint = endpoint;
    rec.operation = operation;
    this.ctx.log(DCE_RPC_LOG, rec);
  }
}

/** "\PIPE\srvsvc" → "srvsvc" (Zeek's normalize_named_pipe_name). */
function pipeKey(name: string): string {
  const m = /\\pipe\\(.*)$/i.exec(name);
  return (m ? m[1] : name).toLowerCase();
}
