/**
 * Syslog: PRI parsing (Zeek's Spicy grammar), names, the probe, and syslog.log against tshark.
 *
 * Deliberate difference from tshark: the message keeps every byte after the PRI, as Zeek's
 * grammar does (`msg: bytes &eod`), so a sender's trailing NUL is logged as "\x00"; tshark's
 * syslog.msg drops it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { facilityName, parseSyslog, severityName } from '../../../../src/engine/analyzers/syslog/parser.js';
import { pcap, run } from '../../../helpers.js';
import { ACK, FIN, PSH, SYN, buildPcap, writeTemp, type FrameSpec } from '../../../support/build-pcap.js';

const p = (s: string) => { const b = Buffer.from(s, 'latin1'); return parseSyslog(b, 0, b.length); };

test('PRI: facility and severity; none, broken or overlong PRI is UNSPECIFIED with the whole text', () => {
  assert.deepEqual(p('<34>Oct 11 22:14:15 mymachine su: failed'), { facility: 4, severity: 2, message: 'Oct 11 22:14:15 mymachine su: failed', textOff: 4 });
  assert.equal(p('<0>x').facility, 0);
  assert.equal(p('<191>x').facility, 23);
  assert.equal(p('<1023>x').facility, 127); // Zeek masks with 0x3f8
  assert.equal(p('<1024>x').facility, 0);
  for (const s of ['no pri', '<>x', '<12', '<1a>x', '<12345678901>x', '']) {
    const m = p(s);
    assert.deepEqual([m.facility, m.severity, m.message], [999, 999, s.replace(/\n/g, '\\x0a')], s);
  }
  assert.equal(p('<13>a\x01b\xff').message, 'a\\x01b\\xff');
  assert.deepEqual([facilityName(10), facilityName(23), facilityName(24), facilityName(999)], ['AUTHPRIV', 'LOCAL7', 'unknown-24', 'UNSPECIFIED']);
  assert.deepEqual([severityName(0), severityName(7), severityName(999)], ['EMERG', 'DEBUG', 'UNSPECIFIED']);
});

test('random bytes never throw', () => {
  let seed = 5;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let i = 0; i < 3000; i++) {
    const b = Buffer.alloc(rnd() % 40);
    for (let k = 0; k < b.length; k++) b[k] = k === 0 && rnd() < 128 ? 0x3c : rnd();
    parseSyslog(b, 0, b.length);
  }
});

const dgram = (ts: number, s: string, dport: number, sport = 40000): FrameSpec => ({ ts, src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', sport, dport, payload: Buffer.from(s, 'latin1') });

test('engine: every datagram on 514 is a record; the probe needs PRI plus a header elsewhere', async () => {
  const { sink } = await run(writeTemp(buildPcap([
    dgram(1, '<13>1 2024-01-01T00:00:00Z host app - - - hello', 514),
    dgram(2, 'no pri at all', 514),
    dgram(3, '<13>1 2024-01-01T00:00:00Z host app - - - other port', 5140, 40001),
    dgram(4, '<13>Jan  5 12:00:00 host app: 3164 style', 5141, 40002),
    dgram(5, '<13>hello', 5142, 40003),
    dgram(6, '<999>1 x', 5143, 40004),
  ])));
  const recs = sink.get('syslog');
  assert.deepEqual(recs.map((r) => [r['id.resp_p'], r.facility, r.severity]), [
    [514, 'USER', 'NOTICE'], [514, 'UNSPECIFIED', 'UNSPECIFIED'], [5140, 'USER', 'NOTICE'], [5141, 'USER', 'NOTICE'],
  ]);
  assert.equal(recs[0].message, '1 2024-01-01T00:00:00Z host app - - - hello');
  assert.equal(recs[0].ts, 1);
  assert.equal(recs[0].proto, 'udp');
  const svc = new Map(sink.get('conn').map((c) => [c['id.resp_p'], c.service]));
  assert.equal(svc.get(5142), undefined);
  assert.equal(svc.get(5143), undefined);
});

test('syslog-udp.pcap: syslog.log matches tshark', async () => {
  const out = execFileSync('tshark', ['-r', pcap('syslog-udp.pcap'), '-Y', 'syslog', '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'syslog.facility', '-e', 'syslog.level', '-e', 'syslog.msg', '-e', 'udp.payload'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const rows = out.split('\n').filter(Boolean).map((l) => l.split('\t'));
  const { sink } = await run(pcap('syslog-udp.pcap'));
  const recs = sink.get('syslog');
  assert.equal(recs.length, rows.length);
  for (const [i, [ts, fac, sev, msg, hex]] of rows.entries()) {
    const r = recs[i];
    assert.equal(r.ts, Number(ts));
    assert.equal(r.facility, facilityName(Number(fac)));
    assert.equal(r.severity, severityName(Number(sev)));
    const nul = hex.endsWith('00') ? '\\x00' : ''; // see the note above
    assert.equal(r.message, msg + nul);
  }
});

/** A TCP connection to port 514 carrying the client's chunks; `skip` bytes never captured
 *  before the second chunk. */
