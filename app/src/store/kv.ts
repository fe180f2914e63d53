// Key-value layers. Keys and values are binary strings (one char per byte, 0..255), so JS
// string order equals byte order and Map lookups need no conversion.
// Layers: CommittedStore (SQLite + cache) <- Overlay (block) <- Overlay (tx) ...
//
// Values are strings rather than Uint8Arrays because a block's writes live until Commit, and
// young-generation GCs during the block copy what is alive: a 10-byte value takes ~220 bytes of
// heap as a Uint8Array and ~40 as a string (Node 20, measured here), and a 10k-transfer block
// writes ~30k values. The bytes stored, hashed and sent are the same either way.

export type Key = string;
/**
 * A stored value: a binary string, one char per byte (see bytesToBin and binToBuffer).
 * CONTRACT: no char above 0xff; the value codecs (collections.ts) only produce such strings.
 */
export type Value = string;

export interface KVReader {
  get(key: Key): Value | undefined;
  /**
   * Entries whose key starts with `prefix`, in ascending key order; with `from`, only those
   * whose key is at least `from` (a page of a query starts there).
   */
  iterate(prefix: Key, from?: Key): Iterable<[Key, Value]>;
  /**
   * Range reads done where the entries are stored (SQLite), for a query's reverse, offset and
   * count_total; undefined where this layer's view is not the store's (pending writes over it).
   */
  ranges?(): RangeReads | undefined;
}

/** See KVReader.ranges and CommittedStore.scanRange. */
export interface RangeReads {
  scanRange(prefix: Key, o: { from?: Key | undefined; down?: boolean; skip?: bigint }): Iterable<[Key, Value]>;
  countRange(prefix: Key): bigint;
}

export interface KV extends KVReader {
  set(key: Key, value: Value): void;
  delete(key: Key): void;
}

/**
 * Pending writes over a parent: `null` marks a deletion.
 *
 * A journal makes a tx's writes revertible without a layer per tx: between `begin()` and
 * `end()` every write records the value it replaced, and `revertTo(mark)` undoes writes back
 * to a `mark()`.
 */
export class Overlay implements KV {
  readonly writes = new Map<Key, Value | null>();
  private journal: [Key, Value | null | undefined][] | null = null;

  constructor(private readonly parent: KVReader) {}

  get(key: Key): Value | undefined {
    const w = this.writes.get(key);
    if (w !== undefined) return w ?? undefined;
    return this.parent.get(key);
  }

  set(key: Key, value: Value): void {
    if (this.journal) this.journal.push([key, this.writes.get(key)]);
    this.writes.set(key, value);
  }

  delete(key: Key): void {
    if (this.journal) this.journal.push([key, this.writes.get(key)]);
    this.writes.set(key, null);
  }

  /** Starts journaling; returns the mark of the empty journal. CONTRACT: not already journaling. */
  begin(): number {
    if (this.journal) throw new Error('overlay journal already open');
    this.journal = [];
    return 0;
  }

  mark(): number {
    if (!this.journal) throw new Error('overlay journal not open');
    return this.journal.length;
  }

  /** Undoes every write made after `mark`. */
  revertTo(mark: number): void {
    const j = this.journal;
    if (!j) throw new Error('overlay journal not open');
    for (let i = j.length - 1; i >= mark; i--) {
      const [k, prev] = j[i] as [Key, Value | null | undefined];
      if (prev === undefined) this.writes.delete(k);
      else this.writes.set(k, prev);
    }
    j.length = mark;
  }

  /** Stops journaling, keeping every write. */
  end(): void {
    this.journal = null;
  }

  /** The parent's, while this layer has no writes (a query's). */
  ranges(): RangeReads | undefined {
    return this.writes.size === 0 ? this.parent.ranges?.() : undefined;
  }

  /** Entries as they stand when iteration starts (writes made while iterating are not seen). */
  *iterate(prefix: Key, from?: Key): Iterable<[Key, Value]> {
    const mine = sortKeys([...this.writes.keys()].filter((k) => k.startsWith(prefix) && (from === undefined || k >= from)));
    yield* overlaid(mine.map((k) => [k, this.writes.get(k) as Value | null]), this.parent.iterate(prefix, from));
  }

