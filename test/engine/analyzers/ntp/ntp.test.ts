/**
 * NTP: the parser on built messages (every mode, truncation, garbage, extension fields) and
 * ntp.log against tshark on the shared captures.
 *
 * Deliberate differences from tshark: a timestamp with its top bit clear is read as 1900-1968,
 * as Zeek does (no RFC 4330 §3 era rollover; tshark puts it in 2036-2104): compared 2^32 s apart. tshark prints root delay and
 * dispersion as raw 16.16 numbers and poll/precision as exponents; they are converted here.
 * Zeek would differ from both on root delay/dispersion fractions >= 0.5 (see analyzer notes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parseNtp } from '../../../../src/engine/analyzers/ntp/parser.js';
import { pcap, run } from '../../../helpers.js';
import { buildPcap, writeTemp } from '../../../support/build-pcap.js';

function header(first: number, stratum = 2, extra: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(48);
  b[0] = first;
  b[1] = stratum;
  b[2] = 6; // poll 64 s
  b[3] = 0xec; // precision 2^-20
  b.writeUInt32BE(0x00018000, 4); // root delay 1.5
  b.writeUInt32BE(0x0000c000, 8); // root dispersion 0.75
  Buffer.from([192, 0, 2, 1]).copy(b, 12);
  b.writeUInt32BE(2208988800 + 1000, 40); // xmt = 1000.5 Unix
  b.writeUInt32BE(0x80000000, 44);
  return Buffer.concat([b, extra]);
}

test('a server message: every field; unsigned 16.16 root delay and dispersion', () => {
  const r = parseNtp(header(0x24), 0, 48);
  assert.ok('msg' in r);
  const m = r.msg;
  assert.deepEqual([m.leap, m.version, m.mode], [0, 4, 4]);
  assert.deepEqual(m.std, {
    stratum: 2, poll: 64, precision: 2 ** -20, rootDelay: 1.5, rootDisp: 0.75, refId: '192.0.2.1',
    refTime: 0, orgTime: 0, recTime: 0, xmtTime: 1000.5, numExts: 0,
  });
});

test('ref_id: kiss code at stratum 0, clock name at stratum 1 (bytes escaped)', () => {
  const k = header(0x24, 0); k.write('RATE', 12, 'latin1');
  const g = header(0x24, 1); Buffer.from([0x47, 0x50, 0x53, 0]).copy(g, 12);
  const rk = parseNtp(k, 0, 48), rg = parseNtp(g, 0, 48);
  assert.ok('msg' in rk && 'msg' in rg);
  assert.equal(rk.msg.std!.refId, 'RATE');
  assert.equal(rg.msg.std!.refId, 'GPS\\x00');
});

test('extension fields are counted while more than a MAC remains; a bad one is a weird', () => {
  const ext = (len: number) => { const e = Buffer.alloc(len); e.writeUInt16BE(0x0104, 0); e.writeUInt16BE(len, 2); return e; };
  const mac = Buffer.alloc(20);
  const two = header(0x24, 2, Buffer.concat([ext(16), ext(28), mac]));
  const r = parseNtp(two, 0, two.length);
  assert.ok('msg' in r);
  assert.equal(r.msg.std!.numExts, 2);
  assert.equal(r.msg.weirds, undefined);
  const macOnly = header(0x24, 2, Buffer.alloc(24));
  const r2 = parseNtp(macOnly, 0, macOnly.length);
  assert.ok('msg' in r2 && r2.msg.std!.numExts === 0 && !r2.msg.weirds);
  const bad = header(0x24, 2, Buffer.concat([ext(16).fill(0xff, 2, 4), mac]));
  const r3 = parseNtp(bad, 0, bad.length);
  assert.ok('msg' in r3);
  assert.deepEqual(r3.msg.weirds, ['NTP_bad_extension_field']);
});

test('truncation and garbage never throw; short standard messages are errors', () => {
  const full = header(0x23, 2, Buffer.alloc(40, 0x11));
  for (let n = 0; n <= full.length; n++) {
    const r = parseNtp(full, 0, n);
    if (n < 48) assert.ok('error' in r);
  }
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.alloc(rnd() + 1);
    for (let k = 0; k < b.length; k++) b[k] = rnd();
    parseNtp(b, 0, b.length);
  }
  const ctl = parseNtp(Buffer.from([0x16, 0x02, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]), 0, 12);
  assert.ok('msg' in ctl && ctl.msg.mode === 6 && ctl.msg.std === undefined);
});

test('engine: modes 6 and 7 confirm but are not logged; garbage on 123 is a violation', async () => {
  const c = (ts: number, payload: Buffer, sport = 40000) => ({ ts, src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp' as const, sport, dport: 123, payload });
  const { sink } = await run(writeTemp(buildPcap([
    c(1, header(0x23)),
    c(2, Buffer.from([0x17, 0, 3, 0x2a, 0, 0, 0, 0])), // mode 7 monlist request
    c(3, Buffer.from([0x16, 0x02, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])),
    c(4, Buffer.from('AAAAAAAA'), 40001), // mode 1, far shorter than a header
  ])));
  const ntp = sink.get('ntp');
  assert.equal(ntp.length, 1);
  assert.equal(ntp[0].mode, 3);
  assert.equal(ntp[0].ts, 1);
  const conns = sink.get('conn');
  assert.equal(conns.find((x) => x['id.orig_p'] === 40000)!.service, 'ntp');
  assert.equal(conns.find((x) => x['id.orig_p'] === 40001)!.service, undefined);
  assert.ok(sink.get('weird').some((w) => w.name === 'NTP_truncated'));
});

const FIELDS = ['frame.time_epoch', 'ntp.flags.vn', 'ntp.flags.mode', 'ntp.stratum', 'ntp.ppoll', 'ntp.precision', 'ntp.rootdelay', 'ntp.rootdispersion', 'ntp.refid', 'ntp.reftime', 'ntp.org', 'ntp.rec', 'ntp.xmt'];

/** tshark's absolute time ("Jun 19, 2017 14:22:54.488665335 UTC"; NULL when unset) → Unix seconds. */
function absTime(s: string): number {
  if (s === 'NULL' || s === '') return 0;
  const m = /^(.*\d\d:\d\d:\d\d)(\.\d+)? UTC$/.exec(s);
  assert.ok(m, s);
  return Date.parse(`${m[1]} UTC`) / 1000 + Number(m[2] ?? 0);
}

