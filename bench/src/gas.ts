// `npm run bench -- gas`: what a unit of gas costs in block time, by kind of tx, against
// transfers in the same run. Gas is what bounds a block's work (params.max_block_gas), so a kind
// of tx whose gas buys much more time than a transfer's is a way to make blocks slow for little
// fee. Each workload runs blocks of one kind of tx through FinalizeBlock (sequential executor:
// gas does not depend on the executor; signatures verified first, as CheckTx leaves them), the
// workloads taking turns block by block in a rotated order; the figures are medians over the
// measured blocks, and "× transfers" the median of each round's ratio to that round's transfers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { buildTx, testKey, type AnyMsg, type TestKey } from '@lanes/app';
import { InProcessChain } from '@lanes/abci-server/inprocess';
import { devnetGenesis } from '@lanes/abci-server/lanesApp';
import { MsgAddLiquidity, MsgCreatePool, MsgSwapExactIn } from '@lanes/proto/lanes/amm/v1/tx';
import { median, progress, table, writeResult } from './report.ts';

export const GAS_WORKLOADS = [
  'transfer', 'swap-cp', 'swap-cp-2hop', 'swap-cp-huge', 'swap-stable', 'swap-stable-huge', 'swap-stable-skewed', 'add-liquidity',
] as const;
export type GasWorkload = (typeof GAS_WORKLOADS)[number];

const DESCRIPTIONS: Record<GasWorkload, string> = {
  'transfer': 'MsgSend of one coin (the baseline)',
  'swap-cp': 'constant-product swap, devnet pool 1 (10^12 reserves)',
  'swap-cp-2hop': 'two constant-product hops, devnet pools 1 then 2',
  'swap-cp-huge': 'constant-product swap, reserves ~2^242',
  'swap-stable': 'stableswap swap, devnet pool 3 (10^12 reserves, A = 100)',
  'swap-stable-huge': 'stableswap swap, balanced reserves ~2^244 (A = 100)',
  'swap-stable-skewed': 'stableswap swap, reserves 2^64 : 2^243 (A = 5000): ~1,000 solver steps',
  'add-liquidity': 'add liquidity, devnet pool 1',
};

const CHAIN_ID = 'lanes-bench-gas-1';
/** Each account holds this much of two huge denoms (2^245: 2,048 accounts stay under 2^256 of supply). */
const HUGE = 1n << 245n;
/** Txs a block at most (the CLI's --txs): more accounts' HUGE balances would pass 2^256 of supply. */
export const MAX_GAS_TXS = 2000;

export interface GasOptions {
  txs: number;
  runs: number;
  workloads: readonly GasWorkload[];
}

export interface GasRow {
  workload: GasWorkload;
  gasPerTx: number;
  usPerTx: number;
  nsPerGas: number;
  /** Median over rounds of (this workload's ns per gas / transfers' in the same round). */
  vsTransfers: number;
  runs: number;
}

const amm = (type: string, value: Uint8Array): AnyMsg => ({ typeUrl: `/lanes.amm.v1.${type}`, value });
const coin = (denom: string, amount: bigint) => ({ denom, amount: amount.toString() });

function swap(sender: string, hops: [bigint, string][], denom: string, amount: bigint): AnyMsg {
  return amm('MsgSwapExactIn', MsgSwapExactIn.encode(MsgSwapExactIn.fromPartial({
    sender, routes: hops.map(([poolId, tokenOutDenom]) => ({ poolId, tokenOutDenom })), tokenIn: coin(denom, amount), minAmountOut: '1',
  })).finish());
}

function createPool(creator: string, poolType: 1 | 2, a: bigint, b: bigint, amplification = 0n): AnyMsg {
  return amm('MsgCreatePool', MsgCreatePool.encode(MsgCreatePool.fromPartial({
    creator, poolType, initialLiquidity: [coin('ubiga', a), coin('ubigb', b)], swapFee: '0.003', amplification,
  })).finish());
}

