import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matches, ruleError } from './rule-helpers.js';

const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs);

test('byte_test: big and little endian, operators, negation', () => {
  const data = b(0x00, 0x01, 0x02, 0x03);
  assert.equal(matches('byte_test:2,=,0x0102,1;', data), true);
  assert.equal(matches('byte_test:2,=,0x0201,1,little;', data), true);
  assert.equal(matches('byte_test:2,=,0x0102,1,little;', data), false);
  assert.equal(matches('byte_test:4,>,66000,0;', data), true); // 0x00010203 = 66051
  assert.equal(matches('byte_test:4,<,66000,0;', data), false);
  assert.equal(matches('byte_test:1,!=,3,3;', data), false);
  assert.equal(matches('byte_test:1,!=,4,3;', data), true);
  assert.equal(matches('byte_test:1,&,2,2;', data), true);
  assert.equal(matches('byte_test:1,&,1,2;', data), false);
  assert.equal(matches('byte_test:1,>=,3,3;', data), true);
  assert.equal(matches('byte_test:1,<=,2,3;', data), false);
  // 8-byte reads stay exact up to 2^53.
  assert.equal(matches('byte_test:8,=,72623859790382856,0;', b(1, 2, 3, 4, 5, 6, 7, 8)), true);
});

test('byte_test: string numbers in dec, hex and oct', () => {
  assert.equal(matches('byte_test:3,=,123,0,string,dec;', '123abc'), true);
  assert.equal(matches('byte_test:2,=,255,0,string,hex;', 'ff'), true);
  assert.equal(matches('byte_test:3,=,8,0,string,oct;', '010'), true);
  assert.equal(matches('byte_test:3,>,100,0,string,dec;', 'abc'), false); // not a number: no match
});

test('byte_test: relative to the previous match, bitmask', () => {
  assert.equal(matches('content:"len="; byte_test:1,=,0x41,0,relative;', 'xxlen=A'), true);
  assert.equal(matches('content:"len="; byte_test:1,=,0x41,0,relative;', 'xxlen=B'), false);
  // mask 0xf0 then shift right 4: 0xab -> 0xa.
  assert.equal(matches('byte_test:1,=,10,0,bitmask 0xf0;', b(0xab)), true);
  assert.equal(matches('byte_test:1,=,0x41,5;', 'AB'), false); // past the end: no match, no throw
});

test('byte_jump: moves the cursor for relative keywords; multiplier, align, post_offset, from_beginning, from_end', () => {
  // length 3, skip it, then "OK" must follow.
  assert.equal(matches('byte_jump:1,0; content:"OK"; distance:0; within:2;', b(3, 0x61, 0x62, 0x63, 0x4f, 0x4b)), true);
  assert.equal(matches('byte_jump:1,0; content:"OK"; distance:0; within:2;', b(2, 0x61, 0x62, 0x63, 0x4f, 0x4b)), false);
  assert.equal(matches('byte_jump:1,0,multiplier 2; content:"Z"; distance:0; within:1;', b(2, 1, 2, 3, 4, 0x5a)), true);
  // align: 1+1=... value 1 aligned up to 4, from after the length byte (pos 1) -> 5.
  assert.equal(matches('byte_jump:1,0,align; content:"Z"; distance:0; within:1;', b(1, 0, 0, 0, 0, 0x5a)), true);
  assert.equal(matches('byte_jump:1,0,post_offset -1; content:"Z"; distance:0; within:1;', b(2, 0, 0x5a, 0)), true);
  assert.equal(matches('byte_jump:1,0,from_beginning; content:"Z"; distance:0; within:1;', b(3, 0, 0, 0x5a)), true);
  assert.equal(matches('byte_jump:1,0,from_end,post_offset -2; content:"Z"; distance:0; within:1;', b(0, 0, 0x5a, 0)), true);
  assert.equal(matches('byte_jump:1,0;', b(200, 1, 2)), false); // jump past the end
  assert.equal(matches('byte_jump:2,0,little,string,dec;', '2'), false); // not enough bytes
});

test('byte_extract: variables usable by later keywords (offset, depth, distance, within, byte_test value)', () => {
  assert.equal(matches('byte_extract:1,0,len; content:"abc"; distance:0; within:len;', b(3, 0x61, 0x62, 0x63)), true);
  assert.equal(matches('byte_extract:1,0,len; content:"abc"; distance:0; within:len;', b(4, 0x78, 0x61, 0x62, 0x63)), true);
  assert.equal(matches('byte_extract:1,0,len; content:"abc"; distance:0; within:len;', b(3, 0x78, 0x61, 0x62, 0x63)), false);
  assert.equal(matches('byte_extract:1,0,off; content:"Q"; offset:off;', b(2, 0x51, 0x51)), true);
  assert.equal(matches('byte_extract:1,0,off; content:"Q"; offset:off;', b(2, 0x51, 0)), false);
  assert.equal(matches('byte_extract:1,0,v; byte_test:1,=,v,1;', b(7, 7)), true);
  assert.equal(matches('byte_extract:1,0,v; byte_test:1,=,v,1;', b(7, 8)), false);
  assert.equal(matches('byte_extract:2,0,v,little,multiplier 2; byte_test:1,=,v,2;', b(3, 0, 6)), true);
  assert.equal(matches('byte_extract:1,0,v,align 4; byte_test:1,=,v,1;', b(5, 8)), true);
  assert.equal(matches('byte_extract:2,0,v,string,hex; byte_test:1,=,v,2;', 'ff\xff'), true);
});

test('byte_math: result variable from arithmetic', () => {
  assert.equal(matches('byte_math:bytes 1,offset 0,oper +,rvalue 2,result r; byte_test:1,=,r,1;', b(5, 7)), true);
  assert.equal(matches('byte_math:bytes 1,offset 0,oper *,rvalue 3,result r; byte_test:1,=,r,1;', b(5, 15)), true);
  assert.equal(matches('byte_math:bytes 1,offset 0,oper <<,rvalue 1,result r; byte_test:1,=,r,1;', b(5, 10)), true);
  assert.equal(matches('byte_math:bytes 2,offset 0,oper -,rvalue 1,result r,endian little; byte_test:1,=,r,2;', b(5, 0, 4)), true);
  assert.equal(matches('byte_math:bytes 1,offset 0,oper /,rvalue 0,result r;', b(5)), false); // divide by zero: no match
  assert.equal(matches('byte_extract:1,0,n; byte_math:bytes 1,offset 1,oper +,rvalue n,result r; byte_test:1,=,r,2;', b(1, 2, 3)), true);
});

test('byte_*: bad arguments are rule errors', () => {
  assert.match(ruleError('byte_test:9,=,1,0;'), /at most 8 bytes/);
  assert.match(ruleError('byte_test:1,~,1,0;'), /unknown operator/);
  assert.match(ruleError('byte_test:1,=,1;'), /expected bytes/);
  assert.match(ruleError('byte_jump:1,0,sideways;'), /unknown option/);
  assert.match(ruleError('byte_test:1,=,nosuchvar,0;'), /neither a number nor a byte_extract variable/);
  assert.match(ruleError('byte_extract:1,0,v; byte_extract:1,1,v;'), /defined twice/);
  assert.match(ruleError('byte_math:bytes 1,offset 0,oper %,rvalue 1,result r;'), /unknown operator/);
  assert.match(ruleError('byte_math:bytes 1,offset 0,oper +,rvalue 1;'), /missing result/);
});
