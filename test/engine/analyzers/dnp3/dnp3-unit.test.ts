/**
 * The DNP3 analyzer driven directly with hand-built link frames: CRCs, multi-block frames,
 * multi-segment fragments, link-only frames; every split point, garbage, corrupt CRCs,
 * truncation, gaps (resynchronisation at the next valid header) and the probe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dnp3Analyzer, dnp3Crc, functionName } from '../../../../src/engine/analyzers/dnp3/dnp3-analyzer.js';
import { probeDnp3 } from '../../../../src/engine/analyzers/dnp3/index.js';
import { fakeCtx, newOut } from '../ssh/build-ssh.js';

const crc = (b: number[]): number[] => { const c = dnp3Crc(Uint8Array.from(b), 0, b.length); return [c & 0xff, c >> 8]; };

/** A link frame carrying `user` (transport byte + application bytes). */
function frame(user: number[], dir = 0xc4): Buffer {
  const h = [0x05, 0x64, 5 + user.length, dir, 3, 0, 4, 0];
  const out = [...h, ...crc(h)];
  for (let i = 0; i < user.length; i += 16) { const blk = user.slice(i, i + 16); out.push(...blk, ...crc(blk)); }
  return Buffer.from(out);
}
const FIR = 0x40, FIN = 0x80;
const seg = (tp: number, app: number[]) => frame([tp, ...app]);
const req = (fc: number, objs: number[] = []) => seg(FIR | FIN, [0xc0, fc, ...objs]);
const rsp = (fc: number, iin1: number, iin2: number, objs: number[] = []) => seg(FIR | FIN, [0xe0, fc, iin1, iin2, ...objs], );

const LONG = Array.from({ length: 60 }, (_, i) => i); // several 16-byte blocks
const CONVERSATION: Array<[boolean, Buffer]> = [
  [false, rsp(0x82, 0x90, 0x00)],
  [true, req(0x00)],
  [true, req(0x01, [0x3c, 0x02, 0x06])],
  [false, Buffer.concat([seg(FIR, [0xe1, 0x81, 0x00, 0x02, ...LONG]), seg(0x01, LONG), seg(FIN | 0x02, LONG)])],
  [true, Buffer.from([0x05, 0x64, 5, 0xc9, 3, 0, 4, 0, ...crc([0x05, 0x64, 5, 0xc9, 3, 0, 4, 0])])], // link status: no app data
  [true, req(0x15)],
  [false, rsp(0x81, 0x00, 0x00)],
  [true, req(0x0d)],
];
const EXPECTED = [
  [undefined, 'UNSOLICITED_RESPONSE', 0x9000],
  ['READ', 'RESPONSE', 2],
  ['DISABLE_UNSOLICITED', 'RESPONSE', 0],
  ['COLD_RESTART', undefined, undefined],
];

function drive(segs: Array<[boolean, Buffer]>, chunk?: number, gapAt?: number) {
  const out = newOut();
  const a = new Dnp3Analyzer(fakeCtx(out, 20000));
  segs.forEach(([o, b], n) => {
    if (n === gapAt) a.gap(o, 10);
    if (!chunk) a.data(o, b, 0, b.length);
    else for (let i = 0; i < b.length; i += chunk) { const c = b.subarray(i, Math.min(b.length, i + chunk)); a.data(o, c, 0, c.length); }
  });
  a.done();
  return { out, recs: out.logs.filter(([p]) => p === 'dnp3').map(([, r]) => [r.fc_request, r.fc_reply, r.iin]) };
}

test('CRC-16/DNP and names', () => {
  // A header from dnp3.pcap: 05 64 0a 44 03 00 04 00, CRC 7c ae.
  assert.deepEqual(crc([0x05, 0x64, 0x0a, 0x44, 0x03, 0x00, 0x04, 0x00]), [0x7c, 0xae]);
  assert.equal(functionName(0), 'CONFIRM');
  assert.equal(functionName(0x21), 'AUTHENTICATE_REQ_NR');
  assert.equal(functionName(0x22), 'unknown-34');
  assert.equal(functionName(0x83), 'AUTHENTICATE_RESPONSE');
  assert.equal(functionName(0x80), 'unknown-128');
});

test('a conversation: Zeek\'s request/reply records, multi-segment fragments, link-only frames', () => {
  const { out, recs } = drive(CONVERSATION);
  assert.deepEqual(recs, EXPECTED);
  assert.equal(out.confirms, 1);
  assert.deepEqual(out.weirds, []);
});

test('split at every byte and in every chunk size', () => {
  for (let chunk = 1; chunk <= 30; chunk++) assert.deepEqual(drive(CONVERSATION, chunk).recs, EXPECTED, `chunk ${chunk}`);
  const all = Buffer.concat(CONVERSATION.filter(([o]) => !o).map(([, b]) => b));
  for (let cut = 0; cut <= all.length; cut++) {
    const { recs, out } = drive([[false, all.subarray(0, cut)], [false, all.subarray(cut)]]);
    assert.equal(recs.length, 3, `cut ${cut}`);
    assert.deepEqual(out.weirds, []);
  }
});

