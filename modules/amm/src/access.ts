// Partitions each AMM Msg writes, from its fields alone (parallel executor). For every pool on
// the route: its state (`pool:<id>`), its bank account (`account:<pool address>`) and its LP share
// supply (`supply:amm/pool/<id>`); plus the sender's account.
import { accountPartition } from '@lanes/app';
import { supplyPartition } from '@lanes/bank';
import type { MsgAddLiquidity, MsgCreatePool, MsgRemoveLiquidity, MsgSwapExactIn, MsgSwapExactOut } from '@lanes/proto/lanes/amm/v1/tx';
import { poolPartition } from './keys.ts';
import { poolAddress, shareDenom } from './pool.ts';

/**
 * A tx declaring this partition conflicts with every other tx. MsgCreatePool needs it: its pool
 * id (and so its partitions) comes from state, not from its fields.
 */
export const GLOBAL_PARTITION = '*';

export function poolPartitions(id: bigint): string[] {
  return [poolPartition(id), accountPartition(poolAddress(id)), supplyPartition(shareDenom(id))];
}

export function createPoolAccess(msg: MsgCreatePool): string[] {
  return [accountPartition(msg.creator), GLOBAL_PARTITION];
}

export function liquidityAccess(msg: MsgAddLiquidity | MsgRemoveLiquidity): string[] {
  return [accountPartition(msg.sender), ...poolPartitions(msg.poolId)];
}

export function swapAccess(msg: MsgSwapExactIn | MsgSwapExactOut): string[] {
  const out = [accountPartition(msg.sender)];
  for (const r of msg.routes) out.push(...poolPartitions(r.poolId));
  return out;
}
