// The AMM over a real CometBFT node with unmodified CosmJS (SigningStargateClient + the Lanes
// registry): create, add, swap exact in/out (checked against the Estimate queries made just
// before and against the pinned formulas), multi-hop over the devnet pools, remove, LP shares
// sent with MsgSend, and the failures CheckTx rejects with nothing moved. Then the `lanes` CLI.
// The node keeps committed-state caches of 16 keys (main thread and worker), far fewer than its
// state, so all of this also runs with reads that went back to SQLite after the caches dropped keys.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DirectSecp256k1HdWallet, type EncodeObject } from '@cosmjs/proto-signing';
import { BroadcastTxError, GasPrice, SigningStargateClient, type DeliverTxResponse, type StdFee } from '@cosmjs/stargate';
import { makeCosmoshubPath } from '@cosmjs/amino';
import { Comet38Client } from '@cosmjs/tendermint-rpc';
import {
  createLanesQueryClient, createLanesRegistry, PoolType, TEST_MNEMONIC, type LanesQueryConnection,
  type MsgAddLiquidityEncodeObject, type MsgCreatePoolEncodeObject, type MsgRemoveLiquidityEncodeObject,
  type MsgSwapExactInEncodeObject, type MsgSwapExactOutEncodeObject, type Pool,
} from '@lanes/client';
import {
  MsgAddLiquidityResponse, MsgCreatePoolResponse, MsgRemoveLiquidityResponse, MsgSwapExactInResponse, MsgSwapExactOutResponse,
} from '@lanes/proto/lanes/amm/v1/tx';
import { runLanes } from './support/lanes.ts';
import { startTestNode, waitFor, type TestNode } from './support/node.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const Q = 10n ** 18n;
/** 0.003 as an 18-decimal fixed point, the fee of devnet pools 1 and 2 and of the pool made here. */
const FEE_30BP = 3n * 10n ** 15n;
/** A fixed fee for txs CheckTx must reject (fee "auto" would stop at the failing simulation). */
const FIXED_FEE: StdFee = { amount: [{ denom: 'ulane', amount: '1000' }], gas: '400000' };
const CREATION_FEE = 1_000_000n; // 1 lane, the devnet param

let node: TestNode;
let client: SigningStargateClient;
let q: LanesQueryConnection;
let lp: string; // test3: creates the pool
let trader: string; // test4
let receiver: string; // test5: gets LP shares by MsgSend
let poolId: bigint;
const STATE_CACHE_KEYS = 16;

before(async () => {
  node = await startTestNode({ stateCacheKeys: STATE_CACHE_KEYS });
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(TEST_MNEMONIC, { prefix: 'lanes', hdPaths: [3, 4, 5].map((i) => makeCosmoshubPath(i)) });
  [lp, trader, receiver] = (await wallet.getAccounts()).map((a) => a.address) as [string, string, string];
  client = await SigningStargateClient.connectWithSigner(node.rpcUrl, wallet, {
    registry: createLanesRegistry(),
    gasPrice: GasPrice.fromString('0.0025ulane'),
    broadcastPollIntervalMs: 300,
  });
  q = await createLanesQueryClient(node.rpcUrl);
});

after(async () => {
  client?.disconnect();
  q?.disconnect();
  await node?.stop();
});

// ---------------------------------------------------------------------------------------------
// Helpers.

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = n;
  let y = (x + 1n) / 2n;
  while (y < x) [x, y] = [y, (y + n / y) / 2n];
  return x;
}

/** The pinned constant-product formulas (issue 4), fee p in 18-decimal fixed point. */
const cpOut = (rIn: bigint, rOut: bigint, amountIn: bigint, p: bigint) => (amountIn * (Q - p) * rOut) / (rIn * Q + amountIn * (Q - p));
const cpIn = (rIn: bigint, rOut: bigint, amountOut: bigint, p: bigint) => (rIn * amountOut * Q) / ((rOut - amountOut) * (Q - p)) + 1n;

