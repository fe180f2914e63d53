// Bank genesis: balances per address; supply is derived from them (never stated twice).
import { MAX_AMOUNT, parseCoins, validateAddress, type Context } from '@lanes/app';
import type { BankKeeper } from './keeper.ts';
import { Balances } from './keys.ts';
import { ErrInvalidGenesis } from './errors.ts';

export interface BankGenesis {
  balances: { address: string; coins: { denom: string; amount: string }[] }[];
}

export function validateBankGenesis(raw: unknown): BankGenesis {
  if (raw === undefined) return { balances: [] };
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as BankGenesis).balances)) {
    throw ErrInvalidGenesis.wrap('bank genesis must be {"balances": [...]}');
  }
  const g = raw as BankGenesis;
  const seen = new Set<string>();
  const supply = new Map<string, bigint>();
  for (const [i, b] of g.balances.entries()) {
    validateAddress(b.address, `bank.balances[${i}].address`);
    if (seen.has(b.address)) throw ErrInvalidGenesis.wrap(`bank.balances[${i}]: address ${b.address} listed twice`);
    seen.add(b.address);
    for (const c of parseCoins(b.coins)) {
      const total = (supply.get(c.denom) ?? 0n) + c.amount;
      // Supply bounds every balance, so bounding it keeps every later balance within 256 bits.
      if (total > MAX_AMOUNT) throw ErrInvalidGenesis.wrap(`total supply of ${c.denom} exceeds 256 bits at bank.balances[${i}]`);
      supply.set(c.denom, total);
    }
  }
  return g;
}

export function initBankGenesis(ctx: Context, keeper: BankKeeper, raw: unknown): void {
  const g = validateBankGenesis(raw);
  const sorted = [...g.balances].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  for (const b of sorted) for (const c of parseCoins(b.coins)) keeper.initBalance(ctx, b.address, c);
}

export function exportBankGenesis(ctx: Context): BankGenesis {
  const byAddr = new Map<string, { denom: string; amount: string }[]>();
  for (const [[addr, denom], amount] of Balances.iterate(ctx)) {
    const list = byAddr.get(addr) ?? [];
    list.push({ denom, amount: amount.toString() });
    byAddr.set(addr, list);
  }
  return { balances: [...byAddr.entries()].map(([address, coins]) => ({ address, coins })) };
}
