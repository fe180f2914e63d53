// Accounts (auth) and app-level items. Accounts live in the `account:<address>` partition with
// their balances. New accounts get their numbers at end-block, in tx order, so no tx writes a
// shared "next account number" (a hot key that would serialise every block).
import { BaseAccount } from 'cosmjs-types/cosmos/auth/v1beta1/auth';
import { CONST_PARTITION, type Context } from './context.ts';
import { CMap, Item, StringKey, StringValue, BigIntValue, cosmjsValue, jsonValue, modulePrefix } from './store/collections.ts';
import type { Params } from './params.ts';

export const accountPartition = (addr: string): string => `account:${addr}`;

const authSchema = modulePrefix(0x01, 'auth');
const appSchema = modulePrefix(0x02, 'app');

export const Accounts = new CMap(authSchema, 0x01, 'accounts', StringKey, cosmjsValue(BaseAccount), accountPartition);
/** Written only at end-block and genesis. */
export const NextAccountNumber = new Item(authSchema, 0x02, 'next_account_number', BigIntValue, 'auth:account_number');

export const ParamsItem = new Item(appSchema, 0x01, 'params', jsonValue<Params>(), CONST_PARTITION);
export const ChainIdItem = new Item(appSchema, 0x02, 'chain_id', StringValue, CONST_PARTITION);

export function getAccount(ctx: Context, addr: string): BaseAccount | undefined {
  return Accounts.get(ctx, addr);
}

/** Called by modules when `addr` receives funds: records it for numbering if it has no account. */
export function noteReceipt(ctx: Context, addr: string): void {
  if (!Accounts.has(ctx, addr)) ctx.newAccounts.push(addr);
}

/** Creates accounts for `addrs` (in order, skipping existing ones) with consecutive numbers. */
export function createAccounts(ctx: Context, addrs: readonly string[]): void {
  if (addrs.length === 0) return;
  let next = NextAccountNumber.get(ctx) ?? 0n;
  for (const address of addrs) {
    if (Accounts.has(ctx, address)) continue;
    Accounts.set(ctx, address, BaseAccount.fromPartial({ address, accountNumber: next, sequence: 0n }));
    next += 1n;
  }
  NextAccountNumber.set(ctx, next);
}
