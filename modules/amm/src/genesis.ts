// AMM genesis: params, pools and the next pool id (snake_case JSON, Cosmos style).
//
// Tokens are bank state: the pool accounts' reserves, the locked shares and the LP shares are
// bank genesis balances, so export -> import round-trips without minting anything twice. Init
// checks that bank agrees (pool account holds at least its reserves, share supply equals
// total_shares). TWAP history restarts at genesis (one observation at the genesis time).
import { MAX_AMOUNT, formatDec, parseCoins, type Context } from '@lanes/app';
import { PoolType, type Params } from '@lanes/proto/lanes/amm/v1/amm';
import type { BankKeeper } from './expectedKeepers.ts';
import type { AmmKeeper } from './keeper.ts';
import { NextPoolId, ParamsItem } from './keys.ts';
import { DEFAULT_AMM_PARAMS, validateParams, type AmmParams } from './params.ts';
import { LOCKED_SHARES_ADDRESS, checkAmplification, parseSwapFee, poolAddress, shareDenom, shareDenomPoolId, type PoolState } from './pool.ts';
import { MINIMUM_LIQUIDITY, initialShares, invariant } from './math.ts';
import { curveOf } from './pool.ts';
import { initTwap } from './twap.ts';
import { ErrInvalidGenesis } from './errors.ts';

type WireCoin = { denom: string; amount: string };

export interface AmmGenesisParams {
  pool_creation_fee: WireCoin[];
  max_route_length: string;
  twap_observations: string;
}

export interface AmmGenesisPool {
  id: string;
  pool_type: 'POOL_TYPE_CONSTANT_PRODUCT' | 'POOL_TYPE_STABLESWAP';
  /** Sorted by denom. */
  reserves: WireCoin[];
  total_shares: string;
  swap_fee: string;
  amplification: string;
}

export interface AmmGenesis {
  params?: AmmGenesisParams;
  pools: AmmGenesisPool[];
  next_pool_id: string;
}

const U64_RE = /^[0-9]{1,20}$/;

function u64(s: unknown, what: string): bigint {
  if (typeof s !== 'string' || !U64_RE.test(s) || BigInt(s) > 0xffffffffffffffffn) throw ErrInvalidGenesis.wrap(`${what} ${JSON.stringify(s)} is not a u64 decimal string`);
  return BigInt(s);
}

function wrapped<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw ErrInvalidGenesis.wrap(`${what}: ${(e as Error).message}`);
  }
}

export function paramsFromGenesis(p: AmmGenesisParams | undefined): Params {
  if (p === undefined) return DEFAULT_AMM_PARAMS;
  const params: Params = {
    poolCreationFee: p.pool_creation_fee ?? [],
    maxRouteLength: u64(p.max_route_length, 'amm.params.max_route_length'),
    twapObservations: u64(p.twap_observations, 'amm.params.twap_observations'),
  };
  validateParams(params);
  return params;
}

export function paramsToGenesis(p: AmmParams): AmmGenesisParams {
  // Copied: `p` may be the shared, frozen params from state, and genesis JSON is for editing.
  const fee = p.poolCreationFee.map((c) => ({ denom: c.denom, amount: c.amount }));
  return { pool_creation_fee: fee, max_route_length: p.maxRouteLength.toString(), twap_observations: p.twapObservations.toString() };
}

