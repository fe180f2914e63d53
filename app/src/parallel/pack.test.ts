import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { packBytes, packWrites, unpackBytes, unpackWrites } from './pack.ts';

test('packBytes / unpackBytes round-trip, in plain or shared memory', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 30 }), fc.boolean(), (items, shared) => {
    const { buf, offsets } = packBytes(items, shared);
    assert.equal(buf.buffer instanceof SharedArrayBuffer, shared);
    assert.equal(offsets.buffer instanceof SharedArrayBuffer, shared);
    assert.deepEqual(unpackBytes(buf, offsets).map((b) => [...b]), items.map((b) => [...b]));
  }));
});

test('packWrites / unpackWrites round-trip keys of every byte, values, empty values and deletions', () => {
  const key = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 12 });
  const value = fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null });
  fc.assert(fc.property(fc.array(fc.tuple(key, value), { maxLength: 30 }), (writes) => {
    const back = unpackWrites(packWrites(writes));
    assert.deepEqual(back.map(([k, v]) => [k, v === null ? null : [...v]]), writes.map(([k, v]) => [k, v === null ? null : [...v]]));
  }));
});
