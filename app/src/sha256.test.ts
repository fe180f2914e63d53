import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sha256, sha256Hex } from './sha256.ts';

test('sha256 and sha256Hex match createHash on arbitrary bytes (and the FIPS 180-2 "abc" vector)', () => {
  assert.equal(sha256Hex(Buffer.from('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
    const want = createHash('sha256').update(data).digest();
    assert.deepEqual(Buffer.from(sha256(data)), want);
    assert.equal(sha256Hex(data), want.toString('hex'));
  }));
});