export function poolFromGenesis(g: AmmGenesisPool, i: number): PoolState {
  const what = `amm.pools[${i}]`;
  const id = u64(g.id, `${what}.id`);
  if (id === 0n) throw ErrInvalidGenesis.wrap(`${what}.id 0: pool ids start at 1`);
  const type = g.pool_type === 'POOL_TYPE_CONSTANT_PRODUCT' ? PoolType.POOL_TYPE_CONSTANT_PRODUCT : g.pool_type === 'POOL_TYPE_STABLESWAP' ? PoolType.POOL_TYPE_STABLESWAP : undefined;
  if (type === undefined) throw ErrInvalidGenesis.wrap(`${what}.pool_type ${JSON.stringify(g.pool_type)} is not a pool type`);
  const reserves = wrapped(`${what}.reserves`, () => parseCoins(g.reserves ?? []));
  const [a, b] = reserves;
  if (reserves.length !== 2 || a === undefined || b === undefined || !(a.denom < b.denom)) {
    throw ErrInvalidGenesis.wrap(`${what}.reserves must be 2 coins sorted by denom, got ${JSON.stringify(g.reserves)}`);
  }
  const totalShares = wrapped(`${what}.total_shares`, () => {
    if (!/^[0-9]+$/.test(g.total_shares) || BigInt(g.total_shares) > MAX_AMOUNT) throw new Error(`invalid ${JSON.stringify(g.total_shares)}`);
    return BigInt(g.total_shares);
  });
  if (totalShares <= MINIMUM_LIQUIDITY) throw ErrInvalidGenesis.wrap(`${what}.total_shares ${totalShares} must exceed the ${MINIMUM_LIQUIDITY} locked shares`);
  const pool: PoolState = {
    id, type, denoms: [a.denom, b.denom], reserves: [a.amount, b.amount], totalShares,
    swapFee: wrapped(`${what}.swap_fee`, () => parseSwapFee(g.swap_fee)),
    amplification: u64(g.amplification, `${what}.amplification`),
  };
  wrapped(`${what}.amplification`, () => checkAmplification(type, pool.amplification));
  wrapped(`${what}.reserves`, () => invariant(curveOf(pool), pool.reserves[0], pool.reserves[1]));
  return pool;
}

export function validateAmmGenesis(raw: unknown): { params: Params; pools: PoolState[]; nextPoolId: bigint } {
  if (raw === undefined) return { params: DEFAULT_AMM_PARAMS, pools: [], nextPoolId: 1n };
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as AmmGenesis).pools)) {
    throw ErrInvalidGenesis.wrap('amm genesis must be {"params": {...}, "pools": [...], "next_pool_id": "1"}');
  }
  const g = raw as AmmGenesis;
  const params = paramsFromGenesis(g.params);
  const pools = g.pools.map(poolFromGenesis);
  const nextPoolId = u64(g.next_pool_id, 'amm.next_pool_id');
  const seen = new Set<bigint>();
  for (const p of pools) {
    if (seen.has(p.id)) throw ErrInvalidGenesis.wrap(`amm.pools: pool ${p.id} listed twice`);
    seen.add(p.id);
    if (p.id >= nextPoolId) throw ErrInvalidGenesis.wrap(`amm.pools: pool ${p.id} is not below next_pool_id ${nextPoolId}`);
  }
  return { params, pools: [...pools].sort((x, y) => (x.id < y.id ? -1 : 1)), nextPoolId };
}

export function initAmmGenesis(ctx: Context, keeper: AmmKeeper, bank: BankKeeper, raw: unknown): void {
  const g = validateAmmGenesis(raw);
  ParamsItem.set(ctx, g.params);
  NextPoolId.set(ctx, g.nextPoolId);
  for (const p of g.pools) {
    for (const [i, denom] of p.denoms.entries()) {
      const have = bank.balance(ctx, poolAddress(p.id), denom);
      const want = p.reserves[i] as bigint;
      if (have < want) throw ErrInvalidGenesis.wrap(`pool ${p.id}: its account ${poolAddress(p.id)} holds ${have}${denom}, less than its reserve ${want}${denom}`);
    }
    const supply = bank.supplyOf(ctx, shareDenom(p.id));
    if (supply !== p.totalShares) throw ErrInvalidGenesis.wrap(`pool ${p.id}: bank supply of ${shareDenom(p.id)} is ${supply}, total_shares is ${p.totalShares}`);
    // As at creation: MINIMUM_LIQUIDITY shares nobody can redeem, so no withdrawal empties the pool
    // (an empty pool would divide by zero at its next deposit or swap).
    const locked = bank.balance(ctx, LOCKED_SHARES_ADDRESS, shareDenom(p.id));
    if (locked < MINIMUM_LIQUIDITY) {
      throw ErrInvalidGenesis.wrap(`pool ${p.id}: ${LOCKED_SHARES_ADDRESS} holds ${locked} of ${shareDenom(p.id)}; at least ${MINIMUM_LIQUIDITY} must be locked there`);
    }
    keeper.setPool(ctx, p);
    initTwap(ctx, p.id, g.params);
  }
  // LP shares exist only for the pools listed: shares of a pool created later would be minted on
  // top of them, and their holder could withdraw that pool's reserves, locked shares' part too.
  const listed = new Set(g.pools.map((p) => p.id));
  for (const { denom, amount } of bank.allSupply(ctx)) {
    const id = shareDenomPoolId(denom);
    if (id !== undefined && !listed.has(id)) {
      throw ErrInvalidGenesis.wrap(`bank supply of ${denom} is ${amount}, but amm.pools lists no pool ${id}: LP shares exist only for existing pools`);
    }
  }
}