for (const file of ['ntp.pcap', 'tunnel-gre.pcap', 'mixed-arkime-synthetic-many-protocols.pcap']) {
  test(`${file}: ntp.log matches tshark message by message`, async () => {
    const out = execFileSync('tshark', ['-r', pcap(file), '-Y', 'ntp', '-T', 'fields', '-E', 'occurrence=f', ...FIELDS.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const rows = out.split('\n').filter(Boolean).map((l) => l.split('\t'));
    const { sink } = await run(pcap(file));
    const recs = sink.get('ntp');
    assert.equal(recs.length, rows.filter((r) => Number(r[2]) <= 5).length);
    for (const [i, r] of rows.entries()) {
      const rec = recs[i];
      const at = `${file} message ${i}`;
      assert.equal(rec.ts, Number(r[0]), at);
      assert.equal(rec.version, Number(r[1]), at);
      assert.equal(rec.mode, Number(r[2]), at);
      assert.equal(rec.stratum, Number(r[3]), at);
      assert.equal(rec.poll, 2 ** Number(r[4]), at);
      const prec = Number(r[5]);
      assert.equal(rec.precision, 2 ** (prec > 127 ? prec - 256 : prec), at);
      assert.equal(rec.root_delay, Number(r[6]) / 65536, at);
      assert.equal(rec.root_disp, Number(r[7]) / 65536, at);
      const refHex = r[8];
      const stratum = Number(r[3]);
      const refBytes = Buffer.from(refHex, 'hex');
      assert.equal(rec.ref_id, stratum > 1 ? [...refBytes].join('.') : [...refBytes].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join(''), at);
      for (const [f, j] of [['ref_time', 9], ['org_time', 10], ['rec_time', 11], ['xmt_time', 12]] as const) {
        let want = absTime(r[j]);
        if (want > 2085978496) want -= 4294967296; // tshark's era 1 (see above)
        assert.ok(Math.abs((rec[f] as number) - want) < 1e-6, `${at} ${f}: ${rec[f]} vs ${r[j]}`);
      }
    }
  });
}
