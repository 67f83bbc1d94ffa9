/** HTTP through the whole engine on built captures: any port, split request lines, conn.log service. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../../helpers.js';
import { ACK, FIN, PSH, SYN, buildPcap, writeTemp, type FrameSpec } from '../../../support/build-pcap.js';

function conversation(port: number, c2s: string[], s2c: string[]): FrameSpec[] {
  const C = '10.1.1.1', S = '10.2.2.2';
  const frames: FrameSpec[] = [];
  let ts = 1, cs = 1001, ss = 5001;
  const c = (flags: number, payload = '') => { frames.push({ ts: ts += 0.01, src: C, dst: S, proto: 'tcp', sport: 41000, dport: port, flags, seq: cs, ack: ss, payload: Buffer.from(payload, 'latin1') }); cs += payload.length; };
  const s = (flags: number, payload = '') => { frames.push({ ts: ts += 0.01, src: S, dst: C, proto: 'tcp', sport: port, dport: 41000, flags, seq: ss, ack: cs, payload: Buffer.from(payload, 'latin1') }); ss += payload.length; };
  frames.push({ ts, src: C, dst: S, proto: 'tcp', sport: 41000, dport: port, flags: SYN, seq: 1000, ack: 0 });
  frames.push({ ts: ts += 0.01, src: S, dst: C, proto: 'tcp', sport: port, dport: 41000, flags: SYN | ACK, seq: 5000, ack: 1001 });
  c(ACK);
  for (const p of c2s) c(ACK | PSH, p);
  for (const p of s2c) s(ACK | PSH, p);
  c(ACK | FIN); cs++;
  s(ACK | FIN);
  return frames;
}

for (const port of [4444, 8000, 12345]) {
  test(`HTTP on port ${port}, request line split across segments`, async () => {
    const frames = conversation(port, ['GE', 'T /x HTTP/1.1\r\nHo', 'st: example.org\r\n\r\n'], ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe', 'llo']);
    const { sink } = await run(writeTemp(buildPcap(frames)));
    const [h] = sink.get('http');
    assert.equal(h.uri, '/x');
    assert.equal(h.host, 'example.org');
    assert.equal(h.status_code, 200);
    assert.equal(h.response_body_len, 5);
    assert.equal(sink.get('conn')[0].service, 'http');
    assert.equal(sink.get('files')[0].uid, h.uid);
  });
}

test('not HTTP on port 80: no record, no service', async () => {
  const frames = conversation(80, ['SSH-2.0-OpenSSH_9.0\r\n'], ['SSH-2.0-OpenSSH_9.0\r\n']);
  const { sink } = await run(writeTemp(buildPcap(frames)));
  assert.equal(sink.get('http').length, 0);
  assert.notEqual(sink.get('conn')[0].service, 'http');
});
