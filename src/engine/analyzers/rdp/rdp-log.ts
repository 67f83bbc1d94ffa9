/** rdp.log: one record per RDP connection (base/protocols/rdp/main.zeek). */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const RDP_LOG: LogSchema = {
  path: 'rdp',
  doc: 'Remote Desktop connections: the client\'s cookie (usually a user name), the negotiated security, and the client machine\'s details when the connection setup is not encrypted.',
  fields: [
    field('ts', 'time', 'Time of the first RDP message.'),
    field('uid', 'string', 'Unique id of the connection.'),
    ...CONN_ID_FIELDS,
    field('cookie', 'string', 'Cookie the client sent in its connection request ("mstshash="), typically a user name.'),
    field('result', 'string', 'Outcome: a negotiation failure code, the GCC conference create result ("Success"), or "encrypted" when the connection switched to TLS/CredSSP.'),
    field('security_protocol', 'string', 'Security protocol the server selected: RDP, SSL, HYBRID (CredSSP) or HYBRID_EX.'),
    field('client_channels', 'vector[string]', 'Static virtual channels the client asked for (rdpdr, cliprdr, rdpsnd, ...).'),
    field('keyboard_layout', 'string', 'Keyboard layout (language) of the client machine.'),
    field('client_build', 'string', 'RDP client version, from its build number.'),
    field('client_name', 'string', 'Name of the client machine.'),
    field('client_dig_product_id', 'string', 'Product id the client sent (clientDigProductId).'),
    field('desktop_width', 'count', 'Desktop width the client asked for, in pixels.'),
    field('desktop_height', 'count', 'Desktop height the client asked for, in pixels.'),
    field('requested_color_depth', 'string', 'Color depth the client asked for (highColorDepth, or 32bit when it wants a 32 bpp session).'),
    field('cert_type', 'string', 'With native RDP encryption, the type of the server certificate: RSA (proprietary) or X.509.'),
    field('cert_count', 'count', 'Number of certificates the server sent with native RDP encryption.'),
    field('cert_permanent', 'bool', 'Whether the server certificate (chain) is permanent rather than temporary.'),
    field('encryption_level', 'string', 'Encryption level of native RDP encryption.'),
    field('encryption_method', 'string', 'Encryption method of native RDP encryption.'),
  ],
};
