// Typed collections over the KV store (after Cosmos SDK `collections`): every state item is an
// Item or a Map with key and value codecs, a one-byte prefix and a partition function. Raw key
// bytes never leave this layer; a Schema fails at startup on a duplicate prefix.
import type { Context } from '../context.ts';
import type { BinaryReader } from 'cosmjs-types/binary';
import { GasCost } from '../gas.ts';
import { FifoMap } from '../fifo.ts';
import { FlatWriter, viewReader } from '../protoPerf.ts';
import type { PageRequest, PageResponse } from 'cosmjs-types/cosmos/base/query/v1beta1/pagination';
import { type Value, binToBuffer, bytesToBin } from './kv.ts';
import { paginateScan, walkingSource, type PageSource } from '../pagination.ts';

export interface KeyCodec<K> {
  encode(key: K): string;
  decode(raw: string): K;
}

/**
 * A value's stored form is a binary string (kv.ts `Value`). A decoded value's bytes fields may
 * be views of a transient buffer from Node's shared pool: never written again, but kept alive
 * by the view, so a value kept for long should copy them.
 */
export interface ValueCodec<V> {
  encode(value: V): Value;
  decode(raw: Value): V;
}

export class Schema {
  private readonly prefixes = new Map<number, string>();
  constructor(readonly module: string) {}

  claim(prefix: number, name: string): string {
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 0xff) throw new Error(`prefix ${prefix} of ${this.module}/${name} is not a byte`);
    const prev = this.prefixes.get(prefix);
    if (prev !== undefined) throw new Error(`prefix 0x${prefix.toString(16)} of ${this.module}/${name} already used by ${prev}`);
    this.prefixes.set(prefix, name);
    return String.fromCharCode(prefix);
  }
}

/** Module prefixes are global: one byte per module, claimed once across the app. */
const modulePrefixes = new Map<number, string>();
export function modulePrefix(byte: number, module: string): Schema & { byte: string } {
  const prev = modulePrefixes.get(byte);
  // Once per module and byte: a second Schema on the same byte could re-claim its sub-prefixes.
  if (prev !== undefined) throw new Error(`module prefix 0x${byte.toString(16)} of ${module} already used by ${prev}`);
  modulePrefixes.set(byte, module);
  return Object.assign(new Schema(module), { byte: String.fromCharCode(byte) });
}

function readGas(ctx: Context, key: string, value: Value | undefined, what: string): void {
  ctx.gas.consume(GasCost.readFlat + GasCost.readPerByte * (key.length + (value?.length ?? 0)), what);
}

/** Gas descriptors of one collection, built once rather than per access. */
function gasLabels(name: string): { read: string; write: string; delete: string; iter: string } {
  return { read: `${name}/read`, write: `${name}/write`, delete: `${name}/delete`, iter: `${name}/iter` };
}

export class Item<V> {
  readonly key: string;
  private readonly labels: ReturnType<typeof gasLabels>;
  constructor(
    schema: Schema & { byte: string },
    prefix: number,
    readonly name: string,
    private readonly codec: ValueCodec<V>,
    private readonly partition: string,
  ) {
    this.key = schema.byte + schema.claim(prefix, name);
    this.labels = gasLabels(name);
  }

  get(ctx: Context): V | undefined {
    ctx.access.touch(this.partition, false);
    const raw = ctx.kv.get(this.key);
    readGas(ctx, this.key, raw, this.labels.read);
    return raw === undefined ? undefined : this.codec.decode(raw);
  }

  set(ctx: Context, value: V): void {
    ctx.access.touch(this.partition, true);
    const raw = this.codec.encode(value);
    ctx.gas.consume(GasCost.writeFlat + GasCost.writePerByte * (this.key.length + raw.length), this.labels.write);
    ctx.kv.set(this.key, raw);
  }
}

interface Located {
  raw: string;
  partition: string;
}

/**
 * Keys a CMap's key memo takes in before its older half is dropped: it remembers at least the
 * last MEMO_GENERATION keys used and at most twice that, ~240 bytes each (measured: 200,000
 * balance keys, heap after a full GC), so 15-30 MB per collection and thread once that many
 * keys are in use.
 */
export const MEMO_GENERATION = 65_536;

