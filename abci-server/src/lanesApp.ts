// Wires the modules into the app core: the one place that knows every module (the app core
// and the modules never import each other sideways; see ARCHITECTURE.md, "Layout").
import { LanesApp, DEFAULT_PARAMS, type AppGenesisState } from '@lanes/app';
import { createBankModule, type BankGenesis } from '@lanes/bank';
import type { Logger } from 'pino';

export interface CreateLanesAppOptions {
  /** SQLite file, or ':memory:'. */
  dbPath: string;
  logger?: Logger;
}

export function createLanesApp(opts: CreateLanesAppOptions): LanesApp {
  const bank = createBankModule();
  return new LanesApp({
    dbPath: opts.dbPath,
    modules: [bank.module],
    feeBank: bank.keeper,
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
}

export const DEVNET_DENOMS = ['uatom', 'ueth', 'ulane', 'uusdc', 'uusdt'] as const;
/** 10^12 base units (a million tokens at 6 decimals) of each devnet denom per test account. */
export const DEVNET_FUNDING = 10n ** 12n;

/** Genesis app_state funding `addresses` with DEVNET_FUNDING of every devnet denom. */
export function devnetGenesis(addresses: readonly string[]): AppGenesisState & { bank: BankGenesis } {
  return {
    params: { ...DEFAULT_PARAMS },
    auth: { accounts: addresses.map((address) => ({ address })) },
    bank: {
      balances: addresses.map((address) => ({
        address,
        coins: DEVNET_DENOMS.map((denom) => ({ denom, amount: DEVNET_FUNDING.toString() })),
      })),
    },
  };
}
