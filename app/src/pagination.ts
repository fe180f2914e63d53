// Cosmos PageRequest over a list in ascending key order: key (resume at the first item at or
// after it, before it with reverse: a position in the store, as in the Cosmos SDK, so a page
// still follows when the item whose key it was has gone since), or offset; limit (default 100,
// at most 1000); count_total; reverse. next_key is the next item's key.
import type { PageRequest, PageResponse } from 'cosmjs-types/cosmos/base/query/v1beta1/pagination';
import { ErrInvalidRequest } from './errors.ts';

export const DEFAULT_PAGE_LIMIT = 100n;
export const MAX_PAGE_LIMIT = 1000n;

export function paginate<T>(items: readonly T[], keyOf: (t: T) => Uint8Array, page: PageRequest | undefined): { items: T[]; pagination: PageResponse } {
  const list = page?.reverse ? [...items].reverse() : items;
  const limit = page?.limit && page.limit > 0n ? page.limit : DEFAULT_PAGE_LIMIT;
  if (limit > MAX_PAGE_LIMIT) throw ErrInvalidRequest.wrap(`pagination limit ${limit} exceeds ${MAX_PAGE_LIMIT}`);
  if (page?.key?.length && page.offset > 0n) throw ErrInvalidRequest.wrap('pagination: use either key or offset, not both');
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
