/**
 * Rule variables ($HOME_NET, $HTTP_PORTS): the defaults of Suricata's suricata.yaml
 * (vars.address-groups / vars.port-groups), overridable per load, and their expansion.
 */

/** suricata.yaml's address-groups. */
export const DEFAULT_ADDRESS_VARS: Readonly<Record<string, string>> = {
  HOME_NET: '[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]',
  EXTERNAL_NET: '!$HOME_NET',
  HTTP_SERVERS: '$HOME_NET',
  SMTP_SERVERS: '$HOME_NET',
  SQL_SERVERS: '$HOME_NET',
  DNS_SERVERS: '$HOME_NET',
  TELNET_SERVERS: '$HOME_NET',
  AIM_SERVERS: '$EXTERNAL_NET',
  DC_SERVERS: '$HOME_NET',
  DNP3_SERVER: '$HOME_NET',
  DNP3_CLIENT: '$HOME_NET',
  MODBUS_CLIENT: '$HOME_NET',
  MODBUS_SERVER: '$HOME_NET',
  ENIP_CLIENT: '$HOME_NET',
  ENIP_SERVER: '$HOME_NET',
};

/** suricata.yaml's port-groups. */
export const DEFAULT_PORT_VARS: Readonly<Record<string, string>> = {
  HTTP_PORTS: '80',
  SHELLCODE_PORTS: '!80',
  ORACLE_PORTS: '1521',
  SSH_PORTS: '22',
  DNP3_PORTS: '20000',
  MODBUS_PORTS: '502',
  FILE_DATA_PORTS: '[$HTTP_PORTS,110,143]',
  FTP_PORTS: '21',
  GENEVE_PORTS: '6081',
  VXLAN_PORTS: '4789',
  TEREDO_PORTS: '3544',
};

/** User values win over the defaults; names without the `$`. */
export function mergeVars(user: Readonly<Record<string, string>> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(DEFAULT_ADDRESS_VARS)) out.set(k, v);
  for (const [k, v] of Object.entries(DEFAULT_PORT_VARS)) out.set(k, v);
  if (user) for (const [k, v] of Object.entries(user)) out.set(k.replace(/^\$/, ''), v);
  return out;
}