/** Msg i of a block of `w` in round r; directions alternate so that the pools stay near where they began. */
function msgFor(w: GasWorkload, k: TestKey, to: TestKey, i: number, r: number): AnyMsg {
  const flip = (i + r) % 2 === 1;
  switch (w) {
    case 'transfer':
      return { typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: MsgSend.encode({ fromAddress: k.address, toAddress: to.address, amount: [coin('uatom', 1n)] }).finish() };
    case 'swap-cp':
      return flip ? swap(k.address, [[1n, 'uusdc']], 'uatom', 1_000_000n + BigInt(i)) : swap(k.address, [[1n, 'uatom']], 'uusdc', 10_000_000n + BigInt(i));
    case 'swap-cp-2hop':
      return flip ? swap(k.address, [[1n, 'uusdc'], [2n, 'ulane']], 'uatom', 1_000_000n + BigInt(i)) : swap(k.address, [[2n, 'uusdc'], [1n, 'uatom']], 'ulane', 20_000_000n + BigInt(i));
    case 'swap-cp-huge':
      return swap(k.address, [[6n, flip ? 'ubigb' : 'ubiga']], flip ? 'ubiga' : 'ubigb', (1n << 232n) + BigInt(i));
    case 'swap-stable':
      return swap(k.address, [[3n, flip ? 'uusdt' : 'uusdc']], flip ? 'uusdc' : 'uusdt', 1_000_000n + BigInt(i));
    case 'swap-stable-huge':
      return swap(k.address, [[4n, flip ? 'ubigb' : 'ubiga']], flip ? 'ubiga' : 'ubigb', (1n << 232n) + BigInt(i));
    case 'swap-stable-skewed':
      return flip ? swap(k.address, [[5n, 'ubigb']], 'ubiga', (1n << 40n) + BigInt(i)) : swap(k.address, [[5n, 'ubiga']], 'ubigb', (1n << 190n) + BigInt(i));
    case 'add-liquidity':
      return amm('MsgAddLiquidity', MsgAddLiquidity.encode(MsgAddLiquidity.fromPartial({
        sender: k.address, poolId: 1n, maxAmountsIn: [coin('uatom', 1_000_000n), coin('uusdc', 10_000_000n)], minSharesOut: '1',
      })).finish());
  }
}

