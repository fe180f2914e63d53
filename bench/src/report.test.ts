// Quantiles for the suites' spreads (report.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { median, quantile } from './report.ts';

test('quantile interpolates between order statistics, as R and NumPy do by default', () => {
  const xs = [4, 1, 3, 2]; // sorted: 1 2 3 4, positions 0..3
  assert.equal(quantile(xs, 0), 1);
  assert.equal(quantile(xs, 1), 4);
  assert.equal(quantile(xs, 0.25), 1.75); // position 0.75
  assert.equal(quantile(xs, 0.5), 2.5);
  assert.equal(quantile(xs, 0.75), 3.25); // position 2.25
  assert.equal(quantile([7], 0.25), 7);
  assert.deepEqual(xs, [4, 1, 3, 2], 'the input is left as it was');
  assert.ok(Number.isNaN(quantile([], 0.5)), 'no data: NaN');
  assert.ok(Number.isNaN(quantile([1, 2], 1.5)), 'p outside [0, 1]: NaN');
  assert.ok(Number.isNaN(quantile([1, 2], Number.NaN)), 'p NaN: NaN');
});

test('median: the middle value, or the mean of the two middle ones', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])), 'no data: NaN');
});

test('quantile: ordered in p, within the data', () => {
  fc.assert(fc.property(
    fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 30 }),
    fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }),
    (xs, p, q) => {
      const [a, b] = p <= q ? [p, q] : [q, p];
      assert.ok(quantile(xs, a) <= quantile(xs, b) + 1e-9, `ordered: p ${a} <= ${b}`);
      assert.ok(quantile(xs, a) >= Math.min(...xs) - 1e-9 && quantile(xs, b) <= Math.max(...xs) + 1e-9, 'within the data');
    },
  ));
});
