// The protobuf fields a message this chain decodes may hold, and the check that refuses any
// other (the Cosmos SDK's unknown-field rejection). A signer signs every byte of a tx; a field
// the chain does not know would be signed and then silently ignored (a newer client's limit, say),
// so it is refused instead.
import { ErrTxDecode } from './errors.ts';
import { viewReader } from './protoPerf.ts';

/** Protobuf wire types used here: 0 varint, 2 length-delimited. */
export type WireType = 0 | 2;

/**
 * The fields of a message: each number with its wire type and, for a message field, that
 * message's own shape. `strict` refuses non-critical unknown fields too.
 */
export interface ProtoShape {
  readonly name: string;
  readonly fields: ReadonlyMap<number, readonly [wireType: WireType, nested: ProtoShape | undefined]>;
  readonly strict: boolean;
}

export type FieldSpec = readonly [field: number, wireType: WireType, nested?: ProtoShape];

export function protoShape(name: string, fields: readonly FieldSpec[], strict = false): ProtoShape {
  return { name, fields: new Map(fields.map(([n, w, s]) => [n, [w, s] as const])), strict };
}

/** cosmos.base.v1beta1.Coin inside a tx body (a Msg): non-critical fields pass, as in the SDK. */
export const COIN_SHAPE = protoShape('cosmos.base.v1beta1.Coin', [[1, 2], [2, 2]]);

/**
 * Throws ErrTxDecode at a field `s` does not define, naming it, as the Cosmos SDK does. Outside a
 * strict shape, fields numbered with bit 11 set (1024-2047, 3072-4095, ...) are non-critical by
 * the SDK's rule and pass. A known field with another wire type is refused too: the generated
 * decoders read by field number alone. Nested messages are scanned within their own length, so
 * a field that overruns its message (which those decoders would read past the end) is refused.
 * Malformed bytes throw the reader's own error: callers wrap it as undecodable.
 */
export function rejectUnknownFields(bytes: Uint8Array, s: ProtoShape): void {
  const r = viewReader(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    const known = s.fields.get(field);
    if (known === undefined) {
      if (s.strict || (field & 1024) === 0) throw ErrTxDecode.wrap(`unknown field ${field} in ${s.name}: this chain does not know what it asks, and would ignore it`);
      r.skipType(wire);
    } else if (known[0] !== wire) {
      throw ErrTxDecode.wrap(`field ${field} of ${s.name} has wire type ${wire}, expected ${known[0]}`);
    } else if (known[1] !== undefined) {
      rejectUnknownFields(r.bytes(), known[1]);
    } else {
      r.skipType(wire);
    }
  }
}
