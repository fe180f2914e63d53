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

/**
 * Groups of tx indices (each ascending), ordered by their first index. `access[i]` is tx i's
 * declared partitions, or null for a tx that touches no state (it failed to decode).
 */
export function conflictGroups(access: readonly (readonly string[] | null)[]): number[][] {
  const n = access.length;
  const uf = new UnionFind(n);
  const owner = new Map<string, number>();
  let global = -1;
  for (let i = 0; i < n; i++) {
    const parts = access[i];
    if (!parts) continue;
    for (const p of parts) {
      if (p === GLOBAL_PARTITION) {
        if (global < 0) global = i;
        else uf.union(global, i);
        continue;
      }
      const o = owner.get(p);
      if (o === undefined) owner.set(p, i);
      else uf.union(o, i);
    }
  }
  if (global >= 0) for (let i = 0; i < n; i++) if (access[i]) uf.union(global, i);
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
 * Longest-processing-time packing of groups onto `bins` workers. A group costs its tx count
 * divided by the speed of the bin it goes to (`speeds[b]`, relative, default all 1); each
 * group goes where it would finish first. Returns, per bin, its tx indices in ascending order.
 * CONTRACT: the groups partition 0..n-1 (as conflictGroups returns them).
 * Ties go to the lower bin. Which bin runs a tx never changes its result (groups share no
 * state), so speeds may come from measurements.
 */
export function packGroups(groups: readonly number[][], bins: number, speeds?: readonly number[]): number[][] {
  // Largest first; equal sizes keep their order (a stable sort by size, as counting buckets).
  let maxSize = 0;
  for (const g of groups) if (g.length > maxSize) maxSize = g.length;
  const bySize: number[][] = Array.from({ length: maxSize + 1 }, () => []);
  for (let gi = 0; gi < groups.length; gi++) (bySize[(groups[gi] as number[]).length] as number[]).push(gi);
  const load = new Array<number>(bins).fill(0);
  const speed = Array.from({ length: bins }, (_, b) => {
    const s = speeds?.[b] ?? 1;
    return Number.isFinite(s) && s > 0 ? s : 1;
  });
  let txs = 0;
  for (const g of groups) txs += g.length;
  const binOf = new Int32Array(txs);
  const counts = new Array<number>(bins).fill(0);
  for (let size = maxSize; size >= 0; size--) {
    for (const gi of bySize[size] as number[]) {
      const g = groups[gi] as number[];
      let best = 0;
      let bestEnd = ((load[0] as number) + g.length) / (speed[0] as number);
      for (let b = 1; b < bins; b++) {
        const end = ((load[b] as number) + g.length) / (speed[b] as number);
        if (end < bestEnd) {
          best = b;
          bestEnd = end;
        }
      }
      for (const i of g) binOf[i] = best;
      load[best] = (load[best] as number) + g.length;
      counts[best] = (counts[best] as number) + g.length;
    }
  }
  // Tx indices are 0..txs-1 across the groups: one pass in index order fills every bin ascending.
  const out: number[][] = counts.map((c) => new Array<number>(c));
  const filled = new Array<number>(bins).fill(0);
  for (let i = 0; i < txs; i++) {
    const b = binOf[i] as number;
    (out[b] as number[])[filled[b] as number] = i;
    filled[b] = (filled[b] as number) + 1;
  }
  return out;
}

/**
 * Milliseconds of wall clock, for scheduling only: how many txs each bin gets, which never
 * changes a result (see packGroups). Nothing derived from it may reach state or results.
 */
// eslint-disable-next-line no-restricted-properties -- scheduling input, never consensus state
export const schedulingClockMs = (): number => performance.now();