/** The fee a tx with fee "auto" paid: ceil(gas limit × 0.0025) ulane. */
const feeOf = (res: DeliverTxResponse): bigint => (res.gasWanted * 25n + 9999n) / 10000n;

async function balances(address: string): Promise<Map<string, bigint>> {
  return new Map((await client.getAllBalances(address)).map((c) => [c.denom, BigInt(c.amount)]));
}

/** Every denom whose balance changed, with the signed change. */
function delta(before: Map<string, bigint>, after: Map<string, bigint>): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const d of new Set([...before.keys(), ...after.keys()])) {
    const change = (after.get(d) ?? 0n) - (before.get(d) ?? 0n);
    if (change !== 0n) out[d] = change;
  }
  return out;
}

async function send(signer: string, msg: EncodeObject): Promise<DeliverTxResponse> {
  const res = await client.signAndBroadcast(signer, [msg], 'auto');
  assert.equal(res.code, 0, res.rawLog);
  return res;
}

function response<T>(res: DeliverTxResponse, typeUrl: string, codec: { decode(b: Uint8Array): T }): T {
  assert.equal(res.msgResponses[0]?.typeUrl, typeUrl);
  return codec.decode(res.msgResponses[0]?.value ?? new Uint8Array());
}

const reservesOf = (p: Pool): Record<string, bigint> => Object.fromEntries(p.reserves.map((c) => [c.denom, BigInt(c.amount)]));

/** CheckTx rejects `msg` with (codespace, code) and a log holding each of `logHas`; no balance or sequence moves. */
async function expectRejected(signer: string, msg: EncodeObject, codespace: string, code: number, logHas: string[]): Promise<void> {
  const before = await balances(signer);
  const seq = (await client.getSequence(signer)).sequence;
  await assert.rejects(client.signAndBroadcast(signer, [msg], FIXED_FEE), (e: unknown) => {
    assert.ok(e instanceof BroadcastTxError, `expected a CheckTx rejection, got ${String(e)}`);
    assert.equal(`${e.codespace}/${e.code}`, `${codespace}/${code}`, e.log);
    for (const s of logHas) assert.ok(e.log?.includes(s), `log ${JSON.stringify(e.log)} should mention ${s}`);
    return true;
  });
  assert.deepEqual(await balances(signer), before, 'nothing moved, not even the fee');
  assert.equal((await client.getSequence(signer)).sequence, seq);
}

// ---------------------------------------------------------------------------------------------
// The happy path, in order: each test builds on the state the previous one left.

test('create a pool: pays the creation fee, mints isqrt(a·b) shares of which 1000 are locked', async () => {
  const eth = 1_000_000_000n; // 1000 eth
  const usdc = 200_000_000_000n; // 200,000 usdc
  const before = await balances(lp);
  const msg: MsgCreatePoolEncodeObject = {
    typeUrl: '/lanes.amm.v1.MsgCreatePool',
    value: {
      creator: lp, poolType: PoolType.POOL_TYPE_CONSTANT_PRODUCT, swapFee: '0.003', amplification: 0n,
      initialLiquidity: [{ denom: 'uusdc', amount: usdc.toString() }, { denom: 'ueth', amount: eth.toString() }],
    },
  };
  const res = await send(lp, msg);
  const r = response(res, '/lanes.amm.v1.MsgCreatePoolResponse', MsgCreatePoolResponse);
  assert.equal(r.poolId, 4n, 'after the three devnet pools');
  poolId = r.poolId;
  const total = isqrt(eth * usdc);
  assert.equal(r.sharesOut, (total - 1000n).toString());

  const pool = await q.amm.pool(poolId);
  assert.deepEqual(pool, {
    id: 4n, poolType: PoolType.POOL_TYPE_CONSTANT_PRODUCT,
    reserves: [{ denom: 'ueth', amount: eth.toString() }, { denom: 'uusdc', amount: usdc.toString() }], // sorted by denom
    totalShares: total.toString(), shareDenom: 'amm/pool/4', swapFee: '0.003000000000000000', amplification: 0n,
  });
  assert.deepEqual(delta(before, await balances(lp)), {
    ueth: -eth, uusdc: -usdc, ulane: -CREATION_FEE - feeOf(res), 'amm/pool/4': total - 1000n,
  });
  const created = res.events.find((e) => e.type === 'lanes.amm.v1.EventPoolCreated');
  assert.ok(created, 'EventPoolCreated is emitted');
});

