import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEC_ONE, formatDec, mulDecCeil, parseDec } from './dec.ts';

test('parseDec: exact values', () => {
  assert.equal(parseDec('0'), 0n);
  assert.equal(parseDec('1'), DEC_ONE);
  assert.equal(parseDec('0.0025'), 25n * 10n ** 14n);
  assert.equal(parseDec('1.5'), 15n * 10n ** 17n);
  assert.equal(parseDec('0.000000000000000001'), 1n);
  assert.equal(parseDec('12.340000000000000000'), 1234n * 10n ** 16n);
});

test('parseDec rejects what is not a plain non-negative decimal, naming the input', () => {
  for (const bad of ['', '-1', '-0.5', '.5', '1.', '1.0000000000000000001', '1e3', ' 1', '1,5', 'abc', '0x1', '+1']) {
    assert.throws(() => parseDec(bad, 'gas price'), (e) => e instanceof Error && e.message.startsWith(`invalid gas price ${JSON.stringify(bad)}`), bad);
  }
});

test('formatDec: 18 fractional digits, negatives keep their sign', () => {
  assert.equal(formatDec(0n), '0.000000000000000000');
  assert.equal(formatDec(DEC_ONE), '1.000000000000000000');
  assert.equal(formatDec(25n * 10n ** 14n), '0.002500000000000000');
  assert.equal(formatDec(1n), '0.000000000000000001');
  assert.equal(formatDec(-1n), '-0.000000000000000001');
  assert.equal(formatDec(-15n * 10n ** 17n), '-1.500000000000000000');
});

test('parseDec(formatDec(v)) == v and formatDec(parseDec(s)) is s padded to 18 digits (property)', () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 78n - 1n }), (v) => {
    assert.equal(parseDec(formatDec(v)), v);
  }));
  const digits = (min: number, max: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((a) => a.join(''));
  fc.assert(fc.property(digits(1, 60), fc.option(digits(1, 18)), (whole, frac) => {
    const s = frac === null ? whole : `${whole}.${frac}`;
    const v = parseDec(s);
    const out = formatDec(v);
    assert.equal(out, `${BigInt(whole)}.${(frac ?? '').padEnd(18, '0')}`);
  }));
});

test('mulDecCeil rounds up, never down', () => {
  const price = parseDec('0.0025');
  assert.equal(mulDecCeil(200_000n, price), 500n); // exact
  assert.equal(mulDecCeil(199_999n, price), 500n); // 499.9975 -> 500
  assert.equal(mulDecCeil(200_001n, price), 501n); // 500.0025 -> 501
  assert.equal(mulDecCeil(1n, price), 1n);
  assert.equal(mulDecCeil(0n, price), 0n);
  assert.equal(mulDecCeil(3n, parseDec('0.333333333333333333')), 1n); // 0.999999999999999999 -> 1
  assert.equal(mulDecCeil(3n, parseDec('0.333333333333333334')), 2n); // 1.000000000000000002 -> 2
  assert.equal(mulDecCeil(7n, DEC_ONE), 7n);
});

test('mulDecCeil is the least integer >= n*dec (property)', () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.bigInt({ min: 0n, max: 10n ** 24n }), (n, dec) => {
    const r = mulDecCeil(n, dec);
    assert.ok(r * DEC_ONE >= n * dec, `mulDecCeil(${n}, ${dec}) = ${r} is below n*dec`);
    assert.ok(r === 0n || (r - 1n) * DEC_ONE < n * dec, `mulDecCeil(${n}, ${dec}) = ${r} is not the least such integer`);
  }));
});
