// TWAP, Uniswap v2 style: per pool, cumulative price (18-decimal) × seconds of block time for
// each direction, brought up to date on the first touch of the pool in a block (using the
// reserves as they stood since the previous touch) and recorded in a bounded ring of
// observations, so a Twap query can answer any window inside the retained history exactly.
import type { Context } from '@lanes/app';
import type { AmmParams } from './params.ts';
import { TwapObservations, Twaps, type TwapAccumulator, type TwapObservation } from './keys.ts';
import { spotFraction, toDec, type MathWork } from './math.ts';
import { curveOf, metered, type PoolState } from './pool.ts';
import { ErrTwapUnavailable } from './errors.ts';

/** Spot prices (18-decimal) of reserves[0] in reserves[1] and the reverse. */
function spots(p: PoolState, work?: MathWork): [bigint, bigint] {
  const curve = curveOf(p);
  const f0 = spotFraction(curve, p.reserves[0], p.reserves[1], work);
  const f1 = spotFraction(curve, p.reserves[1], p.reserves[0], work);
  return [toDec(f0.num, f0.den), toDec(f1.num, f1.den)];
}

function record(ctx: Context, id: bigint, acc: TwapAccumulator, capacity: bigint): TwapAccumulator {
  const count = BigInt(acc.count);
  const head = count === 0n ? 0n : (BigInt(acc.head) + 1n) % capacity;
  const obs: TwapObservation = { time: acc.last_time, cumulative0: acc.cumulative0, cumulative1: acc.cumulative1 };
  TwapObservations.set(ctx, [id, head], obs);
  const next = { ...acc, head: head.toString(), count: (count < capacity ? count + 1n : capacity).toString() };
  Twaps.set(ctx, id, next);
  return next;
}

/** A new pool's accumulator: zero at the block time, one observation. */
export function initTwap(ctx: Context, id: bigint, params: AmmParams): void {
  record(ctx, id, { last_time: ctx.block.timeSeconds.toString(), cumulative0: '0', cumulative1: '0', head: '0', count: '0' }, params.twapObservations);
}

/**
 * CONTRACT: call before the reserves of `p` change in this block. Only the first call in a
 * block writes (later ones see last_time == block time).
 */
export function touchTwap(ctx: Context, p: PoolState, params: AmmParams): void {
  const acc = Twaps.get(ctx, p.id);
  const now = ctx.block.timeSeconds;
  if (acc === undefined) {
    initTwap(ctx, p.id, params);
    return;
  }
  const last = BigInt(acc.last_time);
  if (now <= last) return;
  const [s0, s1] = metered(ctx, (w) => spots(p, w));
  const dt = now - last;
  record(ctx, p.id, {
    ...acc,
    last_time: now.toString(),
    cumulative0: (BigInt(acc.cumulative0) + s0 * dt).toString(),
    cumulative1: (BigInt(acc.cumulative1) + s1 * dt).toString(),
  }, params.twapObservations);
}

/** The retained observations of a pool: a Twap window may start at `oldest` at the earliest. */
export interface TwapSpan {
  /** Block times (seconds) of the oldest and the newest observation. */
  readonly oldest: bigint;
  readonly newest: bigint;
  /** How many are retained: 1 to the params' twapObservations. */
  readonly count: number;
}

/**
 * The span of pool `id`'s observations, from its accumulator and two slots (not a scan of the
 * ring). Throws ErrTwapUnavailable as twapOf does where there are none: a pool gets one when it is
 * created (initTwap), so only a pool that does not exist has none; callers check that first.
 */
export function twapSpan(ctx: Context, id: bigint): TwapSpan {
  const acc = Twaps.get(ctx, id);
  const count = BigInt(acc?.count ?? '0');
  const head = BigInt(acc?.head ?? '0');
  // record() fills slots 0, 1, ... and then wraps: while filling, the oldest is slot 0 (head is
  // count - 1); once full (count is the capacity), the slot after the newest.
  const newest = count > 0n ? TwapObservations.get(ctx, [id, head]) : undefined;
  const oldest = newest && TwapObservations.get(ctx, [id, (head + 1n) % count]);
  if (newest === undefined || oldest === undefined) throw ErrTwapUnavailable.wrap(`pool ${id} has no observations`);
  return { oldest: BigInt(oldest.time), newest: BigInt(newest.time), count: Number(count) };
}

interface Obs {
  time: bigint;
  cum: bigint;
}

/**
 * Time-weighted average price of denoms[baseIndex] in the other denom over [start, end], from the
 * retained observations and, after the newest one, the current reserves. `now` is the latest
 * block time.
 */
export function twapOf(ctx: Context, p: PoolState, baseIndex: 0 | 1, start: bigint, end: bigint, now: bigint): bigint {
  if (start >= end) throw ErrTwapUnavailable.wrap(`start_time ${start} must be before end_time ${end}`);
  if (end > now) throw ErrTwapUnavailable.wrap(`end_time ${end} is after the latest block time ${now}`);
  const obs: Obs[] = [];
  for (const [, o] of TwapObservations.iterate(ctx, p.id)) {
    obs.push({ time: BigInt(o.time), cum: BigInt(baseIndex === 0 ? o.cumulative0 : o.cumulative1) });
  }
  obs.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  const oldest = obs[0];
  if (oldest === undefined) throw ErrTwapUnavailable.wrap(`pool ${p.id} has no observations`);
  if (start < oldest.time) throw ErrTwapUnavailable.wrap(`start_time ${start} is before the oldest retained observation of pool ${p.id} at ${oldest.time}`);
  const current = spots(p)[baseIndex];
  const cumAt = (t: bigint): bigint => {
    let i = obs.length - 1;
    while (i > 0 && (obs[i] as Obs).time > t) i--;
    const o = obs[i] as Obs;
    const next = obs[i + 1];
    // Between two observations the price was constant, so interpolation is exact up to the floor.
    if (next === undefined) return o.cum + current * (t - o.time);
    return o.cum + ((next.cum - o.cum) * (t - o.time)) / (next.time - o.time);
  };
  return (cumAt(end) - cumAt(start)) / (end - start);
}