test('add liquidity: shares = floor(min(a_i·S/R_i)), only the proportional amounts (rounded up) are taken', async () => {
  const pool = await q.amm.pool(poolId);
  const S = BigInt(pool.totalShares);
  const R = reservesOf(pool);
  const maxEth = 10_000_000n; // 1% of the pool
  const maxUsdc = 5_000_000_000n; // 2.5% of the pool: the excess stays with the sender
  const shares = [(maxEth * S) / (R['ueth'] as bigint), (maxUsdc * S) / (R['uusdc'] as bigint)].reduce((a, b) => (a < b ? a : b));
  const ceil = (n: bigint, d: bigint) => (n + d - 1n) / d;
  const takenEth = ceil(shares * (R['ueth'] as bigint), S);
  const takenUsdc = ceil(shares * (R['uusdc'] as bigint), S);

  const before = await balances(trader);
  const msg: MsgAddLiquidityEncodeObject = {
    typeUrl: '/lanes.amm.v1.MsgAddLiquidity',
    value: { sender: trader, poolId, maxAmountsIn: [{ denom: 'ueth', amount: maxEth.toString() }, { denom: 'uusdc', amount: maxUsdc.toString() }], minSharesOut: shares.toString() },
  };
  const res = await send(trader, msg);
  const r = response(res, '/lanes.amm.v1.MsgAddLiquidityResponse', MsgAddLiquidityResponse);
  assert.equal(r.sharesOut, shares.toString());
  assert.deepEqual(r.amountsIn, [{ denom: 'ueth', amount: takenEth.toString() }, { denom: 'uusdc', amount: takenUsdc.toString() }]);
  assert.ok(takenUsdc < maxUsdc, `took ${takenUsdc} uusdc, expected less than the max ${maxUsdc}`);
  assert.deepEqual(delta(before, await balances(trader)), { ueth: -takenEth, uusdc: -takenUsdc, ulane: -feeOf(res), 'amm/pool/4': shares });
  const after = await q.amm.pool(poolId);
  assert.equal(after.totalShares, (S + shares).toString());
  assert.deepEqual(reservesOf(after), { ueth: (R['ueth'] as bigint) + takenEth, uusdc: (R['uusdc'] as bigint) + takenUsdc });
});

test('swap exact in: gets exactly the EstimateSwapExactIn amount, which matches the formula', async () => {
  const amountIn = 1_000_000n;
  const R = reservesOf(await q.amm.pool(poolId));
  const route = [{ poolId, tokenOutDenom: 'uusdc' }];
  const tokenIn = { denom: 'ueth', amount: amountIn.toString() };
  const estimate = await q.amm.estimateSwapExactIn(route, tokenIn);
  const expected = cpOut(R['ueth'] as bigint, R['uusdc'] as bigint, amountIn, FEE_30BP);
  assert.equal(estimate.amountOut, expected.toString());

  const before = await balances(trader);
  const msg: MsgSwapExactInEncodeObject = {
    typeUrl: '/lanes.amm.v1.MsgSwapExactIn',
    value: { sender: trader, routes: route, tokenIn, minAmountOut: estimate.amountOut }, // the boundary: min = out passes
  };
  const res = await send(trader, msg);
  assert.equal(response(res, '/lanes.amm.v1.MsgSwapExactInResponse', MsgSwapExactInResponse).amountOut, expected.toString());
  assert.deepEqual(delta(before, await balances(trader)), { ueth: -amountIn, uusdc: expected, ulane: -feeOf(res) });
  assert.deepEqual(reservesOf(await q.amm.pool(poolId)), { ueth: (R['ueth'] as bigint) + amountIn, uusdc: (R['uusdc'] as bigint) - expected });
  assert.ok(res.events.some((e) => e.type === 'lanes.amm.v1.EventSwap'), 'EventSwap is emitted');
  // Indexed: CometBFT's tx_search finds it by pool and by trader (values are proto3 JSON).
  const byPool = await client.searchTx(`lanes.amm.v1.EventSwap.pool_id='"${poolId}"'`);
  assert.ok(byPool.some((t) => t.hash === res.transactionHash), `found by pool: ${byPool.map((t) => t.hash).join(', ')}`);
  const byTrader = await client.searchTx(`lanes.amm.v1.EventSwap.sender='"${trader}"'`);
  assert.ok(byTrader.some((t) => t.hash === res.transactionHash), 'found by trader');
});

