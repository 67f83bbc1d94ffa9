/**
 * App-layer value keywords that test a buffer's whole value instead of searching it
 * (tls.version:1.2, ssh.protoversion:2.0, ssh.softwareversion:OpenSSH*) or a number the analyzer
 * puts in the unit's facts (dns.opcode, dns.rcode, krb5_msg_type, krb5_err_code).
 */
import type { BufferKey } from '../rules/rule.js';
import { KeywordError, parseUintTest, type KeywordDescriptor } from './keyword.js';

/** A Suricata unsigned-integer test on InspectionUnit.facts[fact]; the unit must carry that fact. */
function numericFact(name: string, unit: string, fact: string, docs: string): KeywordDescriptor {
  return {
    name, docs, value: 'required',
    parse(v, rule) {
      const t = parseUintTest(v!, name);
      rule.factTests.push({ keyword: name, unit, test: (f) => typeof f?.[fact] === 'number' && t(f[fact] as number) });
    },
  };
}

const text = (buf: Uint8Array): string => Buffer.from(buf).toString('latin1');

function bufferValue(name: string, buffer: BufferKey, docs: string, compile: (v: string) => (t: string) => boolean): KeywordDescriptor {
  return {
    name, docs, value: 'required',
    parse(v, rule) {
      const test = compile(v!.trim().replace(/^"|"$/g, ''));
      rule.addStep({ kind: 'buffer_test', keyword: name, test: (b) => test(text(b)) }, buffer);
    },
  };
}

/** TLS version names as rules write them and the wire values they stand for. */
const TLS_VERSIONS: Readonly<Record<string, number>> = { '1.0': 0x0301, '1.1': 0x0302, '1.2': 0x0303, '1.3': 0x0304, ssl2: 0x0200, ssl3: 0x0300, '3.0': 0x0300 };

export const APP_KEYWORDS: readonly KeywordDescriptor[] = [
  {
    name: 'tls.version',
    docs: 'TLS version: 1.0, 1.1, 1.2, 1.3 or 0xNNNN (without a value: the sticky buffer)',
    value: 'optional',
    parse(v, rule) {
      if (v === undefined) { rule.setBuffer('tls.version'); return; }
      const t = v.trim().toLowerCase();
      const wire = TLS_VERSIONS[t] ?? (/^0x[0-9a-f]{4}$/.test(t) ? parseInt(t, 16) : undefined);
      if (wire === undefined) throw new KeywordError(`tls.version: unknown version ${JSON.stringify(v)}`);
      const names = new Set([t, `tls ${t}`, `tlsv${t}`, wire.toString(16), `0x${wire.toString(16).padStart(4, '0')}`]);
      // The buffer may hold the version as text ("TLSv1.2", "1.2", "0x0303") or as two wire bytes.
      rule.addStep({
        kind: 'buffer_test', keyword: 'tls.version',
        test: (b) => (b.length === 2 && b[0] * 256 + b[1] === wire) || names.has(text(b).trim().toLowerCase()),
      }, 'tls.version');
    },
  },
  bufferValue('ssh.protoversion', 'ssh.proto', 'SSH protocol version: 2.0, 1.99, or 2_compat (2.0 or 1.99)', (v) =>
    v === '2_compat' ? (t) => t === '2.0' || t === '1.99' : (t) => t === v),
  numericFact('dns.opcode', 'dns', 'opcode', 'DNS opcode: N, !N, <N, >N'),
  numericFact('dns.rcode', 'dns', 'rcode', 'DNS response code: N, !N, <N, >N'),
  numericFact('krb5_msg_type', 'krb5', 'msg_type', 'Kerberos message type (10 AS-REQ, 11 AS-REP, 30 KRB-ERROR, ...)'),
  numericFact('krb5_err_code', 'krb5', 'error_code', 'Kerberos error code'),
  bufferValue('ssh.softwareversion', 'ssh.software', 'SSH software: exact, or a prefix ending in *', (v) =>
    v.endsWith('*') ? (t) => t.startsWith(v.slice(0, -1)) : (t) => t === v),
];
