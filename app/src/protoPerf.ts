// cosmjs-types' BinaryWriter.alloc calls its `pool()` helper afresh on every finish(), so each
// encode allocates a new 8 KiB slab: measured as the largest single cost of a 10k-tx block
// (about half the time, most of it garbage collection). Allocating exactly the needed size is
// what the pool was meant to achieve. Imported for its effect by index.ts; idempotent.
import { BinaryWriter } from 'cosmjs-types/binary';

BinaryWriter.alloc = (size: number): Uint8Array => new Uint8Array(size);
