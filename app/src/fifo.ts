// A Map bounded to `max` entries that drops its oldest entry first: the verified-signature cache
// and the decoded-tx caches.
//
// Not a plain Map evicting `map.keys().next()`: V8 leaves a deleted entry as a hole in the Map's
// table until the table is rebuilt, and an iterator steps over holes one by one, so once such a
// Map is full each eviction walks past the holes the evictions before it left at the front.
// Measured here with SigVerifier's 200,000 keys (Node 20 and 24): 2.5–2.9 µs per insert while
// filling, then 12–110 µs (a sawtooth, ~65 on average) once full, for ever after. Here the order
// lives in a queue beside the Map; an eviction pops the queue's front, passing over entries
// deleted or replaced since they were queued. Each entry is queued once and popped or compacted
// away once: O(1) per operation, amortized.

interface Entry<K, V> {
  readonly key: K;
  readonly value: V;
}

/** Below this many dead slots the queue is not compacted (slicing it would cost more than it frees). */
const COMPACT_MIN_SLOTS = 1024;

export class FifoMap<K, V> {
  private readonly map = new Map<K, Entry<K, V>>();
  /** Every live entry once, oldest first, from `head` on; also entries deleted or replaced since. */
  private queue: (Entry<K, V> | undefined)[] = [];
  private head = 0;

  constructor(readonly max: number, what = 'FIFO map') {
    if (!Number.isSafeInteger(max) || max < 1) throw new Error(`${what}: expected a positive size, got ${max}`);
  }

  get size(): number {
    return this.map.size;
  }

  /** Queue slots in use, live or not (for tests: at most 2 × max + COMPACT_MIN_SLOTS). */
  get queued(): number {
    return this.queue.length - this.head;
  }

  get(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Sets `key` as the newest entry (replacing any entry it had), evicting the oldest past `max`. */
  set(key: K, value: V): void {
    const entry: Entry<K, V> = { key, value };
    this.map.delete(key);
    if (this.map.size >= this.max) this.evictOldest(); // size never exceeds max: one makes room
    this.map.set(key, entry);
    this.queue.push(entry);
    // Entries deleted without an eviction leave dead slots behind: drop them before they
    // outnumber the live ones.
    if (this.queued > 2 * this.max + COMPACT_MIN_SLOTS) {
      this.queue = this.queue.slice(this.head).filter((e) => e !== undefined && this.map.get(e.key) === e);
      this.head = 0;
    }
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.queue = [];
    this.head = 0;
  }

  private evictOldest(): void {
    // The map is not empty and each live entry is queued: a live one comes before the end.
    for (;;) {
      const e = this.queue[this.head];
      this.queue[this.head++] = undefined;
      if (e !== undefined && this.map.get(e.key) === e) {
        this.map.delete(e.key);
        break;
      }
    }
    if (this.head >= COMPACT_MIN_SLOTS && 2 * this.head >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
