/**
 * The SMB analyzer (TCP 445 and NetBIOS session service 139, Zeek's SMB ports; on other ports a
 * NetBIOS-framed SMB header is recognised by the probe): smb_mapping.log, smb_files.log and
 * files.log (source "SMB"), ntlm.log from session setup, dce_rpc.log from named pipes.
 * SMB2/3 is parsed in smb2.ts, SMB1 where cheap in smb1.ts, shared state in state.ts. Encrypted
 * SMB3 traffic (transform header) confirms the protocol and is not opened further.
 * conn.log service is "smb", as Zeek writes it.
 *
 * Deliberate differences from Zeek: smb_cmd.log is not written (Zeek leaves it off by default
 * too); SMB1 transactions other than TransactNmPipe (LANMAN, mailslots) are not parsed; SMB1 without
 * extended security (pre-NTLMSSP LM/NTLM challenge-response) yields no ntlm.log record.
 */
import type { AnalyzerContext, AnalyzerDescriptor, ProbeResult, StreamAnalyzer } from '../analyzer.js';
import { NbssFramer, type TailSink } from './framing.js';
import { SmbSession } from './state.js';
import { smb1Message, SMB1_MAGIC } from './smb1.js';
import { smb2Message, SMB2_COMPRESSED_MAGIC, SMB2_MAGIC, SMB2_TRANSFORM_MAGIC } from './smb2.js';

export { SMB_FILES_LOG, SMB_MAPPING_LOG } from './smb-log.js';

class SmbStream implements StreamAnalyzer {
  private readonly s: SmbSession;
  private readonly sides: [NbssFramer, NbssFramer];
  private confirmed = false;
  private stopped = false;
  private encryptedSeen = false;

  constructor(private readonly ctx: AnalyzerContext) {
    this.s = new SmbSession(ctx);
    const side = (isOrig: boolean) => new NbssFramer(
      (b, o, headLen, msgLen) => this.message(isOrig, b, o, headLen, msgLen),
      (reason) => this.bad(reason),
      () => this.stopped,
    );
    this.sides = [side(true), side(false)];
  }

  data(isOrig: boolean, buf: Buffer, off: number, len: number): void {
    this.sides[isOrig ? 0 : 1].push(buf, off, len);
  }

  gap(isOrig: boolean, len: number): void {
    this.sides[isOrig ? 0 : 1].gap(len);
  }

  eof(_isOrig: boolean): void {}

  done(): void {
    this.s.done();
  }

  private message(isOrig: boolean, buf: Buffer, off: number, headLen: number, msgLen: number): TailSink | undefined {
    if (headLen < 4) return this.notSmb();
    const magic = buf.readUInt32LE(off);
    const end = off + headLen;
    if (magic === SMB2_MAGIC) {
      const r = smb2Message(this.s, isOrig, buf, off, end, msgLen);
      if (!r.ok) return this.notSmb();
      this.confirm();
      return r.tail;
    }
    if (magic === SMB1_MAGIC) {
      const r = smb1Message(this.s, isOrig, buf, off, end, msgLen);
      if (!r.ok) return this.notSmb();
      this.confirm();
      return r.tail;
    }
    if (magic === SMB2_TRANSFORM_MAGIC || magic === SMB2_COMPRESSED_MAGIC) {
      // SMB 3.x encryption (or compression): the protocol is SMB, the content is not readable.
      this.confirm();
      if (!this.encryptedSeen && magic === SMB2_TRANSFORM_MAGIC) {
        this.encryptedSeen = true;
        this.ctx.weird('SMB_encrypted_traffic');
      }
      return undefined;
    }
    return this.notSmb();
  }

  private confirm(): void {
    if (this.confirmed) return;
    this.confirmed = true;
    this.ctx.confirm();
  }

  private notSmb(): undefined {
    this.ctx.weird('SMB_unknown_message');
    if (!this.confirmed) this.bad('not an SMB message');
    return undefined;
  }

  private bad(reason: string): void {
    if (this.confirmed) {
      this.ctx.weird('SMB_framing_lost');
      return;
    }
    this.stopped = true;
    this.ctx.violation(reason);
  }
}

const MAGICS = new Set([SMB1_MAGIC, SMB2_MAGIC, SMB2_TRANSFORM_MAGIC, SMB2_COMPRESSED_MAGIC]);

/** A NetBIOS session message holding an SMB header, or a NetBIOS session request (port 139). */
function probe(isOrig: boolean, buf: Buffer, off: number, len: number, transport: 'tcp' | 'udp'): ProbeResult {
  if (transport !== 'tcp') return 'no';
  if (len < 1) return 'more';
  const type = buf[off];
  if (type === 0x81) {
    // Session request: called and calling names, each 32 encoded bytes behind a length byte.
    if (!isOrig) return 'no';
    if (len < 5) return 'more';
    return buf.readUInt16BE(off + 2) === 68 && buf[off + 1] === 0 && buf[off + 4] === 0x20 ? 'yes' : 'no';
  }
  if (type !== 0) return 'no';
  if (len < 8) return 'more';
  const n = (buf[off + 1] << 16) | buf.readUInt16BE(off + 2);
  return n >= 32 && MAGICS.has(buf.readUInt32LE(off + 4)) ? 'yes' : 'no';
}

export const SMB_ANALYZER: AnalyzerDescriptor = {
  name: 'smb',
  tcpPorts: [139, 445],
  probe,
  probeAnyPort: true,
  createStream: (ctx) => new SmbStream(ctx),
};
