/**
 * Every protocol analyzer, registered in one list. Adding one: create analyzers/<proto>/ with
 * its parser, state, log schema and tests, export an AnalyzerDescriptor from
 * analyzers/<proto>/index.ts, and add it here. Order matters only among analyzers whose
 * probes could claim the same bytes: earlier wins.
 */
import type { AnalyzerDescriptor } from './analyzer.js';
import { SSL_ANALYZER } from './ssl/index.js';
import { DNS_ANALYZERS } from './dns/index.js';
import { HTTP_ANALYZER, httpAnalyzer } from './http/index.js';
import { SMTP_ANALYZER, smtpAnalyzer } from './smtp/index.js';
import { DHCP_ANALYZER } from './dhcp/index.js';
import { SSH_ANALYZER } from './ssh/index.js';
import { NTP_ANALYZER } from './ntp/index.js';
import { IRC_ANALYZER } from './irc/index.js';
import { FTP_ANALYZER, ftpAnalyzer } from './ftp/index.js';
import { FTP_DATA_ANALYZER } from './ftp-data/index.js';
import { SNMP_ANALYZERS, snmpAnalyzers } from './snmp/index.js';
import { POP3_ANALYZER, pop3Analyzer } from './pop3/index.js';
import { MYSQL_ANALYZER } from './mysql/index.js';
import { SYSLOG_ANALYZERS } from './syslog/index.js';
import { IMAP_ANALYZER, imapAnalyzer } from './imap/index.js';
import { RADIUS_ANALYZER } from './radius/index.js';
import { SIP_ANALYZERS } from './sip/index.js';
import { KERBEROS_ANALYZERS } from './kerberos/index.js';
import { MODBUS_ANALYZER } from './modbus/index.js';
import { QUIC_ANALYZER } from './quic/index.js';
import { DNP3_ANALYZER } from './dnp3/index.js';
import { SMB_ANALYZER } from './smb/index.js';
import { DCE_RPC_ANALYZER } from './dce-rpc/index.js';
import { RDP_ANALYZER, RDPEUDP_ANALYZER } from './rdp/index.js';
import { LOGIN_ANALYZERS, loginAnalyzers } from './login/index.js';

export const ANALYZERS: readonly AnalyzerDescriptor[] = [
  ...DNS_ANALYZERS,
  SSL_ANALYZER,
  HTTP_ANALYZER,
  DHCP_ANALYZER,
  SSH_ANALYZER,
  SMTP_ANALYZER,
  NTP_ANALYZER,
  IRC_ANALYZER,
  FTP_ANALYZER,
  FTP_DATA_ANALYZER,
  ...SNMP_ANALYZERS,
  POP3_ANALYZER,
  MYSQL_ANALYZER,
  ...SYSLOG_ANALYZERS,
  IMAP_ANALYZER,
  RADIUS_ANALYZER,
  ...SIP_ANALYZERS,
  ...KERBEROS_ANALYZERS,
  MODBUS_ANALYZER,
  QUIC_ANALYZER,
  DNP3_ANALYZER,
  SMB_ANALYZER,
  DCE_RPC_ANALYZER,
  RDP_ANALYZER,
  RDPEUDP_ANALYZER,
  ...LOGIN_ANALYZERS,
];

/**
 * The same analyzers, but logging cleartext credentials (passwords, SNMP communities) instead of
 * masking them: only on request (`capdex analyze --show-credentials`).
 */
export function analyzersShowingCredentials(): readonly AnalyzerDescriptor[] {
  const snmp = snmpAnalyzers({ showCredentials: true });
  const login = loginAnalyzers({ showCredentials: true });
  const replace = new Map<AnalyzerDescriptor, AnalyzerDescriptor>([
    [FTP_ANALYZER, ftpAnalyzer({ showCredentials: true })],
    [SMTP_ANALYZER, smtpAnalyzer({ showCredentials: true })],
    [HTTP_ANALYZER, httpAnalyzer({ capturePassword: true })],
    [IMAP_ANALYZER, imapAnalyzer({ showCredentials: true })],
    [POP3_ANALYZER, pop3Analyzer({ showCredentials: true })],
    ...SNMP_ANALYZERS.map((a, i) => [a, snmp[i]] as [AnalyzerDescriptor, AnalyzerDescriptor]),
    ...LOGIN_ANALYZERS.map((a, i) => [a, login[i]] as [AnalyzerDescriptor, AnalyzerDescriptor]),
  ]);
  return ANALYZERS.map((a) => replace.get(a) ?? a);
}
