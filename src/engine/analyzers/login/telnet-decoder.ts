/**
 * Telnet's in-band commands (RFC 854/855): strips IAC sequences out of the byte stream and
 * reports option negotiation and subnegotiations, carrying partial sequences across chunks.
 * IAC IAC is a literal 0xFF. Subnegotiation bodies are capped (a hostile peer can open one and
 * never close it).
 */
export const IAC = 255, DONT = 254, DO = 253, WONT = 252, WILL = 251, SB = 250, SE = 240;

/** Options whose subnegotiation we read (RFC 1091 TERMINAL-TYPE, RFC 1408 ENVIRON, RFC 1096 X-DISPLAY-LOCATION). */
export const OPT_TTYPE = 24, OPT_XDISPLOC = 35, OPT_NEW_ENVIRON = 39;

const MAX_SB = 512;

const enum S { Data, Iac, Option, Sb, SbIac }

export interface TelnetEvents {
  /** Application data, IAC sequences removed: bytes data[0, len) valid during the call. */
  data(data: Uint8Array, len: number): void;
  /** A completed subnegotiation: option and its body (cut to MAX_SB bytes). */
  sub(option: number, body: Uint8Array): void;
}

export class TelnetDecoder {
  private state = S.Data;
  private sb = new Uint8Array(MAX_SB);
  private sbLen = 0;
  private out = new Uint8Array(4096);
  /** Whether any IAC sequence was seen: real telnet negotiates, other line protocols don't. */
  negotiated = false;

  constructor(private readonly ev: TelnetEvents) {}

  feed(buf: Uint8Array, off: number, len: number): void {
    const end = off + len;
    let n = 0;
    const out = len > this.out.length ? new Uint8Array(len) : this.out;
    for (let i = off; i < end; i++) {
      const b = buf[i];
      switch (this.state) {
        case S.Data:
          if (b === IAC) this.state = S.Iac;
          else out[n++] = b;
          break;
        case S.Iac:
          this.negotiated = true;
          if (b === IAC) { out[n++] = IAC; this.state = S.Data; }
          else if (b === SB) { this.sbLen = 0; this.state = S.Sb; }
          else if (b >= WILL && b <= DONT) this.state = S.Option;
          else this.state = S.Data; // NOP, GA, AYT, ... carry no argument
          break;
        case S.Option:
          this.state = S.Data;
          break;
        case S.Sb:
          if (b === IAC) this.state = S.SbIac;
          else if (this.sbLen < MAX_SB) this.sb[this.sbLen++] = b;
          break;
        case S.SbIac:
          if (b === SE) {
            if (this.sbLen > 0) this.ev.sub(this.sb[0], this.sb.subarray(1, this.sbLen));
            this.state = S.Data;
          } else {
            if (b === IAC && this.sbLen < MAX_SB) this.sb[this.sbLen++] = IAC;
            this.state = S.Sb;
          }
          break;
      }
    }
    if (n > 0) this.ev.data(out, n);
  }
}
