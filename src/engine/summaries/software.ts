/**
 * software.log (Zeek's software framework): the client and server software each host announced,
 * logged the first time a (host, software type, name) is seen and again when its version changes.
 * Built from the analyzers' records: HTTP User-Agent (HTTP::BROWSER), SSH banners
 * (SSH::CLIENT / SSH::SERVER), mail user agents (SMTP::MAIL_CLIENT), FTP CLNT (FTP::CLIENT).
 */
import { field, type LogRecord, type LogSchema, type RecordSink } from '../logs/schema.js';
import { LIMITS } from '../support/limits.js';
import { parseSoftware, type SoftwareVersion } from './software-version.js';
import { boundedMemo } from './memo.js';

export const SOFTWARE_LOG: LogSchema = {
  path: 'software',
  doc: 'Software announced by hosts (user agents, SSH banners, mail clients), once per host, type and name, and again when the version changes (Zeek\'s software framework).',
  fields: [
    field('ts', 'time', 'When the software was first seen with this version.'),
    field('host', 'addr', 'The host running the software.'),
    field('host_p', 'port', 'The port it serves on, for server software.'),
    field('software_type', 'enum', 'HTTP::BROWSER, SSH::CLIENT, SSH::SERVER, SMTP::MAIL_CLIENT, FTP::CLIENT.', { plain: true }),
    field('name', 'string', 'Name of the software (for browsers, the browser rather than "Mozilla").'),
    field('version.major', 'count', 'Major version number.'),
    field('version.minor', 'count', 'Minor version number.'),
    field('version.minor2', 'count', 'Second minor version number.'),
    field('version.minor3', 'count', 'Third minor version number.'),
    field('version.addl', 'string', 'What follows the numbers ("p1" in OpenSSH_7.4p1).'),
    field('unparsed_version', 'string', 'The full string as the host sent it.'),
  ],
};

interface Sighting { type: string; host: unknown; port?: unknown; unparsed: string }

/** Per source log: the software its records announce. */
function sightings(path: string, r: LogRecord): Sighting[] | undefined {
  switch (path) {
    case 'http':
      return typeof r.user_agent === 'string' && r.user_agent !== ''
        ? [{ type: 'HTTP::BROWSER', host: r['id.orig_h'], unparsed: r.user_agent }] : undefined;
    case 'ssh': {
      const out: Sighting[] = [];
      if (typeof r.client === 'string') out.push({ type: 'SSH::CLIENT', host: r['id.orig_h'], unparsed: sshSoftware(r.client) });
      if (typeof r.server === 'string') out.push({ type: 'SSH::SERVER', host: r['id.resp_h'], port: r['id.resp_p'], unparsed: sshSoftware(r.server) });
      return out;
    }
    case 'smtp':
      return typeof r.user_agent === 'string' && r.user_agent !== ''
        ? [{ type: 'SMTP::MAIL_CLIENT', host: r['id.orig_h'], unparsed: r.user_agent }] : undefined;
    case 'ftp':
      return r.command === 'CLNT' && typeof r.arg === 'string' && r.arg !== ''
        ? [{ type: 'FTP::CLIENT', host: r['id.orig_h'], unparsed: r.arg }] : undefined;
    default:
      return undefined;
  }
}

/** "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3" → "OpenSSH_8.9p1 Ubuntu-3", as Zeek reports it. */
function sshSoftware(banner: string): string {
  const m = /^SSH-[0-9.]+-/.exec(banner);
  return m ? banner.slice(m[0].length) : banner;
}

/** Distinct announced strings whose parse is remembered (a client sends one User-Agent all day). */
const PARSED_MAX = 1024;

export class SoftwareSummary {
  /** Last version logged per "host type name". */
  private readonly seen = new Map<string, string>();
  private readonly parse = boundedMemo(PARSED_MAX, (unparsed) => {
    const v = parseSoftware(unparsed);
    return { v, version: versionKey(v) };
  });

  constructor(private readonly sink: RecordSink) {}

  observe(path: string, r: LogRecord): void {
    const found = sightings(path, r);
    if (!found) return;
    for (const s of found) {
      if (typeof s.host !== 'string' || s.unparsed === '') continue;
      const { v, version } = this.parse(s.unparsed);
      const key = s.host + ' ' + s.type + ' ' + v.name;
      if (this.seen.get(key) === version) continue;
      if (!this.seen.has(key) && this.seen.size >= LIMITS.softwareEntries) continue;
      this.seen.set(key, version);
      this.sink.write(SOFTWARE_LOG, {
        ts: r.ts, host: s.host, host_p: s.port, software_type: s.type, name: v.name,
        'version.major': v.major, 'version.minor': v.minor, 'version.minor2': v.minor2, 'version.minor3': v.minor3,
        'version.addl': v.addl, unparsed_version: s.unparsed,
      });
    }
  }
}

function versionKey(v: SoftwareVersion): string {
  return `${v.major ?? ''}.${v.minor ?? ''}.${v.minor2 ?? ''}.${v.minor3 ?? ''}${v.addl ?? ''}`;
}
