// decode -> validate (stateless, names the bad value) -> one keeper call -> typed response.
import { COIN_SHAPE, ErrInvalidCoins, defineMsg, protoShape, parseAmount, parseCoin, parseCoins, validateAddress, validateDenom, type AnyMsg, type Coin, type MsgHandler } from '@lanes/app';
import { PoolType } from '@lanes/proto/lanes/amm/v1/amm';
import {
  MsgAddLiquidity, MsgAddLiquidityResponse, MsgCreatePool, MsgCreatePoolResponse, MsgRemoveLiquidity,
  MsgRemoveLiquidityResponse, MsgSwapExactIn, MsgSwapExactInResponse, MsgSwapExactOut, MsgSwapExactOutResponse,
} from '@lanes/proto/lanes/amm/v1/tx';
import type { AmmKeeper } from './keeper.ts';
import { createPoolAccess, liquidityAccess, swapAccess } from './access.ts';
import { checkAmplification, checkHopDenoms, parseSwapFee } from './pool.ts';
import { ErrEmptyRoute, ErrInvalidPoolAssets, ErrInvalidPoolId, ErrInvalidPoolType, ErrRepeatedPool, ErrRouteTooLong } from './errors.ts';
import { MAX_ROUTE_LENGTH_LIMIT } from './params.ts';

export const MSG_CREATE_POOL_TYPE_URL = '/lanes.amm.v1.MsgCreatePool';
export const MSG_ADD_LIQUIDITY_TYPE_URL = '/lanes.amm.v1.MsgAddLiquidity';
export const MSG_REMOVE_LIQUIDITY_TYPE_URL = '/lanes.amm.v1.MsgRemoveLiquidity';
export const MSG_SWAP_EXACT_IN_TYPE_URL = '/lanes.amm.v1.MsgSwapExactIn';
export const MSG_SWAP_EXACT_OUT_TYPE_URL = '/lanes.amm.v1.MsgSwapExactOut';

// Each Msg's fields, as in proto/lanes/amm/v1/tx.proto and amm.proto (wire type 0 for enums and
// uint64, 2 for strings and messages). abci-server/src/msgShapes.test.ts checks them against the generated codecs.
const SWAP_AMOUNT_IN_ROUTE = protoShape('lanes.amm.v1.SwapAmountInRoute', [[1, 0], [2, 2]]);
const SWAP_AMOUNT_OUT_ROUTE = protoShape('lanes.amm.v1.SwapAmountOutRoute', [[1, 0], [2, 2]]);
const AMM_MSG_SHAPES = {
  createPool: protoShape('lanes.amm.v1.MsgCreatePool', [[1, 2], [2, 0], [3, 2, COIN_SHAPE], [4, 2], [5, 0]]),
  addLiquidity: protoShape('lanes.amm.v1.MsgAddLiquidity', [[1, 2], [2, 0], [3, 2, COIN_SHAPE], [4, 2]]),
  removeLiquidity: protoShape('lanes.amm.v1.MsgRemoveLiquidity', [[1, 2], [2, 0], [3, 2], [4, 2, COIN_SHAPE]]),
  swapExactIn: protoShape('lanes.amm.v1.MsgSwapExactIn', [[1, 2], [2, 2, SWAP_AMOUNT_IN_ROUTE], [3, 2, COIN_SHAPE], [4, 2]]),
  swapExactOut: protoShape('lanes.amm.v1.MsgSwapExactOut', [[1, 2], [2, 2, SWAP_AMOUNT_OUT_ROUTE], [3, 2, COIN_SHAPE], [4, 2]]),
} as const;

/** A pool id of a Msg or a query: pool ids start at 1 (amm/25). */
export function checkPoolId(id: bigint): bigint {
  if (id === 0n) throw ErrInvalidPoolId.wrap('pool_id 0: pool ids start at 1');
  return id;
}

/** A pool's assets: exactly two coins, two different denoms, each positive and within 256 bits. */
export function parsePoolAssets(list: readonly { denom: string; amount: string }[], what: string): Coin[] {
  if (list.length !== 2) throw ErrInvalidPoolAssets.wrap(`${what} has ${list.length} asset${list.length === 1 ? '' : 's'} [${list.map((c) => c.denom).join(', ')}]: a pool has exactly 2`);
  if (list[0]?.denom === list[1]?.denom) throw ErrInvalidPoolAssets.wrap(`${what} has the same denom twice: ${list[0]?.denom}`);
  return parseCoins(list);
}

