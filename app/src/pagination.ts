// Cosmos PageRequest over a list in ascending key order: key (resume at the first item at or
// after it, before it with reverse: a position in the store, as in the Cosmos SDK, so a page
// still follows when the item whose key it was has gone since), or offset; limit (default 100,
// at most 1000); count_total; reverse. next_key is the next item's key.
//
// Two forms: `paginate` over a list already in memory, and `paginateScan` over a store range,
// which reads from the page's start and decodes only the page's items, so that a page of 100 of
// 5,000 pools costs its 100 (a list of every pool, decoded for each page, took 36-75 ms of the
// node's main thread per page, measured here).
import type { PageRequest, PageResponse } from 'cosmjs-types/cosmos/base/query/v1beta1/pagination';
import { ErrInvalidRequest } from './errors.ts';
import { bytesToBin } from './store/kv.ts';

export const DEFAULT_PAGE_LIMIT = 100n;
export const MAX_PAGE_LIMIT = 1000n;

/** The page's limit, after refusing what no page may ask. */
function pageLimit(page: PageRequest | undefined): bigint {
  const limit = page?.limit && page.limit > 0n ? page.limit : DEFAULT_PAGE_LIMIT;
  if (limit > MAX_PAGE_LIMIT) throw ErrInvalidRequest.wrap(`pagination limit ${limit} exceeds ${MAX_PAGE_LIMIT}`);
  if (page?.key?.length && page.offset > 0n) throw ErrInvalidRequest.wrap('pagination: use either key or offset, not both');
  return limit;
}

export function paginate<T>(items: readonly T[], keyOf: (t: T) => Uint8Array, page: PageRequest | undefined): { items: T[]; pagination: PageResponse } {
  const limit = pageLimit(page);
  const list = page?.reverse ? [...items].reverse() : items;
  let start = 0;
  if (page?.key?.length) {
    const want = Buffer.from(page.key);
    const reverse = page.reverse;
    start = list.findIndex((t) => {
      const c = Buffer.compare(Buffer.from(keyOf(t)), want);
      return reverse ? c <= 0 : c >= 0;
    });
    if (start < 0) start = list.length;
  } else if (page && page.offset > 0n) {
    start = Number(page.offset > BigInt(list.length) ? BigInt(list.length) : page.offset);
  }
  const end = Math.min(list.length, start + Number(limit));
  const next = list[end];
  return {
    items: list.slice(start, end),
    pagination: { nextKey: next === undefined ? new Uint8Array() : keyOf(next), total: page?.countTotal ? BigInt(list.length) : 0n },
  };
}

/**
 * A store range for paginateScan, each entry as its key within the range (a binary string: the
 * bytes a page's key names) and its stored value: `scan` yields them in ascending key order from
 * the first at or after `from`, or with `down` in descending order from the last at or before
 * `from` (every entry without `from`), having passed over the first `skip`; `count` is how many
 * the range holds.
 */
export interface PageSource {
  scan(o: { from?: string | undefined; down: boolean; skip: bigint }): Iterable<readonly [key: string, raw: string]>;
  count(): bigint;
}

/**
 * A PageSource over an ascending scan alone: skipping, going down and counting walk the range in
 * JS (for stores that cannot do those where the entries are: pending writes, tests).
 */
export function walkingSource(ascending: (from?: string) => Iterable<readonly [string, string]>): PageSource {
  return {
    *scan({ from, down, skip }) {
      let entries: Iterable<readonly [string, string]> = ascending(down ? undefined : from);
      if (down) {
        const all = [...entries].reverse();
        const at = from === undefined ? 0 : all.findIndex((e) => e[0] <= from);
        entries = at < 0 ? [] : all.slice(at);
      }
      let left = skip;
      for (const e of entries) {
        if (left > 0n) left--;
        else yield e;
      }
    },
    count() {
      let n = 0n;
      for (const _ of ascending()) n++;
      return n;
    },
  };
}

/**
 * paginate over a store range, with the same answers: reads entries from the page's start and
 * decodes only the page's items. How much an offset, reverse or count_total costs is the
 * source's: on committed state (a query's) SQLite skips, goes down and counts (CMap.page).
 */
export function paginateScan<T>(src: PageSource, decode: (key: string, raw: string) => T, page: PageRequest | undefined): { items: T[]; pagination: PageResponse } {
  const limit = pageLimit(page);
  const from = page?.key?.length ? bytesToBin(page.key) : undefined;
  const it = src.scan({ from, down: page?.reverse ?? false, skip: from === undefined ? (page?.offset ?? 0n) : 0n })[Symbol.iterator]();
  const items: T[] = [];
  let e = it.next();
  for (; !e.done && BigInt(items.length) < limit; e = it.next()) items.push(decode(e.value[0], e.value[1]));
  const total = page?.countTotal ? src.count() : 0n;
  return { items, pagination: { nextKey: e.done ? new Uint8Array() : Buffer.from(e.value[0], 'latin1'), total } };
}
