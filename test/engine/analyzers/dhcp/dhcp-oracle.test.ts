/**
 * The DHCP parser against tshark on every DHCP message of the shared captures: transaction id,
 * message type, chaddr, yiaddr, requested address, lease time, host name, domain, server id;
 * and the dhcp.log records of the DORA captures, built from tshark's view with Zeek's rules.
 *
 * Deliberate differences: none on these captures. (tshark shows non-printable bytes of text
 * options its own way; all text options here are printable.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parseDhcp } from '../../../../src/engine/analyzers/dhcp/parser.js';
import { messageTypeName } from '../../../../src/engine/analyzers/dhcp/parser.js';
import { pcap, run } from '../../../helpers.js';

const FIELDS = [
  'frame.number', 'frame.time_epoch', 'udp.payload', 'dhcp.id', 'dhcp.option.dhcp', 'dhcp.hw.mac_addr', 'dhcp.ip.your',
  'dhcp.option.requested_ip_address', 'dhcp.option.ip_address_lease_time', 'dhcp.option.hostname',
  'dhcp.option.domain_name', 'dhcp.option.dhcp_server_id',
] as const;

function tsharkDhcp(file: string): Array<Record<(typeof FIELDS)[number], string>> {
  const out = execFileSync('tshark', ['-r', pcap(file), '-Y', 'dhcp', '-T', 'fields', '-E', 'occurrence=f', ...FIELDS.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l !== '').map((l) => {
    const v = l.split('\t');
    return Object.fromEntries(FIELDS.map((f, i) => [f, v[i] ?? ''])) as Record<(typeof FIELDS)[number], string>;
  });
}

for (const file of ['dhcp-dora.pcap', 'mixed-arkime-synthetic-many-protocols.pcap', 'bad-fuzz-bigendian-wireshark.pcap']) {
  test(`${file}: every DHCP message parses as tshark dissects it`, () => {
    const rows = tsharkDhcp(file);
    assert.ok(rows.length > 0);
    for (const t of rows) {
      const b = Buffer.from(t['udp.payload'], 'hex');
      const r = parseDhcp(b, 0, b.length);
      assert.ok('msg' in r, `frame ${t['frame.number']}`);
      const m = r.msg;
      const at = `frame ${t['frame.number']}`;
      assert.equal(m.xid, Number(t['dhcp.id']), at);
      assert.equal(String(m.msgType), t['dhcp.option.dhcp'], at);
      assert.equal(m.chaddr, t['dhcp.hw.mac_addr'], at);
      assert.equal(m.yiaddr, t['dhcp.ip.your'], at);
      assert.equal(m.requestedAddr ?? '', t['dhcp.option.requested_ip_address'], at);
      assert.equal(m.leaseTime === undefined ? '' : String(m.leaseTime), t['dhcp.option.ip_address_lease_time'], at);
      assert.equal(m.hostName ?? '', t['dhcp.option.hostname'], at);
      assert.equal(m.domainName ?? '', t['dhcp.option.domain_name'], at);
      assert.equal(m.serverId ?? '', t['dhcp.option.dhcp_server_id'], at);
    }
  });
}

test('dhcp-dora.pcap: dhcp.log is tshark\'s messages grouped by xid', async () => {
  const rows = tsharkDhcp('dhcp-dora.pcap');
  const { sink } = await run(pcap('dhcp-dora.pcap'));
  const recs = sink.get('dhcp');
  const xids = [...new Set(rows.map((r) => r['dhcp.id']))];
  assert.equal(recs.length, xids.length);
  for (const [i, xid] of xids.entries()) {
    const msgs = rows.filter((r) => r['dhcp.id'] === xid);
    const rec = recs[i];
    assert.equal(rec.ts, Number(msgs[0]['frame.time_epoch']));
    assert.deepEqual(rec.msg_types, msgs.map((m) => messageTypeName(Number(m['dhcp.option.dhcp']))));
    assert.ok(Math.abs((rec.duration as number) - (Number(msgs.at(-1)!['frame.time_epoch']) - Number(msgs[0]['frame.time_epoch']))) < 1e-6);
    const reply = msgs.find((m) => m['dhcp.ip.your'] !== '0.0.0.0')!;
    assert.equal(rec.assigned_addr, reply['dhcp.ip.your']);
    assert.equal(rec.lease_time, Number(reply['dhcp.option.ip_address_lease_time']));
    assert.equal(rec.mac, msgs[0]['dhcp.hw.mac_addr']);
  }
});
