/** weird.log: protocol anomalies and malformed input, by name (Zeek's weird.log). */
import { CONN_ID_FIELDS, type LogSchema, field } from './schema.js';

export const WEIRD_LOG: LogSchema = {
  path: 'weird',
  doc: 'Unexpected or malformed traffic and capture-file problems.',
  fields: [
    field('ts', 'time', 'When the anomaly was seen (the capture time of the packet).'),
    field('uid', 'string', 'Connection the anomaly belongs to, if any.'),
    ...CONN_ID_FIELDS,
    field('name', 'string', 'Name of the anomaly, e.g. truncated_IP, bad_TCP_checksum.'),
    field('addl', 'string', 'Additional detail.'),
    field('notice', 'bool', 'Whether the anomaly was also raised as a notice.'),
    field('peer', 'string', 'Which analysis process saw it.'),
    field('source', 'string', 'The decoder or analyzer that reported it.'),
  ],
};
