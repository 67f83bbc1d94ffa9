/**
 * A capture whose attacker-controlled strings are HTML/JS payloads, for the XSS proof
 * (xss.test.ts): HTTP host, URI, user agent, referrer and a Content-Disposition file name, DNS
 * query names, and a TLS ClientHello's SNI. Built frame by frame with test/support/build-pcap.ts.
 */
import { buildPcap, ACK, FIN, PSH, SYN, type FrameSpec } from '../support/build-pcap.js';

export const IMG = '<img src=x onerror=window.__pwned=1>';
export const SCRIPT = '<script>window.__pwned=1</script>';
export const JS_URL = 'javascript:window.__pwned=1';
/** An SVG payload, for fields where spaces would end the value. */
export const SVG = '<svg/onload=window.__pwned=1>';
export const PAYLOADS = [IMG, SCRIPT, JS_URL, SVG] as const;

const u16 = (v: number) => Buffer.from([v >> 8, v & 0xff]);
const u24 = (v: number) => Buffer.from([v >> 16, (v >> 8) & 0xff, v & 0xff]);

function tcpSession(c: string, s: string, sport: number, dport: number, segs: Array<[boolean, Buffer]>, t0: number): FrameSpec[] {
  let cs = 1000, ss = 9000, t = t0;
  const f: FrameSpec[] = [
    { ts: t, src: c, dst: s, proto: 'tcp', sport, dport, flags: SYN, seq: cs - 1, ack: 0 },
    { ts: (t += 0.01), src: s, dst: c, proto: 'tcp', sport: dport, dport: sport, flags: SYN | ACK, seq: ss - 1, ack: cs },
    { ts: (t += 0.01), src: c, dst: s, proto: 'tcp', sport, dport, flags: ACK, seq: cs, ack: ss },
  ];
  for (const [orig, b] of segs) {
    if (orig) { f.push({ ts: (t += 0.01), src: c, dst: s, proto: 'tcp', sport, dport, flags: ACK | PSH, seq: cs, ack: ss, payload: b }); cs += b.length; }
    else { f.push({ ts: (t += 0.01), src: s, dst: c, proto: 'tcp', sport: dport, dport: sport, flags: ACK | PSH, seq: ss, ack: cs, payload: b }); ss += b.length; }
  }
  f.push({ ts: (t += 0.01), src: c, dst: s, proto: 'tcp', sport, dport, flags: ACK | FIN, seq: cs, ack: ss });
  f.push({ ts: (t += 0.01), src: s, dst: c, proto: 'tcp', sport: dport, dport: sport, flags: ACK | FIN, seq: ss, ack: cs + 1 });
  f.push({ ts: (t += 0.01), src: c, dst: s, proto: 'tcp', sport, dport, flags: ACK, seq: cs + 1, ack: ss + 1 });
  return f;
}

function dnsQuery(id: number, labels: string[]): Buffer {
  const name = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([Buffer.byteLength(l)]), Buffer.from(l)])), Buffer.from([0])]);
  return Buffer.concat([u16(id), u16(0x0100), u16(1), u16(0), u16(0), u16(0), name, u16(1), u16(1)]);
}

function clientHello(serverName: string): Buffer {
  const n = Buffer.from(serverName);
  const sniEntry = Buffer.concat([Buffer.from([0]), u16(n.length), n]);
  const sniExt = Buffer.concat([u16(0x0000), u16(sniEntry.length + 2), u16(sniEntry.length), sniEntry]);
  const ciphers = Buffer.concat([0x1301, 0xc02f, 0x002f].map(u16));
  const body = Buffer.concat([u16(0x0303), Buffer.alloc(32, 7), Buffer.from([0]), u16(ciphers.length), ciphers, Buffer.from([1, 0]), u16(sniExt.length), sniExt]);
  const hs = Buffer.concat([Buffer.from([1]), u24(body.length), body]);
  return Buffer.concat([Buffer.from([22, 3, 1]), u16(hs.length), hs]);
}

/** The hostile capture as pcap bytes. */
export function hostileCapture(): Buffer {
  const C = '10.66.0.5', WEB = '198.51.100.80', DNS = '198.51.100.53', TLS = '198.51.100.44';
  const request = Buffer.from(
    `GET /${SCRIPT}?next=${JS_URL} HTTP/1.1\r\nHost: ${SVG}\r\nUser-Agent: ${IMG}\r\nReferer: ${JS_URL}\r\nAccept: */*\r\n\r\n`, 'latin1');
  const body = 'MZ this is not really a program';
  const response = Buffer.from(
    `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="${IMG}.exe"\r\n` +
    `Content-Length: ${body.length}\r\nServer: ${SCRIPT}\r\n\r\n${body}`, 'latin1');
  const frames: FrameSpec[] = [
    ...tcpSession(C, WEB, 40001, 80, [[true, request], [false, response]], 1_700_000_000),
    { ts: 1_700_000_001, src: C, dst: DNS, proto: 'udp', sport: 53001, dport: 53, payload: dnsQuery(0x1111, [IMG, 'example', 'com']) },
    { ts: 1_700_000_001.1, src: C, dst: DNS, proto: 'udp', sport: 53002, dport: 53, payload: dnsQuery(0x2222, [SCRIPT, 'example', 'com']) },
    { ts: 1_700_000_001.2, src: C, dst: DNS, proto: 'udp', sport: 53003, dport: 53, payload: dnsQuery(0x3333, [SVG, 'example', 'com']) },
    ...tcpSession(C, TLS, 40002, 443, [[true, clientHello(SCRIPT)]], 1_700_000_002),
  ];
  return buildPcap(frames);
}