test('swap exact out: pays exactly the EstimateSwapExactOut amount, which matches the formula', async () => {
  const amountOut = 100_000_000n; // 100 usdc
  const R = reservesOf(await q.amm.pool(poolId));
  const route = [{ poolId, tokenInDenom: 'ueth' }];
  const tokenOut = { denom: 'uusdc', amount: amountOut.toString() };
  const estimate = await q.amm.estimateSwapExactOut(route, tokenOut);
  const expected = cpIn(R['ueth'] as bigint, R['uusdc'] as bigint, amountOut, FEE_30BP);
  assert.equal(estimate.amountIn, expected.toString());

  const before = await balances(trader);
  const msg: MsgSwapExactOutEncodeObject = {
    typeUrl: '/lanes.amm.v1.MsgSwapExactOut',
    value: { sender: trader, routes: route, tokenOut, maxAmountIn: estimate.amountIn }, // the boundary: max = in passes
  };
  const res = await send(trader, msg);
  assert.equal(response(res, '/lanes.amm.v1.MsgSwapExactOutResponse', MsgSwapExactOutResponse).amountIn, expected.toString());
  assert.deepEqual(delta(before, await balances(trader)), { ueth: -expected, uusdc: amountOut, ulane: -feeOf(res) });
});

test('multi-hop over the devnet pools: ATOM -> USDC (pool 1) -> LANE (pool 2), exact in and exact out', async () => {
  // Exact in: the intermediate USDC is what pool 1 alone would pay.
  const [p1, p2] = [reservesOf(await q.amm.pool(1)), reservesOf(await q.amm.pool(2))];
  const amountIn = 2_000_000n; // 2 atom
  const mid = cpOut(p1['uatom'] as bigint, p1['uusdc'] as bigint, amountIn, FEE_30BP);
  const out = cpOut(p2['uusdc'] as bigint, p2['ulane'] as bigint, mid, FEE_30BP);
  const routes = [{ poolId: 1n, tokenOutDenom: 'uusdc' }, { poolId: 2n, tokenOutDenom: 'ulane' }];
  const tokenIn = { denom: 'uatom', amount: amountIn.toString() };
  assert.equal((await q.amm.estimateSwapExactIn(routes, tokenIn)).amountOut, out.toString());
  let before = await balances(trader);
  let res = await send(trader, { typeUrl: '/lanes.amm.v1.MsgSwapExactIn', value: { sender: trader, routes, tokenIn, minAmountOut: out.toString() } });
  assert.equal(response(res, '/lanes.amm.v1.MsgSwapExactInResponse', MsgSwapExactInResponse).amountOut, out.toString());
  assert.deepEqual(delta(before, await balances(trader)), { uatom: -amountIn, ulane: out - feeOf(res) }, 'the intermediate USDC never reaches the trader');
  assert.deepEqual(reservesOf(await q.amm.pool(1)), { uatom: (p1['uatom'] as bigint) + amountIn, uusdc: (p1['uusdc'] as bigint) - mid });
  assert.deepEqual(reservesOf(await q.amm.pool(2)), { ulane: (p2['ulane'] as bigint) - out, uusdc: (p2['uusdc'] as bigint) + mid });
  assert.equal(res.events.filter((e) => e.type === 'lanes.amm.v1.EventSwap').length, 2, 'one EventSwap per hop');

  // Exact out: buy 50 lane, paying atom; amounts are computed backwards from the last hop.
  const [r1, r2] = [reservesOf(await q.amm.pool(1)), reservesOf(await q.amm.pool(2))];
  const want = 50_000_000n;
  const needUsdc = cpIn(r2['uusdc'] as bigint, r2['ulane'] as bigint, want, FEE_30BP);
  const needAtom = cpIn(r1['uatom'] as bigint, r1['uusdc'] as bigint, needUsdc, FEE_30BP);
  const outRoutes = [{ poolId: 1n, tokenInDenom: 'uatom' }, { poolId: 2n, tokenInDenom: 'uusdc' }];
  const tokenOut = { denom: 'ulane', amount: want.toString() };
  assert.equal((await q.amm.estimateSwapExactOut(outRoutes, tokenOut)).amountIn, needAtom.toString());
  before = await balances(trader);
  res = await send(trader, { typeUrl: '/lanes.amm.v1.MsgSwapExactOut', value: { sender: trader, routes: outRoutes, tokenOut, maxAmountIn: needAtom.toString() } });
  assert.equal(response(res, '/lanes.amm.v1.MsgSwapExactOutResponse', MsgSwapExactOutResponse).amountIn, needAtom.toString());
  assert.deepEqual(delta(before, await balances(trader)), { uatom: -needAtom, ulane: want - feeOf(res) });
});

