// App hash: a hash chain over each block's canonical change set,
//   H_n = sha256("lanes/apphash/v1" || H_{n-1} || sha256(sorted writes of block n)),
// where the writes are framed as in parallel/pack.ts: per write u32le(len key) || key ||
// (u32le(len value) || value, or u32le(0xffffffff) for a deletion).
// Two validators agree on H_n iff they agree on every state change so far, so any differing
// byte of state shows up in the next hash. (A commitment over the whole state with proofs is
// later work; see ARCHITECTURE.md, "State".)
import { createHash } from 'node:crypto';
import type { Key, Value } from './store/kv.ts';
import { packWrites } from './parallel/pack.ts';
import { sha256 } from './sha256.ts';

const DOMAIN = Buffer.from('lanes/apphash/v1');

/** sha256 over the writes framed as in pack.ts: [u32 len][key][u32 len | 0xffffffff][value]. */
export function changeSetDigest(sortedWrites: readonly [Key, Value | null][]): Uint8Array {
  return sha256(packWrites(sortedWrites));
}

export function nextAppHash(prev: Uint8Array, sortedWrites: readonly [Key, Value | null][]): Uint8Array {
  return nextAppHashPacked(prev, packWrites(sortedWrites));
}

/** nextAppHash over writes already framed by packWrites (the same bytes the replicas receive). */
export function nextAppHashPacked(prev: Uint8Array, packedSortedWrites: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(DOMAIN).update(prev).update(sha256(packedSortedWrites)).digest());
}
