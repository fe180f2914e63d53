// A pool as the keeper works with it (bigints, two assets in denom order), its wire form, and the
// addresses the module uses.
import { FifoMap, MAX_AMOUNT, formatDec, isNodeFault, moduleAddress, parseDec, type Context } from '@lanes/app';
import { PoolType, type Pool } from '@lanes/proto/lanes/amm/v1/amm';
import type { Curve, MathWork } from './math.ts';
import { ErrAmountOverflow, ErrInvalidAmplification, ErrInvalidRoute, ErrInvalidSwapFee } from './errors.ts';

/** swap_fee is at most 0.1 (18-decimal). */
export const MAX_SWAP_FEE = 10n ** 17n;
export const MIN_AMPLIFICATION = 1n;
export const MAX_AMPLIFICATION = 10_000n;

/**
 * Gas per step of the stableswap solvers. A step (one Newton iteration or one evaluation of the
 * exact search, on amounts up to MAX_AMOUNT) took 0.3–1.2 µs here, about what a KV read charged
 * 1,000 gas costs. A swap hop through a balanced stable pool takes ~30 steps; through a very
 * unbalanced one, up to ~3,000, which without this charge cost the validators milliseconds a hop
 * for the gas of a constant-product hop.
 */
export const STABLESWAP_STEP_GAS = 1000;

/**
 * Runs pool math, charging each solver step as gas before it runs: a tx whose gas runs out stops
 * at that step, on every validator alike. Constant-product math takes no steps, so it is charged
 * nothing here.
 */
export function metered<T>(ctx: Context, math: (work: MathWork) => T): T {
  return math(new StepGas(ctx));
}

/** A class rather than an object literal with an arrow: this is built on every hop and TWAP update. */
class StepGas implements MathWork {
  constructor(private readonly ctx: Context) {}
  step(): void {
    this.ctx.gas.consume(STABLESWAP_STEP_GAS, 'stableswap math');
  }
}

/** Receives the pool creation fee. */
export const PROTOCOL_ADDRESS = moduleAddress('amm/protocol');
/**
 * Holds the MINIMUM_LIQUIDITY shares minted at every pool creation. A module address is a hash
 * with no private key, so nobody can sign for it and the shares can never be redeemed; minting
 * them (rather than only counting them) keeps bank supply of `amm/pool/<id>` == total_shares.
 */
export const LOCKED_SHARES_ADDRESS = moduleAddress('amm/locked');

/**
 * Bounded: each thread (main, workers) fills its own from what it decodes, so an unbounded one
 * would grow with every pool id anyone names, and at V8's Map limit (2^24 entries) throw on one
 * thread and not on another. Evicting the oldest keeps it a pure function's cache.
 */
const addressCache = new FifoMap<bigint, string>(10_000, 'pool address cache');
/** The pool's bank account, which holds its reserves: moduleAddress('amm/pool/<id>'). */
export function poolAddress(id: bigint): string {
  let a = addressCache.get(id);
  if (a === undefined) {
    a = moduleAddress(shareDenom(id));
    addressCache.set(id, a);
  }
  return a;
}

/** LP shares are the bank denom `amm/pool/<id>`. */
export function shareDenom(id: bigint): string {
  return `amm/pool/${id}`;
}

/** The pool id of an LP share denom (`amm/pool/<id>`, as shareDenom writes it); else undefined. */
export function shareDenomPoolId(denom: string): bigint | undefined {
  const m = /^amm\/pool\/([1-9][0-9]*)$/.exec(denom);
  return m ? BigInt(m[1] as string) : undefined;
}

/**
 * Read-only all the way down: pools read from state are shared and frozen (keys.ts, memoValue), so
 * a new state is a new object (`{ ...pool, reserves: [...] }`).
 */
export interface PoolState {
  readonly id: bigint;
  readonly type: PoolType;
  /** Sorted ascending; always two. */
  readonly denoms: readonly [string, string];
  readonly reserves: readonly [bigint, bigint];
  readonly totalShares: bigint;
  /** 18-decimal. */
  readonly swapFee: bigint;
  readonly amplification: bigint;
}

export function curveOf(p: PoolState): Curve {
  return p.type === PoolType.POOL_TYPE_STABLESWAP ? { kind: 'stable', amp: p.amplification } : { kind: 'cp' };
}

/** Index of `denom` in the pool, or -1. */
export function indexOf(p: PoolState, denom: string): 0 | 1 | -1 {
  return p.denoms[0] === denom ? 0 : p.denoms[1] === denom ? 1 : -1;
}

/** The pool's reserves as wire coins (the pool record's and the events' `reserves`). */
export function wireReserves(p: PoolState): { denom: string; amount: string }[] {
  return [{ denom: p.denoms[0], amount: p.reserves[0].toString() }, { denom: p.denoms[1], amount: p.reserves[1].toString() }];
}

export function toWirePool(p: PoolState): Pool {
  return {
    id: p.id,
    poolType: p.type,
    reserves: wireReserves(p),
    totalShares: p.totalShares.toString(),
    shareDenom: shareDenom(p.id),
    swapFee: formatDec(p.swapFee),
    amplification: p.amplification,
  };
}

/** CONTRACT: `w` was written by toWirePool (state) or checked by validateWirePool (genesis). */
export function fromWirePool(w: Pool): PoolState {
  const [a, b] = w.reserves;
  return {
    id: w.id,
    type: w.poolType,
    denoms: [a?.denom ?? '', b?.denom ?? ''],
    reserves: [BigInt(a?.amount ?? '0'), BigInt(b?.amount ?? '0')],
    totalShares: BigInt(w.totalShares),
    swapFee: parseDec(w.swapFee),
    amplification: w.amplification,
  };
}

/** Parses and range-checks a swap fee string: 18-decimal, 0 to 0.1. */
export function parseSwapFee(s: string): bigint {
  let fee: bigint;
  try {
    fee = parseDec(s, 'swap_fee');
  } catch (e) {
    if (isNodeFault(e)) throw e;
    throw ErrInvalidSwapFee.wrap((e as Error).message);
  }
  if (fee > MAX_SWAP_FEE) throw ErrInvalidSwapFee.wrap(`swap_fee ${s} is above the maximum ${formatDec(MAX_SWAP_FEE)}`);
  return fee;
}

export function checkAmplification(type: PoolType, amp: bigint): void {
  if (type === PoolType.POOL_TYPE_STABLESWAP) {
    if (amp < MIN_AMPLIFICATION || amp > MAX_AMPLIFICATION) {
      throw ErrInvalidAmplification.wrap(`amplification ${amp} is outside ${MIN_AMPLIFICATION}..${MAX_AMPLIFICATION}`);
    }
  } else if (amp !== 0n) {
    throw ErrInvalidAmplification.wrap(`amplification ${amp} is only for stableswap pools: must be 0 for constant product`);
  }
}

/** A swap hop through pool `id` must pay out another denom than it takes in (amm/24). */
export function checkHopDenoms(id: bigint, inDenom: string, outDenom: string): void {
  if (inDenom === outDenom) throw ErrInvalidRoute.wrap(`pool ${id}: token in and out are both ${inDenom}`);
}

/** Reserves and share supply stay Cosmos `Int`s (256 bits). */
export function checkAmount(v: bigint, what: string): void {
  if (v > MAX_AMOUNT) throw ErrAmountOverflow.wrap(`${what} ${v} exceeds 2^256-1`);
}