test('LP shares are a bank denom: MsgSend moves them and the receiver can redeem them', async () => {
  const shares = 123_456_789n;
  const res = await client.sendTokens(lp, receiver, [{ denom: 'amm/pool/4', amount: shares.toString() }], 'auto');
  assert.equal(res.code, 0, res.rawLog);
  assert.equal((await client.getBalance(receiver, 'amm/pool/4')).amount, shares.toString());

  const pool = await q.amm.pool(poolId);
  const S = BigInt(pool.totalShares);
  const R = reservesOf(pool);
  const out = { ueth: (shares * (R['ueth'] as bigint)) / S, uusdc: (shares * (R['uusdc'] as bigint)) / S };
  const before = await balances(receiver);
  const msg: MsgRemoveLiquidityEncodeObject = {
    typeUrl: '/lanes.amm.v1.MsgRemoveLiquidity',
    value: { sender: receiver, poolId, shares: shares.toString(), minAmountsOut: [{ denom: 'ueth', amount: out.ueth.toString() }] },
  };
  const removed = await send(receiver, msg);
  assert.deepEqual(response(removed, '/lanes.amm.v1.MsgRemoveLiquidityResponse', MsgRemoveLiquidityResponse).amountsOut, [
    { denom: 'ueth', amount: out.ueth.toString() }, { denom: 'uusdc', amount: out.uusdc.toString() },
  ]);
  assert.deepEqual(delta(before, await balances(receiver)), { 'amm/pool/4': -shares, ueth: out.ueth, uusdc: out.uusdc, ulane: -feeOf(removed) });
});

test('remove liquidity: all of the trader\'s shares, a_i = floor(shares·R_i/S)', async () => {
  const shares = BigInt((await client.getBalance(trader, 'amm/pool/4')).amount);
  assert.ok(shares > 0n, `the trader holds ${shares} shares, expected some`);
  const pool = await q.amm.pool(poolId);
  const S = BigInt(pool.totalShares);
  const R = reservesOf(pool);
  const out = { ueth: (shares * (R['ueth'] as bigint)) / S, uusdc: (shares * (R['uusdc'] as bigint)) / S };
  const before = await balances(trader);
  const res = await send(trader, { typeUrl: '/lanes.amm.v1.MsgRemoveLiquidity', value: { sender: trader, poolId, shares: shares.toString(), minAmountsOut: [] } });
  assert.deepEqual(delta(before, await balances(trader)), { 'amm/pool/4': -shares, ueth: out.ueth, uusdc: out.uusdc, ulane: -feeOf(res) });
  const after = await q.amm.pool(poolId);
  assert.equal(after.totalShares, (S - shares).toString());
  assert.deepEqual(reservesOf(after), { ueth: (R['ueth'] as bigint) - out.ueth, uusdc: (R['uusdc'] as bigint) - out.uusdc });
});

