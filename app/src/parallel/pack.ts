// Byte framing for what crosses between threads in bulk, so a block's results and writes move
// as a few transferable buffers instead of tens of thousands of cloned objects.
import type { Key, Value } from '../store/kv.ts';

/**
 * Concatenates byte strings; `offsets[i]..offsets[i+1]` is item i. `shared`: in shared memory,
 * for data several threads read at once (posted, not copied).
 */
export function packBytes(items: readonly Uint8Array[], shared = false): { buf: Uint8Array; offsets: Uint32Array } {
  let total = 0;
  for (const it of items) total += it.length;
  const alloc = (bytes: number): ArrayBufferLike => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const buf = new Uint8Array(alloc(total));
  const offsets = new Uint32Array(alloc(4 * (items.length + 1)));
  let at = 0;
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as Uint8Array;
    buf.set(it, at);
    at += it.length;
    offsets[i + 1] = at;
  }
  return { buf, offsets };
}

export function unpackBytes(buf: Uint8Array, offsets: Uint32Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i + 1 < offsets.length; i++) out.push(buf.subarray(offsets[i], offsets[i + 1]));
  return out;
}

const DELETED = 0xffffffff;

/** Writes as [u32 keyLen][key latin1][u32 valueLen | 0xffffffff = delete][value latin1]. */
export function packWrites(writes: Iterable<[Key, Value | null]>): Uint8Array {
  const entries = [...writes];
  let size = 0;
  for (const [k, v] of entries) size += 8 + k.length + (v?.length ?? 0);
  const buf = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const [k, v] of entries) {
    buf.writeUInt32LE(k.length, at);
    at += 4;
    at += buf.write(k, at, 'latin1');
    if (v === null) {
      buf.writeUInt32LE(DELETED, at);
      at += 4;
    } else {
      buf.writeUInt32LE(v.length, at);
      at += 4;
      at += buf.write(v, at, 'latin1');
    }
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, at);
}

export function unpackWrites(bytes: Uint8Array): [Key, Value | null][] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: [Key, Value | null][] = [];
  let at = 0;
  while (at < buf.length) {
    const klen = buf.readUInt32LE(at);
    at += 4;
    const k = buf.toString('latin1', at, at + klen);
    at += klen;
    const vlen = buf.readUInt32LE(at);
    at += 4;
    if (vlen === DELETED) {
      out.push([k, null]);
    } else {
      out.push([k, buf.toString('latin1', at, at + vlen)]);
      at += vlen;
    }
  }
  return out;
}