/**
 * The store key and partition of each recently used key of a CMap, in two generations: a hit in
 * the older one moves the key to the younger, and when the younger is full the older is dropped
 * and the younger takes its place. So the keys in use stay in, however many others came before.
 * It used to hold 32,768 keys and start over when full, so once more keys than that were in use
 * (20,000 senders and their receivers use 100,000) it found none of them: every access built its
 * key again. Measured: CheckTx of 20,000 such transfers built 100,000 keys a round (0 now), and
 * the state part of CheckTx took 5.85 s before and 4.63 s after for 60,000 calls (V8 CPU
 * profiles of `npm run bench -- checktx --runs 3`); under valgrind, a 3,000-transfer block with a
 * memo of 4,096 keys took 14 % more CPU than with one that kept them all.
 */
class KeyMemo {
  /** Keys that are one string or one bigint (pool ids): a Map tells them apart by value either way. */
  private young = new Map<string | bigint, Located>();
  private old = new Map<string | bigint, Located>();
  /** Pair keys [a, b] as b -> a -> entry: two lookups of strings whose hashes V8 keeps, no concatenation. */
  private youngPairs = new Map<string, Map<string, Located>>();
  private oldPairs = new Map<string, Map<string, Located>>();
  private youngSize = 0;
  private oldSize = 0;

  constructor(private readonly generation: number) {}

  /** Entries held, a key moved to the younger generation counted in both (for tests): at most 2 × generation. */
  get size(): number {
    return this.youngSize + this.oldSize;
  }

  one(key: string | bigint): Located | undefined {
    let hit = this.young.get(key);
    if (hit === undefined && (hit = this.old.get(key)) !== undefined) this.addOne(key, hit);
    return hit;
  }

  addOne(key: string | bigint, hit: Located): void {
    this.young.set(key, hit);
    this.grew();
  }

  pair(a: string, b: string): Located | undefined {
    let hit = this.youngPairs.get(b)?.get(a);
    if (hit === undefined && (hit = this.oldPairs.get(b)?.get(a)) !== undefined) this.addPair(a, b, hit);
    return hit;
  }

  addPair(a: string, b: string, hit: Located): void {
    let inner = this.youngPairs.get(b);
    if (inner === undefined) this.youngPairs.set(b, (inner = new Map()));
    inner.set(a, hit);
    this.grew();
  }

  private grew(): void {
    if (++this.youngSize < this.generation) return;
    this.old = this.young;
    this.oldPairs = this.youngPairs;
    this.oldSize = this.youngSize;
    this.young = new Map();
    this.youngPairs = new Map();
    this.youngSize = 0;
  }
}

/**
 * How a collection is scanned within one partition: a key's leading components (its head)
 * determine both the raw key prefix of the range and the partition that owns every key in it
 * (Balances: the address gives `strPart(address)` and `account:<address>`). Deriving both from the
 * head, instead of taking a prefix and a partition from the caller, keeps a scan from naming a
 * partition its range is not inside: a range reaching other partitions would read keys that
 * another conflict group may write in the same block, which the parallel executor could not see.
 */
export interface ScanHead<H> {
  /** The raw key prefix (after the collection's own) of every key with this head. */
  encode(head: H): string;
  /** The partition that owns every key with this head. */
  partition(head: H): string;
}

export class CMap<K, V, H = never> {
  readonly prefix: string;
  private readonly labels: ReturnType<typeof gasLabels>;
  private readonly memo = new KeyMemo(MEMO_GENERATION);
  constructor(
    schema: Schema & { byte: string },
    prefix: number,
    readonly name: string,
    private readonly keyCodec: KeyCodec<K>,
    private readonly valueCodec: ValueCodec<V>,
    /** The partition that owns a key: the parallel executor's unit of conflict. */
    readonly partitionOf: (key: K) => string,
    /** How to scan the keys of one partition (iterate with a head); without it, only whole-collection scans outside txs. */
    private readonly scanHead?: ScanHead<H>,
  ) {
    this.prefix = schema.byte + schema.claim(prefix, name);
    this.labels = gasLabels(name);
  }

  /** Keys in the key memo (for tests). */
  get memoSize(): number {
    return this.memo.size;
  }

