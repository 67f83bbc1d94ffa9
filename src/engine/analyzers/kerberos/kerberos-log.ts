/** kerberos.log: one record per connection's Kerberos exchange (base/protocols/krb/main.zeek). */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const KERBEROS_LOG: LogSchema = {
  path: 'kerberos',
  doc: 'Kerberos exchanges: the request type, principals, ticket lifetime and cipher, and the outcome.',
  fields: [
    field('ts', 'time', 'Time of the first Kerberos message of the exchange.'),
    field('uid', 'string', 'Unique id of the connection.'),
    ...CONN_ID_FIELDS,
    field('request_type', 'string', 'Authentication Service ("AS") or Ticket Granting Service ("TGS") request.'),
    field('client', 'string', 'Client principal as Zeek formats it: name parts joined by "/", then "/" and the realm.'),
    field('service', 'string', 'Service principal: the requested sname, or the sname of the ticket in the reply.'),
    field('success', 'bool', 'T when the KDC replied with a ticket, F when it replied with an error.'),
    field('error_msg', 'string', 'The error\'s e-text, else the name of its error code (Zeek\'s KRB::error_msg).'),
    field('from', 'time', 'Requested start of the ticket\'s validity.'),
    field('till', 'time', 'Requested end of the ticket\'s validity.'),
    field('cipher', 'string', 'Encryption type of the issued ticket (Zeek\'s KRB::cipher_name).'),
    field('forwardable', 'bool', 'The request asked for a forwardable ticket (KDC option 1).'),
    field('renewable', 'bool', 'The request asked for a renewable ticket (KDC option 8).'),
    field('client_cert_subject', 'string', 'Subject of the PKINIT client certificate (not extracted here).'),
    field('client_cert_fuid', 'string', 'File id of the PKINIT client certificate (not extracted here).'),
    field('server_cert_subject', 'string', 'Subject of the PKINIT server certificate (not extracted here).'),
    field('server_cert_fuid', 'string', 'File id of the PKINIT server certificate (not extracted here).'),
  ],
};
