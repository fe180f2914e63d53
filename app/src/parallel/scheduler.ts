// Conflict groups by union-find over declared partitions, then groups packed onto workers.
//
// Txs that share a partition (transitively) form one group and run in block order on one
// worker; different groups share no partition, so running them concurrently gives exactly the
// sequential result. A tx declaring GLOBAL_PARTITION conflicts with every other tx.

export const GLOBAL_PARTITION = '*';

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(x: number): number {
    let r = x;
    while (this.parent[r] !== r) r = this.parent[r] as number;
    while (this.parent[x] !== r) {
      const next = this.parent[x] as number;
      this.parent[x] = r;
      x = next;
    }
    return r;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    // The smaller index becomes the root, so group identity is deterministic.
    if (ra < rb) this.parent[rb] = ra;
    else if (rb < ra) this.parent[ra] = rb;
  }
}

/** GLOBAL_PARTITION's scheduling key (partitionKey gives every other partition 0..2^32-1). */
export const GLOBAL_KEY = -1;

/**
 * A partition's scheduling key: FNV-1a over its UTF-16 code units, 32 bits. Computed where a tx
 * is decoded (for CheckTx's txs, on the worker that checked them), so planning a block compares
 * integers instead of hashing some 20,000 fresh strings into a Map. Two partitions may share a
 * key; that only puts their txs in one group (less parallelism, the same results), at odds of
 * about (partitions in the block)^2 / 2^33, some 5 % of 10,000-transfer blocks merging two txs.
 */
export function partitionKey(partition: string): number {
  if (partition === GLOBAL_PARTITION) return GLOBAL_KEY;
  let h = 0x811c9dc5;
  for (let i = 0; i < partition.length; i++) h = Math.imul(h ^ partition.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Groups of tx indices (each ascending), ordered by their first index. `keys[i]` is tx i's
 * declared partitions as partitionKeys, or null for a tx that touches no state (it failed to
 * decode).
 */
export function conflictGroups(keys: readonly (readonly number[] | null)[]): number[][] {
  const n = keys.length;
  const uf = new UnionFind(n);
  // Open addressing, linear probing, at most half full: slot -> key and the first tx with it.
  let total = 0;
  for (const k of keys) if (k) total += k.length;
  let bits = 4;
  while (1 << bits < 2 * total) bits++;
  const mask = (1 << bits) - 1;
  const slotKey = new Uint32Array(1 << bits);
  const slotOwner = new Int32Array(1 << bits).fill(-1);
  let global = -1;
  for (let i = 0; i < n; i++) {
    const parts = keys[i];
    if (!parts) continue;
    for (const key of parts) {
      if (key === GLOBAL_KEY) {
        if (global < 0) global = i;
        else uf.union(global, i);
        continue;
      }
      let slot = Math.imul(key, 0x9e3779b1) >>> (32 - bits);
      for (;;) {
        const o = slotOwner[slot] as number;
        if (o < 0) {
          slotKey[slot] = key;
          slotOwner[slot] = i;
          break;
        }
        if (slotKey[slot] === key) {
          uf.union(o, i);
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
  }
  if (global >= 0) for (let i = 0; i < n; i++) if (keys[i]) uf.union(global, i);
  // Roots are the smallest index of their group, so visiting txs in order opens groups in
  // order of their first tx and fills each in ascending order.
  const groupOfRoot = new Int32Array(n).fill(-1);
  const groups: number[][] = [];
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    let g = groupOfRoot[r] as number;
    if (g < 0) {
      g = groups.length;
      groupOfRoot[r] = g;
      groups.push([]);
    }
    (groups[g] as number[]).push(i);
  }
  return groups;
}

/**
 * Work units for dynamic scheduling: whole groups, largest first (so a long group starts
 * early and small ones fill in at the end), concatenated until a chunk holds at least
 * `chunkTxs` txs. Each chunk lists its tx indices in ascending order, so running a chunk in
 * that order runs each of its groups in block order. Threads take chunks from a shared
 * counter until none are left; which thread runs a chunk never changes a result (groups share
 * no partition).
 */
export function chunkGroups(groups: readonly number[][], chunkTxs: number): number[][] {
  // Largest first; equal sizes keep their order (a stable sort by size, as counting buckets).
  let maxSize = 0;
  for (const g of groups) if (g.length > maxSize) maxSize = g.length;
  const bySize: number[][] = Array.from({ length: maxSize + 1 }, () => []);
  for (let gi = 0; gi < groups.length; gi++) (bySize[(groups[gi] as number[]).length] as number[]).push(gi);
  const chunks: number[][] = [];
  let current: number[] = [];
  for (let size = maxSize; size >= 1; size--) {
    for (const gi of bySize[size] as number[]) {
      for (const i of groups[gi] as number[]) current.push(i);
      if (current.length >= chunkTxs) {
        chunks.push(current.sort((a, b) => a - b));
        current = [];
      }
    }
  }
  if (current.length > 0) chunks.push(current.sort((a, b) => a - b));
  return chunks;
}