export function exportAmmGenesis(ctx: Context, keeper: AmmKeeper): AmmGenesis {
  return {
    params: paramsToGenesis(keeper.params(ctx)),
    pools: keeper.allPools(ctx).map(poolToGenesis),
    next_pool_id: (NextPoolId.get(ctx) ?? 1n).toString(),
  };
}

export function poolToGenesis(p: PoolState): AmmGenesisPool {
  return {
    id: p.id.toString(),
    pool_type: p.type === PoolType.POOL_TYPE_STABLESWAP ? 'POOL_TYPE_STABLESWAP' : 'POOL_TYPE_CONSTANT_PRODUCT',
    reserves: [0, 1].map((i) => ({ denom: p.denoms[i] as string, amount: (p.reserves[i] as bigint).toString() })),
    total_shares: p.totalShares.toString(),
    swap_fee: formatDec(p.swapFee),
    amplification: p.amplification.toString(),
  };
}

export interface GenesisPoolSpec {
  type: 'POOL_TYPE_CONSTANT_PRODUCT' | 'POOL_TYPE_STABLESWAP';
  reserves: [WireCoin, WireCoin];
  swap_fee: string;
  amplification?: bigint;
}

/**
 * Genesis pools as if created by `lpHolder` at genesis: the amm section plus the bank balances
 * that back it (reserves in each pool account, MINIMUM_LIQUIDITY shares locked, the rest of the
 * shares to `lpHolder`). Merge `balances` into bank genesis.
 */
export function genesisPools(specs: readonly GenesisPoolSpec[], lpHolder: string, params: Params = DEFAULT_AMM_PARAMS): { amm: AmmGenesis; balances: { address: string; coins: WireCoin[] }[] } {
  const pools: AmmGenesisPool[] = [];
  const balances: { address: string; coins: WireCoin[] }[] = [];
  const locked: WireCoin[] = [];
  const held: WireCoin[] = [];
  for (const [i, s] of specs.entries()) {
    const id = BigInt(i + 1);
    const reserves = [...s.reserves].sort((x, y) => (x.denom < y.denom ? -1 : 1));
    const total = initialShares(BigInt(s.reserves[0].amount), BigInt(s.reserves[1].amount));
    pools.push({ id: id.toString(), pool_type: s.type, reserves, total_shares: total.toString(), swap_fee: s.swap_fee, amplification: (s.amplification ?? 0n).toString() });
    balances.push({ address: poolAddress(id), coins: reserves });
    locked.push({ denom: shareDenom(id), amount: MINIMUM_LIQUIDITY.toString() });
    held.push({ denom: shareDenom(id), amount: (total - MINIMUM_LIQUIDITY).toString() });
  }
  const byDenom = (x: WireCoin, y: WireCoin) => (x.denom < y.denom ? -1 : 1);
  if (specs.length > 0) {
    balances.push({ address: LOCKED_SHARES_ADDRESS, coins: locked.sort(byDenom) });
    balances.push({ address: lpHolder, coins: held.sort(byDenom) });
  }
  return { amm: { params: paramsToGenesis(params), pools, next_pool_id: String(specs.length + 1) }, balances };
}
