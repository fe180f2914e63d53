// Every store prefix of the AMM module, in one place. Module byte 0x11.
// Pool state and its TWAP records live in the pool's partition `pool:<id>`, so swaps on
// different pools never conflict; params are per-block constants.
import { BigIntValue, CMap, CONST_PARTITION, Item, U64Key, jsonValue, memoValue, modulePrefix, protoValue, type KeyCodec, type ValueCodec } from '@lanes/app';
import { Pool, Params } from '@lanes/proto/lanes/amm/v1/amm';
import { fromWirePool, toWirePool, type PoolState } from './pool.ts';

const schema = modulePrefix(0x11, 'amm');

export const poolPartition = (id: bigint): string => `pool:${id}`;
/** Only MsgCreatePool writes it, and that Msg declares the global partition. */
export const NEXT_POOL_ID_PARTITION = 'amm:next_pool_id';

/** (pool id, slot): two big-endian u64s, so a pool's observations are one contiguous range. */
export const PoolSlotKey: KeyCodec<readonly [bigint, bigint]> = {
  encode: ([a, b]) => U64Key.encode(a) + U64Key.encode(b),
  decode: (raw) => [U64Key.decode(raw.slice(0, 8)), U64Key.decode(raw.slice(8, 16))] as const,
};

/** Cumulative prices (18-decimal price × seconds, Uniswap v2 style) of the pool's two assets. */
export interface TwapAccumulator {
  /** Block time (seconds) of the last update. */
  readonly last_time: string;
  /** Σ price of reserves[0] in reserves[1] × seconds. */
  readonly cumulative0: string;
  /** Σ price of reserves[1] in reserves[0] × seconds. */
  readonly cumulative1: string;
  /** Ring position of the newest observation, and how many slots are filled. */
  readonly head: string;
  readonly count: string;
}

export interface TwapObservation {
  time: string;
  cumulative0: string;
  cumulative1: string;
}

/**
 * A pool is stored as its wire form (`lanes.amm.v1.Pool`) and read as the keeper's PoolState.
 * Pools, params and TWAP accumulators are decoded once per stored form and shared, frozen
 * (memoValue): a swap hop reads its pool twice and its accumulator once, a swap the params twice;
 * a block that swaps through a pool many times decodes its params and accumulator once.
 */
const wirePool = protoValue(Pool);
const poolValue: ValueCodec<PoolState> = {
  encode: (p) => wirePool.encode(toWirePool(p)),
  decode: (raw) => fromWirePool(wirePool.decode(raw)),
};

export const ParamsItem = new Item(schema, 0x01, 'params', memoValue(protoValue(Params), 16, 'AMM params cache'), CONST_PARTITION);
export const NextPoolId = new Item(schema, 0x02, 'next_pool_id', BigIntValue, NEXT_POOL_ID_PARTITION);
export const Pools = new CMap(schema, 0x03, 'pools', U64Key, memoValue(poolValue, 4096, 'pool cache'), poolPartition);
export const Twaps = new CMap(schema, 0x04, 'twap', U64Key, memoValue(jsonValue<TwapAccumulator>(), 4096, 'TWAP accumulator cache'), poolPartition);
export const TwapObservations = new CMap(schema, 0x05, 'twap_observations', PoolSlotKey, jsonValue<TwapObservation>(), ([id]) => poolPartition(id), {
  encode: (id: bigint) => U64Key.encode(id), // a pool's observations, by slot
  partition: poolPartition,
});