  /**
   * The store key and partition of `key`. Keys that are a string or a pair of strings (accounts,
   * balances, supplies) come from a memo: building them anew on every access cost two
   * concatenations, and every Map lookup with the fresh string hashed it again (measured: −8 %
   * CPU per sequential 10k-transfer FinalizeBlock, median of 28 blocks). So do bigint keys (pool
   * ids), whose big-endian bytes take eight bigint shifts to build.
   */
  private locate(key: K): Located {
    if (typeof key === 'string' || typeof key === 'bigint') {
      let hit = this.memo.one(key);
      if (hit === undefined) {
        hit = this.build(key); // first: a key the codec refuses leaves nothing behind
        this.memo.addOne(key, hit);
      }
      return hit;
    }
    if (Array.isArray(key) && key.length === 2 && typeof key[0] === 'string' && typeof key[1] === 'string') {
      let hit = this.memo.pair(key[0], key[1]);
      if (hit === undefined) {
        hit = this.build(key);
        this.memo.addPair(key[0], key[1], hit);
      }
      return hit;
    }
    return this.build(key);
  }

  private build(key: K): Located {
    return { raw: this.prefix + this.keyCodec.encode(key), partition: this.partitionOf(key) };
  }

  get(ctx: Context, key: K): V | undefined {
    const { raw: k, partition } = this.locate(key);
    ctx.access.touch(partition, false);
    const raw = ctx.kv.get(k);
    readGas(ctx, k, raw, this.labels.read);
    return raw === undefined ? undefined : this.valueCodec.decode(raw);
  }

  /** Like get (same access check and gas), without decoding the value. */
  has(ctx: Context, key: K): boolean {
    const { raw: k, partition } = this.locate(key);
    ctx.access.touch(partition, false);
    const raw = ctx.kv.get(k);
    readGas(ctx, k, raw, this.labels.read);
    return raw !== undefined;
  }

  set(ctx: Context, key: K, value: V): void {
    const { raw: k, partition } = this.locate(key);
    ctx.access.touch(partition, true);
    const raw = this.valueCodec.encode(value);
    ctx.gas.consume(GasCost.writeFlat + GasCost.writePerByte * (k.length + raw.length), this.labels.write);
    ctx.kv.set(k, raw);
  }

  delete(ctx: Context, key: K): void {
    const { raw: k, partition } = this.locate(key);
    ctx.access.touch(partition, true);
    ctx.gas.consume(GasCost.delete, this.labels.delete);
    ctx.kv.delete(k);
  }

  /**
   * Entries in key order: those under `head` (the collection's ScanHead gives the range and its
   * partition, checked like a read), or every entry when `head` is undefined, which only block
   * hooks and queries may do. Where the context enforces declarations (a tx on the parallel
   * executor), each entry's own partition is checked too, so that a ScanHead whose range strays
   * out of its partition shows as an AccessViolation (the block then re-runs sequentially).
   */
  *iterate(ctx: Context, head?: H): Generator<[K, V]> {
    for (const [, key, raw] of this.entries(ctx, head)) yield [key, this.valueCodec.decode(raw)];
  }

  /**
   * One page (a Cosmos PageRequest) of the entries under `head`, or of every entry without (queries
   * only): read from the page's start, only the page's values decoded (paginateScan). Each item is
   * the entry's key as stored after the head's range (a binary string: what the page's keys name)
   * and its value.
   */
  page(ctx: Context, req: PageRequest | undefined, head?: H): { items: [string, V][]; pagination: PageResponse } {
    return paginateScan(this.pageSource(ctx, head), (rel, raw): [string, V] => [rel, this.valueCodec.decode(raw)], req);
  }

  /**
   * In a query (committed state alone), SQLite reads a reverse page backwards (the page's rows),
   * and skips an offset and counts the range in its B-tree (about 40 ms a million entries here),
   * where walking them in JS held the node's main thread for up to a second on a list of 100,000
   * (pools, LP denoms: anyone can grow those). Only in a query: the two paths charge different
   * gas (the walk pays for every entry it passes), which a tx or block hook must never depend on.
   */
  private pageSource(ctx: Context, head: H | undefined): PageSource {
    const ranges = ctx.mode === 'query' && ctx.access.declared === undefined ? ctx.kv.ranges?.() : undefined;
    if (!ranges) return walkingSource((from) => this.undecoded(ctx, head, from));
    const range = this.rangeOf(ctx, head);
    const labels = this.labels;
    return {
      *scan(o) {
        for (const [k, v] of ranges.scanRange(range, { ...o, from: o.from === undefined ? undefined : range + o.from })) {
          ctx.gas.consume(GasCost.iterNextFlat + GasCost.readPerByte * (k.length + v.length), labels.iter);
          yield [k.slice(range.length), v];
        }
      },
      count: () => ranges.countRange(range),
    };
  }

