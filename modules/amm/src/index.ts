// The AMM module: constant-product and stableswap pools, multi-hop swaps with min-out/max-in,
// liquidity with min-shares/min-amounts, TWAP accumulators and quotes. LP shares are the bank
// denom `amm/pool/<id>`.
import type { Module } from '@lanes/app';
import type { BankKeeper } from './expectedKeepers.ts';
import { AmmKeeper } from './keeper.ts';
import { ammMsgHandlers } from './msgServer.ts';
import { ammQueryHandlers } from './queryServer.ts';
import { exportAmmGenesis, initAmmGenesis, validateAmmGenesis } from './genesis.ts';

export { AmmKeeper, type RouteQuote } from './keeper.ts';
export * from './msgServer.ts';
export * from './errors.ts';
export * from './math.ts';
export * from './access.ts';
export { DEFAULT_AMM_PARAMS } from './params.ts';
export {
  LOCKED_SHARES_ADDRESS, PROTOCOL_ADDRESS, MAX_SWAP_FEE, MIN_AMPLIFICATION, MAX_AMPLIFICATION, poolAddress, shareDenom, shareDenomPoolId,
  type PoolState,
} from './pool.ts';
export { genesisPools, type AmmGenesis, type AmmGenesisPool, type GenesisPoolSpec } from './genesis.ts';
export type { BankKeeper as AmmBankKeeper } from './expectedKeepers.ts';

export function createAmmModule(bank: BankKeeper): { module: Module; keeper: AmmKeeper } {
  const keeper = new AmmKeeper(bank);
  const module: Module = {
    name: 'amm',
    msgs: ammMsgHandlers(keeper),
    queries: ammQueryHandlers(keeper),
    validateGenesis: (s) => void validateAmmGenesis(s),
    initGenesis: (ctx, s) => initAmmGenesis(ctx, keeper, bank, s),
    exportGenesis: (ctx) => exportAmmGenesis(ctx, keeper),
  };
  return { module, keeper };
}
