/* eslint-disable */
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { Coin } from "../../../cosmos/base/v1beta1/coin.js";
export declare enum PoolType {
    POOL_TYPE_UNSPECIFIED = 0,
    /** POOL_TYPE_CONSTANT_PRODUCT - x·y = k (Uniswap v2). */
    POOL_TYPE_CONSTANT_PRODUCT = 1,
    /** POOL_TYPE_STABLESWAP - Curve StableSwap invariant, two assets, amplification A. */
    POOL_TYPE_STABLESWAP = 2,
    UNRECOGNIZED = -1
}
export declare function poolTypeFromJSON(object: any): PoolType;
export declare function poolTypeToJSON(object: PoolType): string;
export interface Pool {
    id: bigint;
    poolType: PoolType;
    /** Sorted by denom. */
    reserves: Coin[];
    /** Int as a decimal string; includes the 1000 shares locked at creation. */
    totalShares: string;
    /** The bank denom of the LP shares: amm/pool/<id>. */
    shareDenom: string;
    /** 18-decimal fixed point, e.g. "0.003000000000000000". */
    swapFee: string;
    /** Stableswap only (0 for constant product). */
    amplification: bigint;
}
export interface SwapAmountInRoute {
    poolId: bigint;
    tokenOutDenom: string;
}
export interface SwapAmountOutRoute {
    poolId: bigint;
    tokenInDenom: string;
}
/**
 * Module parameters (genesis and queries). swap_fee (0..0.1) and amplification (1..10000)
 * bounds are pinned constants of the wire contract, not params.
 */
export interface Params {
    /** Paid by the creator of a pool to the protocol account (moduleAddress("amm/protocol")). */
    poolCreationFee: Coin[];
    /** Longest accepted swap route (hops). */
    maxRouteLength: bigint;
    /** TWAP observations kept per pool (a ring; one per block that touches the pool). */
    twapObservations: bigint;
}
export declare const Pool: MessageFns<Pool>;
export declare const SwapAmountInRoute: MessageFns<SwapAmountInRoute>;
export declare const SwapAmountOutRoute: MessageFns<SwapAmountOutRoute>;
export declare const Params: MessageFns<Params>;
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
