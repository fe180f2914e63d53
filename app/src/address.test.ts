import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ripemd160 as ripemd160Js } from '@cosmjs/crypto';
import { ripemd160 } from './address.ts';

// addressFromPubkey is pinned end to end by the CosmJS tests: a wallet's address must match the
// key in its signed txs.
test('ripemd160 matches @cosmjs/crypto on arbitrary bytes (and the RIPEMD-160 "abc" vector)', () => {
  assert.equal(Buffer.from(ripemd160(Buffer.from('abc'))).toString('hex'), '8eb208f7e05d987a9b044a8e98c6b087f15a0bfc');
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
    assert.deepEqual(Buffer.from(ripemd160(data)), Buffer.from(ripemd160Js(data)));
  }));
});
