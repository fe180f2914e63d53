import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_AMOUNT, coinToString, coinsToString, parseAmount, parseCoin, parseCoins, toWireCoin, validateDenom } from './coins.ts';
import { LanesError } from './errors.ts';

/** Asserts `f` throws sdk/10 (invalid coins) with a log containing `needle`. */
function invalidCoins(f: () => unknown, needle: string): void {
  assert.throws(f, (e) => {
    assert.ok(e instanceof LanesError, String(e));
    assert.equal(e.codespace, 'sdk');
    assert.equal(e.code, 10);
    assert.ok(e.message.includes(needle), `log ${JSON.stringify(e.message)} should contain ${JSON.stringify(needle)}`);
    assert.ok(e.message.endsWith(': invalid coins'), `log ${JSON.stringify(e.message)} should end with ': invalid coins'`);
    return true;
  });
}

test('valid denoms', () => {
  for (const d of ['ulane', 'uatom', 'abc', 'ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2', 'gamm/pool/1', 'a:b.c_d-e', 'A12', 'a'.repeat(128)]) {
    assert.doesNotThrow(() => validateDenom(d), d);
  }
});

test('invalid denoms name the denom', () => {
  for (const d of ['', 'ab', '1abc', '/abc', 'ab c', 'abc!', 'ulané', 'a'.repeat(129), 'ulane\n']) {
    invalidCoins(() => validateDenom(d), `invalid denom ${JSON.stringify(d)}`);
  }
});

test('amounts: digits only, within 256 bits; 2^256-1 accepted, 2^256 rejected', () => {
  assert.equal(parseAmount('0'), 0n);
  assert.equal(parseAmount('1'), 1n);
  assert.equal(parseAmount('007'), 7n);
  assert.equal(MAX_AMOUNT, 2n ** 256n - 1n);
  assert.equal(parseAmount(MAX_AMOUNT.toString()), MAX_AMOUNT);
  invalidCoins(() => parseAmount((2n ** 256n).toString()), `amount ${2n ** 256n} exceeds 256 bits`);
  invalidCoins(() => parseAmount((2n ** 256n + 1n).toString()), 'exceeds 256 bits');
  invalidCoins(() => parseAmount('9'.repeat(78)), 'exceeds 256 bits');
  invalidCoins(() => parseAmount((10n ** 80n).toString()), `amount ${10n ** 80n} exceeds 256 bits`);
  // Very long digit strings are refused without parsing; the log shows their first 100 digits.
  invalidCoins(() => parseAmount('1'.repeat(5000)), `amount ${'1'.repeat(100)} exceeds 256 bits`);
  for (const bad of ['-1', '-5', '', ' 1', '1 ', 'x1', '1x', '1.0', '1e3', '+1', '0x10', '１']) {
    invalidCoins(() => parseAmount(bad), `invalid amount ${JSON.stringify(bad)}`);
  }
  invalidCoins(() => parseAmount('-1', 'fee'), 'invalid fee "-1"');
});

test('a huge amount string is cut in the log', () => {
  const huge = '1'.repeat(10_000);
  assert.throws(() => parseAmount(huge), (e) => e instanceof LanesError && e.message.length < 300);
});

test('parseCoin: zero is refused unless allowed', () => {
  assert.deepEqual(parseCoin({ denom: 'ulane', amount: '5' }), { denom: 'ulane', amount: 5n });
  invalidCoins(() => parseCoin({ denom: 'ulane', amount: '0' }), '0ulane: amount must be positive');
  assert.deepEqual(parseCoin({ denom: 'ulane', amount: '0' }, { allowZero: true }), { denom: 'ulane', amount: 0n });
  invalidCoins(() => parseCoin({ denom: 'ulane', amount: '-1' }), 'invalid amount for ulane "-1"');
  invalidCoins(() => parseCoin({ denom: 'x', amount: '1' }), 'invalid denom "x"');
});

test('parseCoins: duplicates, empty lists, order kept', () => {
  assert.deepEqual(parseCoins([{ denom: 'uatom', amount: '1' }, { denom: 'ulane', amount: '2' }]), [{ denom: 'uatom', amount: 1n }, { denom: 'ulane', amount: 2n }]);
  invalidCoins(() => parseCoins([{ denom: 'uatom', amount: '1' }, { denom: 'uatom', amount: '2' }]), 'duplicate denomination uatom');
  invalidCoins(() => parseCoins([{ denom: 'uatom', amount: '1' }, { denom: 'ulane', amount: '2' }, { denom: 'uatom', amount: '3' }]), 'duplicate denomination uatom');
  invalidCoins(() => parseCoins([]), 'empty coin list');
  assert.deepEqual(parseCoins([], { allowEmpty: true }), []);
  invalidCoins(() => parseCoins([{ denom: 'uatom', amount: '1' }, { denom: 'ulane', amount: '0' }]), '0ulane');
});

test('formatting', () => {
  assert.equal(coinToString({ denom: 'ulane', amount: 5n }), '5ulane');
  assert.equal(coinsToString([{ denom: 'a1b', amount: 1n }, { denom: 'ulane', amount: 20n }]), '1a1b,20ulane');
  assert.deepEqual(toWireCoin({ denom: 'ulane', amount: MAX_AMOUNT }), { denom: 'ulane', amount: MAX_AMOUNT.toString() });
});

test('parseAmount(toString(n)) == n on [0, 2^256) (property)', () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: MAX_AMOUNT }), (n) => {
    assert.equal(parseAmount(n.toString()), n);
  }));
  fc.assert(fc.property(fc.bigInt({ min: MAX_AMOUNT + 1n, max: 10n ** 78n - 1n }), (n) => {
    assert.throws(() => parseAmount(n.toString()), /exceeds 256 bits/);
  }));
});

test('parseCoins refuses a list with a denom twice, short or long, and keeps any other list in order (property)', () => {
  const denom = fc.constantFrom('uatom', 'ulane', 'uusdc', 'uusdt', 'ueth', 'ibc/ABC', 'gamm/pool/1', 'aaa', 'bbb', 'ccc', 'ddd', 'eee', 'fff');
  fc.assert(fc.property(fc.array(fc.tuple(denom, fc.bigInt({ min: 1n, max: 10n ** 30n })), { minLength: 1, maxLength: 14 }), (list) => {
    const wire = list.map(([d, a]) => ({ denom: d, amount: a.toString() }));
    const dup = list.find(([d], i) => list.findIndex(([e]) => e === d) !== i);
    if (dup) invalidCoins(() => parseCoins(wire), `duplicate denomination ${dup[0]}`);
    else assert.deepEqual(parseCoins(wire), list.map(([d, a]) => ({ denom: d, amount: a })));
  }), { numRuns: 500 });
});
