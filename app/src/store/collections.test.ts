import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BigIntValue, CMap, Item, MEMO_GENERATION, PairKey, Schema, StringKey, StringValue, U64Key, WholeStringKey, jsonValue, memoValue, modulePrefix, strPart,
  type KeyCodec, type ValueCodec,
} from './collections.ts';
import { MemKV, Overlay, type KV, bytesToBin } from './kv.ts';
import { CommittedStore } from './sqlite.ts';
import { AccessRecorder, AccessViolation, CONST_PARTITION, Context, type ExecMode } from '../context.ts';
import { GasCost, GasMeter } from '../gas.ts';
import { LanesError } from '../errors.ts';

// Module bytes far from the app's own (0x01 auth, 0x02 app, 0x10 bank).
const schema = modulePrefix(0xe0, 'collections-test');
const Bal = new CMap(schema, 0x01, 'bal', PairKey, BigIntValue, ([addr]) => `account:${addr}`, { encode: (addr: string) => strPart(addr), partition: (addr: string) => `account:${addr}` });
const Names = new CMap(schema, 0x02, 'names', StringKey, StringValue, (k) => `name:${k}`);
const Seq = new CMap(schema, 0x03, 'seq', U64Key, BigIntValue, () => 'seq');
const Param = new Item(schema, 0x04, 'param', StringValue, CONST_PARTITION);
const Counter = new Item(schema, 0x05, 'counter', BigIntValue, 'counter');
const Ids = new CMap(schema, 0x06, 'ids', U64Key, BigIntValue, (id) => `id:${id}`);

const block = { height: 1n, timeSeconds: 0n, chainId: 'c' };
function ctx(kv: KV, opts: { declared?: readonly string[]; txPhase?: boolean; gas?: number; mode?: ExecMode } = {}): Context {
  return new Context(kv, new GasMeter(opts.gas ?? 10_000_000), new AccessRecorder(opts.declared, opts.txPhase ?? true, true), block, opts.mode ?? 'deliver');
}

test('a Schema refuses a duplicate prefix, naming both collections', () => {
  const s = new Schema('dup');
  assert.equal(s.claim(0x01, 'first'), '\x01');
  assert.throws(() => s.claim(0x01, 'second'), /prefix 0x1 of dup\/second already used by first/);
  assert.throws(() => s.claim(256, 'big'), /prefix 256 of dup\/big is not a byte/);
  assert.throws(() => s.claim(-1, 'neg'), /not a byte/);
  assert.throws(() => s.claim(1.5, 'frac'), /not a byte/);
  // Building a second collection on a used prefix fails at construction (startup).
  assert.throws(() => new CMap(schema, 0x01, 'bal2', StringKey, StringValue, () => 'x'), /already used by bal/);
  assert.throws(() => new Item(schema, 0x02, 'names2', StringValue, 'x'), /already used by names/);
});

test('module prefixes are global and claimed once: another module, or the same one again, throws', () => {
  assert.throws(() => modulePrefix(0xe0, 'other-module'), /module prefix 0xe0 of other-module already used by collections-test/);
  // A second Schema of the same module could re-claim its sub-prefixes (same raw keys).
  assert.throws(() => modulePrefix(0xe0, 'collections-test'), /module prefix 0xe0 of collections-test already used by collections-test/);
});

test('CMap records the partition of every read and write in the AccessRecorder', () => {
  const c = ctx(new Overlay(new MemKV()));
  Bal.set(c, ['alice', 'uatom'], 5n);
  assert.equal(Bal.get(c, ['alice', 'uatom']), 5n);
  assert.equal(Bal.get(c, ['bob', 'uatom']), undefined);
  Names.delete(c, 'x');
  assert.deepEqual([...c.access.touched].sort(), ['account:alice', 'account:bob', 'name:x']);
  // Reading CONST data is free of partitions.
  Param.get(c);
  assert.ok(!c.access.touched.has(CONST_PARTITION), 'reading CONST data touched no partition');
});