  /** Applies this layer's writes to `target` in insertion order (callers sort where order matters). */
  flushTo(target: KV): void {
    for (const [k, v] of this.writes) {
      if (v === null) target.delete(k);
      else target.set(k, v);
    }
  }

  /**
   * The writes sorted by key: the canonical change set of a block.
   *
   * `presorted` (the parallel executor): the keys this layer gained at insertion positions
   * [from, to) (Map order) all come from `runs`, each already ascending; a run may also hold keys
   * that were here before `from`. Only the keys outside the range are sorted here, then merged
   * with the runs. The result is the same as without the hint (a miscount throws).
   */
  sortedWrites(presorted?: PresortedKeys): [Key, Value | null][] {
    const { keys, values } = this.sortedRun(presorted);
    const out = new Array<[Key, Value | null]>(keys.length);
    for (let i = 0; i < keys.length; i++) out[i] = [keys[i] as Key, values[i] as Value | null];
    return out;
  }

  /** sortedWrites as a WriteRun: the keys and their values in two arrays. */
  sortedRun(presorted?: PresortedKeys): WriteRun {
    let keys: Key[];
    if (!presorted) {
      keys = sortKeys([...this.writes.keys()]);
    } else {
      const loose: Key[] = [];
      let i = 0;
      for (const k of this.writes.keys()) {
        if (i < presorted.from || i >= presorted.to) loose.push(k);
        i++;
      }
      keys = mergeSortedKeys([sortKeys(loose), ...presorted.runs]);
      if (keys.length !== this.writes.size) {
        throw new Error(`presorted change set covers ${keys.length} keys, the layer holds ${this.writes.size}`);
      }
    }
    const values = new Array<Value | null>(keys.length);
    for (let i = 0; i < keys.length; i++) values[i] = this.writes.get(keys[i] as Key) as Value | null;
    return { keys, values };
  }

  /** Drops every write and takes `writes` instead, in their order (journal must be closed). */
  replaceWrites(writes: Iterable<[Key, Value | null]>): void {
    if (this.journal) throw new Error('overlay journal open');
    this.writes.clear();
    for (const [k, v] of writes) this.writes.set(k, v);
  }
}

/**
 * Writes in ascending key order, each key once, `values[i]` for `keys[i]` (`null`: deleted).
 * The parallel executor gets one per worker: a thread's share of a block's writes.
 */
export interface WriteRun {
  readonly keys: readonly Key[];
  readonly values: readonly (Value | null)[];
}

