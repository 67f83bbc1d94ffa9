/**
 * Object identifiers X.509 logging needs, named as OpenSSL prints them (Zeek's x509.log takes
 * its names from OpenSSL: OBJ_obj2txt long names for algorithms, short names for curves and for
 * the attribute types of RFC 2253 distinguished names). Unknown OIDs print in dotted form.
 */

/** Signature and public-key algorithms: OpenSSL long names. */
export const ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.1.1.1', 'rsaEncryption'],
  ['1.2.840.113549.1.1.2', 'md2WithRSAEncryption'],
  ['1.2.840.113549.1.1.3', 'md4WithRSAEncryption'],
  ['1.2.840.113549.1.1.4', 'md5WithRSAEncryption'],
  ['1.2.840.113549.1.1.5', 'sha1WithRSAEncryption'],
  ['1.2.840.113549.1.1.7', 'rsaesOaep'],
  ['1.2.840.113549.1.1.10', 'rsassaPss'],
  ['1.2.840.113549.1.1.11', 'sha256WithRSAEncryption'],
  ['1.2.840.113549.1.1.12', 'sha384WithRSAEncryption'],
  ['1.2.840.113549.1.1.13', 'sha512WithRSAEncryption'],
  ['1.2.840.113549.1.1.14', 'sha224WithRSAEncryption'],
  ['1.3.14.3.2.29', 'sha1WithRSA'],
  ['1.2.840.10045.2.1', 'id-ecPublicKey'],
  ['1.2.840.10045.4.1', 'ecdsa-with-SHA1'],
  ['1.2.840.10045.4.3.1', 'ecdsa-with-SHA224'],
  ['1.2.840.10045.4.3.2', 'ecdsa-with-SHA256'],
  ['1.2.840.10045.4.3.3', 'ecdsa-with-SHA384'],
  ['1.2.840.10045.4.3.4', 'ecdsa-with-SHA512'],
  ['1.2.840.10040.4.1', 'dsaEncryption'],
  ['1.2.840.10040.4.3', 'dsaWithSHA1'],
  ['2.16.840.1.101.3.4.3.1', 'dsa_with_SHA224'],
  ['2.16.840.1.101.3.4.3.2', 'dsa_with_SHA256'],
  ['1.2.840.113549.1.3.1', 'dhKeyAgreement'],
  ['1.3.101.110', 'X25519'],
  ['1.3.101.111', 'X448'],
  ['1.3.101.112', 'ED25519'],
  ['1.3.101.113', 'ED448'],
]);

export const OID_RSA = '1.2.840.113549.1.1.1';
export const OID_EC = '1.2.840.10045.2.1';
export const OID_DSA = '1.2.840.10040.4.1';

/** Named curves: OpenSSL short name and the bit size of the group order (Zeek's key_length). */
export const CURVES: ReadonlyMap<string, { name: string; bits: number }> = new Map([
  ['1.2.840.10045.3.1.1', { name: 'prime192v1', bits: 192 }],
  ['1.3.132.0.33', { name: 'secp224r1', bits: 224 }],
  ['1.2.840.10045.3.1.7', { name: 'prime256v1', bits: 256 }],
  ['1.3.132.0.34', { name: 'secp384r1', bits: 384 }],
  ['1.3.132.0.35', { name: 'secp521r1', bits: 521 }],
  ['1.3.132.0.10', { name: 'secp256k1', bits: 256 }],
  ['1.3.36.3.3.2.8.1.1.7', { name: 'brainpoolP256r1', bits: 256 }],
  ['1.3.36.3.3.2.8.1.1.11', { name: 'brainpoolP384r1', bits: 384 }],
  ['1.3.36.3.3.2.8.1.1.13', { name: 'brainpoolP512r1', bits: 512 }],
]);

/** Distinguished-name attribute types: OpenSSL short names (RFC 2253 §2.3 plus OpenSSL's). */
export const ATTRIBUTES: ReadonlyMap<string, string> = new Map([
  ['2.5.4.3', 'CN'],
  ['2.5.4.4', 'SN'],
  ['2.5.4.5', 'serialNumber'],
  ['2.5.4.6', 'C'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.9', 'street'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.12', 'title'],
  ['2.5.4.13', 'description'],
  ['2.5.4.15', 'businessCategory'],
  ['2.5.4.17', 'postalCode'],
  ['2.5.4.42', 'GN'],
  ['2.5.4.43', 'initials'],
  ['2.5.4.44', 'generationQualifier'],
  ['2.5.4.46', 'dnQualifier'],
  ['2.5.4.65', 'pseudonym'],
  ['2.5.4.97', 'organizationIdentifier'],
  ['1.2.840.113549.1.9.1', 'emailAddress'],
  ['1.2.840.113549.1.9.2', 'unstructuredName'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['1.3.6.1.4.1.311.60.2.1.1', 'jurisdictionL'],
  ['1.3.6.1.4.1.311.60.2.1.2', 'jurisdictionST'],
  ['1.3.6.1.4.1.311.60.2.1.3', 'jurisdictionC'],
]);

export const OID_EXT_SAN = '2.5.29.17';
export const OID_EXT_BASIC_CONSTRAINTS = '2.5.29.19';
export const OID_CN = '2.5.4.3';
