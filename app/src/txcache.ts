// The txs CheckTx decoded, kept for the block that includes them (on the main thread and in each
// execution worker).
//
// A block's txs arrive as fresh bytes. Finding their decodes by tx hash meant hashing every tx of
// every block first (SHA-256, hex, then a lookup by a 64-character string: 8-12 ms per 10,000
// txs, against 4-6 ms this way; bench/PERFORMANCE.md, twelfth round). Here a tx is found by
// a fingerprint of its bytes (the length and the last four bytes, which for a signed tx are its
// signature's) and taken only if the cached bytes equal its bytes, byte for byte: equal bytes
// have the same hash, so the decode is the one hashing would have found. One entry per
// fingerprint: a tx whose fingerprint another cached tx took (by chance, or made to collide)
// replaces it, and the one replaced is decoded again if a block brings it.
import type { DecodedTx } from './tx.ts';
import { FifoMap } from './fifo.ts';

export interface CachedTx {
  tx: DecodedTx;
  /** encodedResultSize of the tx's result in CheckTx, where it ran there (for proposals). */
  resultBytes?: number | undefined;
}

/** A small integer of a byte string's length and last four bytes (30 bits: a V8 small integer). */
export function txFingerprint(bytes: Uint8Array): number {
  const n = bytes.length;
  let tail = 0;
  for (let i = Math.max(0, n - 4); i < n; i++) tail = (tail << 8) | (bytes[i] as number);
  return ((tail & 0x3fffffff) ^ n) & 0x3fffffff;
}

/**
 * How many decoded txs a cache keeps by default, on the main thread and in each worker: twice
 * what the mempool holds (config.ts), about 2 KB each.
 */
export const DECODED_CACHE_TXS = 20_000;

/** Decoded txs by fingerprint, at most `max` of them (the oldest go first). */
export class DecodedTxCache {
  private readonly byPrint: FifoMap<number, CachedTx>;

  constructor(max = DECODED_CACHE_TXS) {
    this.byPrint = new FifoMap(max, 'decoded-tx cache');
  }

  get size(): number {
    return this.byPrint.size;
  }

  /** Caches the entry in place of any with its fingerprint (as the newest). */
  set(entry: CachedTx): void {
    this.byPrint.set(txFingerprint(entry.tx.bytes), entry);
  }

  /** The entry of the tx with exactly these bytes, if cached. */
  get(bytes: Uint8Array): CachedTx | undefined {
    const e = this.byPrint.get(txFingerprint(bytes));
    return e !== undefined && Buffer.compare(e.tx.bytes, bytes) === 0 ? e : undefined;
  }

  /** `get`, and the cache forgets the entry. */
  take(bytes: Uint8Array): CachedTx | undefined {
    const print = txFingerprint(bytes);
    const e = this.byPrint.get(print);
    if (e === undefined || Buffer.compare(e.tx.bytes, bytes) !== 0) return undefined;
    this.byPrint.delete(print);
    return e;
  }

  clear(): void {
    this.byPrint.clear();
  }
}
