// The protobuf writer, byte for byte (expected bytes decoded by hand from the wire format).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoWriter } from '../../src/engine/onnx/protobuf.js';

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

test('varints: one byte, two bytes, field numbers past 15', () => {
  // tag = field << 3 | wire type 0
  assert.equal(hex(new ProtoWriter().varint(1, 1).finish()), '08 01');
  assert.equal(hex(new ProtoWriter().varint(1, 0).finish()), '08 00');
  // 150 = 0b1_0010110: low 7 bits 0x16 with the continuation bit (0x96), then 0x01.
  assert.equal(hex(new ProtoWriter().varint(1, 150).finish()), '08 96 01');
  // field 20 (ONNX AttributeProto.type): tag 160 = a0 01.
  assert.equal(hex(new ProtoWriter().varint(20, 7).finish()), 'a0 01 07');
  // 2^32 needs five 7-bit groups.
  assert.equal(hex(new ProtoWriter().varint(2, 2 ** 32).finish()), '10 80 80 80 80 10');
});

test('negative int64 is two\'s complement in ten bytes', () => {
  assert.equal(hex(new ProtoWriter().varint(1, -1).finish()), '08 ff ff ff ff ff ff ff ff ff 01');
  // -2 = 0xffff_ffff_ffff_fffe.
  assert.equal(hex(new ProtoWriter().varint(1, -2n).finish()), '08 fe ff ff ff ff ff ff ff ff 01');
  // The most negative int64, -2^63: nine zero groups with continuation, then 0x01.
  assert.equal(hex(new ProtoWriter().varint(1, -(2n ** 63n)).finish()), '08 80 80 80 80 80 80 80 80 80 01');
});

test('strings, floats and packed varints', () => {
  // Wire type 2: tag 0x12, length 7, then the bytes.
  assert.equal(hex(new ProtoWriter().string(2, 'testing').finish()), '12 07 74 65 73 74 69 6e 67');
  // Wire type 5, little-endian IEEE 754: 1.0f = 0x3f800000.
  assert.equal(hex(new ProtoWriter().float(2, 1).finish()), '15 00 00 80 3f');
  // Packed repeated field 4 = [3, 270, 86942]: tag 0x22, 6 bytes of varints.
  assert.equal(hex(new ProtoWriter().packedVarints(4, [3, 270, 86942]).finish()), '22 06 03 8e 02 9e a7 05');
  // Packed negative int64s (ONNX pads, starts): each element ten bytes.
  assert.equal(new ProtoWriter().packedVarints(8, [-1, 1]).finish().length, 2 + 10 + 1);
  assert.equal(hex(new ProtoWriter().packedFloats(7, [1, -2]).finish()), '3a 08 00 00 80 3f 00 00 00 c0');
});

test('nested messages carry their length, two levels deep, with bytes written before and after', () => {
  const innermost = new ProtoWriter().varint(1, 150);
  const middle = new ProtoWriter().string(1, 'ab').message(2, innermost);
  const outer = new ProtoWriter().varint(1, 1).message(3, middle).varint(4, 2).finish();
  // 08 01 | 1a 09 [ 0a 02 61 62 | 12 03 [ 08 96 01 ] ] | 20 02: the middle message is 4 + 5 = 9 bytes.
  assert.equal(hex(outer), '08 01 1a 09 0a 02 61 62 12 03 08 96 01 20 02');
});

test('a child message can be embedded after it has been written to', () => {
  // The writer flushes pending scratch bytes when it embeds, so trailing fields of the child are not lost.
  const child = new ProtoWriter().varint(1, 5).varint(2, 300);
  assert.equal(hex(new ProtoWriter().message(1, child).finish()), '0a 05 08 05 10 ac 02');
  const empty = new ProtoWriter();
  assert.equal(hex(new ProtoWriter().message(7, empty).finish()), '3a 00');
});

test('large bytes fields keep their length prefix and contents', () => {
  const data = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  const out = new ProtoWriter().bytes(9, data).finish();
  // 300 = 0xac 0x02.
  assert.equal(hex(out.subarray(0, 3)), '4a ac 02');
  assert.deepEqual(out.subarray(3), data);
});