test('corrupt CRCs', () => {
  const bad = Buffer.from(rsp(0x81, 0, 0, LONG));
  bad[20] ^= 0xff; // inside the first data block
  let r = drive([[true, req(1)], [false, bad], [false, rsp(0x81, 0, 4)]]);
  assert.deepEqual(r.out.weirds, ['dnp3_corrupt_data_checksum']);
  assert.deepEqual(r.recs, [['READ', 'RESPONSE', 4]]);
  // A corrupt middle segment drops the fragment; the next FIN alone is a missing first segment.
  const mid = Buffer.from(seg(0x01, LONG));
  mid[12] ^= 1;
  r = drive([[false, rsp(0x82, 0, 0)], [false, Buffer.concat([seg(FIR, [0xe1, 0x81, 0, 0]), mid, seg(FIN, LONG)])]]);
  assert.deepEqual(r.out.weirds, ['dnp3_corrupt_data_checksum', 'dnp3_first_transport_segment_missing']);
  assert.equal(r.recs.length, 1);
  // A bad header CRC after confirmation: weird, then the side finds the next valid header.
  const badHdr = Buffer.from(req(2));
  badHdr[8] ^= 1;
  r = drive([[false, rsp(0x82, 0, 0)], [true, Buffer.concat([badHdr, req(0x14)])], [false, rsp(0x81, 0, 0)]]);
  assert.deepEqual(r.out.weirds, ['dnp3_corrupt_header_checksum']);
  assert.deepEqual(r.recs, [[undefined, 'UNSOLICITED_RESPONSE', 0], ['ENABLE_UNSOLICITED', 'RESPONSE', 0]]);
});

test('garbage before confirmation is a violation; random bytes never throw', () => {
  let r = drive([[true, Buffer.from('GET / HTTP/1.1\r\n\r\n')], [true, req(1)]]);
  assert.deepEqual(r.out.violations.length, 1);
  assert.deepEqual(r.out.weirds, ['dnp3_header_lacks_magic']);
  assert.deepEqual(r.recs, []);
  r = drive([[true, Buffer.from([0x05, 0x64, 4, 0xc4, 3, 0, 4, 0, ...crc([0x05, 0x64, 4, 0xc4, 3, 0, 4, 0])])]]);
  assert.deepEqual(r.out.weirds, ['dnp3_bad_length']);
  let seed = 3;
  for (let n = 0; n < 300; n++) {
    const b = Buffer.alloc(1 + (n % 50));
    for (let i = 0; i < b.length; i++) { seed = (seed * 1103515245 + 12345) >>> 0; b[i] = seed >>> 24; }
    if (n % 3 === 0) { b[0] = 0x05; if (b.length > 1) b[1] = 0x64; }
    drive([[false, rsp(0x82, 0, 0)], [n % 2 === 0, b], [true, b], [false, req(1)]], 1 + (n % 7));
  }
});

test('truncation: short fragments, a frame cut off, an oversized fragment', () => {
  let r = drive([[true, seg(FIR | FIN, [0xc0])], [false, seg(FIR | FIN, [0xe0, 0x81, 0])]]);
  assert.deepEqual(r.out.weirds, ['dnp3_truncated_application_header', 'dnp3_truncated_application_header']);
  assert.deepEqual(r.recs, []);
  r = drive([[true, req(1).subarray(0, 12)]]);
  assert.deepEqual(r.recs, []);
  assert.deepEqual(r.out.weirds, []);
  const big: Buffer[] = [seg(FIR, [0xe0, 0x81, 0, 0, ...LONG])];
  for (let k = 0; k < 80; k++) big.push(seg(k & 0x3f, LONG));
  big.push(seg(FIN, LONG));
  r = drive([[false, Buffer.concat(big)], [false, rsp(0x81, 0, 1)]]);
  assert.ok(r.out.weirds.includes('dnp3_fragment_too_large'));
  assert.deepEqual(r.recs, [[undefined, 'RESPONSE', 1]]);
});

test('a gap: the side resynchronises at the next valid frame header', () => {
  const segs: Array<[boolean, Buffer]> = [[false, rsp(0x82, 0, 0)], [true, Buffer.concat([Buffer.from([0x05, 0x64, 0x07]), req(2).subarray(3), Buffer.from([0x05]), req(0x18)])], [false, rsp(0x81, 0, 0)]];
  const r = drive(segs, 1, 1);
  assert.deepEqual(r.recs, [[undefined, 'UNSOLICITED_RESPONSE', 0], ['RECORD_CURRENT_TIME', 'RESPONSE', 0]]);
  assert.deepEqual(r.out.weirds, []);
});

test('probe', () => {
  const f = req(1);
  assert.equal(probeDnp3(f, 0, f.length), 'yes');
  assert.equal(probeDnp3(f, 0, 5), 'more');
  assert.equal(probeDnp3(Buffer.from('GET /'), 0, 5), 'no');
  const bad = Buffer.from(f);
  bad[9] ^= 1;
  assert.equal(probeDnp3(bad, 0, bad.length), 'no');
});
