import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { packBytes, packWrites, unpackBytes, unpackWrites } from './pack.ts';
import { bytesToBin } from '../store/kv.ts';

test('packBytes / unpackBytes round-trip, in plain or shared memory', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 30 }), fc.boolean(), (items, shared) => {
    const { buf, offsets } = packBytes(items, shared);
    assert.equal(buf.buffer instanceof SharedArrayBuffer, shared);
    assert.equal(offsets.buffer instanceof SharedArrayBuffer, shared);
    assert.deepEqual(unpackBytes(buf, offsets).map((b) => [...b]), items.map((b) => [...b]));
  }));
});

test('packWrites / unpackWrites round-trip keys of every byte, values, empty values and deletions', () => {
  const key = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 48 });
  const value = fc.option(fc.uint8Array({ maxLength: 40 }).map(bytesToBin), { nil: null });
  fc.assert(fc.property(fc.array(fc.tuple(key, value), { maxLength: 30 }), (writes) => {
    const packed = packWrites(writes);
    assert.deepEqual(unpackWrites(packed), writes);
    // The framing: [u32le key length][key][u32le value length | 0xffffffff][value], bytes as the strings' chars.
    let at = 0;
    const buf = Buffer.from(packed);
    for (const [k, v] of writes) {
      assert.equal(buf.readUInt32LE(at), k.length);
      assert.equal(buf.toString('latin1', at + 4, at + 4 + k.length), k);
      at += 4 + k.length;
      assert.equal(buf.readUInt32LE(at), v === null ? 0xffffffff : v.length);
      at += 4;
      if (v !== null) assert.deepEqual([...buf.subarray(at, at + v.length)], [...v].map((c) => c.charCodeAt(0)));
      at += v?.length ?? 0;
    }
    assert.equal(at, buf.length);
  }));
});
