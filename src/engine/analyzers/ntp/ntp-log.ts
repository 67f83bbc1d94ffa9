/** ntp.log: one record per NTP message of modes 0-5 (time synchronisation), as Zeek writes it. */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const NTP_LOG: LogSchema = {
  path: 'ntp',
  doc: 'NTP time synchronisation messages (modes 1-5; control and private modes 6 and 7 are not logged).',
  fields: [
    field('ts', 'time', 'Time the message was seen.'),
    field('uid', 'string', 'Unique id of the connection.'),
    ...CONN_ID_FIELDS,
    field('version', 'count', 'The NTP version number (1-4).'),
    field('mode', 'count', 'The NTP mode (1 symmetric active, 2 symmetric passive, 3 client, 4 server, 5 broadcast).'),
    field('stratum', 'count', 'The stratum (0 unspecified or kiss-o\'-death, 1 primary server, 2-15 secondary server).'),
    field('poll', 'interval', 'The maximum interval between successive messages (2^poll seconds).'),
    field('precision', 'interval', 'The precision of the system clock (2^precision seconds).'),
    field('root_delay', 'interval', 'Total round-trip delay to the reference clock.'),
    field('root_disp', 'interval', 'Total dispersion to the reference clock.'),
    field('ref_id', 'string', 'Stratum 0: the kiss code; stratum 1: the reference clock\'s identifier (GPS, PPS, ...); above: the IPv4 address of the reference (for IPv6 the first four bytes of an MD5 of its address).'),
    field('ref_time', 'time', 'Time the system clock was last set or corrected (0 when unset).'),
    field('org_time', 'time', 'Time at the client when the request departed for the server (0 when unset).'),
    field('rec_time', 'time', 'Time at the server when the request arrived from the client (0 when unset).'),
    field('xmt_time', 'time', 'Time at the sender when this message departed (0 when unset).'),
    field('num_exts', 'count', 'Number of extension fields (not parsed further).'),
  ],
};
