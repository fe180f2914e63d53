// Chain parameters: consensus values every validator applies identically (min gas price is a
// consensus rule here, not a node-local mempool setting, so "fee below minimum" is deterministic).
import { parseDec } from './dec.ts';
import { DEVNET_MIN_GAS_PRICE } from './constants.ts';

export interface Params {
  /** ulane per gas unit, decimal string. */
  min_gas_price: string;
  max_tx_bytes: number;
  max_memo_characters: number;
  max_msgs_per_tx: number;
  max_gas_per_tx: number;
  tx_sig_limit: number;
  /**
   * Txs a proposer may put in a block (and ProcessProposal accepts). 10,000: a block can take
   * what arrived during the last one even at twice the rate the devnet sustains, so an
   * overload drains instead of piling up in the mempool, where CometBFT rechecks every waiting
   * tx after each block (at 3,000, 256 broadcasts in flight collapsed to 1,438 tx/s with 347 txs
   * dropped by the full mempool after CheckTx accepted them; at 10,000: 2,197 tx/s, none lost;
   * `npm run bench -- e2e --quick --concurrency 256`). The block's bytes are capped apart
   * (BLOCK_MAX_BYTES), and results over the gRPC budget shed events (RESULTS_BUDGET_BYTES).
   * At most MAX_BLOCK_TXS_LIMIT.
   */
  max_block_txs: number;
  /**
   * The gas limits of a block's txs add up to at most this (PrepareProposal stops before the tx
   * that would pass it, ProcessProposal rejects more), so a block's execution time is bounded
   * however its txs spend their gas: without it, 10,000 txs of max_gas_per_tx each could hold
   * every validator for minutes. 2,000,000,000: max_block_txs txs at the 200,000 gas wallets
   * commonly ask for (so it takes nothing from what a block held before), or 40 txs at
   * max_gas_per_tx; gas costs ~0.3–1.2 ns here (a transfer ~29,000 gas in ~20–35 µs, a
   * stableswap solver step 1,000 gas in 0.3–1.2 µs), so ~1–3 s of execution at worst. At least
   * max_gas_per_tx. CometBFT's consensus `max_gas` stays -1: the app enforces this, as it does
   * max_block_txs.
   */
  max_block_gas: number;
}

export const DEFAULT_PARAMS: Params = {
  min_gas_price: DEVNET_MIN_GAS_PRICE,
  max_tx_bytes: 131_072,
  max_memo_characters: 256,
  max_msgs_per_tx: 64,
  max_gas_per_tx: 50_000_000,
  tx_sig_limit: 7,
  max_block_txs: 10_000,
  max_block_gas: 2_000_000_000,
};

/**
 * The most `max_block_txs` may be. A block's results must fit CometBFT's 4 MiB gRPC limit, or
 * every node fails the block alike and the chain halts; results over budget shed their events
 * and logs (fitResults), but each still takes ~10 bytes (code, codespace, gas) and 4 of framing,
 * and a 3 MiB block holds up to a million 1-byte txs. 100,000 such results take ~1.4 MB.
 */
export const MAX_BLOCK_TXS_LIMIT = 100_000;

/** Params in canonical key order, validated; throws naming the bad field. */
export function normalizeParams(p: Partial<Params> | undefined): Params {
  const merged = { ...DEFAULT_PARAMS, ...(p ?? {}) };
  const gp = parseDec(merged.min_gas_price, 'params.min_gas_price');
  if (gp === 0n) throw new Error('params.min_gas_price must be above zero');
  for (const k of ['max_tx_bytes', 'max_memo_characters', 'max_msgs_per_tx', 'max_gas_per_tx', 'tx_sig_limit', 'max_block_txs', 'max_block_gas'] as const) {
    const v = merged[k];
    if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`params.${k} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  if (merged.max_block_txs > MAX_BLOCK_TXS_LIMIT) {
    throw new Error(`params.max_block_txs ${merged.max_block_txs} is over ${MAX_BLOCK_TXS_LIMIT}: a block of that many small failing txs could have results over CometBFT's 4 MiB gRPC limit, which would halt the chain`);
  }
  if (merged.max_block_gas < merged.max_gas_per_tx) {
    throw new Error(`params.max_block_gas ${merged.max_block_gas} is below params.max_gas_per_tx ${merged.max_gas_per_tx}: a tx at the per-tx maximum could never be included`);
  }
  return {
    min_gas_price: merged.min_gas_price,
    max_tx_bytes: merged.max_tx_bytes,
    max_memo_characters: merged.max_memo_characters,
    max_msgs_per_tx: merged.max_msgs_per_tx,
    max_gas_per_tx: merged.max_gas_per_tx,
    tx_sig_limit: merged.tx_sig_limit,
    max_block_txs: merged.max_block_txs,
    max_block_gas: merged.max_block_gas,
  };
}
