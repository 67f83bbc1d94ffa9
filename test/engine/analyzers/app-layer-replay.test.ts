/**
 * Replay of the bytes seen before an analyzer confirmed: the app layer keeps only a view of the
 * caller's buffer during the call and copies it when the call ends unconfirmed. These tests reuse
 * the caller's buffer between calls (as the capture's read window is reused) and check that the
 * next candidate still gets the original bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppLayer } from '../../../src/engine/analyzers/app-layer.js';
import type { AnalyzerDescriptor } from '../../../src/engine/analyzers/analyzer.js';
import { Packet } from '../../../src/engine/decode/packet.js';
import { Conn, PROTO_TCP, PROTO_UDP } from '../../../src/engine/flow/conn.js';
import { tcpSegment } from '../../../src/engine/flow/tcp-session.js';
import { MemorySink } from '../../../src/engine/logs/file-sink.js';

function layer(analyzers: AnalyzerDescriptor[]) {
  return new AppLayer(analyzers, {
    sink: new MemorySink(), now: () => 1, connWeird() {}, communityId: () => '1:test', gap() {},
  });
}

function conn(proto: number): Conn {
  const c = new Conn(0, 0, proto, 4, -1, -1, () => 'CTestReplayUid0000');
  c.o3 = 0x0a000001; c.oPort = 40000; c.r3 = 0x0a000002; c.rPort = 9999;
  return c;
}

function packet(buf: Buffer): Packet {
  const pkt = new Packet();
  pkt.buf = buf;
  pkt.payloadOff = 0;
  pkt.payloadLen = pkt.payloadCap = buf.length;
  return pkt;
}

test('UDP: a datagram kept while the first analyzer was unconfirmed survives the reuse of its buffer', () => {
  const seen: string[] = [];
  const first: AnalyzerDescriptor = {
    name: 'first', udpPorts: [9999],
    createDatagram: (ctx) => ({
      packet(_isOrig, buf, off, len) { if (buf.toString('latin1', off, off + len) === 'second') ctx.violation('not mine'); },
      done() {},
    }),
  };
  const next: AnalyzerDescriptor = {
    name: 'next', probe: () => 'yes',
    createDatagram: (ctx) => ({
      packet(_isOrig, buf, off, len) { seen.push(buf.toString('latin1', off, off + len)); ctx.confirm(); },
      done() {},
    }),
  };
  const app = layer([first, next]);
  const c = conn(PROTO_UDP);
  const window = Buffer.from('first!');
  app.udp(c, packet(window), true);
  window.write('XXXXXX', 'latin1'); // the read window moves on
  app.udp(c, packet(Buffer.from('second')), true);
  assert.deepEqual(seen, ['first!']);
  assert.deepEqual(c.services, ['next']);
});

test('TCP: stream bytes kept for replay are copied once the delivering call ends unconfirmed', () => {
  const got: string[] = [];
  const first: AnalyzerDescriptor = {
    name: 'first', tcpPorts: [9999],
    createStream: (ctx) => ({
      data(_isOrig, buf, off, len) { if (buf.toString('latin1', off, off + len) === 'second') ctx.violation('not mine'); },
      gap() {}, eof() {}, done() {},
    }),
  };
  const next: AnalyzerDescriptor = {
    name: 'next', probe: () => 'yes',
    createStream: (ctx) => ({
      data(_isOrig, buf, off, len) { got.push(buf.toString('latin1', off, off + len)); ctx.confirm(); },
      gap() {}, eof() {}, done() {},
    }),
  };
  const app = layer([first, next]);
  const c = conn(PROTO_TCP);
  tcpSegment.relAck = -1;
  tcpSegment.skipData = false;
  tcpSegment.relDataSeq = 1;
  const window = Buffer.from('first!');
  app.tcp(c, packet(window), true);
  window.write('XXXXXX', 'latin1');
  tcpSegment.relDataSeq = 7;
  app.tcp(c, packet(Buffer.from('second')), true);
  assert.equal(got[0], 'first!');
  assert.deepEqual(c.services, ['next']);
});

test('a confirmed analyzer costs no copies: nothing is kept once it confirms', () => {
  const got: string[] = [];
  const only: AnalyzerDescriptor = {
    name: 'only', udpPorts: [9999],
    createDatagram: (ctx) => ({
      packet(_isOrig, buf, off, len) { got.push(buf.toString('latin1', off, off + len)); ctx.confirm(); },
      done() {},
    }),
  };
  const app = layer([only]);
  const c = conn(PROTO_UDP);
  const window = Buffer.from('query');
  app.udp(c, packet(window), true);
  window.write('XXXXX', 'latin1');
  app.udp(c, packet(Buffer.from('reply')), false);
  assert.deepEqual(got, ['query', 'reply']);
  assert.equal((c.app as { replay: unknown[] }).replay.length, 0);
});