test('CMap keys and partitions come from a memo: the same as encoding them afresh, past the memo\'s size too (property)', () => {
  const id = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '1'), maxLength: 4 });
  const u64 = fc.oneof(fc.bigInt({ min: 0n, max: 5n }), fc.constantFrom(0xffffffffffffffffn, 0x100n, 0x1_0000_0000n));
  const op = fc.oneof(
    fc.tuple(fc.constant('bal' as const), id, id),
    fc.tuple(fc.constant('name' as const), id, fc.constant('')),
    fc.tuple(fc.constant('id' as const), u64, fc.constant('')),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
    const kv = new MemKV();
    const c = ctx(kv);
    const keys = new Set<string>();
    const parts = new Set<string>();
    for (const [kind, a, b] of ops) {
      if (kind === 'id') {
        Ids.set(c, a, 1n);
        keys.add(Ids.prefix + U64Key.encode(a));
        parts.add(`id:${a}`);
      } else if (kind === 'bal') {
        Bal.set(c, [a, b], 1n);
        keys.add(Bal.prefix + PairKey.encode([a, b]));
        parts.add(`account:${a}`);
      } else {
        Names.set(c, a, 'v');
        keys.add(Names.prefix + StringKey.encode(a));
        parts.add(`name:${a}`);
      }
    }
    assert.deepEqual([...kv.data.keys()].sort(), [...keys].sort());
    assert.deepEqual([...c.access.touched].sort(), [...parts].sort());
  }), { numRuns: 300 });
  // 2.5 generations of distinct keys: the memo drops its older half twice on the way, and what
  // it then builds again is still right.
  const n = MEMO_GENERATION * 2.5;
  const kv = new MemKV();
  const c = ctx(kv, { gas: Number.MAX_SAFE_INTEGER });
  for (let i = 0; i < n; i++) {
    Names.set(c, `n${i}`, 'v');
    Bal.set(c, [`a${i}`, 'uatom'], BigInt(i));
  }
  assert.equal(kv.data.size, 2 * n);
  for (let i = 0; i < n; i++) {
    assert.equal(kv.get(Names.prefix + StringKey.encode(`n${i}`)), 'v');
    assert.equal(kv.get(Bal.prefix + PairKey.encode([`a${i}`, 'uatom'])), String(i));
  }
  for (const i of [0, MEMO_GENERATION - 1, MEMO_GENERATION, n - 1]) {
    assert.equal(Bal.get(c, [`a${i}`, 'uatom']), BigInt(i));
    assert.ok(c.access.touched.has(`account:a${i}`) && c.access.touched.has(`name:n${i}`), `partitions account:a${i} and name:n${i} recorded`);
  }
  assert.ok(Bal.memoSize <= 2 * MEMO_GENERATION && Names.memoSize <= 2 * MEMO_GENERATION, `${Bal.memoSize} ${Names.memoSize}`);
  // A key the codec refuses is refused on every access, and leaves no memo entry behind.
  const before = [Names.memoSize, Bal.memoSize];
  assert.throws(() => Names.get(c, 'é'), /not ASCII/);
  assert.throws(() => Names.get(c, 'é'), /not ASCII/);
  assert.throws(() => Bal.get(c, ['a1', 'é']), /not ASCII/);
  assert.deepEqual([Names.memoSize, Bal.memoSize], before);
  const ids = Ids.memoSize;
  assert.throws(() => Ids.get(c, 1n << 64n), /u64 key out of range/);
  assert.throws(() => Ids.get(c, -1n), /u64 key out of range/);
  assert.equal(Ids.memoSize, ids);
});

