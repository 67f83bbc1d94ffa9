/**
 * IRC analyzer descriptor: Zeek's IRC ports (6666-6669) and, on any port, a probe that wants
 * one complete line of real IRC: a client's "NICK x", "USER u h s :real name" (four
 * parameters, unlike FTP/POP3's USER), "JOIN #c" or "CAP LS"; or a server's
 * ":prefix NNN target ..." numeric reply or "NOTICE" (":irc NOTICE AUTH :***").
 */
import type { AnalyzerDescriptor, ProbeResult } from '../analyzer.js';
import { IrcAnalyzer, splitWords } from './irc-analyzer.js';

/** The probe judges the first line; one longer than this is not IRC (RFC 2812: 512). */
const PROBE_LINE = 512;

function probeLine(isOrig: boolean, line: string): boolean {
  let s = line;
  let prefix = false;
  if (s[0] === ':') {
    const sp = s.indexOf(' ');
    if (sp < 2) return false;
    s = s.slice(sp + 1);
    prefix = true;
  }
  const words = splitWords(s, ' ');
  if (words.length < 2) return false;
  const cmd = words[0];
  if (!isOrig) {
    if (/^\d{3}$/.test(cmd)) return prefix;
    return cmd === 'NOTICE';
  }
  if (cmd === 'NICK') return words.length === 2 && /^:?[A-Za-z\[\]\\`_^{|}][A-Za-z0-9\[\]\\`_^{|}-]*$/.test(words[1]);
  if (cmd === 'USER') return words.length >= 5 && words[4][0] === ':' || (words.length >= 5 && words[3][0] === ':');
  if (cmd === 'JOIN') return /^:?[#&+!]/.test(words[1]);
  if (cmd === 'CAP') return words[1] === 'LS' || words[1] === 'REQ';
  return false;
}

export function probeIrc(isOrig: boolean, buf: Buffer, off: number, len: number): ProbeResult {
  const end = off + Math.min(len, PROBE_LINE);
  for (let i = off; i < end; i++) {
    const c = buf[i];
    if (c === 0x0a) {
      let e = i;
      if (e > off && buf[e - 1] === 0x0d) e--;
      return probeLine(isOrig, buf.toString('latin1', off, e)) ? 'yes' : 'no';
    }
    // IRC lines are text: control bytes other than CTCP's \x01 and tab mean something else.
    if ((c < 0x20 && c !== 0x01 && c !== 0x09 && c !== 0x0d) || c === 0x7f) return 'no';
  }
  return len < PROBE_LINE ? 'more' : 'no';
}

export const IRC_ANALYZER: AnalyzerDescriptor = {
  name: 'irc',
  tcpPorts: [6666, 6667, 6668, 6669],
  probe: (isOrig, buf, off, len, transport) => (transport === 'tcp' ? probeIrc(isOrig, buf, off, len) : 'no'),
  createStream: (ctx) => new IrcAnalyzer(ctx),
};
