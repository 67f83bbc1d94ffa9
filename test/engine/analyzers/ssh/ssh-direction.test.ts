/** ssh.log direction follows the local networks, as Zeek's Site::is_local_addr does. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pcap, run } from '../../../helpers.js';

test('direction: OUTBOUND when only the client is local, INBOUND when only the server is, unset without local networks', async () => {
  const dir = async (localNets: string[]) => (await run(pcap('ssh2.pcap'), { localNets })).sink.get('ssh')[0].direction;
  assert.equal(await dir([]), undefined);
  assert.equal(await dir(['10.0.0.1/32']), 'OUTBOUND');
  assert.equal(await dir(['10.0.0.2/32']), 'INBOUND');
  assert.equal(await dir(['10.0.0.0/8']), undefined); // both local
});
