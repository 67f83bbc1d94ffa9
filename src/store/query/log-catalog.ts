/**
 * Every log the engine writes, for the query language: which names are logs (`dns.query` scopes
 * to dns), which keys each has and their Zeek types. A hand list because ESM has no import-by-glob;
 * test/store/query/log-catalog.test.ts fails when a schema under src/engine is missing from it.
 * EVE documents are stored under the log name 'alert' (store contract).
 */
import type { LogSchema } from '../../engine/logs/schema.js';
import { DCE_RPC_LOG } from '../../engine/analyzers/dce-rpc/dce-rpc-log.js';
import { DHCP_LOG } from '../../engine/analyzers/dhcp/dhcp-log.js';
import { DNP3_LOG } from '../../engine/analyzers/dnp3/dnp3-log.js';
import { DNS_LOG } from '../../engine/analyzers/dns/dns-log.js';
import { FILES_LOG } from '../../engine/analyzers/files/files-log.js';
import { FTP_LOG } from '../../engine/analyzers/ftp/ftp-log.js';
import { HTTP_LOG } from '../../engine/analyzers/http/http-log.js';
import { IMAP_LOG } from '../../engine/analyzers/imap/imap-log.js';
import { IRC_LOG } from '../../engine/analyzers/irc/irc-log.js';
import { KERBEROS_LOG } from '../../engine/analyzers/kerberos/kerberos-log.js';
import { LOGIN_LOG } from '../../engine/analyzers/login/login-log.js';
import { MODBUS_LOG } from '../../engine/analyzers/modbus/modbus-log.js';
import { MYSQL_LOG } from '../../engine/analyzers/mysql/mysql-log.js';
import { NTLM_LOG } from '../../engine/analyzers/ntlm/ntlm-log.js';
import { NTP_LOG } from '../../engine/analyzers/ntp/ntp-log.js';
import { POP3_LOG } from '../../engine/analyzers/pop3/pop3-log.js';
import { QUIC_LOG } from '../../engine/analyzers/quic/quic-log.js';
import { RADIUS_LOG } from '../../engine/analyzers/radius/radius-log.js';
import { RDP_LOG } from '../../engine/analyzers/rdp/rdp-log.js';
import { SIP_LOG } from '../../engine/analyzers/sip/sip-log.js';
import { SMB_FILES_LOG, SMB_MAPPING_LOG } from '../../engine/analyzers/smb/smb-log.js';
import { SMTP_LOG } from '../../engine/analyzers/smtp/smtp-log.js';
import { SNMP_LOG } from '../../engine/analyzers/snmp/snmp-log.js';
import { SSH_LOG } from '../../engine/analyzers/ssh/ssh-log.js';
import { SSL_LOG } from '../../engine/analyzers/ssl/ssl-log.js';
import { SYSLOG_LOG } from '../../engine/analyzers/syslog/syslog-log.js';
import { X509_LOG } from '../../engine/analyzers/x509/x509-log.js';
import { EVE_LOG } from '../../engine/detect/eve-log.js';
import { CONN_LOG } from '../../engine/logs/conn-log.js';
import { NOTICE_LOG } from '../../engine/logs/notice-log.js';
import { CREDENTIALS_LOG } from '../../engine/summaries/credentials.js';
import { KNOWN_SERVICES_LOG } from '../../engine/summaries/known-services.js';
import { SOFTWARE_LOG } from '../../engine/summaries/software.js';
import { TUNNEL_LOG } from '../../engine/logs/tunnel-log.js';
import { WEIRD_LOG } from '../../engine/logs/weird-log.js';

export const LOG_SCHEMAS: readonly LogSchema[] = [
  DCE_RPC_LOG,
  DHCP_LOG,
  DNP3_LOG,
  DNS_LOG,
  FILES_LOG,
  FTP_LOG,
  HTTP_LOG,
  IMAP_LOG,
  IRC_LOG,
  KERBEROS_LOG,
  LOGIN_LOG,
  MODBUS_LOG,
  MYSQL_LOG,
  NTLM_LOG,
  NTP_LOG,
  POP3_LOG,
  QUIC_LOG,
  RADIUS_LOG,
  RDP_LOG,
  SIP_LOG,
  SMB_FILES_LOG,
  SMB_MAPPING_LOG,
  SMTP_LOG,
  SNMP_LOG,
  SSH_LOG,
  SSL_LOG,
  SYSLOG_LOG,
  X509_LOG,
  EVE_LOG,
  CONN_LOG,
  NOTICE_LOG,
  CREDENTIALS_LOG,
  KNOWN_SERVICES_LOG,
  SOFTWARE_LOG,
  TUNNEL_LOG,
  WEIRD_LOG,
];

export { storedLogName } from '../observables.js';
