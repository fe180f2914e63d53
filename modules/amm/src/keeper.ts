// The only code that reads and writes AMM state. Reserves live twice, on purpose: in the pool
// record (what the math and the invariant check use) and as the pool account's bank balances
// (so supply and balances add up); every change moves tokens and updates the record together.
import type { PageRequest, PageResponse } from 'cosmjs-types/cosmos/base/query/v1beta1/pagination';
import { coinsToString, type Coin, type Context } from '@lanes/app';
import { PoolType, type SwapAmountInRoute, type SwapAmountOutRoute } from '@lanes/proto/lanes/amm/v1/amm';
import type { BankKeeper } from './expectedKeepers.ts';
import { NextPoolId, ParamsItem, Pools } from './keys.ts';
import { DEFAULT_AMM_PARAMS, type AmmParams } from './params.ts';
import {
  LOCKED_SHARES_ADDRESS, PROTOCOL_ADDRESS, checkAmount, checkHopDenoms, curveOf, indexOf, metered, poolAddress, shareDenom, toWirePool, wireReserves,
  type PoolState,
} from './pool.ts';
import {
  MINIMUM_LIQUIDITY, depositShares, inGivenOut, initialShares, invariant, outGivenIn, spotFraction, toDec, withdrawAmounts,
  type MathWork,
} from './math.ts';
import {
  ErrDenomNotInPool, ErrInitialLiquidityTooLow, ErrInsufficientShares, ErrInvalidPoolAssets, ErrInvariantViolated,
  ErrMaxAmountInExceeded, ErrMinAmountOutNotMet, ErrMinAmountsOutNotMet, ErrMinSharesOutNotMet, ErrPoolNotFound,
  ErrRepeatedPool, ErrRouteTooLong, ErrZeroAmountOut, ErrZeroShares, ErrEmptyRoute,
} from './errors.ts';
import { emitLiquidityAdded, emitLiquidityRemoved, emitPoolCreated, emitSwap } from './events.ts';
import { initTwap, touchTwap } from './twap.ts';

export interface CreatePoolArgs {
  creator: string;
  type: PoolType;
  /** Two coins, validated (positive, distinct denoms). */
  liquidity: readonly Coin[];
  swapFee: bigint;
  amplification: bigint;
}

/** One hop of a computed route: the pool after the hop, and what went in and out. */
export interface Hop {
  pool: PoolState;
  tokenIn: Coin;
  tokenOut: Coin;
}

export interface RouteQuote {
  hops: Hop[];
  amountIn: bigint;
  amountOut: bigint;
  /** 1 − (actual rate / spot rate along the route), 18-decimal, never negative. */
  priceImpact: bigint;
}

const byDenom = (a: Coin, b: Coin): number => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0);
const wire = (c: Coin) => ({ denom: c.denom, amount: c.amount.toString() });

export class AmmKeeper {
  constructor(private readonly bank: BankKeeper) {}

  params(ctx: Context): AmmParams {
    return ParamsItem.get(ctx) ?? DEFAULT_AMM_PARAMS;
  }

  getPool(ctx: Context, id: bigint): PoolState {
    const p = Pools.get(ctx, id);
    if (p === undefined) throw ErrPoolNotFound.wrap(`pool ${id} not found`);
    return p;
  }

  /** Every pool in id order (queries and genesis only: a whole-collection scan). */
  allPools(ctx: Context): PoolState[] {
    return [...Pools.iterate(ctx)].map(([, p]) => p);
  }

  /** A page of the pools, by id (page keys name the id as 8 big-endian bytes), reading only that page's. */
  poolsPage(ctx: Context, page: PageRequest | undefined): { items: PoolState[]; pagination: PageResponse } {
    const r = Pools.page(ctx, page);
    return { items: r.items.map(([, pool]) => pool), pagination: r.pagination };
  }

  setPool(ctx: Context, p: PoolState): void {
    checkAmount(p.reserves[0], `pool ${p.id} reserve of ${p.denoms[0]}`);
    checkAmount(p.reserves[1], `pool ${p.id} reserve of ${p.denoms[1]}`);
    checkAmount(p.totalShares, `pool ${p.id} total shares`);
    Pools.set(ctx, p.id, p);
  }

  // ---- pools and liquidity ----------------------------------------------------------------------

