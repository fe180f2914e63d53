import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chunkGroups, conflictGroups } from './scheduler.ts';

test('chunkGroups: every tx in exactly one chunk, groups whole, chunks ascending and full but the last, big groups first', () => {
  const access = fc.array(fc.option(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), { maxLength: 2 }), { nil: null }), { maxLength: 80 });
  fc.assert(fc.property(access, fc.integer({ min: 1, max: 12 }), (acc, size) => {
    const groups = conflictGroups(acc);
    const chunks = chunkGroups(groups, size);
    assert.deepEqual(chunks.flat().sort((x, y) => x - y), acc.map((_, i) => i));
    for (const c of chunks) assert.deepEqual(c, [...c].sort((x, y) => x - y));
    chunks.slice(0, -1).forEach((c) => assert.ok(c.length >= size, `chunk of ${c.length} < ${size}`));
    const chunkOf = new Map<number, number>();
    chunks.forEach((c, ci) => c.forEach((i) => chunkOf.set(i, ci)));
    for (const g of groups) assert.equal(new Set(g.map((i) => chunkOf.get(i))).size, 1, 'a group split across chunks');
    // Chunks start with their largest group: groups appear in non-increasing size order.
    const firstChunkOfGroup = groups.map((g) => chunkOf.get(g[0] as number) as number);
    for (let a = 0; a < groups.length; a++) {
      for (let b = 0; b < groups.length; b++) {
        if ((groups[a] as number[]).length > (groups[b] as number[]).length) assert.ok((firstChunkOfGroup[a] as number) <= (firstChunkOfGroup[b] as number));
      }
    }
  }));
  assert.deepEqual(chunkGroups([], 4), []);
  assert.deepEqual(chunkGroups([[0], [1, 3], [2]], 2), [[1, 3], [0, 2]]);
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

test('conflictGroups equals the connected components of the conflict graph, in order of their first tx', () => {
  const parts = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', '*');
  const access = fc.array(fc.option(fc.array(parts, { maxLength: 3 }), { nil: null, freq: 8 }), { maxLength: 80 });
  fc.assert(fc.property(access, (acc) => {
    assert.deepEqual(conflictGroups(acc), naiveGroups(acc));
  }));
});
