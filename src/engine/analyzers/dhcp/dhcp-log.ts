/** dhcp.log: one record per DHCP transaction (xid), merged across connections as Zeek 3+ does. */
import { type LogSchema, field } from '../../logs/schema.js';

export const DHCP_LOG: LogSchema = {
  path: 'dhcp',
  doc: 'DHCP transactions: the messages sharing a transaction id (DISCOVER/OFFER/REQUEST/ACK, INFORM, ...), merged into one record.',
  fields: [
    field('ts', 'time', 'Time of the first message of the transaction.'),
    field('uids', 'set[string]', 'Uids of the connections the messages travelled over (a DHCP exchange spans several UDP "connections": broadcasts and unicasts).'),
    field('client_addr', 'addr', "The client's address: the source of a client message from a non-broadcast address, else the address assigned."),
    field('server_addr', 'addr', 'Address of the server that handed out an address (sent a reply with yiaddr set).'),
    field('mac', 'string', "The client's hardware address: from the client identifier option (Ethernet type), else the chaddr field."),
    field('host_name', 'string', 'Host name the client gave in option 12.'),
    field('client_fqdn', 'string', 'Fully qualified name the client gave in option 81.'),
    field('domain', 'string', 'Domain name the server gave in option 15.'),
    field('requested_addr', 'addr', 'Address the client requested in option 50.'),
    field('assigned_addr', 'addr', 'Address the server assigned (yiaddr of a reply).'),
    field('lease_time', 'interval', 'Lease time the server gave in option 51.'),
    field('client_message', 'string', 'Message from the client in option 56 (usually with a DECLINE).'),
    field('server_message', 'string', 'Message from the server in option 56 (usually with a NAK).'),
    field('msg_types', 'vector[string]', 'The message types seen in the transaction, in order (DISCOVER, OFFER, ...).'),
    field('duration', 'interval', 'Time from the first message of the transaction to the last.'),
  ],
};
