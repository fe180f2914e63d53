import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { SECP256K1_IMPLEMENTATION } from './sigverify.ts';

test('SECP256K1_IMPLEMENTATION names the implementation the secp256k1 package loaded (its exports are that module\'s)', () => {
  const require = createRequire(import.meta.url);
  const loaded: unknown = require('secp256k1');
  assert.equal(loaded, require(SECP256K1_IMPLEMENTATION === 'native' ? 'secp256k1/bindings' : 'secp256k1/elliptic'));
  assert.notEqual(loaded, require(SECP256K1_IMPLEMENTATION === 'native' ? 'secp256k1/elliptic' : 'secp256k1/bindings'));
});