test('the key memo keeps the keys in use: a working set of half a generation, used again between three generations of other keys, is built once (pair and single keys)', () => {
  let built = 0;
  const counting = <K>(codec: KeyCodec<K>): KeyCodec<K> => ({ encode: (k) => (built++, codec.encode(k)), decode: codec.decode });
  const s = modulePrefix(0xe1, 'memo-test');
  const Pairs = new CMap(s, 0x01, 'pairs', counting(PairKey), BigIntValue, ([a]) => `account:${a}`);
  const Ones = new CMap(s, 0x02, 'ones', counting(StringKey), BigIntValue, (k) => `one:${k}`);
  const c = ctx(new MemKV(), { gas: Number.MAX_SAFE_INTEGER });
  // Half a generation: with each round's other keys it fills the younger generation, which so
  // turns over every round.
  const hot = MEMO_GENERATION / 2;
  const useHot = () => {
    for (let i = 0; i < hot; i++) {
      Pairs.get(c, [`h${i}`, 'uatom']);
      Ones.get(c, `h${i}`);
    }
  };
  useHot();
  assert.equal(built, 2 * hot);
  // Three generations' worth of keys used once each, with the hot set used again in between:
  // the hot keys are never built again (a memo that starts over when full builds them again).
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < MEMO_GENERATION / 2; i++) {
      Pairs.get(c, [`cold${round}-${i}`, 'uatom']);
      Ones.get(c, `cold${round}-${i}`);
    }
    const b = built;
    useHot();
    assert.equal(built, b, `round ${round}: hot keys built again`);
  }
  // Keys not used for two generations are dropped: memory stays bounded, and they are built anew.
  assert.ok(Pairs.memoSize <= 2 * MEMO_GENERATION && Ones.memoSize <= 2 * MEMO_GENERATION, `${Pairs.memoSize} ${Ones.memoSize}`);
  const b = built;
  Pairs.get(c, ['cold0-0', 'uatom']);
  Ones.get(c, 'cold0-0');
  assert.equal(built, b + 2);
});

for (const [what, declared] of [
  ['a short declared list (compared)', ['account:alice']],
  ['a long declared list (a Set)', [...Array.from({ length: 12 }, (_, i) => `account:other${i}`), 'account:alice']],
] as const) test(`an AccessRecorder with ${what} throws AccessViolation on any undeclared partition`, () => {
  const c = ctx(new Overlay(new MemKV()), { declared });
  Bal.set(c, ['alice', 'uatom'], 1n); // declared: fine
  assert.throws(() => Bal.get(c, ['bob', 'uatom']), (e) => e instanceof AccessViolation && e.partition === 'account:bob' && !e.write && /read of undeclared partition account:bob/.test(e.message));
  assert.throws(() => Bal.set(c, ['bob', 'uatom'], 1n), (e) => e instanceof AccessViolation && e.partition === 'account:bob' && e.write);
  assert.throws(() => Counter.set(c, 1n), (e) => e instanceof AccessViolation && e.partition === 'counter');
  // A refused write never reaches the store.
  assert.equal((c.kv as Overlay).writes.size, 1);
  // Partition-scoped iteration is checked like a read; a declared one is fine.
  assert.throws(() => [...Bal.iterate(c, 'bob')], AccessViolation);
  assert.deepEqual([...Bal.iterate(c, 'alice')], [[['alice', 'uatom'], 1n]]);
  // CONST reads are allowed even when undeclared.
  assert.doesNotThrow(() => Param.get(c));
});

test('CONST writes are refused in the tx phase (a failing tx, not an access violation, whatever the declarations) and allowed outside it', () => {
  const kv = new Overlay(new MemKV());
  const tx = ctx(kv);
  const refused = (e: unknown) => !(e instanceof AccessViolation) && e instanceof LanesError && e.codespace === 'sdk' && e.code === 111222 && /wrote a per-block constant/.test(e.message);
  assert.throws(() => Param.set(tx, 'x'), refused);
  assert.throws(() => Param.set(ctx(kv, { declared: ['account:alice'] }), 'x'), refused);
  assert.equal(Param.get(tx), undefined);
  const hook = ctx(kv, { txPhase: false, mode: 'block' });
  Param.set(hook, 'y');
  assert.equal(Param.get(tx), 'y');
});

