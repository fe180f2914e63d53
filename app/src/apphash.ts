// App hash: a hash chain over each block's canonical change set,
//   H_n = sha256("lanes/apphash/v1" || H_{n-1} || sha256(sorted writes of block n)),
// where each write is encoded as len(key)||key||tag||len(value)||value (tag 0 = delete).
// Two validators agree on H_n iff they agree on every state change so far, so any differing
// byte of state shows up in the next hash. (A commitment over the whole state with proofs is
// later work; see ARCHITECTURE.md, "State".)
import { createHash } from 'node:crypto';
import type { Key } from './store/kv.ts';

const DOMAIN = Buffer.from('lanes/apphash/v1');

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export function changeSetDigest(sortedWrites: readonly [Key, Uint8Array | null][]): Buffer {
  const h = createHash('sha256');
  for (const [k, v] of sortedWrites) {
    h.update(u32(k.length));
    h.update(Buffer.from(k, 'latin1'));
    if (v === null) {
      h.update(Buffer.from([0]));
    } else {
      h.update(Buffer.from([1]));
      h.update(u32(v.length));
      h.update(v);
    }
  }
  return h.digest();
}

export function nextAppHash(prev: Uint8Array, sortedWrites: readonly [Key, Uint8Array | null][]): Uint8Array {
  return new Uint8Array(createHash('sha256').update(DOMAIN).update(prev).update(changeSetDigest(sortedWrites)).digest());
}
