// AMM blocks pinned end to end: each tx's code and gas, a digest of every ExecTxResult (data,
// log, gas and events, as CometBFT gets them) and the app hash, for a fixed run of swaps (one and
// two hops, exact in and out, constant product and stableswap), liquidity, a new pool and
// rejections over three blocks. Any change to what AMM txs charge, emit or store fails here,
// so a change meant to be invisible (caching, faster formatting) is shown to be; a change meant
// to be visible updates the pins in the same commit. Run with the sequential executor and with
// the parallel one (1 worker): both must give the pinned values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecTxResult } from 'cosmjs-types/tendermint/abci/types';
import { buildTx, testKey, type AnyMsg, type TestKey } from '@lanes/app';
import { MsgAddLiquidity, MsgCreatePool, MsgRemoveLiquidity, MsgSwapExactIn, MsgSwapExactOut } from '@lanes/proto/lanes/amm/v1/tx';
import { InProcessChain, TEST_CHAIN_ID } from './inprocess.ts';
import { devnetGenesis } from './lanesApp.ts';

const keys = [0, 1, 2, 3].map((i) => testKey(`amm-golden-${i}`));
const amm = (type: string, value: Uint8Array): AnyMsg => ({ typeUrl: `/lanes.amm.v1.${type}`, value });
const coin = (denom: string, amount: bigint | string) => ({ denom, amount: amount.toString() });

function swapIn(k: TestKey, hops: [bigint, string][], denom: string, amount: bigint, minOut: bigint): AnyMsg {
  return amm('MsgSwapExactIn', MsgSwapExactIn.encode({ sender: k.address, routes: hops.map(([poolId, tokenOutDenom]) => ({ poolId, tokenOutDenom })), tokenIn: coin(denom, amount), minAmountOut: minOut.toString() }).finish());
}

function swapOut(k: TestKey, hops: [bigint, string][], denom: string, amount: bigint, maxIn: bigint): AnyMsg {
  return amm('MsgSwapExactOut', MsgSwapExactOut.encode({ sender: k.address, routes: hops.map(([poolId, tokenInDenom]) => ({ poolId, tokenInDenom })), tokenOut: coin(denom, amount), maxAmountIn: maxIn.toString() }).finish());
}

/** The three blocks: txs built from the keys and their sequences, so every run signs the same bytes. */
function blocks(): Uint8Array[][] {
  const seq = new Map<string, bigint>();
  const tx = (i: number, msg: AnyMsg, gasLimit = 400_000n): Uint8Array => {
    const k = keys[i] as TestKey;
    const sequence = seq.get(k.address) ?? 0n;
    seq.set(k.address, sequence + 1n);
    return buildTx(k, [msg], { chainId: TEST_CHAIN_ID, accountNumber: BigInt(i), sequence, gasLimit });
  };
  const [a, b, c, d] = keys as [TestKey, TestKey, TestKey, TestKey];
  return [
    [
      tx(0, swapIn(a, [[1n, 'uusdc']], 'uatom', 1_000_000n, 1n)),
      tx(1, swapIn(b, [[1n, 'uusdc'], [2n, 'ulane']], 'uatom', 2_500_000n, 1n)),
      tx(2, swapOut(c, [[3n, 'uusdc']], 'uusdt', 7_000_000n, 8_000_000n)),
      tx(3, amm('MsgAddLiquidity', MsgAddLiquidity.encode({ sender: d.address, poolId: 1n, maxAmountsIn: [coin('uatom', 3_000_000n), coin('uusdc', 40_000_000n)], minSharesOut: '1' }).finish())),
      tx(0, amm('MsgCreatePool', MsgCreatePool.encode({ creator: a.address, poolType: 2, initialLiquidity: [coin('ueth', 5_000_000_000n), coin('uusdt', 4_000_000_000n)], swapFee: '0.001', amplification: 50n }).finish())),
      // Rejections: min_amount_out not met; a route through a pool without the denom.
      tx(1, swapIn(b, [[1n, 'uusdc']], 'uatom', 1_000n, 1_000_000n)),
      tx(2, swapIn(c, [[2n, 'uatom']], 'uusdc', 1_000n, 1n)),
    ],
    [
      tx(0, swapIn(a, [[4n, 'uusdt']], 'ueth', 123_456_789n, 1n)),
      tx(3, amm('MsgRemoveLiquidity', MsgRemoveLiquidity.encode({ sender: d.address, poolId: 1n, shares: '1000000', minAmountsOut: [coin('uatom', 1n)] }).finish())),
      tx(1, swapOut(b, [[2n, 'ulane'], [1n, 'uusdc']], 'uatom', 50_000n, 10_000_000n)),
      // Out of gas inside the stableswap solver.
      tx(2, swapIn(c, [[4n, 'ueth']], 'uusdt', 77_777n, 1n), 60_000n),
    ],
    [
      tx(0, swapIn(a, [[1n, 'uatom']], 'uusdc', 9_999_999n, 1n)),
      tx(1, swapIn(b, [[3n, 'uusdt'], [4n, 'ueth']], 'uusdc', 31_415_926n, 1n)),
    ],
  ];
}