// ---------------------------------------------------------------------------------------------
// Failures: CheckTx runs the Msg, so each is rejected before the mempool and nothing moves.

test('min_amount_out not met: out + 1 is rejected with amm/11 naming both amounts', async () => {
  const route = [{ poolId: 1n, tokenOutDenom: 'uusdc' }];
  const tokenIn = { denom: 'uatom', amount: '1000000' };
  const { amountOut } = await q.amm.estimateSwapExactIn(route, tokenIn);
  const min = (BigInt(amountOut) + 1n).toString();
  await expectRejected(trader, { typeUrl: '/lanes.amm.v1.MsgSwapExactIn', value: { sender: trader, routes: route, tokenIn, minAmountOut: min } },
    'amm', 11, [`min_amount_out ${min} not met`, `got ${amountOut}`]);
});

test('max_amount_in exceeded: in - 1 is rejected with amm/12', async () => {
  const routes = [{ poolId: 1n, tokenInDenom: 'uatom' }];
  const tokenOut = { denom: 'uusdc', amount: '1000000' };
  const { amountIn } = await q.amm.estimateSwapExactOut(routes, tokenOut);
  const max = (BigInt(amountIn) - 1n).toString();
  await expectRejected(trader, { typeUrl: '/lanes.amm.v1.MsgSwapExactOut', value: { sender: trader, routes, tokenOut, maxAmountIn: max } },
    'amm', 12, [`max_amount_in ${max} exceeded`, `need ${amountIn}`]);
});

test('unknown pool: amm/2 naming the pool id', async () => {
  await expectRejected(trader, {
    typeUrl: '/lanes.amm.v1.MsgSwapExactIn',
    value: { sender: trader, routes: [{ poolId: 999n, tokenOutDenom: 'uusdc' }], tokenIn: { denom: 'uatom', amount: '1000' }, minAmountOut: '1' },
  }, 'amm', 2, ['999']);
});

test('repeated pool in a route: amm/9 naming the pool', async () => {
  await expectRejected(trader, {
    typeUrl: '/lanes.amm.v1.MsgSwapExactIn',
    value: { sender: trader, routes: [{ poolId: 1n, tokenOutDenom: 'uusdc' }, { poolId: 1n, tokenOutDenom: 'uatom' }], tokenIn: { denom: 'uatom', amount: '1000' }, minAmountOut: '1' },
  }, 'amm', 9, ['pool 1 appears twice']);
});

test('removing more shares than owned: amm/15 naming what was asked and what is held', async () => {
  const held = BigInt((await client.getBalance(lp, 'amm/pool/4')).amount);
  const ask = (held + 1n).toString();
  await expectRejected(lp, { typeUrl: '/lanes.amm.v1.MsgRemoveLiquidity', value: { sender: lp, poolId, shares: ask, minAmountsOut: [] } },
    'amm', 15, [`removing ${ask} shares of pool 4`, `holds ${held}`]);
});

test('after the rejections the same signer still transacts (no sequence was consumed)', async () => {
  const res = await client.sendTokens(trader, receiver, [{ denom: 'uatom', amount: '1' }], 'auto');
  assert.equal(res.code, 0, res.rawLog);
});

// ---------------------------------------------------------------------------------------------
// The CLI, as a child process against the same node.

/** `lanes --home <node home> <args>` in a child process (support/lanes.ts). */
const lanes = (...args: string[]) => runLanes(node, args);

