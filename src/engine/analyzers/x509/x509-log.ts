/** x509.log: one record per distinct certificate seen (Zeek's base/files/x509/main.zeek). */
import { type LogRecord, type LogSchema, field } from '../../logs/schema.js';
import type { X509Info } from './x509.js';

export const X509_LOG: LogSchema = {
  path: 'x509',
  doc: 'X.509 certificates seen in TLS handshakes, parsed by our own DER parser.',
  fields: [
    field('ts', 'time', 'Time the certificate was seen.'),
    field('fingerprint', 'string', 'SHA-256 of the DER certificate (hex); joins ssl.log cert_chain_fps.'),
    field('certificate.version', 'count', 'X.509 version (1, 2 or 3).'),
    field('certificate.serial', 'string', 'Serial number, upper-case hex.'),
    field('certificate.subject', 'string', 'Subject distinguished name (RFC 2253 style, last RDN first).'),
    field('certificate.issuer', 'string', 'Issuer distinguished name (RFC 2253 style, last RDN first).'),
    field('certificate.not_valid_before', 'time', 'Start of the validity period.'),
    field('certificate.not_valid_after', 'time', 'End of the validity period.'),
    field('certificate.key_alg', 'string', 'Public key algorithm (OpenSSL name, e.g. rsaEncryption).'),
    field('certificate.sig_alg', 'string', 'Signature algorithm (OpenSSL name, e.g. sha256WithRSAEncryption).'),
    field('certificate.key_type', 'string', 'Key type: rsa, dsa or ec.'),
    field('certificate.key_length', 'count', 'Key length in bits (RSA modulus, DSA p, EC group order).'),
    field('certificate.exponent', 'string', 'RSA public exponent (decimal).'),
    field('certificate.curve', 'string', 'Named curve of an EC key (e.g. prime256v1).'),
    field('san.dns', 'vector[string]', 'Subject alternative names: DNS names.'),
    field('san.uri', 'vector[string]', 'Subject alternative names: URIs.'),
    field('san.email', 'vector[string]', 'Subject alternative names: e-mail addresses.'),
    field('san.ip', 'vector[addr]', 'Subject alternative names: IP addresses.'),
    field('basic_constraints.ca', 'bool', 'Basic constraints: the certificate is a CA.'),
    field('basic_constraints.path_len', 'count', 'Basic constraints: maximum path length.'),
    field('host_cert', 'bool', 'The certificate was the first (end-host) certificate of its chain.'),
    field('client_cert', 'bool', 'The certificate was sent by the client.'),
    field('sha1', 'string', 'SHA-1 of the DER certificate (hex), as blocklists such as abuse.ch SSLBL use.'),
    field('self_signed', 'bool', 'Issuer equals subject and the signature verifies with the certificate\'s own key.'),
  ],
};

export function x509Record(ts: number, c: X509Info, hostCert: boolean, clientCert: boolean): LogRecord {
  const rec: LogRecord = {
    ts, fingerprint: c.fingerprint,
    'certificate.version': c.version, 'certificate.serial': c.serial,
    'certificate.subject': c.subject, 'certificate.issuer': c.issuer,
    'certificate.not_valid_before': c.notValidBefore, 'certificate.not_valid_after': c.notValidAfter,
    'certificate.key_alg': c.keyAlg, 'certificate.sig_alg': c.sigAlg, 'certificate.key_type': c.keyType,
    'certificate.key_length': c.keyLength, 'certificate.exponent': c.exponent, 'certificate.curve': c.curve,
    host_cert: hostCert, client_cert: clientCert, sha1: c.sha1, self_signed: c.selfSigned,
  };
  if (c.san) {
    // Zeek leaves an empty kind unset.
    if (c.san.dns.length) rec['san.dns'] = c.san.dns;
    if (c.san.uri.length) rec['san.uri'] = c.san.uri;
    if (c.san.email.length) rec['san.email'] = c.san.email;
    if (c.san.ip.length) rec['san.ip'] = c.san.ip;
  }
  if (c.basicConstraints) {
    rec['basic_constraints.ca'] = c.basicConstraints.ca;
    rec['basic_constraints.path_len'] = c.basicConstraints.pathLen;
  }
  return rec;
}
