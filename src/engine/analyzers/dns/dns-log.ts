/** dns.log: one record per DNS query/reply pair, with Zeek's field names and meanings. */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const DNS_LOG: LogSchema = {
  path: 'dns',
  doc: 'DNS queries and their replies (UDP and TCP DNS, mDNS, LLMNR, NetBIOS name service).',
  fields: [
    field('ts', 'time', 'Time of the first message of the transaction (usually the query).'),
    field('uid', 'string', 'Unique id of the connection the messages travelled over.'),
    ...CONN_ID_FIELDS,
    field('proto', 'enum', 'Transport protocol of the connection: udp or tcp.'),
    field('trans_id', 'count', 'The 16-bit transaction id that pairs a query with its reply.'),
    field('rtt', 'interval', 'Time from the query to the first answer of its reply (unset without answers).'),
    field('query', 'string', 'The domain name queried, lower-cased, without the trailing dot (NetBIOS names decoded).'),
    field('qclass', 'count', 'QCLASS of the query.'),
    field('qclass_name', 'string', 'Name of the query class (C_INTERNET, C_CHAOS, ...).'),
    field('qtype', 'count', 'QTYPE of the query.'),
    field('qtype_name', 'string', 'Name of the query type (A, AAAA, PTR, *, ...).'),
    field('rcode', 'count', 'Response code of the reply.'),
    field('rcode_name', 'string', 'Name of the response code (NOERROR, NXDOMAIN, ...).'),
    field('AA', 'bool', 'Authoritative Answer bit of a reply carrying answers.'),
    field('TC', 'bool', 'Truncation bit of the query.'),
    field('RD', 'bool', 'Recursion Desired bit of the query.'),
    field('RA', 'bool', 'Recursion Available bit of a reply carrying answers.'),
    field('Z', 'count', 'The three bits after RA in the query (Z, AD, CD).'),
    field('answers', 'vector[string]', 'Answer-section records in a one-line summary each (addresses, names, "TXT <len> <text>", ...).'),
    field('TTLs', 'vector[interval]', 'Caching intervals of the records in answers, in the same order.'),
    field('rejected', 'bool', 'The server rejected the query (a reply without records, or an error without a question).'),
  ],
};
