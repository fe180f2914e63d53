// AMM for integrators, CosmJS-shaped: the Msg codecs for the registry, an EncodeObject type with
// a literal typeUrl per Msg, and `setupAmmExtension` for QueryClient.withExtensions.
import type { EncodeObject, GeneratedType } from '@cosmjs/proto-signing';
import { createProtobufRpcClient, type QueryClient } from '@cosmjs/stargate';
import { MsgAddLiquidity, MsgCreatePool, MsgRemoveLiquidity, MsgSwapExactIn, MsgSwapExactOut } from '@lanes/proto/lanes/amm/v1/tx';
import {
  QueryEstimateSwapExactInRequest, QueryEstimateSwapExactInResponse, QueryEstimateSwapExactOutRequest,
  QueryEstimateSwapExactOutResponse, QueryParamsRequest, QueryParamsResponse, QueryPoolRequest, QueryPoolResponse,
  QueryPoolsRequest, QueryPoolsResponse, QuerySpotPriceRequest, QuerySpotPriceResponse, QueryTwapHistoryRequest,
  QueryTwapHistoryResponse, QueryTwapRequest, QueryTwapResponse,
} from '@lanes/proto/lanes/amm/v1/query';
import type { Params, Pool, SwapAmountInRoute, SwapAmountOutRoute } from '@lanes/proto/lanes/amm/v1/amm';

export { PoolType, type Pool, type Params, type SwapAmountInRoute, type SwapAmountOutRoute } from '@lanes/proto/lanes/amm/v1/amm';
export {
  MsgAddLiquidity, MsgAddLiquidityResponse, MsgCreatePool, MsgCreatePoolResponse, MsgRemoveLiquidity, MsgRemoveLiquidityResponse,
  MsgSwapExactIn, MsgSwapExactInResponse, MsgSwapExactOut, MsgSwapExactOutResponse,
} from '@lanes/proto/lanes/amm/v1/tx';

/**
 * The generated codecs have ts-proto's shape (encode/decode/fromPartial), which CosmJS's Registry
 * accepts at runtime; only the declared writer class differs (@bufbuild/protobuf's BinaryWriter
 * vs cosmjs-types'), and CosmJS never passes a writer, so the cast is sound.
 */
const generated = (codec: object): GeneratedType => codec as GeneratedType;

export const ammTypes: ReadonlyArray<[string, GeneratedType]> = [
  ['/lanes.amm.v1.MsgCreatePool', generated(MsgCreatePool)],
  ['/lanes.amm.v1.MsgAddLiquidity', generated(MsgAddLiquidity)],
  ['/lanes.amm.v1.MsgRemoveLiquidity', generated(MsgRemoveLiquidity)],
  ['/lanes.amm.v1.MsgSwapExactIn', generated(MsgSwapExactIn)],
  ['/lanes.amm.v1.MsgSwapExactOut', generated(MsgSwapExactOut)],
];

export interface MsgCreatePoolEncodeObject extends EncodeObject {
  readonly typeUrl: '/lanes.amm.v1.MsgCreatePool';
  readonly value: Partial<MsgCreatePool>;
}
/**
 * A slippage limit the chain requires (sdk/10 when unset; "0" sets none on purpose) is required
 * here too, so that leaving it out fails to compile instead of in CheckTx.
 */
type WithLimit<M, K extends keyof M> = Partial<M> & Pick<M, K>;

export interface MsgAddLiquidityEncodeObject extends EncodeObject {
  readonly typeUrl: '/lanes.amm.v1.MsgAddLiquidity';
  readonly value: WithLimit<MsgAddLiquidity, 'minSharesOut'>;
}
export interface MsgRemoveLiquidityEncodeObject extends EncodeObject {
  readonly typeUrl: '/lanes.amm.v1.MsgRemoveLiquidity';
  readonly value: Partial<MsgRemoveLiquidity>;
}
export interface MsgSwapExactInEncodeObject extends EncodeObject {
  readonly typeUrl: '/lanes.amm.v1.MsgSwapExactIn';
  readonly value: WithLimit<MsgSwapExactIn, 'minAmountOut'>;
}
export interface MsgSwapExactOutEncodeObject extends EncodeObject {
  readonly typeUrl: '/lanes.amm.v1.MsgSwapExactOut';
  readonly value: WithLimit<MsgSwapExactOut, 'maxAmountIn'>;
}

export function isMsgCreatePoolEncodeObject(o: EncodeObject): o is MsgCreatePoolEncodeObject {
  return o.typeUrl === '/lanes.amm.v1.MsgCreatePool';
}
export function isMsgAddLiquidityEncodeObject(o: EncodeObject): o is MsgAddLiquidityEncodeObject {
  return o.typeUrl === '/lanes.amm.v1.MsgAddLiquidity';
}
export function isMsgRemoveLiquidityEncodeObject(o: EncodeObject): o is MsgRemoveLiquidityEncodeObject {
  return o.typeUrl === '/lanes.amm.v1.MsgRemoveLiquidity';
}
export function isMsgSwapExactInEncodeObject(o: EncodeObject): o is MsgSwapExactInEncodeObject {
  return o.typeUrl === '/lanes.amm.v1.MsgSwapExactIn';
}
export function isMsgSwapExactOutEncodeObject(o: EncodeObject): o is MsgSwapExactOutEncodeObject {
  return o.typeUrl === '/lanes.amm.v1.MsgSwapExactOut';
}

