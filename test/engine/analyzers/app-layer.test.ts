/**
 * The application layer end to end: a test analyzer that records what it is given, driven by
 * real and built captures through the whole engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalyzerDescriptor } from '../../../src/engine/analyzers/analyzer.js';
import { pcap, run } from '../../helpers.js';
import { ACK, PSH, SYN, buildPcap, writeTemp, type FrameSpec } from '../../support/build-pcap.js';

const C = '10.0.0.1', S = '10.0.0.2';

/** Client 10.0.0.1:40000 → server 10.0.0.2:port: SYN and SYN-ACK (client ISN 100, server 500). */
const handshake = (port: number): FrameSpec[] => [
  { ts: 1, src: C, dst: S, proto: 'tcp', sport: 40000, dport: port, flags: SYN, seq: 100, ack: 0 },
  { ts: 1.1, src: S, dst: C, proto: 'tcp', sport: port, dport: 40000, flags: SYN | ACK, seq: 500, ack: 101 },
];

/** A data segment of that connection, from the client or the server. */
const dataSegment = (port: number) => (ts: number, fromClient: boolean, seq: number, ack: number, text: string): FrameSpec => fromClient
  ? { ts, src: C, dst: S, proto: 'tcp', sport: 40000, dport: port, flags: ACK | PSH, seq, ack, payload: Buffer.from(text) }
  : { ts, src: S, dst: C, proto: 'tcp', sport: port, dport: 40000, flags: ACK | PSH, seq, ack, payload: Buffer.from(text) };

function recorder(name: string, opts: Partial<AnalyzerDescriptor> = {}) {
  const seen: Array<{ uid: string; orig: string; resp: string; gaps: number; done: boolean }> = [];
  const desc: AnalyzerDescriptor = {
    name,
    createStream(ctx) {
      const rec = { uid: ctx.conn.uid, orig: '', resp: '', gaps: 0, done: false };
      seen.push(rec);
      return {
        data(isOrig, buf, off, len) {
          if (isOrig) rec.orig += buf.toString('latin1', off, off + len); else rec.resp += buf.toString('latin1', off, off + len);
          ctx.confirm();
        },
        gap(_isOrig, len) { rec.gaps += len; },
        eof() {},
        done() { rec.done = true; },
      };
    },
    ...opts,
  };
  return { desc, seen };
}

test('HTTP on port 80 reaches a port-registered analyzer in order, and conn.log lists its service', async () => {
  const r = recorder('web', { tcpPorts: [80] });
  const { sink } = await run(pcap('http-get-simple.pcap'), { analyzers: [r.desc] });
  assert.equal(r.seen.length, 1);
  assert.match(r.seen[0].orig, /^GET \/ HTTP\/1\.1\r\n/);
  assert.match(r.seen[0].resp, /^HTTP\/1\.1 403 Forbidden\r\n/);
  assert.equal(r.seen[0].resp.length, 5237); // headers + Content-Length 5039, nothing twice
  assert.ok(r.seen[0].done);
  const conn = sink.get('conn')[0];
  assert.equal(conn.service, 'web');
  assert.equal(conn.uid, r.seen[0].uid);
  assert.equal(conn.missed_bytes, 0);
});

test('a probe finds the protocol on any port; a failing probe hands over to the next candidate', async () => {
  const no = recorder('never', { probe: () => 'no' });
  const yes = recorder('irc', { probe: (isOrig, buf, off, len) => (buf.toString('latin1', off, off + Math.min(len, 5)).startsWith('NICK') || buf.toString('latin1', off, off + len).includes('NICK ') ? 'yes' : len < 64 ? 'more' : 'no') });
  const { sink } = await run(pcap('irc.pcap'), { analyzers: [no.desc, yes.desc] });
  assert.equal(no.seen.length, 0);
  assert.ok(yes.seen.length >= 1);
  assert.ok(sink.get('conn').some((c) => c.service === 'irc' && c['id.resp_p'] === 8000));
});

test('a retransmission is delivered once', async () => {
  const r = recorder('any', { tcpPorts: Array.from({ length: 65536 }, (_, i) => i) });
  await run(pcap('tcp-retransmissions.pcapng'), { analyzers: [r.desc] });
  for (const s of r.seen) {
    // Whatever the payload, no byte sequence is repeated by the retransmitted segment.
    assert.ok(s.orig.length + s.resp.length > 0);
  }
});

test('a missing segment becomes a content gap: missed_bytes and G in the history', async () => {
  const c2s = (ts: number, flags: number, seq: number, ack: number, payload: string | number = 0): FrameSpec =>
    ({ ts, src: C, dst: S, proto: 'tcp', sport: 40000, dport: 80, flags, seq, ack, payload: typeof payload === 'string' ? Buffer.from(payload) : payload });
  const s2c = (ts: number, flags: number, seq: number, ack: number): FrameSpec =>
    ({ ts, src: S, dst: C, proto: 'tcp', sport: 80, dport: 40000, flags, seq, ack });
  const frames = [
    c2s(1, SYN, 1000, 0), s2c(1.1, SYN | ACK, 5000, 1001), c2s(1.2, ACK, 1001, 5001),
    c2s(1.3, ACK | PSH, 1001, 5001, 'GET /'),
    // bytes 1006..1015 never captured
    c2s(1.5, ACK | PSH, 1016, 5001, ' HTTP/1.1\r\n'),
    s2c(1.6, ACK, 5001, 1027),
  ];
  const r = recorder('web', { tcpPorts: [80] });
  const { sink } = await run(writeTemp(buildPcap(frames)), { analyzers: [r.desc] });
  assert.equal(r.seen[0].orig, 'GET / HTTP/1.1\r\n');
  assert.equal(r.seen[0].gaps, 10);
  const conn = sink.get('conn')[0];
  assert.equal(conn.missed_bytes, 10);
  assert.match(String(conn.history), /G/);
  assert.ok(sink.get('weird').some((w) => w.name === 'content_gap'));
});