/** The first index in ascending `keys` whose key is >= `key` (keys.length if none). */
function lowerBound(keys: readonly Key[], key: Key): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as Key) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Read-only runs of writes over a parent: a key in a run reads as the run has it (a deletion
 * hides the parent's value), any other key as the parent has it.
 * CONTRACT: the runs hold disjoint keys (workers share no partition, so no key). Were a key in
 * two, the last run's value would be read, as mergeWriteRuns commits it (runs oldest first).
 *
 * The parallel executor's end-block reads the workers' writes through this instead of copying
 * them into the block layer's Map (6–11 ms of Map inserts per 10k-transfer block, one thread).
 */
export class RunsLayer implements KVReader {
  constructor(private readonly parent: KVReader, private readonly runs: readonly WriteRun[]) {}

  get(key: Key): Value | undefined {
    for (let r = this.runs.length - 1; r >= 0; r--) {
      const run = this.runs[r] as WriteRun;
      const i = lowerBound(run.keys, key);
      if (i < run.keys.length && run.keys[i] === key) return run.values[i] ?? undefined;
    }
    return this.parent.get(key);
  }

  *iterate(prefix: Key, from?: Key): Iterable<[Key, Value]> {
    const mine: [Key, Value | null][] = [];
    const start = from !== undefined && from > prefix ? from : prefix;
    for (const run of this.runs) {
      for (let i = lowerBound(run.keys, start); i < run.keys.length && (run.keys[i] as Key).startsWith(prefix); i++) {
        mine.push([run.keys[i] as Key, run.values[i] as Value | null]);
      }
    }
    // Stable: a key in two runs (see the CONTRACT) keeps run order, and the last one stays.
    mine.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const last = mine.filter((e, i) => mine[i + 1]?.[0] !== e[0]);
    yield* overlaid(last, this.parent.iterate(prefix, from));
  }
}

/**
 * `upper` (ascending keys, `null`: deleted) laid over `lower` (ascending): every key of either in
 * order, `upper`'s entry winning, deleted keys left out.
 */
function* overlaid(upper: readonly [Key, Value | null][], lower: Iterable<[Key, Value]>): Generator<[Key, Value]> {
  const base = lower[Symbol.iterator]();
  let b = base.next();
  let i = 0;
  while (i < upper.length || !b.done) {
    const m = upper[i];
    if (m !== undefined && (b.done || m[0] <= b.value[0])) {
      if (!b.done && m[0] === b.value[0]) b = base.next();
      i++;
      if (m[1] !== null) yield m as [Key, Value];
    } else if (!b.done) {
      yield b.value;
      b = base.next();
    }
  }
}

/**
 * Merges runs into one change set sorted by key; a key in several runs takes its value from the
 * last of them (list the runs oldest first).
 */
export function mergeWriteRuns(runs: readonly WriteRun[]): [Key, Value | null][] {
  const live = runs.filter((r) => r.keys.length > 0);
  const pos = new Array<number>(live.length).fill(0);
  let total = 0;
  for (const r of live) total += r.keys.length;
  const out = new Array<[Key, Value | null]>(total);
  let n = 0;
  for (;;) {
    let min: Key | undefined;
    for (let r = 0; r < live.length; r++) {
      const k = (live[r] as WriteRun).keys[pos[r] as number];
      if (k !== undefined && (min === undefined || k < min)) min = k;
    }
    if (min === undefined) break;
    let value: Value | null = null;
    for (let r = 0; r < live.length; r++) {
      const run = live[r] as WriteRun;
      const p = pos[r] as number;
      if (run.keys[p] === min) {
        value = run.values[p] as Value | null;
        pos[r] = p + 1;
      }
    }
    out[n++] = [min, value];
  }
  out.length = n;
  return out;
}

/** See Overlay.sortedWrites. */
export interface PresortedKeys {
  from: number;
  to: number;
  runs: readonly (readonly Key[])[];
}

/** Below this many keys sortKeys uses the default sort; ranges this small get an insertion sort. */
const RADIX_MIN_KEYS = 128;
const RADIX_SMALL_RANGE = 24;

/**
 * Sorts keys in UTF-16 code unit order, as `<` compares them, in place: for binary strings (one
 * char per byte) that is byte order. A block's keys share long prefixes (module and collection
 * bytes, length, "lanes1") and are random after them, so a comparison sort spends most of its
 * time re-reading the same prefix; a most-significant-char radix sort skips a shared char once
 * per range, buckets by the first differing one, and leaves ranges of a few keys to an
 * insertion sort. Timed inside 10k-transfer blocks (40k keys): 8–15 ms, against 16–26 ms for
 * Array.sort.
 */
export function sortKeys(keys: Key[]): Key[] {
  if (keys.length < RADIX_MIN_KEYS) return keys.sort();
  radixRange(keys, new Array<Key>(keys.length), [], 0, keys.length, 0);
  return keys;
}

/** Code unit `d` of `s`, or -1 past its end (a key sorts before its extensions). */
function charAt(s: Key, d: number): number {
  return d < s.length ? s.charCodeAt(d) : -1;
}

function insertionSort(a: Key[], lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const k = a[i] as Key;
    let j = i - 1;
    while (j >= lo && (a[j] as Key) > k) {
      a[j + 1] = a[j] as Key;
      j--;
    }
    a[j + 1] = k;
  }
}

/**
 * Sorts a[lo, hi), whose keys agree on their first `d` code units. `counts[level]`: the bucket
 * counters of recursion depth `level`, kept for the ranges after it.
 */