type WireCoin = { denom: string; amount: string };
/** A route's hop as the queries take it: its pool id a number or a bigint, as `pool()` takes one. */
type Hop<R extends { poolId: bigint }> = Omit<R, 'poolId'> & { poolId: bigint | number };
const hops = <R extends { poolId: bigint }>(routes: readonly Hop<R>[]): R[] => routes.map((r) => ({ ...r, poolId: BigInt(r.poolId) }) as R);

/** The span of a pool's retained TWAP observations: `twap` answers windows from `oldestSeconds` to the latest block time. */
export interface TwapHistory {
  /** Block time (Unix seconds) of the oldest retained observation: the earliest start of a window. */
  readonly oldestSeconds: bigint;
  /** Block time (Unix seconds) of the newest observation: the last block that touched the pool. */
  readonly newestSeconds: bigint;
  /** How many observations the pool retains, at most the params' `twapObservations`. */
  readonly observations: number;
}

export interface AmmExtension {
  readonly amm: {
    pool(poolId: bigint | number): Promise<Pool>;
    pools(paginationKey?: Uint8Array): Promise<QueryPoolsResponse>;
    estimateSwapExactIn(routes: readonly Hop<SwapAmountInRoute>[], tokenIn: WireCoin): Promise<QueryEstimateSwapExactInResponse>;
    estimateSwapExactOut(routes: readonly Hop<SwapAmountOutRoute>[], tokenOut: WireCoin): Promise<QueryEstimateSwapExactOutResponse>;
    /** Price of `baseDenom` in `quoteDenom`, 18-decimal string. */
    spotPrice(poolId: bigint | number, baseDenom: string, quoteDenom: string): Promise<string>;
    /** Time-weighted average price over [start, end] (Unix seconds), 18-decimal string. */
    twap(poolId: bigint | number, baseDenom: string, quoteDenom: string, startSeconds: bigint | number, endSeconds: bigint | number): Promise<string>;
    /** The span of the pool's retained observations: which windows `twap` answers. */
    twapHistory(poolId: bigint | number): Promise<TwapHistory>;
    params(): Promise<Params>;
  };
}

/** Queries `/lanes.amm.v1.Query/<Method>` over ABCI. */
export function setupAmmExtension(base: QueryClient): AmmExtension {
  const rpc = createProtobufRpcClient(base);
  const call = async <Req, Res>(method: string, req: { encode(m: Req): { finish(): Uint8Array } }, msg: Req, res: { decode(b: Uint8Array): Res }): Promise<Res> =>
    res.decode(await rpc.request('lanes.amm.v1.Query', method, req.encode(msg).finish()));
  return {
    amm: {
      pool: async (poolId) => {
        const r = await call('Pool', QueryPoolRequest, { poolId: BigInt(poolId) }, QueryPoolResponse);
        if (!r.pool) throw new Error(`pool ${poolId}: empty response`);
        return r.pool;
      },
      pools: (key) => call('Pools', QueryPoolsRequest, QueryPoolsRequest.fromPartial({ pagination: key ? { key } : undefined }), QueryPoolsResponse),
      estimateSwapExactIn: (routes, tokenIn) => call('EstimateSwapExactIn', QueryEstimateSwapExactInRequest, { routes: hops(routes), tokenIn }, QueryEstimateSwapExactInResponse),
      estimateSwapExactOut: (routes, tokenOut) => call('EstimateSwapExactOut', QueryEstimateSwapExactOutRequest, { routes: hops(routes), tokenOut }, QueryEstimateSwapExactOutResponse),
      spotPrice: async (poolId, baseDenom, quoteDenom) =>
        (await call('SpotPrice', QuerySpotPriceRequest, { poolId: BigInt(poolId), baseDenom, quoteDenom }, QuerySpotPriceResponse)).spotPrice,
      twap: async (poolId, baseDenom, quoteDenom, start, end) =>
        (await call('Twap', QueryTwapRequest, {
          poolId: BigInt(poolId), baseDenom, quoteDenom,
          startTime: { seconds: BigInt(start), nanos: 0 }, endTime: { seconds: BigInt(end), nanos: 0 },
        }, QueryTwapResponse)).twap,
      twapHistory: async (poolId) => {
        const r = await call('TwapHistory', QueryTwapHistoryRequest, { poolId: BigInt(poolId) }, QueryTwapHistoryResponse);
        if (!r.oldestTime || !r.newestTime) throw new Error(`pool ${poolId} twap history: empty response`);
        return { oldestSeconds: r.oldestTime.seconds, newestSeconds: r.newestTime.seconds, observations: r.observations };
      },
      params: async () => {
        const r = await call('Params', QueryParamsRequest, {}, QueryParamsResponse);
        if (!r.params) throw new Error('amm params: empty response');
        return r.params;
      },
    },
  };
}