  private *undecoded(ctx: Context, head: H | undefined, from: string | undefined): Generator<[string, Value]> {
    for (const [rel, , raw] of this.entries(ctx, head, from)) yield [rel, raw];
  }

  /** The raw key range under `head` (every entry without), its partition touched as a read. */
  private rangeOf(ctx: Context, head: H | undefined): string {
    let rawKeyPrefix = '';
    if (head !== undefined) {
      if (!this.scanHead) throw new Error(`${this.name}: no scans by partition (the collection has no ScanHead)`);
      rawKeyPrefix = this.scanHead.encode(head);
      ctx.access.touch(this.scanHead.partition(head), false);
    } else if (ctx.access.txPhase) {
      throw new Error(`${this.name}: whole-collection scan inside a tx`);
    }
    return this.prefix + rawKeyPrefix;
  }

  private *entries(ctx: Context, head: H | undefined, from?: string): Generator<[string, K, Value]> {
    const range = this.rangeOf(ctx, head);
    const checkEach = ctx.access.declared !== undefined;
    for (const [k, v] of ctx.kv.iterate(range, from === undefined ? undefined : range + from)) {
      ctx.gas.consume(GasCost.iterNextFlat + GasCost.readPerByte * (k.length + v.length), this.labels.iter);
      const key = this.keyCodec.decode(k.slice(this.prefix.length));
      if (checkEach) ctx.access.touch(this.partitionOf(key), false);
      yield [k.slice(range.length), key, v];
    }
  }
}

// ---- codecs ----------------------------------------------------------------------------------

/** A length-prefixed ASCII string key component (addresses, denoms: at most 255 bytes). */
export function strPart(s: string): string {
  if (s.length > 255) throw new Error(`key component longer than 255 bytes: ${s.slice(0, 40)}...`);
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7e) throw new Error(`key component is not ASCII: ${JSON.stringify(s)}`);
  }
  return String.fromCharCode(s.length) + s;
}

function readStrPart(raw: string, at: number): [string, number] {
  const len = raw.charCodeAt(at);
  return [raw.slice(at + 1, at + 1 + len), at + 1 + len];
}

export const StringKey: KeyCodec<string> = {
  encode: strPart,
  decode: (raw) => readStrPart(raw, 0)[0],
};

/**
 * A string that is the whole key after the collection's prefix, stored without StringKey's
 * length byte: key order is the strings' order (StringKey's puts shorter strings first), as the
 * Cosmos SDK keeps supplies by denom, so a page of them in denom order reads only that page. Only
 * for a collection keyed by one string (two such keys would not be prefix-free).
 */
export const WholeStringKey: KeyCodec<string> = {
  encode: (s) => strPart(s).slice(1),
  decode: (raw) => raw,
};

/**
 * (a, b): `a` length-prefixed, `b` raw and last, so a prefix scan over `a` yields `b` in
 * lexicographic order (balances of an address come out sorted by denom).
 */
export const PairKey: KeyCodec<readonly [string, string]> = {
  encode: ([a, b]) => strPart(a) + strPart(b).slice(1),
  decode: (raw) => {
    const [a, at] = readStrPart(raw, 0);
    return [a, raw.slice(at)] as const;
  },
};

/** Big-endian 8 bytes, so numeric order equals key order. */
export const U64Key: KeyCodec<bigint> = {
  encode: (n) => {
    if (n < 0n || n > 0xffffffffffffffffn) throw new Error(`u64 key out of range: ${n}`);
    let s = '';
    for (let i = 7; i >= 0; i--) s += String.fromCharCode(Number((n >> BigInt(i * 8)) & 0xffn));
    return s;
  },
  decode: (raw) => {
    let n = 0n;
    for (let i = 0; i < 8; i++) n = (n << 8n) | BigInt(raw.charCodeAt(i));
    return n;
  },
};

/** Digits that always fit a float64 exactly (Number.MAX_SAFE_INTEGER has 16). */
const SAFE_DIGITS = 15;

/**
 * Non-negative integers as decimal ASCII (Cosmos `Int` style): balances, supplies, counters. Hot:
 * a transfer reads and writes three balances. The stored form is the decimal string itself;
 * decoding anything but plain digits takes the `BigInt(string)` route.
 */
