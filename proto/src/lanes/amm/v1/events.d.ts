/* eslint-disable */
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { Coin } from "../../../cosmos/base/v1beta1/coin.js";
export interface EventPoolCreated {
    poolId: bigint;
    creator: string;
    poolType: string;
    reserves: Coin[];
    swapFee: string;
    sharesOut: string;
}
export interface EventSwap {
    poolId: bigint;
    sender: string;
    tokenIn: Coin | undefined;
    tokenOut: Coin | undefined;
    /** Pool reserves after the swap, sorted by denom. */
    reserves: Coin[];
}
export interface EventLiquidityAdded {
    poolId: bigint;
    sender: string;
    amountsIn: Coin[];
    sharesOut: string;
    reserves: Coin[];
}
export interface EventLiquidityRemoved {
    poolId: bigint;
    sender: string;
    shares: string;
    amountsOut: Coin[];
    reserves: Coin[];
}
export declare const EventPoolCreated: MessageFns<EventPoolCreated>;
export declare const EventSwap: MessageFns<EventSwap>;
export declare const EventLiquidityAdded: MessageFns<EventLiquidityAdded>;
export declare const EventLiquidityRemoved: MessageFns<EventLiquidityRemoved>;
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