  createPool(ctx: Context, a: CreatePoolArgs): { poolId: bigint; sharesOut: bigint } {
    const params = this.params(ctx);
    const sorted = [...a.liquidity].sort(byDenom);
    const [c0, c1] = sorted;
    if (sorted.length !== 2 || c0 === undefined || c1 === undefined) throw ErrInvalidPoolAssets.wrap(`a pool has exactly 2 assets, got ${sorted.length}`);
    const total = initialShares(c0.amount, c1.amount);
    if (total <= MINIMUM_LIQUIDITY) {
      throw ErrInitialLiquidityTooLow.wrap(`initial liquidity ${coinsToString(sorted)} gives isqrt(a·b) = ${total} shares; more than ${MINIMUM_LIQUIDITY} are needed (${MINIMUM_LIQUIDITY} are locked forever)`);
    }
    const id = NextPoolId.get(ctx) ?? 1n;
    NextPoolId.set(ctx, id + 1n);
    const pool: PoolState = {
      id, type: a.type, denoms: [c0.denom, c1.denom], reserves: [c0.amount, c1.amount],
      totalShares: total, swapFee: a.swapFee, amplification: a.amplification,
    };
    // Stableswap: fail now, not at the first swap, if D cannot be computed for these reserves.
    metered(ctx, (w) => invariant(curveOf(pool), pool.reserves[0], pool.reserves[1], w));
    const fee = params.poolCreationFee.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) })).filter((c) => c.amount > 0n);
    if (fee.length > 0) this.bank.send(ctx, a.creator, PROTOCOL_ADDRESS, fee);
    this.bank.send(ctx, a.creator, poolAddress(id), sorted);
    const denom = shareDenom(id);
    // No shares of a pool not created yet exist: genesis refuses them (initAmmGenesis).
    const sharesOut = total - MINIMUM_LIQUIDITY;
    this.bank.mint(ctx, LOCKED_SHARES_ADDRESS, [{ denom, amount: MINIMUM_LIQUIDITY }]);
    this.bank.mint(ctx, a.creator, [{ denom, amount: sharesOut }]);
    this.setPool(ctx, pool);
    initTwap(ctx, id, params);
    emitPoolCreated(ctx, {
      poolId: id, creator: a.creator, poolType: PoolType[a.type], reserves: sorted.map(wire),
      swapFee: toWirePool(pool).swapFee, sharesOut: sharesOut.toString(),
    });
    return { poolId: id, sharesOut };
  }

  addLiquidity(ctx: Context, sender: string, poolId: bigint, maxIn: readonly Coin[], minShares: bigint): { sharesOut: bigint; amountsIn: Coin[] } {
    const pool = this.getPool(ctx, poolId);
    this.requireExactDenoms(pool, maxIn.map((c) => c.denom), 'max_amounts_in');
    const max = pool.denoms.map((d) => maxIn.find((c) => c.denom === d)?.amount ?? 0n);
    const { shares, amountsIn } = depositShares(pool.reserves, pool.totalShares, max);
    if (shares === 0n) throw ErrZeroShares.wrap(`deposit of ${coinsToString(maxIn)} into pool ${poolId} would mint 0 shares`);
    if (shares < minShares) throw ErrMinSharesOutNotMet.wrap(`min_shares_out ${minShares} not met: got ${shares}`);
    const taken = pool.denoms.map((denom, i) => ({ denom, amount: amountsIn[i] as bigint }));
    touchTwap(ctx, pool, this.params(ctx));
    this.bank.send(ctx, sender, poolAddress(poolId), taken.filter((c) => c.amount > 0n));
    this.bank.mint(ctx, sender, [{ denom: shareDenom(poolId), amount: shares }]);
    const next: PoolState = {
      ...pool,
      reserves: [pool.reserves[0] + (amountsIn[0] as bigint), pool.reserves[1] + (amountsIn[1] as bigint)],
      totalShares: pool.totalShares + shares,
    };
    this.setPool(ctx, next);
    emitLiquidityAdded(ctx, { poolId, sender, amountsIn: taken.map(wire), sharesOut: shares.toString(), reserves: wireReserves(next) });
    return { sharesOut: shares, amountsIn: taken };
  }

  removeLiquidity(ctx: Context, sender: string, poolId: bigint, shares: bigint, minOut: readonly Coin[]): Coin[] {
    const pool = this.getPool(ctx, poolId);
    for (const c of minOut) {
      if (indexOf(pool, c.denom) < 0) throw ErrDenomNotInPool.wrap(`min_amounts_out denom ${c.denom} is not in pool ${poolId} (${pool.denoms.join(', ')})`);
    }
    const denom = shareDenom(poolId);
    const held = this.bank.balance(ctx, sender, denom);
    if (held < shares) throw ErrInsufficientShares.wrap(`removing ${shares} shares of pool ${poolId} but ${sender} holds ${held}`);
    const amounts = withdrawAmounts(pool.reserves, pool.totalShares, shares);
    const out = pool.denoms.map((d, i) => ({ denom: d, amount: amounts[i] as bigint }));
    if (out.every((c) => c.amount === 0n)) throw ErrZeroAmountOut.wrap(`removing ${shares} shares of pool ${poolId} returns nothing`);
    for (const m of minOut) {
      const got = out.find((c) => c.denom === m.denom)?.amount ?? 0n;
      if (got < m.amount) throw ErrMinAmountsOutNotMet.wrap(`min_amounts_out ${m.amount}${m.denom} not met: got ${got}${m.denom}`);
    }
    touchTwap(ctx, pool, this.params(ctx));
    this.bank.burn(ctx, sender, [{ denom, amount: shares }]);
    this.bank.send(ctx, poolAddress(poolId), sender, out.filter((c) => c.amount > 0n));
    const next: PoolState = {
      ...pool,
      reserves: [pool.reserves[0] - (amounts[0] as bigint), pool.reserves[1] - (amounts[1] as bigint)],
      totalShares: pool.totalShares - shares,
    };
    this.setPool(ctx, next);
    emitLiquidityRemoved(ctx, { poolId, sender, shares: shares.toString(), amountsOut: out.map(wire), reserves: wireReserves(next) });
    return out;
  }

  private requireExactDenoms(pool: PoolState, denoms: readonly string[], what: string): void {
    const want = [...pool.denoms].join(',');
    const got = [...denoms].sort().join(',');
    if (want !== got) throw ErrInvalidPoolAssets.wrap(`${what} denoms [${got}] must be exactly pool ${pool.id}'s [${want}]`);
  }

  // ---- swaps ------------------------------------------------------------------------------------

  private checkRouteShape(ctx: Context, ids: readonly bigint[]): void {
    if (ids.length === 0) throw ErrEmptyRoute.wrap('routes is empty');
    const max = this.params(ctx).maxRouteLength;
    if (BigInt(ids.length) > max) throw ErrRouteTooLong.wrap(`route of ${ids.length} pools exceeds max_route_length ${max}`);
    const seen = new Set<bigint>();
    for (const id of ids) {
      if (seen.has(id)) throw ErrRepeatedPool.wrap(`pool ${id} appears twice in the route`);
      seen.add(id);
    }
  }

  private hopPool(ctx: Context, id: bigint, inDenom: string, outDenom: string): { pool: PoolState; i: 0 | 1; o: 0 | 1 } {
    checkHopDenoms(id, inDenom, outDenom);
    const pool = this.getPool(ctx, id);
    const i = indexOf(pool, inDenom);
    const o = indexOf(pool, outDenom);
    if (i === -1) throw ErrDenomNotInPool.wrap(`pool ${id} has no ${inDenom} (it holds ${pool.denoms.join(', ')})`);
    if (o === -1) throw ErrDenomNotInPool.wrap(`pool ${id} has no ${outDenom} (it holds ${pool.denoms.join(', ')})`);
    return { pool, i, o };
  }

  /** Applies one hop to a copy of the pool; checks that the invariant did not decrease. */
  private applyHop(pool: PoolState, i: 0 | 1, o: 0 | 1, amountIn: bigint, amountOut: bigint, work: MathWork): PoolState {
    const reserves: [bigint, bigint] = [...pool.reserves];
    reserves[i] += amountIn;
    reserves[o] -= amountOut;
    const curve = curveOf(pool);
    const before = invariant(curve, pool.reserves[0], pool.reserves[1], work);
    const after = invariant(curve, reserves[0], reserves[1], work);
    // Single check is sufficient: every other rounding already favours the pool.
    if (after < before) throw ErrInvariantViolated.wrap(`pool ${pool.id}: invariant ${before} -> ${after}`);
    return { ...pool, reserves };
  }

  /** Quotes a swap of exactly `tokenIn` along `routes` without touching balances. */
  quoteExactIn(ctx: Context, routes: readonly SwapAmountInRoute[], tokenIn: Coin): RouteQuote {
    this.checkRouteShape(ctx, routes.map((r) => r.poolId));
    const hops: Hop[] = [];
    let cur = tokenIn;
    let num = 1n;
    let den = 1n;
    for (const r of routes) {
      const { pool, i, o } = this.hopPool(ctx, r.poolId, cur.denom, r.tokenOutDenom);
      const tokenIn = cur;
      const hop = metered(ctx, (w) => {
        const spot = spotFraction(curveOf(pool), pool.reserves[i], pool.reserves[o], w);
        const out = outGivenIn(curveOf(pool), pool.reserves[i], pool.reserves[o], tokenIn.amount, pool.swapFee, w);
        if (out === 0n) throw ErrZeroAmountOut.wrap(`swapping ${tokenIn.amount}${tokenIn.denom} in pool ${pool.id} gives 0${r.tokenOutDenom}`);
        return { spot, out, after: this.applyHop(pool, i, o, tokenIn.amount, out, w) };
      });
      num *= hop.spot.num;
      den *= hop.spot.den;
      const next = { denom: r.tokenOutDenom, amount: hop.out };
      hops.push({ pool: hop.after, tokenIn, tokenOut: next });
      cur = next;
    }
    return { hops, amountIn: tokenIn.amount, amountOut: cur.amount, priceImpact: impact(tokenIn.amount, cur.amount, num, den) };
  }

  /** Quotes a swap paying exactly `tokenOut` along `routes` (each route names its token in). */
  quoteExactOut(ctx: Context, routes: readonly SwapAmountOutRoute[], tokenOut: Coin): RouteQuote {
    this.checkRouteShape(ctx, routes.map((r) => r.poolId));
    const hops: Hop[] = [];
    let cur = tokenOut;
    let num = 1n;
    let den = 1n;
    for (let k = routes.length - 1; k >= 0; k--) {
      const r = routes[k] as SwapAmountOutRoute;
      const { pool, i, o } = this.hopPool(ctx, r.poolId, r.tokenInDenom, cur.denom);
      const tokenOut = cur;
      const hop = metered(ctx, (w) => {
        const spot = spotFraction(curveOf(pool), pool.reserves[i], pool.reserves[o], w);
        const needed = inGivenOut(curveOf(pool), pool.reserves[i], pool.reserves[o], tokenOut.amount, pool.swapFee, w);
        return { spot, needed, after: this.applyHop(pool, i, o, needed, tokenOut.amount, w) };
      });
      num *= hop.spot.num;
      den *= hop.spot.den;
      const prev = { denom: r.tokenInDenom, amount: hop.needed };
      hops.unshift({ pool: hop.after, tokenIn: prev, tokenOut });
      cur = prev;
    }
    return { hops, amountIn: cur.amount, amountOut: tokenOut.amount, priceImpact: impact(cur.amount, tokenOut.amount, num, den) };
  }

  swapExactIn(ctx: Context, sender: string, routes: readonly SwapAmountInRoute[], tokenIn: Coin, minOut: bigint): bigint {
    const q = this.quoteExactIn(ctx, routes, tokenIn);
    if (q.amountOut < minOut) throw ErrMinAmountOutNotMet.wrap(`min_amount_out ${minOut} not met: got ${q.amountOut}`);
    this.execute(ctx, sender, q);
    return q.amountOut;
  }

  swapExactOut(ctx: Context, sender: string, routes: readonly SwapAmountOutRoute[], tokenOut: Coin, maxIn: bigint): bigint {
    const q = this.quoteExactOut(ctx, routes, tokenOut);
    if (q.amountIn > maxIn) throw ErrMaxAmountInExceeded.wrap(`max_amount_in ${maxIn} exceeded: need ${q.amountIn}`);
    this.execute(ctx, sender, q);
    return q.amountIn;
  }

  /** Moves the tokens of a quoted route: sender -> pool 1 -> ... -> pool n -> sender. */
  private execute(ctx: Context, sender: string, q: RouteQuote): void {
    const params = this.params(ctx);
    let from = sender;
    for (const [k, h] of q.hops.entries()) {
      const before = this.getPool(ctx, h.pool.id);
      touchTwap(ctx, before, params);
      const addr = poolAddress(h.pool.id);
      this.bank.send(ctx, from, addr, [h.tokenIn]);
      const last = k === q.hops.length - 1;
      // Intermediate tokens go straight to the next pool's account.
      if (last) this.bank.send(ctx, addr, sender, [h.tokenOut]);
      from = addr;
      this.setPool(ctx, h.pool);
      emitSwap(ctx, { poolId: h.pool.id, sender, tokenIn: wire(h.tokenIn), tokenOut: wire(h.tokenOut), reserves: wireReserves(h.pool) });
    }
  }

  /** Spot price of `base` in `quote` (18-decimal, rounded down). */
  spotPrice(ctx: Context, poolId: bigint, base: string, quote: string): bigint {
    const { pool, i, o } = this.hopPool(ctx, poolId, base, quote);
    const f = metered(ctx, (w) => spotFraction(curveOf(pool), pool.reserves[i], pool.reserves[o], w));
    return toDec(f.num, f.den);
  }
}

/** 1 − (out·den) / (in·num): how much worse than the spot rate the trade went, fee included. */
function impact(amountIn: bigint, amountOut: bigint, num: bigint, den: bigint): bigint {
  const ideal = amountIn * num;
  const actual = amountOut * den;
  return ideal <= actual ? 0n : toDec(ideal - actual, ideal);
}