function radixRange(a: Key[], aux: Key[], counts: Int32Array[], lo: number, hi: number, d: number, level = 0): void {
  for (;;) {
    if (hi - lo <= RADIX_SMALL_RANGE) {
      insertionSort(a, lo, hi);
      return;
    }
    // Skip depths at which every key has the same code unit.
    const c0 = charAt(a[lo] as Key, d);
    let i = lo + 1;
    while (i < hi && charAt(a[i] as Key, d) === c0) i++;
    if (i < hi) break;
    if (c0 < 0) return; // every key ends here: all equal
    d++;
  }
  // Buckets: -1 (key ended) and 0..255 at index c + 1; counted at c + 2 so that the prefix
  // sums leave each bucket's start at c + 1.
  const count = counts[level] ??= new Int32Array(258);
  count.fill(0);
  for (let i = lo; i < hi; i++) {
    const c = charAt(a[i] as Key, d);
    if (c > 0xff) {
      // Not a binary string: leave this range to the comparison sort.
      const sorted = a.slice(lo, hi).sort();
      for (let j = lo; j < hi; j++) a[j] = sorted[j - lo] as Key;
      return;
    }
    (count[c + 2] as number)++;
  }
  for (let b = 1; b < 258; b++) count[b] = (count[b] as number) + (count[b - 1] as number);
  for (let i = lo; i < hi; i++) {
    const k = a[i] as Key;
    aux[(count[charAt(k, d) + 1] as number)++] = k;
  }
  for (let i = lo; i < hi; i++) a[i] = aux[i - lo] as Key;
  // count[c + 1] is now the end of bucket c; bucket -1 (keys that ended, all equal) needs no sort.
  let start = count[0] as number;
  for (let b = 1; b < 257; b++) {
    const end = count[b] as number;
    if (end - start > 1) radixRange(a, aux, counts, lo + start, lo + end, d + 1, level + 1);
    start = end;
  }
}

/** Merges ascending key lists into one ascending list without duplicates. */
export function mergeSortedKeys(runs: readonly (readonly Key[])[]): Key[] {
  let acc: readonly Key[] = [];
  for (const run of runs) {
    if (run.length === 0) continue;
    const out: Key[] = new Array<Key>(acc.length + run.length);
    let i = 0;
    let j = 0;
    let n = 0;
    let last: Key | undefined;
    while (i < acc.length || j < run.length) {
      let k: Key;
      if (j >= run.length || (i < acc.length && (acc[i] as Key) <= (run[j] as Key))) k = acc[i++] as Key;
      else k = run[j++] as Key;
      if (k !== last) out[n++] = last = k;
    }
    out.length = n;
    acc = out;
  }
  return acc as Key[];
}

/** An empty read-only store, for tests and genesis validation. */
export const emptyKV: KVReader = {
  get: () => undefined,
  iterate: () => [],
};

/** A plain in-memory KV, for tests and benchmarks. */
export class MemKV implements KV {
  readonly data = new Map<Key, Value>();
  get(key: Key): Value | undefined {
    return this.data.get(key);
  }
  set(key: Key, value: Value): void {
    this.data.set(key, value);
  }
  delete(key: Key): void {
    this.data.delete(key);
  }
  *iterate(prefix: Key, from?: Key): Iterable<[Key, Value]> {
    const keys = [...this.data.keys()].filter((k) => k.startsWith(prefix) && (from === undefined || k >= from)).sort();
    for (const k of keys) yield [k, this.data.get(k) as Value];
  }
}

/** A binary string (key or value) as a Buffer of its bytes (fresh or from Node's shared pool). */
export function binToBuffer(bin: string): Buffer {
  return Buffer.from(bin, 'latin1');
}

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;
/**
 * Up to this many bytes String.fromCharCode beats Node's latin1 converter, whose native call
 * costs ~60 ns (one-off measurement here: 10 bytes 42 against 61 ns; 100 bytes 291 against 63).
 */
const SHORT_BIN = 16;

/** Bytes (`start` to `end`) as a binary string, one char per byte. */
export function bytesToBin(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (end - start <= SHORT_BIN) return String.fromCharCode.apply(null, (start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end)) as unknown as number[]);
  return latin1Slice.call(bytes, start, end);
}

/** The smallest key greater than every key with this prefix, or undefined if none exists. */
export function prefixEnd(prefix: Key): Key | undefined {
  let p = prefix;
  while (p.length > 0) {
    const last = p.charCodeAt(p.length - 1);
    if (last < 0xff) return p.slice(0, -1) + String.fromCharCode(last + 1);
    p = p.slice(0, -1);
  }
  return undefined;
}
