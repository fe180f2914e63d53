import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromBech32, toBech32 } from '@cosmjs/encoding';
import { assertLanesAddress, isLanesAddress } from './address.ts';

describe('assertLanesAddress', () => {
  const good = toBech32('lanes', new Uint8Array(20).fill(7));
  it('accepts a 20- and a 32-byte lanes address', () => {
    assertLanesAddress(good);
    assertLanesAddress(toBech32('lanes', new Uint8Array(32).fill(1)));
  });
  it('rejects other prefixes, naming value and expected prefix', () => {
    const cosmos = toBech32('cosmos', new Uint8Array(20).fill(7));
    assert.throws(() => assertLanesAddress(cosmos, 'recipient'), (e: Error) => {
      assert.equal(e.name, 'InvalidAddressError');
      assert.match(e.message, /^invalid recipient "cosmos1\w+": prefix is "cosmos", expected "lanes"$/);
      return true;
    });
  });
  it('rejects garbage, bad checksums and odd lengths', () => {
    assert.throws(() => assertLanesAddress('hello'), /invalid address "hello": not bech32/);
    const flipped = good.slice(0, -1) + (good.endsWith('q') ? 'p' : 'q');
    assert.throws(() => assertLanesAddress(flipped), /not bech32/);
    assert.throws(() => assertLanesAddress(toBech32('lanes', new Uint8Array(5))), /5-byte payload/);
    assert.throws(() => assertLanesAddress(good.toUpperCase()), /canonical lower case/);
    assert.equal(isLanesAddress(''), false);
    assert.equal(isLanesAddress(good), true);
  });
});

describe('CosmJS as integrators call it', () => {
  it('fromBech32 with its default limit decodes a lanes address (@scure/base pinned to 2.2.0: 2.3+ refuses the Infinity @cosmjs/encoding 0.39 passes, cosmos/cosmjs#1982)', () => {
    const data = new Uint8Array(20).fill(9);
    const decoded = fromBech32(toBech32('lanes', data));
    assert.equal(decoded.prefix, 'lanes');
    assert.deepEqual(decoded.data, data);
  });
});
