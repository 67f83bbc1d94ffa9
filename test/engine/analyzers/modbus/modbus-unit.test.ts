/**
 * The Modbus/TCP analyzer driven directly with hand-built messages: requests, responses,
 * exceptions, unknown codes; every split point, garbage, bad lengths, truncation and gaps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModbusAnalyzer, exceptionName, functionName } from '../../../../src/engine/analyzers/modbus/modbus-analyzer.js';
import { fakeCtx, newOut } from '../ssh/build-ssh.js';

function msg(tid: number, unit: number, fc: number, data: number[] = []): Buffer {
  const len = 2 + data.length;
  return Buffer.from([tid >> 8, tid & 0xff, 0, 0, len >> 8, len & 0xff, unit, fc, ...data]);
}

const CONVERSATION: Array<[boolean, Buffer]> = [
  [true, msg(1, 1, 0x03, [0, 0, 0, 2])],
  [false, msg(1, 1, 0x03, [4, 0, 1, 0, 2])],
  [true, msg(2, 7, 0x10, [0, 1, 0, 1, 2, 0, 9])],
  [false, msg(2, 7, 0x90, [0x02])],
  [true, msg(3, 1, 0x64)],
  [false, msg(3, 1, 0xe4, [0x09])],
];
const EXPECTED = [
  [1, 1, 'READ_HOLDING_REGISTERS', 'REQ', undefined],
  [1, 1, 'READ_HOLDING_REGISTERS', 'RESP', undefined],
  [2, 7, 'WRITE_MULTIPLE_REGISTERS', 'REQ', undefined],
  [2, 7, 'WRITE_MULTIPLE_REGISTERS_EXCEPTION', 'RESP', 'ILLEGAL_DATA_ADDRESS'],
  [3, 1, 'unknown-100', 'REQ', undefined],
  [3, 1, 'unknown-228', 'RESP', 'unknown-9'],
];

function drive(segs: Array<[boolean, Buffer]>, chunk?: number) {
  const out = newOut();
  const a = new ModbusAnalyzer(fakeCtx(out, 502));
  for (const [o, b] of segs) {
    if (!chunk) a.data(o, b, 0, b.length);
    else for (let i = 0; i < b.length; i += chunk) { const c = b.subarray(i, Math.min(b.length, i + chunk)); a.data(o, c, 0, c.length); }
  }
  a.done();
  return { out, recs: out.logs.filter(([p]) => p === 'modbus').map(([, r]) => [r.tid, r.unit, r.func, r.pdu_type, r.exception]) };
}

test('names follow Zeek\'s consts and build_func', () => {
  assert.equal(functionName(0x01), 'READ_COILS');
  assert.equal(functionName(0x2b), 'ENCAP_INTERFACE_TRANSPORT');
  assert.equal(functionName(0x83), 'READ_HOLDING_REGISTERS_EXCEPTION');
  assert.equal(functionName(0xff), 'REPORT_LOCAL_ADDRESS_EXCEPTION');
  assert.equal(functionName(0x80), 'unknown-128');
  assert.equal(functionName(0x00), 'unknown-0');
  assert.equal(exceptionName(0x0b), 'GATEWAY_TARGET_DEVICE_FAILED_TO_RESPOND');
  assert.equal(exceptionName(0x07), 'unknown-7');
});

test('a conversation: one record per message, exceptions named', () => {
  const { out, recs } = drive(CONVERSATION);
  assert.deepEqual(recs, EXPECTED);
  assert.equal(out.confirms, 1);
  assert.deepEqual(out.weirds, []);
  assert.deepEqual(out.violations, []);
});

test('split at every byte and in every chunk size; all in one chunk per side', () => {
  for (let chunk = 1; chunk <= 13; chunk++) assert.deepEqual(drive(CONVERSATION, chunk).recs, EXPECTED, `chunk ${chunk}`);
  // Every message of one side in one chunk, each split at every point.
  const all = Buffer.concat(CONVERSATION.filter(([o]) => o).map(([, b]) => b));
  for (let cut = 0; cut <= all.length; cut++) {
    const { recs } = drive([[true, all.subarray(0, cut)], [true, all.subarray(cut)]]);
    assert.deepEqual(recs, EXPECTED.filter((e) => e[3] === 'REQ'), `cut ${cut}`);
  }
});

test('garbage: bad length or protocol id is a violation and the side stops', () => {
  let r = drive([[true, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]]);
  assert.deepEqual(r.recs, []);
  assert.equal(r.out.violations.length, 1);
  assert.equal(r.out.confirms, 0);
  r = drive([[true, Buffer.from([0, 1, 0, 0, 0x01, 0x00, 1, 3])], [true, msg(2, 1, 3)]]);
  assert.deepEqual(r.out.weirds, ['modbus_bad_length']);
  assert.deepEqual(r.recs, []);
  r = drive([[true, Buffer.from([0, 1, 0, 0, 0, 1, 1])]]);
  assert.deepEqual(r.out.weirds, ['modbus_bad_length']);
  r = drive([[true, msg(1, 1, 3, [0, 0, 0, 1])], [true, Buffer.from([0, 2, 0, 5, 0, 2, 1, 3])], [false, msg(1, 1, 3, [2, 0, 0])]]);
  assert.deepEqual(r.out.weirds, ['modbus_bad_protocol_id']);
  assert.deepEqual(r.recs.map((x) => x[3]), ['REQ', 'RESP']); // the other side goes on
  // Random bytes never throw.
  let seed = 7;
  for (let n = 0; n < 300; n++) {
    const b = Buffer.alloc(1 + (n % 40));
    for (let i = 0; i < b.length; i++) { seed = (seed * 1103515245 + 12345) >>> 0; b[i] = seed >>> 24; }
    drive([[n % 2 === 0, b], [true, b]], 1 + (n % 5));
  }
});

test('truncation and gaps', () => {
  const m = msg(9, 1, 3, [0, 0, 0, 1]);
  let r = drive([[true, m.subarray(0, 9)]]);
  assert.deepEqual(r.recs, []);
  assert.deepEqual(r.out.weirds, ['modbus_truncated_message']);
  r = drive([[false, msg(4, 1, 0x83)]]);
  assert.deepEqual(r.recs, []);
  assert.deepEqual(r.out.weirds, ['modbus_truncated_exception']);
  // After a gap the side is not parsed any more; the other side goes on.
  const out = newOut();
  const a = new ModbusAnalyzer(fakeCtx(out, 502));
  a.data(true, m, 0, 5);
  a.gap(true, 100);
  a.data(true, m, 0, m.length);
  a.data(false, m, 0, m.length);
  a.eof(true);
  a.done();
  assert.deepEqual(out.logs.map(([, x]) => x.pdu_type), ['RESP']);
  assert.deepEqual(out.weirds, []);
});
