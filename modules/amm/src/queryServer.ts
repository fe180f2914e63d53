// AMM queries (ABCI paths /lanes.amm.v1.Query/<Method>): reject bad requests -> validate -> read.
import { ErrInvalidRequest, decodeRequest, formatDec, parseCoin, validateDenom, type QueryHandler } from '@lanes/app';
import {
  QueryEstimateSwapExactInRequest, QueryEstimateSwapExactInResponse, QueryEstimateSwapExactOutRequest,
  QueryEstimateSwapExactOutResponse, QueryParamsRequest, QueryParamsResponse, QueryPoolRequest, QueryPoolResponse,
  QueryPoolsRequest, QueryPoolsResponse, QuerySpotPriceRequest, QuerySpotPriceResponse, QueryTwapHistoryRequest, QueryTwapHistoryResponse,
  QueryTwapRequest, QueryTwapResponse,
} from '@lanes/proto/lanes/amm/v1/query';
import type { AmmKeeper } from './keeper.ts';
import { indexOf, toWirePool } from './pool.ts';
import { twapOf, twapSpan } from './twap.ts';
import { ErrDenomNotInPool } from './errors.ts';
import { checkPoolId, checkRouteIds } from './msgServer.ts';

export function ammQueryHandlers(keeper: AmmKeeper): QueryHandler[] {
  return [
    {
      path: '/lanes.amm.v1.Query/Pool',
      handle: (ctx, data) => {
        const req = decodeRequest(QueryPoolRequest, data);
        return QueryPoolResponse.encode({ pool: toWirePool(keeper.getPool(ctx, checkPoolId(req.poolId))) }).finish();
      },
    },
    {
      path: '/lanes.amm.v1.Query/Pools',
      handle: (ctx, data) => {
        const req = decodeRequest(QueryPoolsRequest, data);
        const page = keeper.poolsPage(ctx, req.pagination);
        return QueryPoolsResponse.encode({ pools: page.items.map(toWirePool), pagination: page.pagination }).finish();
      },
    },
    {
      path: '/lanes.amm.v1.Query/EstimateSwapExactIn',
      handle: (ctx, data) => {
        const req = decodeRequest(QueryEstimateSwapExactInRequest, data);
        if (!req.tokenIn) throw ErrInvalidRequest.wrap('token_in is required');
        checkRouteIds(req.routes.map((r) => r.poolId)); // as the Msg would, before any state is read
        const q = keeper.quoteExactIn(ctx, req.routes, parseCoin(req.tokenIn));
        return QueryEstimateSwapExactInResponse.encode({ amountOut: q.amountOut.toString(), priceImpact: formatDec(q.priceImpact) }).finish();
      },
    },
    {
      path: '/lanes.amm.v1.Query/EstimateSwapExactOut',
      handle: (ctx, data) => {
        const req = decodeRequest(QueryEstimateSwapExactOutRequest, data);
        if (!req.tokenOut) throw ErrInvalidRequest.wrap('token_out is required');
        checkRouteIds(req.routes.map((r) => r.poolId));
        const q = keeper.quoteExactOut(ctx, req.routes, parseCoin(req.tokenOut));
        return QueryEstimateSwapExactOutResponse.encode({ amountIn: q.amountIn.toString(), priceImpact: formatDec(q.priceImpact) }).finish();
      },
    },
    {
      path: '/lanes.amm.v1.Query/SpotPrice',
      handle: (ctx, data) => {
        const req = decodeRequest(QuerySpotPriceRequest, data);
        validateDenom(req.baseDenom);
        validateDenom(req.quoteDenom);
        const price = keeper.spotPrice(ctx, checkPoolId(req.poolId), req.baseDenom, req.quoteDenom);
        return QuerySpotPriceResponse.encode({ spotPrice: formatDec(price) }).finish();
      },
    },
    {
      path: '/lanes.amm.v1.Query/Twap',
      handle: (ctx, data) => {
        const req = decodeRequest(QueryTwapRequest, data);
        if (!req.startTime || !req.endTime) throw ErrInvalidRequest.wrap('start_time and end_time are required');
        const pool = keeper.getPool(ctx, checkPoolId(req.poolId));
        const base = indexOf(pool, req.baseDenom);
        const quote = indexOf(pool, req.quoteDenom);
        if (base === -1 || quote === -1 || base === quote) {
          throw ErrDenomNotInPool.wrap(`pool ${pool.id} holds ${pool.denoms.join(', ')}; cannot price ${req.baseDenom} in ${req.quoteDenom}`);
        }
        const twap = twapOf(ctx, pool, base, req.startTime.seconds, req.endTime.seconds, ctx.block.timeSeconds);
        return QueryTwapResponse.encode({ twap: formatDec(twap) }).finish();
      },
    },
    {
      path: '/lanes.amm.v1.Query/TwapHistory',
      handle: (ctx, data) => {
        const req = decodeRequest(QueryTwapHistoryRequest, data);
        const pool = keeper.getPool(ctx, checkPoolId(req.poolId));
        const span = twapSpan(ctx, pool.id);
        return QueryTwapHistoryResponse.encode({
          oldestTime: { seconds: span.oldest, nanos: 0 }, newestTime: { seconds: span.newest, nanos: 0 }, observations: span.count,
        }).finish();
      },
    },
    {
      path: '/lanes.amm.v1.Query/Params',
      handle: (ctx, data) => {
        decodeRequest(QueryParamsRequest, data);
        const p = keeper.params(ctx);
        return QueryParamsResponse.encode({ params: { ...p, poolCreationFee: [...p.poolCreationFee] } }).finish();
      },
    },
  ];
}
