/* eslint-disable */
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { Coin } from "../../../cosmos/base/v1beta1/coin.js";
import { PoolType, SwapAmountInRoute, SwapAmountOutRoute } from "./amm.js";
export interface MsgCreatePool {
    creator: string;
    poolType: PoolType;
    initialLiquidity: Coin[];
    swapFee: string;
    amplification: bigint;
}
export interface MsgCreatePoolResponse {
    poolId: bigint;
    sharesOut: string;
}
export interface MsgAddLiquidity {
    sender: string;
    poolId: bigint;
    maxAmountsIn: Coin[];
    minSharesOut: string;
}
export interface MsgAddLiquidityResponse {
    sharesOut: string;
    amountsIn: Coin[];
}
export interface MsgRemoveLiquidity {
    sender: string;
    poolId: bigint;
    shares: string;
    minAmountsOut: Coin[];
}
export interface MsgRemoveLiquidityResponse {
    amountsOut: Coin[];
}
export interface MsgSwapExactIn {
    sender: string;
    routes: SwapAmountInRoute[];
    tokenIn: Coin | undefined;
    minAmountOut: string;
}
export interface MsgSwapExactInResponse {
    amountOut: string;
}
export interface MsgSwapExactOut {
    sender: string;
    routes: SwapAmountOutRoute[];
    tokenOut: Coin | undefined;
    maxAmountIn: string;
}
export interface MsgSwapExactOutResponse {
    amountIn: string;
}
export declare const MsgCreatePool: MessageFns<MsgCreatePool>;
export declare const MsgCreatePoolResponse: MessageFns<MsgCreatePoolResponse>;
export declare const MsgAddLiquidity: MessageFns<MsgAddLiquidity>;
export declare const MsgAddLiquidityResponse: MessageFns<MsgAddLiquidityResponse>;
export declare const MsgRemoveLiquidity: MessageFns<MsgRemoveLiquidity>;
export declare const MsgRemoveLiquidityResponse: MessageFns<MsgRemoveLiquidityResponse>;
export declare const MsgSwapExactIn: MessageFns<MsgSwapExactIn>;
export declare const MsgSwapExactInResponse: MessageFns<MsgSwapExactInResponse>;
export declare const MsgSwapExactOut: MessageFns<MsgSwapExactOut>;
export declare const MsgSwapExactOutResponse: MessageFns<MsgSwapExactOutResponse>;
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
