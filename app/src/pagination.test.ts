import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PageRequest } from 'cosmjs-types/cosmos/base/query/v1beta1/pagination';
import { paginate, paginateScan, walkingSource } from './pagination.ts';
import { CMap, StringValue, WholeStringKey, modulePrefix } from './store/collections.ts';
import { CommittedStore } from './store/sqlite.ts';
import { MemKV, Overlay, sortKeys, type KV } from './store/kv.ts';
import { plainContext } from './context.ts';

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

/** A random page request over keys made of `unit`: limit, count_total, reverse, and a key or an offset. */
const pageArb = (unit: fc.Arbitrary<string>) => fc.record({
  limit: fc.bigInt({ min: 0n, max: 8n }),
  key: fc.option(fc.string({ unit, maxLength: 3 }), { nil: undefined }),
  offset: fc.bigInt({ min: 0n, max: 35n }),
  countTotal: fc.boolean(),
  reverse: fc.boolean(),
});
const pageOf = (p: { limit: bigint; key: string | undefined; offset: bigint; countTotal: boolean; reverse: boolean }): PageRequest =>
  page({ limit: p.limit, countTotal: p.countTotal, reverse: p.reverse, ...(p.key === undefined ? { offset: p.offset } : { key: key(p.key) }) });

test('paginateScan (property): the same pages as paginate over the whole list, decoding only the items it returns', () => {
  const unit = fc.constantFrom('a', 'b', 'c', '\x00', '\xff');
  fc.assert(fc.property(
    fc.uniqueArray(fc.string({ unit, minLength: 1, maxLength: 3 }), { maxLength: 30 }),
    pageArb(unit),
    (raw, p) => {
      const items = [...raw].sort();
      const req = pageOf(p);
      const scan = (from?: string) => items.filter((k) => from === undefined || k >= from).map((k) => [k, `value of ${k}`] as const);
      let decoded = 0;
      const got = paginateScan(walkingSource(scan), (k, v) => {
        decoded++;
        assert.equal(v, `value of ${k}`);
        return k;
      }, req);
      const want = paginate(items, key, req);
      assert.deepEqual(got.items, want.items);
      assert.deepEqual(Buffer.from(got.pagination.nextKey).toString('latin1'), Buffer.from(want.pagination.nextKey).toString('latin1'));
      assert.equal(got.pagination.total, want.pagination.total);
      assert.equal(decoded, got.items.length, 'decodes only the page');
    },
  ), { numRuns: 500 });
});

test('paginateScan reads no further than the page needs, without count_total or reverse', () => {
  const items = Array.from({ length: 1000 }, (_, i) => `k${String(i).padStart(4, '0')}`);
  let read = 0;
  function* scan(from?: string): Generator<readonly [string, string]> {
    for (const k of items) {
      if (from !== undefined && k < from) continue;
      read++;
      yield [k, k];
    }
  }
  const r = paginateScan(walkingSource(scan), (k) => k, page({ limit: 10n, key: key('k0500') }));
  assert.deepEqual(r.items, items.slice(500, 510));
  assert.equal(Buffer.from(r.pagination.nextKey).toString('latin1'), 'k0510');
  assert.equal(read, 11, 'the page and the next key');
  read = 0;
  paginateScan(walkingSource(scan), (k) => k, page({ limit: 10n, offset: 20n }));
  assert.equal(read, 31, 'an offset walks the entries before it');
  assert.throws(() => paginateScan(walkingSource(scan), (k) => k, page({ limit: 1001n })), /limit 1001 exceeds 1000/);
  assert.throws(() => paginateScan(walkingSource(scan), (k) => k, page({ key: key('k'), offset: 1n })), /use either key or offset/);
});

// A collection's pages on committed state (a query's context) are read in SQLite: the reverse
// scan, the offset and the count done there must give what walking the entries gives.
const pageSchema = modulePrefix(0x7d, 'pagetest');
const Pages = new CMap(pageSchema, 0x01, 'pages', WholeStringKey, StringValue, () => 'pagetest');
const Others = new CMap(pageSchema, 0x02, 'others', WholeStringKey, StringValue, () => 'pagetest');
const BLOCK = { height: 1n, timeSeconds: 0n, chainId: 'pages' };

/** A store holding `keys` in Pages (and neighbours on either side of its range), and a plain copy. */
function stores(keys: readonly string[]): { store: CommittedStore; mem: MemKV } {
  const mem = new MemKV();
  const ctx = plainContext(mem, BLOCK, 'deliver');
  for (const k of keys) Pages.set(ctx, k, `value of ${k}`);
  for (const k of ['', 'a', '~']) Others.set(ctx, k, 'neighbour');
  const store = new CommittedStore(':memory:');
  store.commit(sortKeys([...mem.data.keys()]).map((k) => [k, mem.data.get(k) as string]), { height: 1n, appHash: new Uint8Array(32) });
  return { store, mem };
}

