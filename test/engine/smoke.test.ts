import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pcap, run } from '../helpers.js';

test('a simple HTTP capture yields one finished TCP connection', async () => {
  const { sink, result } = await run(pcap('http-get-simple.pcap'));
  assert.equal(result.stats.packets, 16);
  const conns = sink.get('conn');
  assert.equal(conns.length, 1);
  assert.equal(conns[0].proto, 'tcp');
  assert.equal(conns[0].conn_state, 'SF');
  assert.equal(conns[0]['id.resp_p'], 80);
  assert.match(String(conns[0].uid), /^C[0-9A-Za-z]{17}$/);
});