test('a scan by partition checks every entry it returns where declarations are enforced: a ScanHead whose range strays out of its partition is an AccessViolation', () => {
  // A wrong ScanHead: it names the head's partition but scans every address from the head on.
  const Stray = new CMap(schema, 0x09, 'stray', PairKey, BigIntValue, ([addr]) => `account:${addr}`, {
    encode: (addr: string) => strPart(addr).slice(0, 1), // the length byte only: every address as long
    partition: (addr: string) => `account:${addr}`,
  });
  const kv = new Overlay(new MemKV());
  const setup = ctx(kv, { txPhase: false });
  Stray.set(setup, ['alice', 'uatom'], 1n);
  Stray.set(setup, ['carol', 'uatom'], 2n); // as long as alice: inside the stray range
  const enforced = ctx(kv, { declared: ['account:alice'] });
  assert.throws(() => [...Stray.iterate(enforced, 'alice')], (e) => e instanceof AccessViolation && e.partition === 'account:carol' && !e.write);
  // Without enforcement (the sequential executor, queries) the same scan runs, as it always did.
  assert.deepEqual([...Stray.iterate(ctx(kv), 'alice')].map(([k]) => k[0]), ['alice', 'carol']);
  // A right ScanHead stays inside: alice's balances only, carol's never touched.
  Bal.set(setup, ['alice', 'uatom'], 1n);
  Bal.set(setup, ['carol', 'uatom'], 2n);
  assert.deepEqual([...Bal.iterate(ctx(kv, { declared: ['account:alice'] }), 'alice')], [[['alice', 'uatom'], 1n]]);
});

test('a scan by partition needs the collection\'s ScanHead', () => {
  const c = ctx(new Overlay(new MemKV()), { txPhase: false });
  assert.throws(() => [...Seq.iterate(c, 1n as never)], /seq: no scans by partition/);
});

test('a whole-collection scan is refused inside a tx, allowed outside', () => {
  const kv = new Overlay(new MemKV());
  const outside = ctx(kv, { txPhase: false });
  Names.set(outside, 'b', 'B');
  Names.set(outside, 'a', 'A');
  assert.throws(() => [...Names.iterate(ctx(kv))], /names: whole-collection scan inside a tx/);
  assert.deepEqual([...Names.iterate(outside)], [['a', 'A'], ['b', 'B']]);
});

test('collections with different prefixes never see each other', () => {
  const c = ctx(new Overlay(new MemKV()), { txPhase: false });
  Names.set(c, 'k', 'v');
  Seq.set(c, 1n, 1n);
  assert.deepEqual([...Names.iterate(c)], [['k', 'v']]);
  assert.deepEqual([...Seq.iterate(c)], [[1n, 1n]]);
});

test('U64Key: round-trip and key order equals numeric order (property)', () => {
  const u64 = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
  fc.assert(fc.property(u64, u64, (a, b) => {
    const ka = U64Key.encode(a);
    const kb = U64Key.encode(b);
    assert.equal(ka.length, 8);
    assert.equal(U64Key.decode(ka), a);
    assert.equal(Math.sign(Number(a - b)), ka < kb ? -1 : ka > kb ? 1 : 0);
  }), { numRuns: 500 });
  assert.equal(U64Key.encode(0n), '\x00'.repeat(8));
  assert.equal(U64Key.encode(256n), '\x00'.repeat(6) + '\x01\x00');
  assert.throws(() => U64Key.encode(-1n), /u64 key out of range: -1/);
  assert.throws(() => U64Key.encode(1n << 64n), /u64 key out of range: 18446744073709551616/);
});

test('U64Key: iteration over a CMap is in numeric order', () => {
  const c = ctx(new Overlay(new MemKV()), { txPhase: false });
  for (const n of [300n, 2n, 0xffffffffffffffffn, 256n, 0n, 255n]) Seq.set(c, n, n);
  assert.deepEqual([...Seq.iterate(c)].map(([k]) => k), [0n, 2n, 255n, 256n, 300n, 0xffffffffffffffffn]);
});