function push<K>(m: Map<K, number[]>, k: K, v: number): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export async function gasSuite(o: GasOptions): Promise<GasRow[]> {
  const workloads: GasWorkload[] = ['transfer', ...o.workloads.filter((w) => w !== 'transfer')];
  progress(`gas: ${workloads.length} workloads, ${o.txs} txs a block, ${o.runs} measured blocks each after one unmeasured`);
  const keys = Array.from({ length: o.txs + 1 }, (_, i) => testKey(`bench-gas-${i}`));
  const genesis = devnetGenesis(keys.map((k) => k.address));
  const ours = new Set(keys.map((k) => k.address));
  for (const b of genesis.bank.balances) {
    if (!ours.has(b.address)) continue;
    b.coins.push(coin('ubiga', HUGE), coin('ubigb', HUGE));
    b.coins.sort((x, y) => (x.denom < y.denom ? -1 : x.denom > y.denom ? 1 : 0));
  }
  const dir = mkdtempSync(join(tmpdir(), 'lanes-bench-gas-'));
  const chain = new InProcessChain(genesis, join(dir, 'state.db'), CHAIN_ID);
  try {
    const sequences = new Map<string, bigint>();
    const sign = (i: number, msg: AnyMsg, gasLimit = 5_000_000n): Uint8Array => {
      const k = keys[i] as TestKey;
      const sequence = sequences.get(k.address) ?? 0n;
      sequences.set(k.address, sequence + 1n);
      return buildTx(k, [msg], { chainId: CHAIN_ID, accountNumber: BigInt(i), sequence, gasLimit, fee: gasLimit / 400n + 1n });
    };
    // Devnet pools 1-3 come with the genesis; the huge ones are made by the last account.
    const maker = o.txs;
    const made = chain.block([
      sign(maker, createPool((keys[maker] as TestKey).address, 2, HUGE >> 1n, HUGE >> 1n, 100n)), // 4: stable, balanced ~2^244
      sign(maker, createPool((keys[maker] as TestKey).address, 2, 1n << 64n, HUGE >> 2n, 5000n)), // 5: stable, 2^64 : 2^243
      sign(maker, createPool((keys[maker] as TestKey).address, 1, HUGE >> 3n, HUGE >> 3n)), // 6: constant product ~2^242
    ]);
    const failed = made.find((r) => r.code !== 0);
    if (failed) throw new Error(`creating the huge pools failed: ${failed.log}`);

    const nsPerGas = new Map<GasWorkload, number[]>();
    const usPerTx = new Map<GasWorkload, number[]>();
    const ratio = new Map<GasWorkload, number[]>();
    const gasPerTx = new Map<GasWorkload, number>();
    for (let r = 0; r <= o.runs; r++) {
      const perGas = new Map<GasWorkload, number>();
      // Rotated order, so that no workload always follows the same one (or the unmeasured round).
      const order = workloads.map((_, j) => workloads[(j + r) % workloads.length] as GasWorkload);
      for (const w of order) {
        const txs = Array.from({ length: o.txs }, (_, i) => sign(i, msgFor(w, keys[i] as TestKey, keys[(i + 1) % o.txs] as TestKey, i, r)));
        await chain.app.preverify(txs);
        const req = chain.nextRequest(txs.map((t) => t.slice()));
        const started = process.hrtime.bigint();
        const res = await chain.app.finalizeBlock(req);
        const ns = Number(process.hrtime.bigint() - started);
        chain.app.commit();
        const bad = res.txResults.find((x) => x.code !== 0);
        if (bad) throw new Error(`${w}: a tx failed: ${bad.log}`);
        const gas = res.txResults.reduce((n, x) => n + Number(x.gasUsed), 0);
        gasPerTx.set(w, gas / o.txs);
        if (r === 0) continue; // warm-up
        perGas.set(w, ns / gas);
        push(nsPerGas, w, ns / gas);
        push(usPerTx, w, ns / o.txs / 1000);
      }
      if (r === 0) continue;
      const base = perGas.get('transfer') as number;
      for (const w of workloads) push(ratio, w, (perGas.get(w) as number) / base);
      progress(`round ${r}/${o.runs}: ${workloads.map((w) => `${w} ${(perGas.get(w) as number).toFixed(2)} ns/gas`).join(', ')}`);
    }
    const rows: GasRow[] = workloads.map((w) => ({
      workload: w,
      gasPerTx: Math.round(gasPerTx.get(w) as number),
      usPerTx: median(usPerTx.get(w) as number[]),
      nsPerGas: median(nsPerGas.get(w) as number[]),
      vsTransfers: median(ratio.get(w) as number[]),
      runs: o.runs,
    }));
    process.stdout.write(`\nGas against block time (${o.txs} txs a block, medians of ${o.runs} blocks):\n`);
    process.stdout.write(`${table(['workload', 'gas per tx', 'µs per tx', 'ns per gas', '× transfers'], rows.map((x) => [
      x.workload, x.gasPerTx.toLocaleString('en-US'), x.usPerTx.toFixed(1), x.nsPerGas.toFixed(2), `${x.vsTransfers.toFixed(2)}×`,
    ]))}\n\n${rows.map((x) => `  ${x.workload}: ${DESCRIPTIONS[x.workload]}`).join('\n')}\n`);
    const file = writeResult('gas', { suite: 'gas', txsPerBlock: o.txs, runs: o.runs, results: rows });
    progress(`wrote ${file}`);
    return rows;
  } finally {
    await chain.app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
