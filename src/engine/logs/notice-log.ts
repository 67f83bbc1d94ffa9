/**
 * notice.log: findings by behaviour (Zeek's Notice::Info record), written by the heuristics in
 * detect/heuristics/. `note` is a stable name (`Capdex::DGA_Domain`), `msg` says what was seen in
 * words, `sub` carries the evidence. Zeek links a notice to at most one connection; a behaviour
 * such as beaconing or scanning is the sum of many, so `uids` lists the connections behind it.
 */
import { CONN_ID_FIELDS, type LogSchema, field } from './schema.js';

export const NOTICE_LOG: LogSchema = {
  path: 'notice',
  doc: 'Findings by behaviour (heuristics and intel matches), in Zeek\'s notice.log shape.',
  fields: [
    field('ts', 'time', 'When the behaviour was first seen (capture time).'),
    field('uid', 'string', 'The connection the notice is about, when it is about one.', { plain: true }),
    ...CONN_ID_FIELDS,
    field('fuid', 'string', 'The file the notice is about, if any.', { plain: true }),
    field('file_mime_type', 'string', 'MIME type of that file, as sniffed from its content.'),
    field('file_desc', 'string', 'Where the file came from (e.g. the URL it was fetched from).'),
    field('proto', 'enum', 'Transport protocol of the connection(s), when one applies.'),
    field('note', 'enum', 'Stable name of the finding, e.g. Capdex::DGA_Domain.'),
    field('msg', 'string', 'What was seen, in words.'),
    field('sub', 'string', 'The evidence: scores, counts, the values compared.'),
    field('src', 'addr', 'The host the behaviour comes from.'),
    field('dst', 'addr', 'The host the behaviour is aimed at.'),
    field('p', 'port', 'The port involved, when one is.'),
    field('n', 'count', 'A count behind the finding (queries, connections, hosts, ports).'),
    field('peer_descr', 'string', 'Which analysis process raised it.'),
    field('actions', 'set[enum]', 'What was done about it (Notice::ACTION_LOG: logged).'),
    field('email_dest', 'set[string]', 'Addresses the notice was mailed to (never: Capdex does not mail).'),
    field('suppress_for', 'interval', 'Zeek\'s default suppression interval (1 h); Capdex aggregates each finding once per capture instead.'),
    field('remote_location.country_code', 'string', 'Country of the remote host (not filled by the engine).'),
    field('remote_location.region', 'string', 'Region of the remote host (not filled by the engine).'),
    field('remote_location.city', 'string', 'City of the remote host (not filled by the engine).'),
    field('remote_location.latitude', 'double', 'Latitude of the remote host (not filled by the engine).'),
    field('remote_location.longitude', 'double', 'Longitude of the remote host (not filled by the engine).'),
    field('uids', 'vector[string]', 'Every connection supporting the finding (capped), so the notice joins the other logs. Capdex addition: Zeek has one uid.', { plain: true }),
  ],
};
