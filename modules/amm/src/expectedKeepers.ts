import type { Coin, Context } from '@lanes/app';

/** What the AMM needs from bank: balances, supply, transfers, and minting/burning LP shares. */
export interface BankKeeper {
  balance(ctx: Context, addr: string, denom: string): bigint;
  supplyOf(ctx: Context, denom: string): bigint;
  /** Every denom's supply, sorted by denom (genesis only). */
  allSupply(ctx: Context): Coin[];
  send(ctx: Context, from: string, to: string, coins: readonly Coin[]): void;
  mint(ctx: Context, to: string, coins: readonly Coin[]): void;
  burn(ctx: Context, from: string, coins: readonly Coin[]): void;
}
