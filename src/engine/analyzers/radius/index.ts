/**
 * The RADIUS analyzer (UDP 1812, Zeek's RADIUS::ports; port only): radius.log as
 * base/protocols/radius/main.zeek writes it: per connection, the record begun by the first
 * message collects the Access-Request's user name, Calling-Station-Id (as a MAC), tunnel client
 * and Connect-Info, and an Access-Challenge's Framed-IP-Address and Reply-Message; it is written
 * at the Access-Accept (success) or Access-Reject (failed), with ttl, and the next message
 * begins a new one; what is pending when the connection ends is written with result unknown.
 *
 * Deliberate differences from Zeek:
 * - remote_ip (a field of Zeek before 3.0) is kept next to tunnel_client: the attribute as an
 *   address when it is one.
 * - A packet whose length field exceeds the datagram is used for the attributes that fit (weird
 *   RADIUS_truncated); an attribute running past the packet ends the list (RADIUS_bad_attribute).
 *   Zeek's binpac drops such packets.
 * - User-Password and other attributes are never logged (Zeek logs none of them either).
 */
import { isIP } from 'node:net';
import { wireText } from '../../support/wire-text.js';
import type { AnalyzerContext, AnalyzerDescriptor, DatagramAnalyzer } from '../analyzer.js';
import { normalizeMac, parseRadius, type RadiusMessage } from './parser.js';
import { ParsedDatagrams } from '../parsed-datagrams.js';
import { RADIUS_LOG } from './radius-log.js';

const ACCESS_REQUEST = 1, ACCESS_ACCEPT = 2, ACCESS_REJECT = 3, ACCESS_CHALLENGE = 11;

const text = (b: Buffer) => wireText(b, 0, b.length);

class RadiusDatagram implements DatagramAnalyzer {
  private readonly front: ParsedDatagrams<RadiusMessage>;
  private rec: Record<string, unknown> | undefined;

  constructor(private readonly ctx: AnalyzerContext) {
    this.front = new ParsedDatagrams(ctx, parseRadius);
  }

  packet(_isOrig: boolean, buf: Buffer, off: number, len: number): void {
    const m = this.front.accept(buf, off, len);
    if (!m) return;
    this.front.confirm();
    this.message(m);
  }

  private message(m: RadiusMessage): void {
    const now = this.ctx.now();
    const rec = (this.rec ??= { ts: now, ...this.ctx.connFields() });
    const first = (t: number) => m.attrs.get(t)?.[0];
    if (m.code === ACCESS_REQUEST) {
      const user = first(1), mac = first(31), tunnel = first(66), info = first(77);
      if (rec.username === undefined && user) rec.username = text(user);
      if (rec.mac === undefined && mac) rec.mac = normalizeMac(mac.toString('latin1'));
      if (rec.tunnel_client === undefined && tunnel) {
        rec.tunnel_client = text(tunnel);
        const s = tunnel.toString('latin1');
        if (isIP(s)) rec.remote_ip = s;
      }
      if (rec.connect_info === undefined && info) rec.connect_info = text(info);
    } else if (m.code === ACCESS_CHALLENGE) {
      const framed = first(8), reply = first(18);
      if (rec.framed_addr === undefined && framed && framed.length === 4) rec.framed_addr = `${framed[0]}.${framed[1]}.${framed[2]}.${framed[3]}`;
      if (rec.reply_msg === undefined && reply) rec.reply_msg = text(reply);
    } else if (m.code === ACCESS_ACCEPT) rec.result = 'success';
    else if (m.code === ACCESS_REJECT) rec.result = 'failed';
    if (rec.result !== undefined) {
      const ttl = now - (rec.ts as number);
      if (ttl !== 0) rec.ttl = ttl;
      this.ctx.log(RADIUS_LOG, rec);
      this.rec = undefined;
    }
  }

  done(): void {
    if (!this.rec) return;
    this.rec.result = 'unknown';
    this.ctx.log(RADIUS_LOG, this.rec);
    this.rec = undefined;
  }
}

export const RADIUS_ANALYZER: AnalyzerDescriptor = {
  name: 'radius',
  udpPorts: [1812],
  createDatagram: (ctx) => new RadiusDatagram(ctx),
};
