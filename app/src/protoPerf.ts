// Two hot spots of cosmjs-types' protobuf runtime, replaced with native equivalents. Imported
// for its effect by index.ts (and by execution workers); idempotent.
//
// 1. BinaryWriter.alloc calls its `pool()` helper afresh on every finish(), so each encode
//    allocated a new 8 KiB slab: measured as the largest single cost of a 10k-tx block (about
//    half the time, most of it garbage collection). Allocating exactly the size is what the
//    pool was meant to achieve.
// 2. BinaryReader.string decodes UTF-8 in a JS loop (~380 ns for an address); the native
//    decoder takes ~90 ns. ignoreBOM keeps a leading U+FEFF, as the JS decoder does. Every
//    validator runs this same decoder, so results stay deterministic.
import { BinaryReader, BinaryWriter } from 'cosmjs-types/binary';

BinaryWriter.alloc = (size: number): Uint8Array => new Uint8Array(size);

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
BinaryReader.prototype.string = function string(this: BinaryReader): string {
  return utf8.decode(this.bytes());
};
