/** ntlm.log: one record per NTLM authentication on a connection (base/protocols/ntlm/main.zeek). */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const NTLM_LOG: LogSchema = {
  path: 'ntlm',
  doc: 'NTLM authentications (over SMB, DCE/RPC and other carriers of NTLMSSP): who logged on from where, to which server, and whether it worked.',
  fields: [
    field('ts', 'time', 'Time of the first NTLM message of the authentication.'),
    field('uid', 'string', 'Unique id of the connection.'),
    ...CONN_ID_FIELDS,
    field('username', 'string', 'User name the client gave in its AUTHENTICATE message.'),
    field('hostname', 'string', 'Workstation name the client gave in its AUTHENTICATE message.'),
    field('domainname', 'string', 'Domain name the client gave in its AUTHENTICATE message.'),
    field('server_nb_computer_name', 'string', 'NetBIOS computer name the server gave in its CHALLENGE (target info MsvAvNbComputerName).'),
    field('server_dns_computer_name', 'string', 'DNS computer name the server gave in its CHALLENGE (MsvAvDnsComputerName).'),
    field('server_tree_name', 'string', 'DNS forest (tree) name the server gave in its CHALLENGE (MsvAvDnsTreeName).'),
    field('success', 'bool', 'Whether the authentication succeeded: from the SPNEGO negState of the server\'s answer, else from the carrying protocol\'s status (SMB); unset when neither was seen.'),
  ],
};