test('PairKey round-trips (property) and keys of one first component share a prefix', () => {
  const part = fc.string({ unit: fc.integer({ min: 0, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
  fc.assert(fc.property(part, part, (a, b) => {
    const raw = PairKey.encode([a, b]);
    assert.deepEqual(PairKey.decode(raw), [a, b]);
    assert.ok(raw.startsWith(strPart(a)), `PairKey ${JSON.stringify(raw)} should start with the encoding of ${JSON.stringify(a)}`);
    assert.equal(StringKey.decode(StringKey.encode(a)), a);
  }));
  // Length prefixing keeps ('ab','c') and ('a','bc') apart.
  assert.notEqual(PairKey.encode(['ab', 'c']), PairKey.encode(['a', 'bc']));
  assert.throws(() => strPart('x'.repeat(256)), /key component longer than 255 bytes/);
  assert.throws(() => strPart('é'), /key component is not ASCII: "é"/);
});

test('WholeStringKey: round-trips, and a CMap keyed by it iterates in string order, where StringKey puts shorter strings first (property)', () => {
  const s = modulePrefix(0xe3, 'whole-test');
  const Whole = new CMap(s, 0x01, 'whole', WholeStringKey, StringValue, (k) => `w:${k}`);
  const Prefixed = new CMap(s, 0x02, 'prefixed', StringKey, StringValue, (k) => `p:${k}`);
  const str = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 12 });
  fc.assert(fc.property(fc.uniqueArray(str, { maxLength: 30 }), (keys) => {
    const c = ctx(new Overlay(new MemKV()), { txPhase: false });
    for (const k of keys) {
      assert.equal(WholeStringKey.decode(WholeStringKey.encode(k)), k);
      Whole.set(c, k, k);
      Prefixed.set(c, k, k);
    }
    const sorted = [...keys].sort();
    assert.deepEqual([...Whole.iterate(c)].map(([k]) => k), sorted);
    const byLength = [...keys].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
    assert.deepEqual([...Prefixed.iterate(c)].map(([k]) => k), byLength);
  }));
  assert.equal(WholeStringKey.encode('uatom'), 'uatom');
  assert.throws(() => WholeStringKey.encode('x'.repeat(256)), /key component longer than 255 bytes/);
  assert.throws(() => WholeStringKey.encode('é'), /key component is not ASCII: "é"/);
});

test('BigIntValue round-trips', () => {
  for (const v of [0n, 1n, (1n << 256n) - 1n]) assert.equal(BigIntValue.decode(BigIntValue.encode(v)), v);
});

test('BigIntValue: stored as v.toString(), and decoding any stored string matches BigInt of it (property)', () => {
  const viaBigInt = (raw: string): bigint | 'throws' => {
    try {
      return BigInt(raw);
    } catch {
      return 'throws';
    }
  };
  const ours = (raw: string): bigint | 'throws' => {
    try {
      return BigIntValue.decode(raw);
    } catch {
      return 'throws';
    }
  };
  const big = fc.oneof(fc.bigInt(), fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.bigInt({ min: 10n ** 14n, max: 10n ** 17n }), fc.constantFrom(0n, -1n, 999_999_999_999_999n, 1_000_000_000_000_000n));
  fc.assert(fc.property(big, (v) => {
    const raw = BigIntValue.encode(v);
    assert.equal(raw, v.toString());
    assert.equal(BigIntValue.decode(raw), v);
  }), { numRuns: 2000 });
  // Anything else stored (leading zeros, signs, spaces, hex, empty, junk): the same value or the same refusal.
  const digitsAndMore = fc.uint8Array({ maxLength: 20 }).map((a) => [...a].map((b) => '0123456789 +-xXabe\t\n'[b % 20]).join(''));
  fc.assert(fc.property(fc.oneof(digitsAndMore, fc.uint8Array({ maxLength: 20 }).map(bytesToBin)), (raw) => {
    assert.deepEqual(ours(raw), viaBigInt(raw));
  }), { numRuns: 3000 });
});

test('StringValue and jsonValue store exactly the UTF-8 bytes, ASCII or not, and decode any stored bytes as Buffer does (property)', () => {
  const utf8Bin = (x: string): string => Buffer.from(x, 'utf8').toString('latin1');
  const json = jsonValue<unknown>();
  fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (x) => {
    assert.equal(StringValue.encode(x), utf8Bin(x));
    assert.equal(StringValue.decode(StringValue.encode(x)), Buffer.from(x, 'utf8').toString('utf8'));
    assert.equal(json.encode({ x }), utf8Bin(JSON.stringify({ x })));
    assert.deepEqual(json.decode(json.encode({ x })), JSON.parse(Buffer.from(JSON.stringify({ x }), 'utf8').toString('utf8')));
  }), { numRuns: 1000 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
    assert.equal(StringValue.decode(bytesToBin(bytes)), Buffer.from(bytes).toString('utf8'));
  }), { numRuns: 1000 });
});