interface Run {
  /** `codespace/code` of each tx (`/0` for success). */
  codes: string[][];
  gas: bigint[][];
  results: string[];
  appHashes: string[];
}

async function run(opts: { executor: 'sequential' | 'parallel' }): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-amm-golden-'));
  const chain = new InProcessChain(devnetGenesis(keys.map((k) => k.address)), join(dir, 'state.db'), TEST_CHAIN_ID, opts.executor === 'parallel' ? { executor: 'parallel', workers: 1 } : {});
  try {
    const out: Run = { codes: [], gas: [], results: [], appHashes: [] };
    for (const txs of blocks()) {
      const rs = await chain.blockAsync(txs);
      out.codes.push(rs.map((r) => `${r.codespace}/${r.code}`));
      out.gas.push(rs.map((r) => r.gasUsed));
      const h = createHash('sha256');
      for (const r of rs) h.update(ExecTxResult.encode(r).finish());
      out.results.push(h.digest('hex'));
      out.appHashes.push(Buffer.from(chain.lastAppHash).toString('hex'));
    }
    return out;
  } finally {
    await chain.app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Read from f9ec92f (before the swap path's caches) and from the code since: the same. Changed
 * once since, on purpose: supplies keyed by the bare denom (one byte shorter: 3 gas less a supply
 * read, 30 a write, so 33 less a mint), which moves the app hashes and the results' digests of
 * the blocks that mint LP shares.
 */
const PINNED: Run = {
  codes: [
    ['/0', '/0', '/0', '/0', '/0', 'amm/11', 'amm/10'],
    ['/0', '/0', '/0', 'sdk/11'],
    ['/0', '/0'],
  ],
  gas: [
    [62_916n, 83_816n, 93_235n, 59_655n, 93_893n, 19_989n, 19_905n],
    [97_856n, 71_138n, 84_323n, 60_000n],
    [63_281n, 164_315n],
  ],
  results: [
    'f14f3a50ebcbbb370d43aa14c4dbd92959274b18c7a00875f52a582e1273e3a2',
    'ca0cf132abbf1ab0ae0e79660f84d9990128d971545c3731206222fc871bddd9',
    '0e04cfa3b04a15ddc269bfe402421da4051d2269a5959a7eb00f0e216fe687d8',
  ],
  appHashes: [
    '82aac9b74e5a76762676f71c2c7b7feec9cbb1309c203625daa93ba348b9929a',
    '76b5df18a59c21f188b1caf5800f9edecab258918aa8586bad78f2aa70ec0fc8',
    '54b7f14d0110f91696d6c969ce0d3392342198e62bd56ac69aa4b59598b994b8',
  ],
};

for (const executor of ['sequential', 'parallel'] as const) {
  test(`AMM blocks are pinned: codes, gas, results (events included) and app hashes (${executor} executor)`, async () => {
    const got = await run({ executor });
    assert.deepEqual(got.codes, PINNED.codes, 'codes');
    assert.deepEqual(got.gas, PINNED.gas, 'gas used');
    assert.deepEqual(got.results, PINNED.results, 'sha256 of each block\'s ExecTxResults');
    assert.deepEqual(got.appHashes, PINNED.appHashes, 'app hashes');
  });
}
