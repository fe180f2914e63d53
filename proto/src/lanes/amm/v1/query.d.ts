/* eslint-disable */
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { PageRequest, PageResponse } from "../../../cosmos/base/query/v1beta1/pagination.js";
import { Coin } from "../../../cosmos/base/v1beta1/coin.js";
import { Timestamp } from "../../../google/protobuf/timestamp.js";
import { Params, Pool, SwapAmountInRoute, SwapAmountOutRoute } from "./amm.js";
export interface QueryPoolRequest {
    poolId: bigint;
}
export interface QueryPoolResponse {
    pool: Pool | undefined;
}
export interface QueryPoolsRequest {
    pagination: PageRequest | undefined;
}
export interface QueryPoolsResponse {
    pools: Pool[];
    pagination: PageResponse | undefined;
}
export interface QueryEstimateSwapExactInRequest {
    routes: SwapAmountInRoute[];
    tokenIn: Coin | undefined;
}
export interface QueryEstimateSwapExactInResponse {
    amountOut: string;
    priceImpact: string;
}
export interface QueryEstimateSwapExactOutRequest {
    routes: SwapAmountOutRoute[];
    tokenOut: Coin | undefined;
}
export interface QueryEstimateSwapExactOutResponse {
    amountIn: string;
    priceImpact: string;
}
export interface QuerySpotPriceRequest {
    poolId: bigint;
    baseDenom: string;
    quoteDenom: string;
}
export interface QuerySpotPriceResponse {
    spotPrice: string;
}
export interface QueryTwapRequest {
    poolId: bigint;
    baseDenom: string;
    quoteDenom: string;
    startTime: Timestamp | undefined;
    endTime: Timestamp | undefined;
}
export interface QueryTwapResponse {
    twap: string;
}
/**
 * The span of the pool's retained TWAP observations: a Twap window may start at oldest_time at
 * the earliest and end at the latest block time at the latest.
 */
export interface QueryTwapHistoryRequest {
    poolId: bigint;
}
export interface QueryTwapHistoryResponse {
    /**
     * Block time of the oldest retained observation: the pool's creation (or genesis) until the
     * ring of Params.twap_observations is full, then it moves forward with each new observation.
     */
    oldestTime: Timestamp | undefined;
    /** Block time of the newest observation: the last block that touched the pool. */
    newestTime: Timestamp | undefined;
    /** How many observations are retained, 1 to Params.twap_observations. */
    observations: number;
}
export interface QueryParamsRequest {
}
export interface QueryParamsResponse {
    params: Params | undefined;
}
export declare const QueryPoolRequest: MessageFns<QueryPoolRequest>;
export declare const QueryPoolResponse: MessageFns<QueryPoolResponse>;
export declare const QueryPoolsRequest: MessageFns<QueryPoolsRequest>;
export declare const QueryPoolsResponse: MessageFns<QueryPoolsResponse>;
export declare const QueryEstimateSwapExactInRequest: MessageFns<QueryEstimateSwapExactInRequest>;
export declare const QueryEstimateSwapExactInResponse: MessageFns<QueryEstimateSwapExactInResponse>;
export declare const QueryEstimateSwapExactOutRequest: MessageFns<QueryEstimateSwapExactOutRequest>;
export declare const QueryEstimateSwapExactOutResponse: MessageFns<QueryEstimateSwapExactOutResponse>;
export declare const QuerySpotPriceRequest: MessageFns<QuerySpotPriceRequest>;
export declare const QuerySpotPriceResponse: MessageFns<QuerySpotPriceResponse>;
export declare const QueryTwapRequest: MessageFns<QueryTwapRequest>;
export declare const QueryTwapResponse: MessageFns<QueryTwapResponse>;
export declare const QueryTwapHistoryRequest: MessageFns<QueryTwapHistoryRequest>;
export declare const QueryTwapHistoryResponse: MessageFns<QueryTwapHistoryResponse>;
export declare const QueryParamsRequest: MessageFns<QueryParamsRequest>;
export declare const QueryParamsResponse: MessageFns<QueryParamsResponse>;
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
