/** dce_rpc.log: one record per DCE/RPC call (base/protocols/dce-rpc/main.zeek). */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const DCE_RPC_LOG: LogSchema = {
  path: 'dce_rpc',
  doc: 'DCE/RPC calls over TCP (port 135 and the ports it hands out) and over SMB named pipes: which interface and operation a client called, and how long the server took.',
  fields: [
    field('ts', 'time', 'Time of the request.'),
    field('uid', 'string', 'Unique id of the connection.'),
    ...CONN_ID_FIELDS,
    field('rtt', 'interval', 'Time from the request to the response; unset when one of them was not seen.'),
    field('named_pipe', 'string', 'Remote pipe name: the secondary address of the bind acknowledgement (e.g. "\\PIPE\\srvsvc", or a TCP port), else the name the SMB client opened.'),
    field('endpoint', 'string', 'Interface name looked up from the bound UUID ("unknown-<uuid>" when not in the table).'),
    field('operation', 'string', 'Operation name looked up from the interface and opnum ("unknown-<opnum>" when not in the table).'),
  ],
};
