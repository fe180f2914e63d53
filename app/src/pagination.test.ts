import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PageRequest } from 'cosmjs-types/cosmos/base/query/v1beta1/pagination';
import { paginate } from './pagination.ts';

const key = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const page = (p: Partial<PageRequest>): PageRequest => PageRequest.fromPartial(p);
const run = (items: string[], p: Partial<PageRequest>) => {
  const r = paginate(items, key, page(p));
  return { items: r.items, next: Buffer.from(r.pagination.nextKey).toString('latin1'), total: r.pagination.total };
};

test('a key resumes at the first item at or after it (before it, in reverse), whether or not that item still exists', () => {
  const denoms = ['amm/pool/1', 'amm/pool/2', 'uatom', 'ueth', 'ulane'];
  assert.deepEqual(run(denoms, { limit: 2n }), { items: ['amm/pool/1', 'amm/pool/2'], next: 'uatom', total: 0n });
  assert.deepEqual(run(denoms, { limit: 2n, key: key('uatom') }), { items: ['uatom', 'ueth'], next: 'ulane', total: 0n });
  // uatom spent to nothing since the first page: the next page starts where it was.
  const after = ['amm/pool/1', 'amm/pool/2', 'ueth', 'ulane'];
  assert.deepEqual(run(after, { limit: 2n, key: key('uatom') }), { items: ['ueth', 'ulane'], next: '', total: 0n });
  assert.deepEqual(run(denoms, { key: key('u') }).items, ['uatom', 'ueth', 'ulane'], 'a key between items');
  assert.deepEqual(run(denoms, { key: key('zzz') }).items, [], 'past the end');
  assert.deepEqual(run(denoms, { reverse: true, limit: 2n }), { items: ['ulane', 'ueth'], next: 'uatom', total: 0n });
  assert.deepEqual(run(after, { reverse: true, limit: 2n, key: key('uatom') }), { items: ['amm/pool/2', 'amm/pool/1'], next: '', total: 0n });
  assert.deepEqual(run(denoms, { offset: 3n, countTotal: true }), { items: ['ueth', 'ulane'], next: '', total: 5n });
  assert.throws(() => run(denoms, { key: key('u'), offset: 1n }), /use either key or offset/);
  assert.throws(() => run(denoms, { limit: 1001n }), /limit 1001 exceeds 1000/);
});

test('following next_key visits every item once, in order, while items are removed between pages', () => {
  fc.assert(fc.property(
    fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { maxLength: 40 }),
    fc.integer({ min: 1, max: 7 }),
    fc.boolean(),
    fc.array(fc.nat(), { maxLength: 10 }),
    (raw, limit, reverse, removals) => {
      let items = [...raw].sort((a, b) => Buffer.compare(key(a), key(b)));
      const seen: string[] = [];
      const removed = new Set<string>();
      let next: Uint8Array | undefined;
      for (let round = 0; round < 100; round++) {
        const r = paginate(items, key, page({ limit: BigInt(limit), reverse, ...(next && { key: next }) }));
        seen.push(...r.items.map(String));
        if (r.pagination.nextKey.length === 0) break;
        next = r.pagination.nextKey;
        const gone = removals[round] === undefined || items.length === 0 ? undefined : items[(removals[round] as number) % items.length];
        if (gone !== undefined) {
          removed.add(gone);
          items = items.filter((x) => x !== gone);
        }
      }
      const order = [...raw].sort((a, b) => Buffer.compare(key(a), key(b)));
      const expected = (reverse ? order.reverse() : order).filter((x) => !removed.has(x) || seen.includes(x));
      assert.deepEqual(seen, expected);
    },
  ));
});