test('gas charged for reads and writes is the same whether the value comes from a cache layer or not', () => {
  // Committed: SQLite with a cold cache; then the same read again (warm cache); then the same
  // key served from an overlay. Every read of the same (key, value) costs the same gas.
  const store = new CommittedStore(':memory:');
  const seed = new Overlay(store);
  Bal.set(ctx(seed), ['alice', 'uatom'], 12345n);
  store.commit(seed.sortedWrites(), { height: 1n, appHash: new Uint8Array(32) });

  const gasOf = (kv: KV, f: (c: Context) => void): number => {
    const c = ctx(kv);
    f(c);
    return c.gas.consumed();
  };
  const read = (c: Context) => assert.equal(Bal.get(c, ['alice', 'uatom']), 12345n);
  const cold = gasOf(new Overlay(store), read);
  const warm = gasOf(new Overlay(store), read);
  const overlay = new Overlay(store);
  Bal.set(ctx(overlay), ['alice', 'uatom'], 12345n);
  const fromOverlay = gasOf(overlay, read);
  const mem = new MemKV();
  Bal.set(ctx(mem), ['alice', 'uatom'], 12345n);
  const fromMem = gasOf(mem, read);
  const key = Bal.prefix + PairKey.encode(['alice', 'uatom']);
  const expected = GasCost.readFlat + GasCost.readPerByte * (key.length + '12345'.length);
  assert.deepEqual([cold, warm, fromOverlay, fromMem], [expected, expected, expected, expected]);

  // A miss costs the flat read plus the key bytes, wherever it misses.
  const miss = (c: Context) => assert.equal(Bal.get(c, ['nobody', 'uatom']), undefined);
  const missKey = Bal.prefix + PairKey.encode(['nobody', 'uatom']);
  const missGas = GasCost.readFlat + GasCost.readPerByte * missKey.length;
  assert.deepEqual([gasOf(new Overlay(store), miss), gasOf(new Overlay(store), miss), gasOf(new MemKV(), miss)], [missGas, missGas, missGas]);

  // Writes: the same whatever the layer below holds.
  const write = (c: Context) => Bal.set(c, ['alice', 'uatom'], 99n);
  const writeGas = GasCost.writeFlat + GasCost.writePerByte * (key.length + 2);
  assert.deepEqual([gasOf(new Overlay(store), write), gasOf(overlay, write), gasOf(new MemKV(), write)], [writeGas, writeGas, writeGas]);
  assert.equal(gasOf(new Overlay(store), (c) => Bal.delete(c, ['alice', 'uatom'])), GasCost.delete);
  store.close();
});

