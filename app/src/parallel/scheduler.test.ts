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

/** Groups by graph search: tx i and j conflict if they share a partition, or either declares '*'. */
function naiveGroups(access: readonly (readonly string[] | null)[]): number[][] {
  const n = access.length;
  const conflict = (i: number, j: number): boolean => {
    const a = access[i];
    const b = access[j];
    if (!a || !b) return false;
    return a.includes('*') || b.includes('*') || a.some((p) => b.includes(p));
  };
  const seen = new Array<boolean>(n).fill(false);
  const out: number[][] = [];
  for (let s = 0; s < n; s++) {
    if (seen[s]) continue;
    seen[s] = true;
    const group = [s];
    for (let k = 0; k < group.length; k++) {
      for (let j = 0; j < n; j++) if (!seen[j] && conflict(group[k] as number, j)) { seen[j] = true; group.push(j); }
    }
    out.push(group.sort((x, y) => x - y));
  }
  return out;
}

/** packGroups as first written (sort groups by size, then sort each bin), for comparison. */
function referencePack(groups: readonly number[][], bins: number, speeds?: readonly number[]): number[][] {
  const order = groups.map((_, i) => i).sort((a, b) => (groups[b]?.length ?? 0) - (groups[a]?.length ?? 0) || a - b);
  const load = new Array<number>(bins).fill(0);
  const speed = Array.from({ length: bins }, (_, b) => { const s = speeds?.[b] ?? 1; return Number.isFinite(s) && s > 0 ? s : 1; });
  const out: number[][] = Array.from({ length: bins }, () => []);
  for (const gi of order) {
    const g = groups[gi] as number[];
    let best = 0;
    let bestEnd = ((load[0] as number) + g.length) / (speed[0] as number);
    for (let b = 1; b < bins; b++) {
      const end = ((load[b] as number) + g.length) / (speed[b] as number);
      if (end < bestEnd) { best = b; bestEnd = end; }
    }
    (out[best] as number[]).push(...g);
    load[best] = (load[best] as number) + g.length;
  }
  for (const o of out) o.sort((a, b) => a - b);
  return out;
}

test('conflictGroups equals the connected components of the conflict graph; packGroups equals the reference packing', () => {
  const parts = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', '*');
  const access = fc.array(fc.option(fc.array(parts, { maxLength: 3 }), { nil: null, freq: 8 }), { maxLength: 80 });
  const speeds = fc.option(fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 4, maxLength: 4 }), { nil: undefined });
  fc.assert(fc.property(access, speeds, fc.integer({ min: 1, max: 4 }), (acc, sp, bins) => {
    // Components in order of their first tx, each ascending.
    const groups = conflictGroups(acc);
    assert.deepEqual(groups, naiveGroups(acc));
    assert.deepEqual(packGroups(groups, bins, sp), referencePack(groups, bins, sp));
  }));
});
