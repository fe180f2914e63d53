import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ripemd160 as ripemd160Js } from '@cosmjs/crypto';
import { toBech32 } from '@cosmjs/encoding';
import { ripemd160, validateAddress } from './address.ts';
import { LanesError } from './errors.ts';

// addressFromPubkey is pinned end to end by the CosmJS tests: a wallet's address must match the
// key in its signed txs.
test('ripemd160 matches @cosmjs/crypto on arbitrary bytes (and the RIPEMD-160 "abc" vector)', () => {
  assert.equal(Buffer.from(ripemd160(Buffer.from('abc'))).toString('hex'), '8eb208f7e05d987a9b044a8e98c6b087f15a0bfc');
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
    assert.deepEqual(Buffer.from(ripemd160(data)), Buffer.from(ripemd160Js(data)));
  }));
});

test('validateAddress refuses characters beyond printable ASCII with its own words, before the bech32 decoder', () => {
  const valid = toBech32('lanes', new Uint8Array(20).fill(7));
  validateAddress(valid);
  // U+A7CB gained a lower-case mapping in Unicode 16: the decoder's own message about it differs
  // between Node.js releases. U+0130 lower-cases to two code units.
  for (const ch of ['\uA7CB', '\u0130', 'é', ' ', '\u0000', '\uD800']) {
    const addr = `${valid.slice(0, 10)}${ch}${valid.slice(11)}`;
    assert.throws(() => validateAddress(addr, 'recipient'), (e: unknown) => e instanceof LanesError && e.codespace === 'sdk' && e.code === 7
      && e.message.startsWith(`invalid recipient ${JSON.stringify(addr)}: only printable ASCII characters can be in an address`));
  }
});