test('CLI: `lanes tx amm swap-exact-in` swaps and reports the amount out; `lanes query amm pool 1` shows the pool', async () => {
  const cliTrader = 'test6';
  const addr = node.accounts[6]?.address as string;
  // A pool id as a number, as pool() takes one.
  const { amountOut } = await q.amm.estimateSwapExactIn([{ poolId: 1, tokenOutDenom: 'uusdc' }], { denom: 'uatom', amount: '1000000' });
  const usdcBefore = BigInt((await client.getBalance(addr, 'uusdc')).amount);

  // min-out above the estimate: the simulation (gas auto) rejects it, and with a fixed --gas
  // CheckTx does; the CLI prints codespace, code and log either way. Exit code 1 both times.
  const tooMuch = ['tx', 'amm', 'swap-exact-in', cliTrader, '1atom', '--route', '1:usdc', '--min-out', `${BigInt(amountOut) + 1n}uusdc`, '-y'];
  const simulated = await lanes(...tooMuch);
  assert.equal(simulated.code, 1, simulated.err);
  assert.equal(simulated.out, `rejected in simulation (nothing sent)\ncodespace: amm\ncode: 11\nlog: failed to execute message; message index: 0: min_amount_out ${BigInt(amountOut) + 1n} not met: got ${amountOut}: min amount out not met\n`);
  const simulatedJson = await lanes(...tooMuch, '-o', 'json');
  assert.equal(simulatedJson.code, 1, simulatedJson.err);
  assert.deepEqual(JSON.parse(simulatedJson.out), { stage: 'simulate', codespace: 'amm', code: 11, log: `failed to execute message; message index: 0: min_amount_out ${BigInt(amountOut) + 1n} not met: got ${amountOut}: min amount out not met` });
  const checked = await lanes(...tooMuch, '--gas', '300000');
  assert.equal(checked.code, 1, checked.err);
  assert.equal(checked.out, `rejected by CheckTx\ncodespace: amm\ncode: 11\nlog: failed to execute message; message index: 0: min_amount_out ${BigInt(amountOut) + 1n} not met: got ${amountOut}: min amount out not met\n`);
  // Errors are one line, without the usage. Without a terminal (stdin here is not one) a tx
  // needs -y; a key the chain never funded is told so.
  assert.doesNotMatch(simulated.err, /Usage:/);
  const unasked = await lanes('tx', 'amm', 'swap-exact-in', cliTrader, '1atom', '--route', '1:uusdc', '--min-out', `${amountOut}uusdc`);
  assert.equal(unasked.code, 1);
  assert.equal(unasked.err.trim().split('\n').at(-1), 'error: not confirmed: stdin is not a terminal, so pass -y (--yes) to sign and broadcast without asking');
  const noLimit = await lanes('tx', 'amm', 'add-liquidity', cliTrader, '1', '1atom,10usdc', '-y');
  assert.equal(noLimit.code, 1);
  assert.match(noLimit.err, /required option '--min-shares <n>' not specified/);
  const noMinOut = await lanes('tx', 'amm', 'remove-liquidity', cliTrader, '1', '5', '-y');
  assert.equal(noMinOut.code, 1);
  assert.match(noMinOut.err, /required option '--min-out <amounts>' not specified/);
  // `none` parses as no limit: the simulation then fails on the shares test6 does not hold.
  const noShares = await lanes('tx', 'amm', 'remove-liquidity', cliTrader, '1', '5', '--min-out', 'none', '-y');
  assert.equal(noShares.code, 1);
  assert.match(noShares.out, /^rejected in simulation .*\ncodespace: amm\ncode: 15\nlog: .*shares/);
  // A refused query names its codespace too (CosmJS's "Query failed with (2)" does not).
  const noPool = await lanes('query', 'amm', 'pool', '99');
  assert.equal(noPool.code, 1);
  assert.equal(noPool.err.trim(), 'error: query refused: amm/2: pool 99 not found: pool not found');
  assert.equal((await lanes('keys', 'add', 'never-funded')).code, 0);
  const unfunded = await lanes('tx', 'bank', 'send', 'never-funded', addr, '1ulane', '-y');
  assert.equal(unfunded.code, 1);
  assert.match(unfunded.err, /^error: never-funded \(lanes1\w+\) has no account on chain yet: send it some ulane first$/m);

  const r = await lanes('tx', 'amm', 'swap-exact-in', cliTrader, '1atom', '--route', '1:uusdc', '--min-out', `${amountOut}uusdc`, '-y', '-o', 'json');
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as { code: number; txhash: string; amount_out: { denom: string; amount: string } };
  assert.equal(out.code, 0);
  assert.match(out.txhash, /^[0-9A-F]{64}$/);
  assert.deepEqual(out.amount_out, { denom: 'uusdc', amount: amountOut });
  assert.equal(BigInt((await client.getBalance(addr, 'uusdc')).amount), usdcBefore + BigInt(amountOut));
  assert.match(r.err, /swap 1atom \(1000000uatom\) for at least .* via pool 1 -> uusdc/);
  // `query tx` prints it, Msg fields and all (a pool id is a bigint).
  const shown = await lanes('query', 'tx', out.txhash);
  assert.equal(shown.code, 0, shown.err);
  assert.match(shown.out, /^ {2}- \/lanes\.amm\.v1\.MsgSwapExactIn \{.*"poolId":"1"/m);

  const pool = await q.amm.pool(1);
  const text = await lanes('query', 'amm', 'pool', '1');
  assert.equal(text.code, 0, text.err);
  const [atom, usdc] = pool.reserves;
  // 6 decimals, trailing zeros dropped: 10001000000 -> 10001, 99990030994 -> 99990.030994.
  const human = (amount: string) => `${amount.slice(0, -6)}.${amount.slice(-6)}`.replace(/\.?0+$/, '');
  assert.equal(text.out, [
    'pool 1: constant product, swap fee 0.3%',
    `  reserves: ${human(atom?.amount ?? '')}atom (${atom?.amount}uatom), ${human(usdc?.amount ?? '')}usdc (${usdc?.amount}uusdc)`,
    `  shares: ${pool.totalShares}amm/pool/1`,
    '',
  ].join('\n'));
  const json = await lanes('query', 'amm', 'pool', '1', '-o', 'json');
  assert.equal(json.code, 0, json.err);
  assert.deepEqual(JSON.parse(json.out), {
    id: '1', pool_type: 'POOL_TYPE_CONSTANT_PRODUCT', reserves: pool.reserves, total_shares: pool.totalShares,
    share_denom: 'amm/pool/1', swap_fee: '0.003000000000000000', amplification: '0',
  });

  const bad = await lanes('query', 'amm', 'pool', 'one');
  assert.equal(bad.code, 1);
  assert.match(bad.err, /invalid pool id "one"/);
});

test('CLI: every `lanes tx amm` / `lanes query amm` line of the README runs as written', async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const at = readme.indexOf('- CLI (`npm run lanes -- …`');
  assert.ok(at >= 0, 'README has the AMM CLI list');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))?.[1] ?? '';
  const lines = block.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l !== '');
  assert.equal(lines.length, 10);
  const comet = await Comet38Client.connect(node.rpcUrl);
  try {
    const genesis = (await comet.genesis()).genesisTime.getTime();
    for (const line of lines) {
      assert.match(line, /^npm run lanes -- (tx|query) amm /);
      const args = line.replace(/^npm run lanes -- /, '').split(/\s+/);
      // `twap --window 60` needs 60 s of history: wait until the chain is that old.
      if (args.includes('twap')) {
        await waitFor(async () => (await comet.status()).syncInfo.latestBlockTime.getTime() - genesis > 61_000, 90_000, 'a minute of block time');
      }
      const r = await lanes(...args);
      assert.equal(r.code, 0, `${line}\n${r.out}\n${r.err}`);
      if (args[0] === 'tx') assert.match(r.out, /^code: 0$/m, line);
    }
  } finally {
    comet.disconnect();
  }
});

test('all of the above ran with the committed-state cache held to its bound', async () => {
  const text = await (await fetch(node.metricsUrl)).text();
  const cached = Number(/^lanes_state_cache_keys (\d+)$/m.exec(text)?.[1]);
  assert.ok(cached > 0 && cached <= STATE_CACHE_KEYS, `lanes_state_cache_keys ${cached}, bound ${STATE_CACHE_KEYS}`);
});