/**
 * A slippage limit (`min_amount_out`, `min_shares_out`). Required: left unset (proto3's "", what a
 * client sends for a forgotten or misspelt field) it would read as no limit, a trade anyone could
 * sandwich. "0" sets none on purpose. Osmosis refuses 0 too; Lanes keeps it for a trader who asks
 * for it by name (the CLI's `--min-out 0usdc`).
 */
function parseLimit(s: string, what: keyof typeof LIMITS): bigint {
  if (s === '') throw ErrInvalidCoins.wrap(`${what} is empty: set ${LIMITS[what]}, or "0" for no limit`);
  return parseAmount(s, what);
}

/** What each slippage limit means, for the refusal of an unset one. */
const LIMITS = {
  min_amount_out: "the least the swap may pay out, in base units of the route's last denom",
  min_shares_out: 'the least LP shares the deposit may mint',
};

/** A route's pool ids, before any state is read (Msgs and EstimateSwap queries alike). */
export function checkRouteIds(ids: readonly bigint[]): void {
  if (ids.length === 0) throw ErrEmptyRoute.wrap('routes is empty');
  // Stateless, before the route's partitions are worked out: no chain allows longer routes
  // (params.max_route_length, checked by the keeper, is at most this), and a Msg of 10,000 pool
  // ids would otherwise cost every node that decodes it ~100 ms, even in a tx that pays nothing.
  if (BigInt(ids.length) > MAX_ROUTE_LENGTH_LIMIT) throw ErrRouteTooLong.wrap(`route of ${ids.length} pools exceeds ${MAX_ROUTE_LENGTH_LIMIT}, the most any max_route_length allows`);
  const seen = new Set<bigint>();
  for (const id of ids) {
    checkPoolId(id);
    if (seen.has(id)) throw ErrRepeatedPool.wrap(`pool ${id} appears twice in the route`);
    seen.add(id);
  }
}

export function validateMsgCreatePool(m: MsgCreatePool): void {
  validateAddress(m.creator, 'creator');
  if (m.poolType !== PoolType.POOL_TYPE_CONSTANT_PRODUCT && m.poolType !== PoolType.POOL_TYPE_STABLESWAP) {
    throw ErrInvalidPoolType.wrap(`pool_type ${m.poolType}: expected POOL_TYPE_CONSTANT_PRODUCT (1) or POOL_TYPE_STABLESWAP (2)`);
  }
  parsePoolAssets(m.initialLiquidity, 'initial_liquidity');
  parseSwapFee(m.swapFee);
  checkAmplification(m.poolType, m.amplification);
}

export function validateMsgAddLiquidity(m: MsgAddLiquidity): void {
  validateAddress(m.sender, 'sender');
  checkPoolId(m.poolId);
  parsePoolAssets(m.maxAmountsIn, 'max_amounts_in');
  parseLimit(m.minSharesOut, 'min_shares_out');
}

export function validateMsgRemoveLiquidity(m: MsgRemoveLiquidity): void {
  validateAddress(m.sender, 'sender');
  checkPoolId(m.poolId);
  if (parseAmount(m.shares, 'shares') === 0n) throw ErrInvalidCoins.wrap('shares 0: must be positive');
  parseCoins(m.minAmountsOut, { allowEmpty: true });
}

export function validateMsgSwapExactIn(m: MsgSwapExactIn): void {
  validateAddress(m.sender, 'sender');
  checkRouteIds(m.routes.map((r) => r.poolId));
  for (const r of m.routes) validateDenom(r.tokenOutDenom);
  const tokenIn = parseCoin(m.tokenIn ?? { denom: '', amount: '' });
  parseLimit(m.minAmountOut, 'min_amount_out');
  // Each hop takes in what the one before paid out (the first, token_in); the keeper checks it again.
  let inDenom = tokenIn.denom;
  for (const r of m.routes) {
    checkHopDenoms(r.poolId, inDenom, r.tokenOutDenom);
    inDenom = r.tokenOutDenom;
  }
}

export function validateMsgSwapExactOut(m: MsgSwapExactOut): void {
  validateAddress(m.sender, 'sender');
  checkRouteIds(m.routes.map((r) => r.poolId));
  for (const r of m.routes) validateDenom(r.tokenInDenom);
  const tokenOut = parseCoin(m.tokenOut ?? { denom: '', amount: '' });
  parseAmount(m.maxAmountIn, 'max_amount_in');
  // Each hop pays out what the one after takes in (the last, token_out); the keeper checks it again.
  let outDenom = tokenOut.denom;
  for (const r of [...m.routes].reverse()) {
    checkHopDenoms(r.poolId, r.tokenInDenom, outDenom);
    outDenom = r.tokenInDenom;
  }
}