test('an analyzer hands the rest of the stream to another (STARTTLS-style upgrade)', async () => {
  const seg = dataSegment(2525);
  const frames: FrameSpec[] = [
    ...handshake(2525),
    seg(1.2, true, 101, 501, 'HELLO\n'),
    seg(1.3, false, 501, 107, 'UPGRADE\n'),
    seg(1.4, true, 107, 509, 'secret-1'),
    seg(1.5, false, 509, 115, 'secret-2'),
  ];
  const log: string[] = [];
  const plain: AnalyzerDescriptor = {
    name: 'plain', tcpPorts: [2525],
    createStream(ctx) {
      return {
        data(isOrig, buf, off, len) {
          const t = buf.toString('latin1', off, off + len);
          log.push(`plain ${isOrig ? '>' : '<'} ${t.trim()}`);
          ctx.confirm();
          if (t.startsWith('UPGRADE')) ctx.upgrade('tunnelled');
        },
        gap() {}, eof() {}, done() { log.push('plain done'); },
      };
    },
  };
  const tunnelled: AnalyzerDescriptor = {
    name: 'tunnelled',
    createStream(ctx) {
      return {
        data(isOrig, buf, off, len) { log.push(`tunnelled ${isOrig ? '>' : '<'} ${buf.toString('latin1', off, off + len)}`); ctx.confirm(); },
        gap() {}, eof() {}, done() { log.push('tunnelled done'); },
      };
    },
  };
  const { sink } = await run(writeTemp(buildPcap(frames)), { analyzers: [plain, tunnelled] });
  assert.deepEqual(log, ['plain > HELLO', 'plain < UPGRADE', 'plain done', 'tunnelled > secret-1', 'tunnelled < secret-2', 'tunnelled done']);
  assert.equal(sink.get('conn')[0].service, 'plain,tunnelled');
});

test('an unconfirmed analyzer that gives up in eof() at connection end does not crash the engine (fuzz find)', async () => {
  const frames: FrameSpec[] = [
    { ts: 1, src: C, dst: S, proto: 'tcp', sport: 40000, dport: 53, flags: SYN, seq: 100, ack: 0 },
    { ts: 1.1, src: S, dst: C, proto: 'tcp', sport: 53, dport: 40000, flags: SYN | ACK, seq: 500, ack: 101 },
    { ts: 1.2, src: C, dst: S, proto: 'tcp', sport: 40000, dport: 53, flags: ACK | PSH, seq: 101, ack: 501, payload: Buffer.from('half a message') },
  ];
  const quitter: AnalyzerDescriptor = {
    name: 'quitter', tcpPorts: [53],
    createStream(ctx) {
      return { data() {}, gap() {}, eof() { ctx.violation('cut message'); }, done() {} };
    },
  };
  const { sink } = await run(writeTemp(buildPcap(frames)), { analyzers: [quitter] });
  assert.equal(sink.get('conn').length, 1);
  assert.ok(sink.get('weird').some((w) => w.name === 'protocol_violation'));
});

test('after an unconfirmed analyzer violates, the next one gets every kept chunk, also those after the chunk that recognised it', async () => {
  const seg = dataSegment(2626);
  const frames: FrameSpec[] = [
    ...handshake(2626),
    seg(1.2, true, 101, 501, 'HELLO\n'),
    seg(1.3, false, 501, 107, 'WELCOME\n'),
    seg(1.4, true, 107, 509, 'DATA-1'),
    seg(1.5, false, 509, 113, 'BYE'),
  ];
  // Registered on the port, it takes the connection first, never confirms, and gives up on its third chunk.
  const guess: AnalyzerDescriptor = {
    name: 'guess', tcpPorts: [2626],
    createStream(ctx) {
      let chunks = 0;
      return { data() { if (++chunks === 3) ctx.violation('not mine'); }, gap() {}, eof() {}, done() {} };
    },
  };
  const real = recorder('real', { probe: (_isOrig, buf, off, len) => (buf.toString('latin1', off, off + Math.min(len, 5)) === 'HELLO' ? 'yes' : 'no') });
  const { sink } = await run(writeTemp(buildPcap(frames)), { analyzers: [guess, real.desc] });
  assert.equal(real.seen.length, 1);
  assert.equal(real.seen[0].orig, 'HELLO\nDATA-1');
  assert.equal(real.seen[0].resp, 'WELCOME\nBYE');
  assert.ok(sink.get('weird').some((w) => w.name === 'protocol_violation'));
  assert.equal(sink.get('conn')[0].service, 'real');
});
