// The only code that reads and writes balances and supply.
import type { PageRequest, PageResponse } from 'cosmjs-types/cosmos/base/query/v1beta1/pagination';
import { ErrInsufficientFunds, ErrInvalidCoins, FEE_DENOM, MAX_AMOUNT, coinsToString, type Coin, type Context, type FeeBank } from '@lanes/app';
import { Balances, Supply } from './keys.ts';
import type { AccountKeeper } from './expectedKeepers.ts';
import { emitBurn, emitMint, emitTransfer } from './events.ts';

export class BankKeeper implements FeeBank {
  constructor(private readonly accounts: AccountKeeper) {}

  balance(ctx: Context, addr: string, denom: string): bigint {
    return Balances.get(ctx, [addr, denom]) ?? 0n;
  }

  /** All non-zero balances of `addr`, sorted by denom. */
  allBalances(ctx: Context, addr: string): Coin[] {
    const out: Coin[] = [];
    for (const [[, denom], amount] of Balances.iterate(ctx, addr)) out.push({ denom, amount });
    return out;
  }

  /** A page of `addr`'s balances, by denom (page keys name the denom), reading only that page's. */
  balancesPage(ctx: Context, addr: string, page: PageRequest | undefined): { items: Coin[]; pagination: PageResponse } {
    const r = Balances.page(ctx, page, addr);
    return { items: r.items.map(([denom, amount]) => ({ denom, amount })), pagination: r.pagination };
  }

  supplyOf(ctx: Context, denom: string): bigint {
    return Supply.get(ctx, denom) ?? 0n;
  }

  /** Every denom's supply, by denom (the store's order). Genesis and queries only: it reads every supply partition. */
  allSupply(ctx: Context): Coin[] {
    return [...Supply.iterate(ctx)].map(([denom, amount]) => ({ denom, amount }));
  }

  /** A page of the supplies, by denom (page keys name the denom), reading only that page's. Queries only. */
  supplyPage(ctx: Context, page: PageRequest | undefined): { items: Coin[]; pagination: PageResponse } {
    const r = Supply.page(ctx, page);
    return { items: r.items.map(([denom, amount]) => ({ denom, amount })), pagination: r.pagination };
  }

  private sub(ctx: Context, addr: string, coin: Coin): void {
    const have = this.balance(ctx, addr, coin.denom);
    if (have < coin.amount) {
      throw ErrInsufficientFunds.wrap(`spendable balance ${have}${coin.denom} of ${addr} is smaller than ${coin.amount}${coin.denom}`);
    }
    const left = have - coin.amount;
    if (left === 0n) Balances.delete(ctx, [addr, coin.denom]);
    else Balances.set(ctx, [addr, coin.denom], left);
  }

  private add(ctx: Context, addr: string, coin: Coin): void {
    this.accounts.noteReceipt(ctx, addr);
    Balances.set(ctx, [addr, coin.denom], this.balance(ctx, addr, coin.denom) + coin.amount);
  }

  /** CONTRACT: coins are validated (positive, no duplicate denoms). */
  send(ctx: Context, from: string, to: string, coins: readonly Coin[]): void {
    for (const c of coins) this.sub(ctx, from, c);
    for (const c of coins) this.add(ctx, to, c);
    emitTransfer(ctx, from, to, coinsToString(coins));
  }

  mint(ctx: Context, to: string, coins: readonly Coin[]): void {
    for (const c of coins) {
      const supply = this.supplyOf(ctx, c.denom) + c.amount;
      if (supply > MAX_AMOUNT) throw ErrInvalidCoins.wrap(`minting ${c.amount}${c.denom} would take its supply past 256 bits`);
      Supply.set(ctx, c.denom, supply);
      this.add(ctx, to, c);
    }
    emitMint(ctx, to, coinsToString(coins));
  }

  burn(ctx: Context, from: string, coins: readonly Coin[]): void {
    for (const c of coins) {
      this.sub(ctx, from, c);
      const left = this.supplyOf(ctx, c.denom) - c.amount;
      if (left === 0n) Supply.delete(ctx, c.denom);
      else Supply.set(ctx, c.denom, left);
    }
    emitBurn(ctx, from, coinsToString(coins));
  }

  // FeeBank: fees leave the payer in the tx (its own partition) and reach the collector once
  // per block, so no tx writes the collector's balance.
  deductFee(ctx: Context, payer: string, amount: bigint): void {
    const have = this.balance(ctx, payer, FEE_DENOM);
    if (have < amount) throw ErrInsufficientFunds.wrap(`balance ${have}${FEE_DENOM} of ${payer} cannot pay the fee ${amount}${FEE_DENOM}`);
    if (have - amount === 0n) Balances.delete(ctx, [payer, FEE_DENOM]);
    else Balances.set(ctx, [payer, FEE_DENOM], have - amount);
  }

  creditFees(ctx: Context, addr: string, amount: bigint): void {
    this.add(ctx, addr, { denom: FEE_DENOM, amount });
  }

  /** Genesis only: sets a balance and adds it to supply. */
  initBalance(ctx: Context, addr: string, coin: Coin): void {
    this.add(ctx, addr, coin);
    Supply.set(ctx, coin.denom, this.supplyOf(ctx, coin.denom) + coin.amount);
  }
}
