import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chunkGroups, conflictGroups, GLOBAL_KEY, partitionKey } from './scheduler.ts';

const keysOf = (access: readonly (readonly string[] | null)[]): (number[] | null)[] => access.map((a) => a && a.map(partitionKey));

/**
 * Blocks of up to `maxTxs` txs, each declaring up to `maxParts` partitions of an alphabet of
 * 1..40 drawn per run (few: nearly everything in one group; many: many small groups), or null
 * (undecodable) one time in `nullFreq`. With `global`, half the runs also draw the global
 * partition, for about one declared partition in 30. size 'max': with fast-check's default size
 * the arrays would stop near 10 txs.
 */
const blocks = (maxTxs: number, maxParts: number, nullFreq: number, global = false): fc.Arbitrary<(string[] | null)[]> =>
  fc.record({ width: fc.integer({ min: 1, max: 40 }), withGlobal: fc.boolean() }).chain(({ width, withGlobal }) => {
    const letter = fc.nat(width - 1).map((p) => `p${p}`);
    const part = global && withGlobal ? fc.oneof({ weight: 29, arbitrary: letter }, { weight: 1, arbitrary: fc.constant('*') }) : letter;
    return fc.array(fc.option(fc.array(part, { maxLength: maxParts }), { nil: null, freq: nullFreq }), { maxLength: maxTxs, size: 'max' });
  });

test('chunkGroups: every tx in exactly one chunk, groups whole, chunks ascending and full but the last, big groups first', () => {
  fc.assert(fc.property(blocks(80, 2, 5), fc.integer({ min: 1, max: 12 }), (acc, size) => {
    const groups = conflictGroups(keysOf(acc));
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
        if ((groups[a] as number[]).length > (groups[b] as number[]).length) assert.ok((firstChunkOfGroup[a] as number) <= (firstChunkOfGroup[b] as number), `larger group ${a} starts in chunk ${firstChunkOfGroup[a]}, after smaller group ${b} in chunk ${firstChunkOfGroup[b]}`);
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
  fc.assert(fc.property(blocks(80, 3, 8, true), (acc) => {
    assert.deepEqual(conflictGroups(keysOf(acc)), naiveGroups(acc));
  }));
});

test('partitions that share a key only merge groups: every group of the exact partitions lies inside one group', () => {
  // Many partitions folded onto few keys (a key per partition modulo `width`): the collisions a
  // 32-bit key makes rarely, here on every block.
  const access = fc.array(fc.option(fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 3 }), { nil: null, freq: 8 }), { maxLength: 120, size: 'max' });
  fc.assert(fc.property(access, fc.integer({ min: 1, max: 40 }), (acc, width) => {
    const exact = conflictGroups(keysOf(acc.map((a) => a && a.map((p) => `p${p}`))));
    const folded = conflictGroups(acc.map((a) => a && a.map((p) => p % width)));
    const groupOf = new Map<number, number>();
    folded.forEach((g, gi) => g.forEach((i) => groupOf.set(i, gi)));
    for (const g of exact) assert.equal(new Set(g.map((i) => groupOf.get(i))).size, 1, `group ${g} split`);
    assert.ok(folded.length <= exact.length, `${folded.length} folded groups, expected at most the ${exact.length} exact ones`);
  }));
});

test('partitionKey: 32-bit FNV-1a of the code units, the global partition apart', () => {
  assert.equal(partitionKey('*'), GLOBAL_KEY);
  assert.equal(partitionKey(''), 0x811c9dc5);
  assert.equal(partitionKey('a'), 0xe40c292c); // FNV-1a test vector
  assert.equal(partitionKey('foobar'), 0xbf9cf968);
  // Different partitions, different keys (on these), each in 0..2^32-1.
  const keys = Array.from({ length: 20000 }, (_, i) => partitionKey(`account:cosmos1${i.toString(36).padStart(38, '_')}`));
  for (const k of keys) assert.ok(Number.isInteger(k) && k >= 0 && k < 2 ** 32, `partition key ${k} is not an integer in 0..2^32-1`);
  assert.ok(new Set(keys).size >= 19998, `${20000 - new Set(keys).size} collisions`);
});
