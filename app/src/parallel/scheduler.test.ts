import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { conflictGroups, packGroups } from './scheduler.ts';

test('packGroups: without speeds, bins get equal tx counts; with speeds, counts follow them', () => {
  const singles = Array.from({ length: 1000 }, (_, i) => [i]);
  assert.deepEqual(packGroups(singles, 2).map((b) => b.length), [500, 500]);
  // A bin twice as fast gets twice the txs.
  const bins = packGroups(singles, 2, [2, 1]).map((b) => b.length);
  assert.ok(Math.abs((bins[0] as number) - 667) <= 1, `bins ${bins}`);
  // Nonsense speeds are ignored rather than starving a bin.
  assert.deepEqual(packGroups(singles, 2, [Number.NaN, 0]).map((b) => b.length), [500, 500]);
});

test('packGroups: every tx lands in exactly one bin, groups stay whole, bins ascend', () => {
  const access = fc.array(fc.option(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), { maxLength: 2 }), { nil: null }), { maxLength: 60 });
  const speeds = fc.option(fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 3, maxLength: 3 }), { nil: undefined });
  fc.assert(fc.property(access, speeds, (acc, sp) => {
    const groups = conflictGroups(acc);
    const bins = packGroups(groups, 3, sp);
    const all = bins.flat().sort((x, y) => x - y);
    assert.deepEqual(all, acc.map((_, i) => i));
    for (const b of bins) assert.deepEqual(b, [...b].sort((x, y) => x - y));
    const binOf = new Map<number, number>();
    bins.forEach((b, bi) => b.forEach((i) => binOf.set(i, bi)));
    for (const g of groups) assert.equal(new Set(g.map((i) => binOf.get(i))).size, 1, 'a group split across bins');
  }));
});