function tcp(chunks: string[], opts: { skip?: number; port?: number } = {}): FrameSpec[] {
  let t = 1;
  const port = opts.port ?? 514;
  const c = (flags: number, seq: number, ack: number, s?: string): FrameSpec => ({ ts: (t += 0.01), src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp', sport: 40000, dport: port, flags, seq, ack, payload: s === undefined ? undefined : Buffer.from(s, 'latin1') });
  const sv = (flags: number, seq: number, ack: number): FrameSpec => ({ ts: (t += 0.01), src: '10.0.0.2', dst: '10.0.0.1', proto: 'tcp', sport: port, dport: 40000, flags, seq, ack });
  const frames: FrameSpec[] = [c(SYN, 100, 0), sv(SYN | ACK, 500, 101), c(ACK, 101, 501)];
  let cs = 101;
  chunks.forEach((s, i) => {
    if (i === 1 && opts.skip) cs += opts.skip;
    frames.push(c(ACK | PSH, cs, 501, s));
    cs += s.length;
  });
  frames.push(c(FIN | ACK, cs, 501), sv(FIN | ACK, 501, cs + 1), c(ACK, cs + 1, 502));
  return frames;
}

test('TCP (RFC 6587): octet-counted and non-transparent frames, split anywhere', async () => {
  const a = '<34>1 2024-01-01T00:00:00Z h app - - - first';
  const stream = `${a.length} ${a}${'<13>second line\r\n\n'}${'<14>third\x00'}`;
  for (const cuts of [[], [1], [2, 20], [stream.length - 3]]) {
    const parts: string[] = [];
    let last = 0;
    for (const x of cuts) { parts.push(stream.slice(last, x)); last = x; }
    parts.push(stream.slice(last));
    const { sink } = await run(writeTemp(buildPcap(tcp(parts))));
    const recs = sink.get('syslog');
    assert.deepEqual(recs.map((r) => [r.proto, r.facility, r.severity, r.message]), [
      ['tcp', 'AUTH', 'CRIT', '1 2024-01-01T00:00:00Z h app - - - first'],
      ['tcp', 'USER', 'NOTICE', 'second line'],
      ['tcp', 'USER', 'INFO', 'third'],
    ], JSON.stringify(cuts));
    assert.equal(sink.get('conn')[0].service, 'syslog');
  }
});

test('TCP: a last message without its LF is logged at the end; bytes that are not syslog stop it', async () => {
  const { sink } = await run(writeTemp(buildPcap(tcp(['<13>one\n<13>two']))));
  assert.deepEqual(sink.get('syslog').map((r) => r.message), ['one', 'two']);
  const bad = await run(writeTemp(buildPcap(tcp(['<13>one\n', '12x oops\n']))));
  assert.deepEqual(bad.sink.get('syslog').map((r) => r.message), ['one']);
  assert.ok(bad.sink.get('weird').some((w) => w.name === 'syslog_bad_frame'));
  const rsh = await run(writeTemp(buildPcap(tcp(['1023\x00root\x00root\x00ls\x00']))));
  assert.equal(rsh.sink.get('syslog').length, 0);
  assert.equal(rsh.sink.get('conn')[0].service, undefined);
});

test('TCP: after a gap that side is not parsed any more; an over-long frame is refused', async () => {
  const { sink } = await run(writeTemp(buildPcap(tcp(['<13>one\n', '<13>two\n'], { skip: 30 }))));
  assert.deepEqual(sink.get('syslog').map((r) => r.message), ['one']);
  assert.ok(sink.get('weird').some((w) => w.name === 'syslog_content_gap'));
  const long = await run(writeTemp(buildPcap(tcp(['<13>one\n999999 ']))));
  assert.deepEqual(long.sink.get('syslog').map((r) => r.message), ['one']);
  assert.ok(long.sink.get('weird').some((w) => w.name === 'syslog_message_too_long'));
});