export const BigIntValue: ValueCodec<bigint> = {
  encode: (v) => v.toString(),
  decode: (raw) => {
    const n = raw.length;
    if (n > 0 && n <= SAFE_DIGITS) {
      let x = 0;
      let i = 0;
      for (; i < n; i++) {
        const d = raw.charCodeAt(i) - 48;
        if (d < 0 || d > 9) break;
        x = x * 10 + d;
      }
      if (i === n) return BigInt(x);
    }
    return BigInt(raw);
  },
};

const NON_ASCII = /[\u0080-\uffff]/;

/** A JS string's UTF-8 bytes as a Value: an ASCII string is its own UTF-8 (no conversion). */
function utf8ToBin(s: string): Value {
  return NON_ASCII.test(s) ? bytesToBin(Buffer.from(s, 'utf8')) : s;
}

/** The inverse of utf8ToBin (invalid UTF-8 decodes with U+FFFD, as Buffer's decoder does). */
function binToUtf8(raw: Value): string {
  return NON_ASCII.test(raw) ? binToBuffer(raw).toString('utf8') : raw;
}

export const StringValue: ValueCodec<string> = {
  encode: utf8ToBin,
  decode: binToUtf8,
};

/** JSON for small, rarely written records (params). Keys are written in a fixed order by the caller. */
export function jsonValue<V>(): ValueCodec<V> {
  return {
    encode: (v) => utf8ToBin(JSON.stringify(v)),
    decode: (raw) => JSON.parse(binToUtf8(raw)) as V,
  };
}

/** Encoded by a generated `encode`: straight out of our FlatWriter where it was one. */
function finishBin(w: { finish(): Uint8Array }): Value {
  return w instanceof FlatWriter ? w.finishBin() : bytesToBin(w.finish());
}

/** A protobuf message codec from a cosmjs-types message object. */
export function protoValue<V>(type: { encode(v: V): { finish(): Uint8Array }; decode(b: Uint8Array): V }): ValueCodec<V> {
  return { encode: (v) => finishBin(type.encode(v)), decode: (raw) => type.decode(binToBuffer(raw)) };
}

/**
 * protoValue for a cosmjs-types message: decodes in place (viewReader) from the value's bytes
 * instead of through a reader that copies them again.
 */
export function cosmjsValue<V>(type: { encode(v: V): { finish(): Uint8Array }; decode(b: BinaryReader): V }): ValueCodec<V> {
  return { encode: (v) => finishBin(type.encode(v)), decode: (raw) => type.decode(viewReader(binToBuffer(raw))) };
}

/**
 * Freezes `v` and every object and array inside it. Only plain data can be frozen all the way
 * down: typed arrays (bytes fields), Maps and Sets would stay writable while shared, so they throw.
 */
export function deepFreeze<V>(v: V): V {
  if (typeof v !== 'object' || v === null) return v;
  if (ArrayBuffer.isView(v) || v instanceof Map || v instanceof Set) {
    throw new Error(`deepFreeze: a ${v.constructor.name} cannot be frozen; only plain objects, arrays and primitives can be shared`);
  }
  for (const inner of Object.values(v)) deepFreeze(inner);
  return Object.isFrozen(v) ? v : Object.freeze(v);
}

/**
 * `codec`, remembering the values it decoded by their stored form (the last `max` of them, in
 * each thread): for records that a block reads again and again and that cost something to
 * decode, such as a pool (read twice by every swap hop) and the module params (read twice by
 * every swap). Keyed by the stored bytes themselves, so a value remembered is always what
 * decoding those bytes gives, whatever this thread ran before: the cache cannot make two nodes
 * differ. That holds because values come back deep-frozen and shared, and so CONTRACT: `codec`
 * decodes to plain objects, arrays and primitives (no bytes fields, Maps or Sets: deepFreeze
 * throws on them, so a codec that breaks this fails on its first read). A caller that wants to
 * change a value copies it (a write to a frozen object throws: all module code is strict mode).
 */
export function memoValue<V>(codec: ValueCodec<V>, max: number, what: string): ValueCodec<V> {
  const memo = new FifoMap<Value, V>(max, what);
  return {
    encode: (v) => codec.encode(v),
    decode: (raw) => {
      let v = memo.get(raw);
      if (v === undefined) {
        v = deepFreeze(codec.decode(raw));
        memo.set(raw, v);
      }
      return v;
    },
  };
}
