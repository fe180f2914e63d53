// Block execution. Two executors over the same module code: `sequential` (the reference) and
// `parallel` (parallel/pool.ts), which must match it byte for byte. Both produce a
// BlockExecution: per tx its encoded ExecTxResult, code, fee and newly seen accounts.
//
// End-block folds what txs only accumulated, in tx order, so no tx writes a shared key:
//   - fees: the sum of every tx's fee is credited to the fee collector once;
//   - accounts first seen as receivers get consecutive account numbers.
import { ExecTxResult } from 'cosmjs-types/tendermint/abci/types';
import type { BinaryWriter } from 'cosmjs-types/binary';
import { FlatWriter } from './protoPerf.ts';
import type { Context } from './context.ts';
import type { Overlay, PresortedKeys, WriteRun } from './store/kv.ts';
import { runTx, type ExecEnv } from './execute.ts';
import { createAccounts } from './auth.ts';
import type { DecodedTx } from './tx.ts';

export type ExecutorKind = 'sequential' | 'parallel';

export interface BlockExecution {
  encoded: Uint8Array[];
  codes: number[];
  fees: bigint[];
  newAccounts: string[][];
  mode: ExecutorKind;
  /** Parallel: which of the block layer's keys arrived already sorted (see Overlay.sortedWrites). */
  presorted?: PresortedKeys;
  /**
   * Parallel: the workers' writes, one sorted run per worker, not in the block layer. They are
   * newer than the block layer's begin-block writes and share no key with its tx-phase writes.
   */
  workerRuns?: WriteRun[];
  /** Parallel: how many of the txs ran on execution workers (the rest ran on the main thread). */
  workerTxs?: number;
  /** Parallel: how many of those the workers decoded in the block, not finding them in their CheckTx caches. */
  workerDecodes?: number;
}

/** Room reserved per result up front (a transfer's encodes to ~400 bytes); the buffer grows past it. */
const RESULT_BYTES_GUESS = 512;

/**
 * A block's ExecTxResults encoded back to back into one buffer, framed as packBytes frames
 * (`offsets[k]..offsets[k+1]` is the k-th result added). One allocation per block instead of
 * one per tx; each result is then a view of the buffer, which lives as long as the block's
 * response.
 */
export class ResultBuffer {
  private readonly w: FlatWriter;
  private readonly ends: number[] = [0];
  constructor(expected: number) {
    this.w = new FlatWriter(expected * RESULT_BYTES_GUESS);
  }

  add(result: ExecTxResult): void {
    ExecTxResult.encode(result, this.w as unknown as BinaryWriter);
    this.ends.push(this.w.len);
  }

  /** CONTRACT: called once, after the last add. */
  frame(): { buf: Uint8Array; offsets: Uint32Array } {
    return { buf: this.w.detach(), offsets: Uint32Array.from(this.ends) };
  }
}

/** `decoded[i]`, where given, is tx i as decodeTx decodes it under `env.params`; `hashes[i]` its hash. */
export function executeSequential(
  blockKV: Overlay, txs: readonly Uint8Array[], env: ExecEnv, decoded: readonly (DecodedTx | undefined)[] = [], hashes: readonly string[] = [],
): BlockExecution {
  const n = txs.length;
  const exec: BlockExecution = {
    encoded: new Array(n), codes: new Array(n), fees: new Array(n), newAccounts: new Array(n), mode: 'sequential',
  };
  const results = new ResultBuffer(n);
  for (let i = 0; i < n; i++) {
    const out = runTx(blockKV, txs[i] as Uint8Array, env, 'deliver', false, decoded[i], hashes[i]);
    results.add(out.result);
    exec.codes[i] = out.result.code;
    exec.fees[i] = out.fee;
    exec.newAccounts[i] = out.newAccounts;
  }
  const { buf, offsets } = results.frame();
  for (let i = 0; i < n; i++) exec.encoded[i] = buf.subarray(offsets[i], offsets[i + 1]);
  return exec;
}

/**
 * End-block's part of a block's execution, around the modules' end-block hooks (`endBlock`):
 * first the txs' fees, credited to the fee collector at once; then, after every hook has run,
 * the accounts first credited in the block get their numbers: the txs' in tx order, then those
 * of `ctx` (begin-block's, the fee credit's, end-block's), so an address that only an end-block
 * hook pays gets its account too.
 */
export function foldBlock(ctx: Context, exec: Pick<BlockExecution, 'fees' | 'newAccounts'>, env: ExecEnv, endBlock: () => void): void {
  let fees = 0n;
  for (const f of exec.fees) fees += f;
  if (fees > 0n) env.feeBank.creditFees(ctx, env.feeCollector, fees);
  endBlock();
  const created: string[] = [];
  for (const list of exec.newAccounts) for (const a of list) created.push(a);
  createAccounts(ctx, [...created, ...ctx.newAccounts]);
}
