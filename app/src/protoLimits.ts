// Decoding must not depend on the stack of the thread that decodes. Two places in cosmjs-types'
// decoders recurse once per level of the input, with no limit:
//
// - skipping an unknown field of wire type 3 (a protobuf group). A signed tx whose body carried
//   an unknown field of groups nested 20,000 deep (40 KB, well under max_tx_bytes) overflowed the
//   main thread's stack but decoded on an execution worker, whose stack is larger: the node that
//   checked it on a worker ran it in a block while the others failed it, and their app hashes
//   parted;
// - AuthInfo's one recursive type, ModeInfo (a `multi` holds ModeInfos).
//
// Here both count their nesting and fail past a fixed depth, on every thread of every validator
// alike. Groups are skipped iteratively, at most MAX_GROUP_DEPTH deep (@bufbuild/protobuf's
// reader, which the AMM's codecs use, stops at the same depth; groups do not exist in proto3, so
// no valid Cosmos message has any). ModeInfo nests at most MAX_MODE_INFO_DEPTH deep (Lanes takes
// SIGN_MODE_DIRECT only, so any `multi` is refused after decoding anyway).
//
// Imported for its effect by tx.ts and index.ts (so by execution workers too); idempotent.
import { BinaryReader } from 'cosmjs-types/binary';
import { ModeInfo } from 'cosmjs-types/cosmos/tx/v1beta1/tx';

export const MAX_GROUP_DEPTH = 100;
export const MAX_MODE_INFO_DEPTH = 16;

const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const patched = Symbol.for('lanes.protoLimits');

if (!(patched in BinaryReader.prototype)) {
  const skipOther = BinaryReader.prototype.skipType;
  BinaryReader.prototype.skipType = function skipType(this: BinaryReader, wireType: number): BinaryReader {
    if (wireType !== WIRE_START_GROUP) return skipOther.call(this, wireType);
    let depth = 1;
    while (depth > 0) {
      if (this.pos >= this.len) throw new Error(`protobuf group not closed before the end of the message (offset ${this.pos})`);
      const wt = this.uint32() & 7;
      if (wt === WIRE_START_GROUP) {
        if (++depth > MAX_GROUP_DEPTH) throw new Error(`protobuf groups nested deeper than ${MAX_GROUP_DEPTH} (offset ${this.pos})`);
      } else if (wt === WIRE_END_GROUP) {
        depth--;
      } else {
        skipOther.call(this, wt);
      }
    }
    return this;
  };

  // ModeInfo_Multi.decode calls ModeInfo.decode through the module's exports, so it calls this.
  const decodeModeInfo = ModeInfo.decode.bind(ModeInfo);
  let modeInfoDepth = 0;
  ModeInfo.decode = (input: BinaryReader | Uint8Array, length?: number): ModeInfo => {
    if (modeInfoDepth >= MAX_MODE_INFO_DEPTH) throw new Error(`ModeInfo nested deeper than ${MAX_MODE_INFO_DEPTH}`);
    modeInfoDepth++;
    try {
      return decodeModeInfo(input, length);
    } finally {
      modeInfoDepth--;
    }
  };
  Object.defineProperty(BinaryReader.prototype, patched, { value: true });
}
