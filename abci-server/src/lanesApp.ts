// Wires the modules into the app core: the one place that knows every module (the app core
// and the modules never import each other sideways; see ARCHITECTURE.md, "Layout").
import { availableParallelism } from 'node:os';
import { LanesApp, DEFAULT_PARAMS, FEE_COLLECTOR, defaultWorkers, type AppGenesisState, type BlockStats, type CheckTxStats, type ProposalStats, type RecheckBy, type ExecutorKind, type ModuleSet, type Params, type SigVerifier, type BlockRetention } from '@lanes/app';
import { createBankModule, type BankGenesis } from '@lanes/bank';
import { LOCKED_SHARES_ADDRESS, PROTOCOL_ADDRESS, createAmmModule, genesisPools, type AmmGenesis, type GenesisPoolSpec } from '@lanes/amm';
import type { Logger } from 'pino';

/** Every module, in execution order. Execution workers build theirs with this same function. */
export function createModules(): ModuleSet {
  // Module accounts a MsgSend may not pay: coins there only their module moves. Pool accounts
  // are not listed: they come with each pool, and knowing one from its address would cost every
  // send a state read. Coins sent there stay outside the pool's reserves, lost to the sender (as
  // on Osmosis).
  const bank = createBankModule({ blockedRecipients: [FEE_COLLECTOR, LOCKED_SHARES_ADDRESS, PROTOCOL_ADDRESS] });
  const amm = createAmmModule(bank.keeper);
  return { modules: [bank.module, amm.module], feeBank: bank.keeper };
}

export interface CreateLanesAppOptions {
  /** SQLite file, or ':memory:' (sequential executor only). */
  dbPath: string;
  logger?: Logger;
  /** Default 'sequential' here; the node (`lanes start`/`lanes app`) defaults to 'parallel'. */
  executor?: ExecutorKind;
  /** Execution workers of the parallel executor (default: CPU count - 1; the main thread executes a share too). */
  workers?: number;
  onBlock?: (stats: BlockStats) => void;
  onCheckTx?: (stats: CheckTxStats) => void;
  onProposal?: (stats: ProposalStats) => void;
  sigs?: SigVerifier;
  /** CometBFT's mempool.size: see LanesAppOptions.mempoolSize. */
  mempoolSize?: number;
  /** CometBFT's mempool.max_txs_bytes: see LanesAppOptions.mempoolMaxBytes. */
  mempoolMaxBytes?: number;
  /** Who rechecks the mempool after each block: see LanesAppOptions.recheck. */
  recheck?: RecheckBy;
  /** Bound of the committed-state read cache per thread, in keys: see LanesAppOptions.stateCacheKeys. */
  stateCacheKeys?: number;
  /** Gas a tx's Msgs may use in CheckTx: see LanesAppOptions.checkTxMsgGas. */
  checkTxMsgGas?: number;
  /** Gas a simulation may use: see LanesAppOptions.simulateGas. */
  simulateGas?: number;
  /** Which blocks CometBFT may delete: see LanesAppOptions.retention. */
  retention?: BlockRetention;
  /** CometBFT reaps by bytes alone (consensus max_gas -1): see LanesAppOptions.reapsByBytesOnly. */
  reapsByBytesOnly?: boolean;
}

export function createLanesApp(opts: CreateLanesAppOptions): LanesApp {
  return new LanesApp({
    ...createModules(),
    dbPath: opts.dbPath,
    executor: opts.executor ?? 'sequential',
    parallel: { workers: opts.workers ?? defaultWorkers(availableParallelism()), entry: import.meta.url },
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.onBlock ? { onBlock: opts.onBlock } : {}),
    ...(opts.onCheckTx ? { onCheckTx: opts.onCheckTx } : {}),
    ...(opts.onProposal ? { onProposal: opts.onProposal } : {}),
    ...(opts.sigs ? { sigs: opts.sigs } : {}),
    ...(opts.mempoolSize !== undefined ? { mempoolSize: opts.mempoolSize } : {}),
    ...(opts.mempoolMaxBytes !== undefined ? { mempoolMaxBytes: opts.mempoolMaxBytes } : {}),
    ...(opts.recheck !== undefined ? { recheck: opts.recheck } : {}),
    ...(opts.stateCacheKeys !== undefined ? { stateCacheKeys: opts.stateCacheKeys } : {}),
    ...(opts.checkTxMsgGas !== undefined ? { checkTxMsgGas: opts.checkTxMsgGas } : {}),
    ...(opts.simulateGas !== undefined ? { simulateGas: opts.simulateGas } : {}),
    ...(opts.retention ? { retention: opts.retention } : {}),
    ...(opts.reapsByBytesOnly !== undefined ? { reapsByBytesOnly: opts.reapsByBytesOnly } : {}),
  });
}

export const DEVNET_DENOMS = ['uatom', 'ueth', 'ulane', 'uusdc', 'uusdt'] as const;
/** 10^12 base units (a million tokens at 6 decimals) of each devnet denom per test account. */
export const DEVNET_FUNDING = 10n ** 12n;

/**
 * Devnet pools, created at genesis with liquidity owned by the first funded address (test0):
 * ATOM/USDC at 10 USDC per ATOM and LANE/USDC at 0.5 USDC per LANE (constant product, 0.3% fee),
 * USDC/USDT stableswap (A = 100, 0.04% fee). Pool ids are 1, 2, 3 in this order.
 */
export const DEVNET_POOLS: readonly GenesisPoolSpec[] = [
  { type: 'POOL_TYPE_CONSTANT_PRODUCT', reserves: [{ denom: 'uatom', amount: '10000000000' }, { denom: 'uusdc', amount: '100000000000' }], swap_fee: '0.003' },
  { type: 'POOL_TYPE_CONSTANT_PRODUCT', reserves: [{ denom: 'ulane', amount: '200000000000' }, { denom: 'uusdc', amount: '100000000000' }], swap_fee: '0.003' },
  { type: 'POOL_TYPE_STABLESWAP', reserves: [{ denom: 'uusdc', amount: '100000000000' }, { denom: 'uusdt', amount: '100000000000' }], swap_fee: '0.0004', amplification: 100n },
];

/** Genesis app_state funding `addresses` with DEVNET_FUNDING of every devnet denom, plus DEVNET_POOLS. */
export function devnetGenesis(addresses: readonly string[], opts: { pools?: boolean; params?: Partial<Params> } = {}): AppGenesisState & { bank: BankGenesis; amm: AmmGenesis } {
  const balances: BankGenesis['balances'] = addresses.map((address) => ({
    address,
    coins: DEVNET_DENOMS.map((denom) => ({ denom, amount: DEVNET_FUNDING.toString() })),
  }));
  const lp = addresses[0];
  const pools = lp === undefined || opts.pools === false ? undefined : genesisPools(DEVNET_POOLS, lp);
  for (const b of pools?.balances ?? []) {
    const existing = balances.find((x) => x.address === b.address);
    if (existing) existing.coins.push(...b.coins);
    else balances.push(b);
  }
  return {
    params: { ...DEFAULT_PARAMS, ...opts.params },
    auth: { accounts: addresses.map((address) => ({ address })) },
    bank: { balances },
    amm: pools?.amm ?? { pools: [], next_pool_id: '1' },
  };
}
