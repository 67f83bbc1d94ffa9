/**
 * One connection's NTLM authentications → ntlm.log, as base/protocols/ntlm/main.zeek builds
 * them: the record starts with the first NTLM message, takes the server's names from the
 * CHALLENGE and the client's from the AUTHENTICATE, and is written once the outcome is known (an
 * SPNEGO negState other than accept-incomplete), else when the connection ends.
 *
 * Carriers (SMB session setup, DCE/RPC auth verifiers, HTTP) hand over whole security tokens with
 * token(); one that knows the outcome another way calls outcome().
 *
 * Deliberate differences from Zeek:
 * - Zeek writes one record per connection; a new NEGOTIATE after a record was written starts
 *   another here (SMB1 clients re-authenticate on one connection, and every attempt matters).
 * - SMB's status answers an AUTHENTICATE the server sent no SPNEGO token for (a failed logon):
 *   success is then F where Zeek leaves it unset.
 */
import type { AnalyzerContext } from '../analyzer.js';
import type { LogRecord } from '../../logs/schema.js';
import { NTLM_LOG } from './ntlm-log.js';
import { findNtlmssp, parseNtlmssp, spnegoNegState, type NtlmMessage } from './ntlmssp.js';

export class NtlmSession {
  private rec: LogRecord | undefined;
  /** An AUTHENTICATE was seen whose outcome is still open. */
  private awaitingOutcome = false;
  /** The current record has seen its AUTHENTICATE. */
  private authenticated = false;

  constructor(private readonly ctx: AnalyzerContext) {}

  /** A security token from one side (raw NTLMSSP, or SPNEGO/GSSAPI around it). */
  token(buf: Buffer, off: number, end: number): void {
    if (end > buf.length) end = buf.length;
    if (end <= off) return;
    const at = findNtlmssp(buf, off, end);
    if (at >= 0) {
      const r = parseNtlmssp(buf, at, end);
      if (r.weirds) for (const w of r.weirds) this.ctx.weird(w);
      if (r.msg) this.message(r.msg);
    }
    const state = spnegoNegState(buf, off, end);
    // accept-incomplete (1) only says "more to come" (Zeek ignores it too).
    if (state !== undefined && state !== 1 && this.rec) this.outcome(state === 0);
  }

  /** The carrying protocol's verdict on the last AUTHENTICATE (SMB session setup status). */
  outcome(success: boolean): void {
    if (!this.rec) return;
    this.rec.success = success;
    this.awaitingOutcome = false;
    this.write();
  }

  /** Whether an AUTHENTICATE is waiting for its outcome (the carrier may supply it). */
  get pending(): boolean {
    return this.awaitingOutcome;
  }

  /** Connection over: a record not written yet is written now (Zeek's finalize_ntlm). */
  done(): void {
    this.write();
  }

  private message(m: NtlmMessage): void {
    // A new NEGOTIATE after a finished AUTHENTICATE is a new authentication.
    if (m.type === 1 && this.rec && this.authenticated) this.write();
    const r = (this.rec ??= { ts: this.ctx.now(), ...this.ctx.connFields() });
    if (m.type === 2) {
      if (m.nbComputerName !== undefined) r.server_nb_computer_name = m.nbComputerName;
      if (m.dnsComputerName !== undefined) r.server_dns_computer_name = m.dnsComputerName;
      if (m.dnsTreeName !== undefined) r.server_tree_name = m.dnsTreeName;
    } else if (m.type === 3) {
      if (m.domainName !== undefined) r.domainname = m.domainName;
      if (m.workstation !== undefined) r.hostname = m.workstation;
      if (m.userName !== undefined) r.username = m.userName;
      this.awaitingOutcome = true;
      this.authenticated = true;
    }
  }

  private write(): void {
    if (!this.rec) return;
    this.ctx.log(NTLM_LOG, this.rec);
    this.rec = undefined;
    this.awaitingOutcome = false;
    this.authenticated = false;
  }
}
