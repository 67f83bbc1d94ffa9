/** The stub joiner behind dce_stub_data: fragments of one call joined in order, capped, bounded. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StubUnits } from '../../../../src/engine/analyzers/dce-rpc/stub-units.js';
import { PFC_FIRST_FRAG, PFC_LAST_FRAG, PFC_OBJECT_UUID, PTYPE, type PduHeader } from '../../../../src/engine/analyzers/dce-rpc/pdu.js';
import { LIMITS } from '../../../../src/engine/support/limits.js';

/** A request or response fragment: 24 fixed bytes (+16 object UUID), the stub, `auth` verifier bytes. */
function fragment(ptype: number, flags: number, callId: number, stub: Buffer, authLen = 0): { buf: Buffer; h: PduHeader } {
  const fixed = 24 + (ptype === PTYPE.REQUEST && flags & PFC_OBJECT_UUID ? 16 : 0);
  const auth = authLen > 0 ? 8 + authLen : 0;
  const buf = Buffer.concat([Buffer.alloc(fixed, 0xee), stub, Buffer.alloc(auth, 0xaa)]);
  return { buf, h: { ptype, flags, littleEndian: true, fragLen: buf.length, authLen, callId } };
}

const who = { iface: 'x', ifaceVersion: 1, opnum: 7 };
const stubOf = (u: ReturnType<StubUnits['fragment']>) => Buffer.from(u!.buffers['dce.stub_data'] as Uint8Array).toString();

test('a single-fragment call is one unit at once; object UUID and auth verifier are not stub data', () => {
  const s = new StubUnits();
  const f = fragment(PTYPE.REQUEST, PFC_FIRST_FRAG | PFC_LAST_FRAG | PFC_OBJECT_UUID, 1, Buffer.from('hello'), 16);
  const u = s.fragment(f.buf, 0, f.h, true, who);
  assert.equal(stubOf(u), 'hello');
  assert.equal(u!.proto, 'dcerpc');
  assert.deepEqual(u!.facts, { iface: 'x', iface_version: 1, opnum: 7 });
});

test('fragments join in order per call and direction; a call whose first fragment was missed yields nothing', () => {
  const s = new StubUnits();
  const parts = ['ab', 'cd', 'ef'];
  const flags = [PFC_FIRST_FRAG, 0, PFC_LAST_FRAG];
  const units = parts.map((p, i) => {
    const f = fragment(PTYPE.RESPONSE, flags[i], 9, Buffer.from(p));
    // Another call interleaved, and the same call id the other way: neither disturbs call 9's response.
    const other = fragment(PTYPE.REQUEST, PFC_FIRST_FRAG | PFC_LAST_FRAG, 9, Buffer.from('zz'));
    s.fragment(other.buf, 0, other.h, true, who);
    return s.fragment(f.buf, 0, f.h, false, who);
  });
  assert.deepEqual(units.slice(0, 2), [undefined, undefined]);
  assert.equal(stubOf(units[2]), 'abcdef');
  const orphan = fragment(PTYPE.RESPONSE, PFC_LAST_FRAG, 10, Buffer.from('tail'));
  assert.equal(s.fragment(orphan.buf, 0, orphan.h, false, who), undefined);
});

test('a huge call is cut at dceRpcMaxStubBytes', () => {
  const s = new StubUnits();
  const chunk = Buffer.alloc(60_000, 0x41);
  const n = Math.ceil(LIMITS.dceRpcMaxStubBytes / chunk.length) + 3;
  let u;
  for (let i = 0; i < n; i++) {
    const f = fragment(PTYPE.REQUEST, (i === 0 ? PFC_FIRST_FRAG : 0) | (i === n - 1 ? PFC_LAST_FRAG : 0), 3, chunk);
    u = s.fragment(f.buf, 0, f.h, true, who);
  }
  assert.equal((u!.buffers['dce.stub_data'] as Uint8Array).length, LIMITS.dceRpcMaxStubBytes);
});
