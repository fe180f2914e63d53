// Block workloads for the exec benchmark: pre-signed txs over many accounts (and pools).
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { buildTx, testKey, type AnyMsg, type AppGenesisState, type TestKey } from '@lanes/app';
import type { InProcessChain } from '@lanes/abci-server/inprocess';
import { seconds } from './report.ts';
import { devnetGenesis } from '@lanes/abci-server/lanesApp';
import { genesisPools, type GenesisPoolSpec } from '@lanes/amm';
import { MsgSwapExactIn } from '@lanes/proto/lanes/amm/v1/tx';

export const WORKLOADS = ['transfers', 'hotspot', 'defi-mix'] as const;
export type Workload = (typeof WORKLOADS)[number];
export const BENCH_CHAIN_ID = 'lanes-bench-1';
export const DEFI_POOLS = 100;

export interface Accounts {
  senders: TestKey[];
  receivers: TestKey[];
}

export function makeAccounts(n: number): Accounts {
  return {
    senders: Array.from({ length: n }, (_, i) => testKey(`bench-sender-${i}`)),
    receivers: Array.from({ length: n }, (_, i) => testKey(`bench-receiver-${i}`)),
  };
}

/** Genesis: every sender and receiver funded (account numbers: senders 0..n-1, then receivers), plus 100 pools. */
export function benchGenesis(acc: Accounts): AppGenesisState {
  const addrs = [...acc.senders, ...acc.receivers].map((k) => k.address);
  const g = devnetGenesis(addrs, { pools: false });
  const specs: GenesisPoolSpec[] = Array.from({ length: DEFI_POOLS }, () => ({
    type: 'POOL_TYPE_CONSTANT_PRODUCT', reserves: [{ denom: 'uatom', amount: '1000000000000' }, { denom: 'uusdc', amount: '10000000000000' }], swap_fee: '0.003',
  }));
  // Pool liquidity is minted for the pools at genesis, held by the first receiver.
  const pools = genesisPools(specs, acc.receivers[0]?.address as string);
  for (const b of pools.balances) {
    const existing = g.bank.balances.find((x) => x.address === b.address);
    if (existing) existing.coins.push(...b.coins);
    else g.bank.balances.push(b);
  }
  return { ...g, amm: pools.amm };
}

function send(from: TestKey, to: string): AnyMsg {
  return { typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: MsgSend.encode({ fromAddress: from.address, toAddress: to, amount: [{ denom: 'uatom', amount: '1' }] }).finish() };
}

function swap(from: TestKey, pool: number): AnyMsg {
  return {
    typeUrl: '/lanes.amm.v1.MsgSwapExactIn',
    value: MsgSwapExactIn.encode(MsgSwapExactIn.fromPartial({
      sender: from.address, routes: [{ poolId: BigInt(pool), tokenOutDenom: 'uusdc' }], tokenIn: { denom: 'uatom', amount: '1000' }, minAmountOut: '1',
    })).finish(),
  };
}

/** The txs of block `round` (sequence = round): one tx per sender. */
export function blockTxs(w: Workload, acc: Accounts, round: number): Uint8Array[] {
  const n = acc.senders.length;
  return acc.senders.map((s, i) => {
    let msg: AnyMsg;
    if (w === 'transfers') msg = send(s, (acc.receivers[i] as TestKey).address);
    // Every tx credits one account: a single conflict group.
    else if (w === 'hotspot') msg = send(s, (acc.receivers[0] as TestKey).address);
    // Half swaps spread over the pools, half transfers.
    else msg = i % 2 === 0 ? swap(s, 1 + ((i >> 1) % DEFI_POOLS)) : send(s, (acc.receivers[i] as TestKey).address);
    return buildTx(s, [msg], { chainId: BENCH_CHAIN_ID, accountNumber: BigInt(i), sequence: BigInt(round), gasLimit: 200_000n });
  }).slice(0, n);
}

/**
 * Indices of the failed txs in a block's encoded results, read without decoding them all (a
 * node never decodes them: they go to CometBFT as bytes). ExecTxResult's `code` is field 1, so
 * in canonical proto3 a non-zero code is the first thing on the wire.
 */
export function failedTxs(encoded: readonly Uint8Array[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const b = encoded[i] as Uint8Array;
    if (b.length > 1 && b[0] === 0x08 && b[1] !== 0) out.push(i);
  }
  return out;
}

/**
 * FinalizeBlock as the exec suites time it: CheckTx's caches primed for these txs first (not
 * timed), then FinalizeBlock on copies of the tx bytes, as gRPC hands them over (nothing may be
 * found by the identity of the objects CheckTx saw). Commit is left to the caller. Returns when
 * FinalizeBlock started and how long it took; throws if a tx failed.
 */
/** `edges`, if given, is called just before FinalizeBlock starts and just after it ends, outside the timing. */
export async function timedFinalize(chain: InProcessChain, txs: readonly Uint8Array[], what: string, edges?: (edge: 'start' | 'end') => void): Promise<{ started: bigint; seconds: number }> {
  await chain.app.preverify(txs);
  const req = chain.nextRequest(txs.map((t) => t.slice()));
  edges?.('start');
  const started = process.hrtime.bigint();
  const res = await chain.app.finalizeBlock(req);
  const took = seconds(started);
  edges?.('end');
  if (!res.encodedTxResults) throw new Error(`${what}: the executor returned no encoded results`);
  const bad = failedTxs(res.encodedTxResults);
  if (bad.length) throw new Error(`${what}: ${bad.length} txs failed, first: ${res.txResults[bad[0] as number]?.log}`);
  return { started, seconds: took };
}