test('running out of gas on a read throws out of gas and names the collection', () => {
  const c = ctx(new MemKV(), { gas: GasCost.readFlat });
  assert.throws(() => Bal.get(c, ['alice', 'uatom']), (e) => e instanceof LanesError && e.codespace === 'sdk' && e.code === 11 && /bal\/read/.test(e.message));
});

test('memoValue: decodes each stored form once, hands back frozen values equal to a fresh decode, and stays bounded', () => {
  interface Rec { n: string; list: { x: number }[] }
  let decoded = 0;
  const json = jsonValue<Rec>();
  const inner: ValueCodec<Rec> = { encode: json.encode, decode: (raw) => (decoded++, json.decode(raw)) };
  const codec = memoValue(inner, 3, 'test cache');
  const raws = ['a', 'b', 'c', 'd'].map((n, i) => codec.encode({ n, list: [{ x: i }] }));
  const first = codec.decode(raws[0] as string);
  assert.deepEqual(first, { n: 'a', list: [{ x: 0 }] });
  // Equal bytes (another string object of the same content) find the same value.
  assert.equal(codec.decode((raws[0] as string).split('').join('')), first);
  assert.equal(decoded, 1);
  // Deep-frozen: a caller that changes a shared value fails instead of changing what others read.
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.list) && Object.isFrozen(first.list[0]), 'a decoded value and what it holds are frozen');
  assert.throws(() => { first.list.push({ x: 9 }); }, TypeError);
  assert.throws(() => { first.n = 'z'; }, TypeError);
  // Bounded: past `max` stored forms the oldest is decoded again, to an equal value.
  for (const r of raws) codec.decode(r as string);
  assert.equal(decoded, 4);
  const again = codec.decode(raws[0] as string);
  assert.equal(decoded, 5);
  assert.notEqual(again, first);
  assert.deepEqual(again, first);
  assert.throws(() => memoValue(inner, 0, 'test cache'), /test cache: expected a positive size, got 0/);
});

test('memoValue shares only plain data: a value holding bytes, a Map or a Set is refused on decode (it would stay writable while shared)', () => {
  const holding = (extra: unknown): ValueCodec<{ n: string; extra: unknown }> => ({ encode: (v) => v.n, decode: (raw) => ({ n: raw, extra }) });
  for (const [what, extra] of [['Uint8Array', new Uint8Array([1, 2])], ['Buffer', Buffer.from('ab')], ['Map', new Map()], ['Set', new Set()]] as const) {
    const codec = memoValue(holding({ deep: [extra] }), 4, 'test cache');
    assert.throws(() => codec.decode('x'), new RegExp(`deepFreeze: a ${what} cannot be frozen`), what);
    assert.throws(() => codec.decode('x'), /cannot be frozen/, `${what}: refused again, nothing was remembered`);
  }
  // An object frozen already (shallowly) still has what it holds frozen.
  const child = { x: 1 };
  const codec = memoValue(holding(Object.freeze({ child })), 4, 'test cache');
  codec.decode('y');
  assert.ok(Object.isFrozen(child), 'the child of an already frozen object is frozen too');
});

test('bigint keys come from the key memo: built once per id, and the memo grows by the ids in use only', () => {
  let built = 0;
  const s = modulePrefix(0xe2, 'bigint-memo-test');
  const ByU64 = new CMap(s, 0x01, 'by_u64', { encode: (k: bigint) => (built++, U64Key.encode(k)), decode: U64Key.decode }, BigIntValue, (k) => `id:${k}`);
  const c = ctx(new MemKV(), { gas: Number.MAX_SAFE_INTEGER });
  const ids = [1n, 2n, 3n, 0xffffffffffffffffn];
  for (let round = 0; round < 3; round++) for (const id of ids) ByU64.set(c, id, id);
  assert.equal(built, ids.length, 'each id built once');
  assert.equal(ByU64.memoSize, ids.length, 'one memo entry per id');
  for (const id of ids) assert.equal(ByU64.get(c, id), id);
  assert.equal(built, ids.length, 'reads find the memo too');
});