function any(typeUrl: string, value: Uint8Array): AnyMsg {
  return { typeUrl, value };
}

const wire = (c: Coin) => ({ denom: c.denom, amount: c.amount.toString() });

export function ammMsgHandlers(keeper: AmmKeeper): MsgHandler<unknown>[] {
  return [
    defineMsg<MsgCreatePool>({
      typeUrl: MSG_CREATE_POOL_TYPE_URL,
      module: 'amm',
      shape: AMM_MSG_SHAPES.createPool,
      decode: (b) => MsgCreatePool.decode(b),
      validate: validateMsgCreatePool,
      signers: (m) => [m.creator],
      access: createPoolAccess,
      handle: (ctx, m) => {
        const r = keeper.createPool(ctx, {
          creator: m.creator, type: m.poolType, liquidity: parseCoins(m.initialLiquidity),
          swapFee: parseSwapFee(m.swapFee), amplification: m.amplification,
        });
        return any('/lanes.amm.v1.MsgCreatePoolResponse', MsgCreatePoolResponse.encode({ poolId: r.poolId, sharesOut: r.sharesOut.toString() }).finish());
      },
    }),
    defineMsg<MsgAddLiquidity>({
      typeUrl: MSG_ADD_LIQUIDITY_TYPE_URL,
      module: 'amm',
      shape: AMM_MSG_SHAPES.addLiquidity,
      decode: (b) => MsgAddLiquidity.decode(b),
      validate: validateMsgAddLiquidity,
      signers: (m) => [m.sender],
      access: liquidityAccess,
      handle: (ctx, m) => {
        const r = keeper.addLiquidity(ctx, m.sender, m.poolId, parseCoins(m.maxAmountsIn), parseLimit(m.minSharesOut, 'min_shares_out'));
        return any('/lanes.amm.v1.MsgAddLiquidityResponse', MsgAddLiquidityResponse.encode({ sharesOut: r.sharesOut.toString(), amountsIn: r.amountsIn.map(wire) }).finish());
      },
    }),
    defineMsg<MsgRemoveLiquidity>({
      typeUrl: MSG_REMOVE_LIQUIDITY_TYPE_URL,
      module: 'amm',
      shape: AMM_MSG_SHAPES.removeLiquidity,
      decode: (b) => MsgRemoveLiquidity.decode(b),
      validate: validateMsgRemoveLiquidity,
      signers: (m) => [m.sender],
      access: liquidityAccess,
      handle: (ctx, m) => {
        const out = keeper.removeLiquidity(ctx, m.sender, m.poolId, parseAmount(m.shares, 'shares'), parseCoins(m.minAmountsOut, { allowEmpty: true }));
        return any('/lanes.amm.v1.MsgRemoveLiquidityResponse', MsgRemoveLiquidityResponse.encode({ amountsOut: out.map(wire) }).finish());
      },
    }),
    defineMsg<MsgSwapExactIn>({
      typeUrl: MSG_SWAP_EXACT_IN_TYPE_URL,
      module: 'amm',
      shape: AMM_MSG_SHAPES.swapExactIn,
      decode: (b) => MsgSwapExactIn.decode(b),
      validate: validateMsgSwapExactIn,
      signers: (m) => [m.sender],
      access: swapAccess,
      handle: (ctx, m) => {
        const out = keeper.swapExactIn(ctx, m.sender, m.routes, parseCoin(m.tokenIn ?? { denom: '', amount: '' }), parseLimit(m.minAmountOut, 'min_amount_out'));
        return any('/lanes.amm.v1.MsgSwapExactInResponse', MsgSwapExactInResponse.encode({ amountOut: out.toString() }).finish());
      },
    }),
    defineMsg<MsgSwapExactOut>({
      typeUrl: MSG_SWAP_EXACT_OUT_TYPE_URL,
      module: 'amm',
      shape: AMM_MSG_SHAPES.swapExactOut,
      decode: (b) => MsgSwapExactOut.decode(b),
      validate: validateMsgSwapExactOut,
      signers: (m) => [m.sender],
      access: swapAccess,
      handle: (ctx, m) => {
        const inAmount = keeper.swapExactOut(ctx, m.sender, m.routes, parseCoin(m.tokenOut ?? { denom: '', amount: '' }), parseAmount(m.maxAmountIn, 'max_amount_in'));
        return any('/lanes.amm.v1.MsgSwapExactOutResponse', MsgSwapExactOutResponse.encode({ amountIn: inAmount.toString() }).finish());
      },
    }),
  ];
}