test('CMap.page on committed state (SQLite going down, skipping and counting) equals walking the entries, and equals paginate', () => {
  const unit = fc.constantFrom('a', 'b', 'c', '!', '~'); // key components are ASCII
  fc.assert(fc.property(
    fc.uniqueArray(fc.string({ unit, minLength: 0, maxLength: 3 }), { maxLength: 30 }),
    pageArb(unit),
    (raw, p) => {
      const { store, mem } = stores(raw);
      try {
        const req = pageOf(p);
        const overlay = new Overlay(store);
        assert.equal(overlay.ranges(), store, 'a query context reads ranges in SQLite');
        const shown = (r: ReturnType<typeof Pages.page>) => ({ items: r.items, next: Buffer.from(r.pagination.nextKey).toString('latin1'), total: r.pagination.total });
        const inSql = shown(Pages.page(plainContext(overlay, BLOCK, 'query'), req));
        const walked = shown(Pages.page(plainContext(mem, BLOCK, 'query'), req));
        assert.deepEqual(inSql, walked);
        const want = paginate([...raw].sort().map((k) => [k, `value of ${k}`] as [string, string]), (e) => key(e[0]), req);
        assert.deepEqual(inSql, { items: want.items, next: Buffer.from(want.pagination.nextKey).toString('latin1'), total: want.pagination.total });
      } finally {
        store.close();
      }
    },
  ), { numRuns: 300 });
});

test('on committed state a reverse or offset page reads its own entries, not the whole range (counted as gas per entry read)', () => {
  const keys = Array.from({ length: 2000 }, (_, i) => `k${String(i).padStart(4, '0')}`);
  const { store, mem } = stores(keys);
  try {
    const read = (kv: KV, p: Partial<PageRequest>) => {
      const ctx = plainContext(kv, BLOCK, 'query');
      const r = Pages.page(ctx, page(p));
      return { first: r.items[0]?.[0], n: r.items.length, total: r.pagination.total, gas: ctx.gas.consumed() };
    };
    const one = read(new Overlay(store), { limit: 1n }).gas;
    for (const p of [{ limit: 10n, reverse: true }, { limit: 10n, offset: 1500n }, { limit: 10n, reverse: true, offset: 1500n }, { limit: 10n, countTotal: true }]) {
      const inSql = read(new Overlay(store), p);
      const walked = read(mem, p);
      assert.deepEqual([inSql.first, inSql.n, inSql.total], [walked.first, walked.n, walked.total], JSON.stringify(p, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
      assert.ok(inSql.gas <= 11 * one, `SQLite: ${inSql.gas} gas, at most the page and the next key's ${11 * one}`);
      if (p.reverse || p.offset || p.countTotal) assert.ok(walked.gas > 100 * one, `walking reads the range: ${walked.gas} gas`);
    }
    // Pages longer than SQLite's chunk of rows (RANGE_CHUNK_ROWS), either way.
    for (const p of [{ limit: 1000n, reverse: true, offset: 300n }, { limit: 1000n, offset: 700n }, { limit: 1000n, reverse: true, key: key('k1234') }]) {
      const all = (kv: KV) => Pages.page(plainContext(kv, BLOCK, 'query'), page(p));
      assert.deepEqual(all(new Overlay(store)), all(mem));
      assert.equal(all(new Overlay(store)).items.length, 1000);
    }
  } finally {
    store.close();
  }
});

test('CommittedStore.scanRange across SQLite\'s chunks of rows, both ways, from a key and after skipping', () => {
  const keys = Array.from({ length: 700 }, (_, i) => `p${String(i).padStart(3, '0')}`);
  const store = new CommittedStore(':memory:');
  try {
    store.commit(keys.map((k) => [k, `v${k}`]), { height: 1n, appHash: new Uint8Array(32) });
    const got = (o: { from?: string; down?: boolean; skip?: bigint }) => [...store.scanRange('p', o)].map(([k]) => k);
    assert.deepEqual(got({}), keys);
    assert.deepEqual(got({ down: true }), [...keys].reverse());
    assert.deepEqual(got({ from: 'p650', down: true, skip: 100n }), keys.slice(0, 551).reverse());
    assert.deepEqual(got({ from: 'p050', skip: 300n }), keys.slice(350));
    assert.equal(store.countRange('p'), 700n);
  } finally {
    store.close();
  }
});

test('CommittedStore.scanRange and countRange (property): any prefix (empty, or ending in 0xff bytes), from, direction and skip', () => {
  const unit = fc.constantFrom('a', '\x00', '\xfe', '\xff');
  fc.assert(fc.property(
    fc.uniqueArray(fc.string({ unit, minLength: 1, maxLength: 4 }), { maxLength: 40 }),
    fc.string({ unit, maxLength: 2 }),
    fc.option(fc.string({ unit, maxLength: 4 }), { nil: undefined }),
    fc.boolean(),
    fc.bigInt({ min: 0n, max: 45n }),
    (keys, prefix, from, down, skip) => {
      const store = new CommittedStore(':memory:');
      try {
        store.commit(sortKeys(keys).map((k) => [k, `v${k}`]), { height: 1n, appHash: new Uint8Array(32) });
        const under = sortKeys(keys.filter((k) => k.startsWith(prefix)));
        const from_ = from === undefined ? under : under.filter((k) => (down ? k <= from : k >= from));
        const want = (down ? from_.reverse() : from_).slice(Number(skip)).map((k) => [k, `v${k}`]);
        assert.deepEqual([...store.scanRange(prefix, { from, down, skip })], want);
        assert.equal(store.countRange(prefix), BigInt(under.length));
      } finally {
        store.close();
      }
    },
  ), { numRuns: 300 });
});
