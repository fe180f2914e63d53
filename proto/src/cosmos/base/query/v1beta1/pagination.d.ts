/* eslint-disable */
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
/** Vendored from cosmos-sdk (proto/cosmos/base/query/v1beta1/pagination.proto); wire format unchanged. */
export interface PageRequest {
    key: Uint8Array;
    offset: bigint;
    limit: bigint;
    countTotal: boolean;
    reverse: boolean;
}
export interface PageResponse {
    nextKey: Uint8Array;
    total: bigint;
}
export declare const PageRequest: MessageFns<PageRequest>;
export declare const PageResponse: MessageFns<PageResponse>;
type Builtin = Date | Function | Uint8Array | string | number | boolean | bigint | undefined;
type DeepPartial<T> = T extends bigint ? string | number | bigint : T extends Builtin ? T : T extends globalThis.Array<infer U> ? globalThis.Array<DeepPartial<U>> : T extends ReadonlyArray<infer U> ? ReadonlyArray<DeepPartial<U>> : T extends {} ? {
    [K in keyof T]?: DeepPartial<T[K]>;
} : Partial<T>;
interface MessageFns<T> {
    encode(message: T, writer?: BinaryWriter): BinaryWriter;
    decode(input: BinaryReader | Uint8Array, length?: number): T;
    fromJSON(object: any): T;
    toJSON(message: T): unknown;
    create(base?: DeepPartial<T>): T;
    fromPartial(object: DeepPartial<T>): T;
}
export {};
