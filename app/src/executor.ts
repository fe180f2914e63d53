// Block execution. One entry point, `executeBlock`; the sequential executor is the reference
// that the parallel one (issue: parallel execution) must match byte for byte.
//
// End-block folds what txs only accumulated, in tx order, so no tx writes a shared key:
//   - fees: the sum of every tx's fee is credited to the fee collector once;
//   - accounts first seen as receivers get consecutive account numbers.
import type { Context } from './context.ts';
import type { KV } from './store/kv.ts';
import { runTx, type ExecEnv, type TxOutcome } from './execute.ts';
import { createAccounts } from './auth.ts';

export type ExecutorKind = 'sequential';

export function executeBlock(blockKV: KV, txs: readonly Uint8Array[], env: ExecEnv): TxOutcome[] {
  const out: TxOutcome[] = [];
  for (const tx of txs) out.push(runTx(blockKV, tx, env, 'deliver'));
  return out;
}

export function foldBlock(ctx: Context, outcomes: readonly TxOutcome[], env: ExecEnv): void {
  let fees = 0n;
  const created: string[] = [];
  for (const o of outcomes) {
    fees += o.fee;
    for (const a of o.newAccounts) created.push(a);
  }
  if (fees > 0n) env.feeBank.creditFees(ctx, env.feeCollector, fees);
  createAccounts(ctx, [...created, ...ctx.newAccounts]);
}
