// The AMM through the whole chain (InProcessChain: real ante, fees, KV layers): every bad input
// of the issue with its exact (codespace, code) and the bad value in the log, and nothing moving
// but the fee; the slippage boundaries from both sides; creation fee; TWAP; genesis round trip;
// donation and first-depositor attacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { TxMsgData } from 'cosmjs-types/cosmos/base/abci/v1beta1/abci';
import { SimulateRequest, SimulateResponse } from 'cosmjs-types/cosmos/tx/v1beta1/service';
import type { ExecTxResult } from 'cosmjs-types/tendermint/abci/types';
import { MAX_AMOUNT, Overlay, buildTx, plainContext, testKey, type AnyMsg, type TestKey } from '@lanes/app';
import { PoolType } from '@lanes/proto/lanes/amm/v1/amm';
import {
  MsgAddLiquidity, MsgAddLiquidityResponse, MsgCreatePool, MsgCreatePoolResponse, MsgRemoveLiquidity, MsgRemoveLiquidityResponse,
  MsgSwapExactIn, MsgSwapExactInResponse, MsgSwapExactOut, MsgSwapExactOutResponse,
} from '@lanes/proto/lanes/amm/v1/tx';
import {
  QueryEstimateSwapExactInRequest, QueryEstimateSwapExactInResponse, QueryEstimateSwapExactOutRequest, QueryEstimateSwapExactOutResponse,
  QueryPoolRequest, QueryPoolResponse, QuerySpotPriceRequest, QuerySpotPriceResponse, QueryTwapHistoryRequest, QueryTwapHistoryResponse, QueryTwapRequest,
  QueryTwapResponse,
} from '@lanes/proto/lanes/amm/v1/query';
import { InProcessChain } from '../../../abci-server/src/inprocess.ts';
import { DEVNET_DENOMS, devnetGenesis } from '../../../abci-server/src/lanesApp.ts';
import { createAmmModule } from './index.ts';
import { LOCKED_SHARES_ADDRESS, PROTOCOL_ADDRESS, STABLESWAP_STEP_GAS, poolAddress } from './pool.ts';
import { twapSpan } from './twap.ts';
import { createBankModule } from '@lanes/bank';

const A = testKey('amm-test/a');
const B = testKey('amm-test/b');
const GAS = 400_000n;
const FEE = 1000n; // GAS × 0.0025

function chain(): InProcessChain {
  const c = new InProcessChain(devnetGenesis([A.address, B.address]));
  c.block([]);
  return c;
}

function tx(c: InProcessChain, key: TestKey, msgs: AnyMsg[]): Uint8Array {
  const sequence = c.account(key.address)?.sequence ?? 0n;
  const accountNumber = c.account(key.address)?.accountNumber ?? 0n;
  return buildTx(key, msgs, { chainId: c.chainId, accountNumber, sequence, gasLimit: GAS, fee: FEE });
}

const createPool = (m: Partial<MsgCreatePool>): AnyMsg => ({ typeUrl: '/lanes.amm.v1.MsgCreatePool', value: MsgCreatePool.encode(MsgCreatePool.fromPartial({ creator: A.address, poolType: PoolType.POOL_TYPE_CONSTANT_PRODUCT, swapFee: '0.003', ...m })).finish() });
const addLiq = (m: Partial<MsgAddLiquidity>): AnyMsg => ({ typeUrl: '/lanes.amm.v1.MsgAddLiquidity', value: MsgAddLiquidity.encode(MsgAddLiquidity.fromPartial({ sender: A.address, minSharesOut: '0', ...m })).finish() });
const removeLiq = (m: Partial<MsgRemoveLiquidity>): AnyMsg => ({ typeUrl: '/lanes.amm.v1.MsgRemoveLiquidity', value: MsgRemoveLiquidity.encode(MsgRemoveLiquidity.fromPartial({ sender: A.address, ...m })).finish() });
const swapIn = (m: Partial<MsgSwapExactIn>): AnyMsg => ({ typeUrl: '/lanes.amm.v1.MsgSwapExactIn', value: MsgSwapExactIn.encode(MsgSwapExactIn.fromPartial({ sender: A.address, minAmountOut: '1', ...m })).finish() });
const swapOut = (m: Partial<MsgSwapExactOut>): AnyMsg => ({ typeUrl: '/lanes.amm.v1.MsgSwapExactOut', value: MsgSwapExactOut.encode(MsgSwapExactOut.fromPartial({ sender: A.address, ...m })).finish() });
const coin = (amount: bigint | string, denom: string) => ({ denom, amount: String(amount) });

function response<T>(r: ExecTxResult, codec: { decode(b: Uint8Array): T }): T {
  assert.equal(r.code, 0, r.log);
  const any = TxMsgData.decode(r.data).msgResponses[0];
  assert.ok(any, 'the tx returned a msg response');
  return codec.decode(any.value);
}

function pool(c: InProcessChain, id: bigint) {
  const r = c.query('/lanes.amm.v1.Query/Pool', QueryPoolRequest.encode({ poolId: id }).finish());
  assert.equal(r.code, 0, r.log);
  return QueryPoolResponse.decode(r.value).pool;
}

function estimateIn(c: InProcessChain, routes: { poolId: bigint; tokenOutDenom: string }[], tokenIn: { denom: string; amount: string }) {
  const r = c.query('/lanes.amm.v1.Query/EstimateSwapExactIn', QueryEstimateSwapExactInRequest.encode({ routes, tokenIn }).finish());
  assert.equal(r.code, 0, r.log);
  return QueryEstimateSwapExactInResponse.decode(r.value);
}

function estimateOut(c: InProcessChain, routes: { poolId: bigint; tokenInDenom: string }[], tokenOut: { denom: string; amount: string }) {
  const r = c.query('/lanes.amm.v1.Query/EstimateSwapExactOut', QueryEstimateSwapExactOutRequest.encode({ routes, tokenOut }).finish());
  assert.equal(r.code, 0, r.log);
  return QueryEstimateSwapExactOutResponse.decode(r.value);
}

const WATCHED = [...DEVNET_DENOMS, 'amm/pool/1', 'amm/pool/2', 'amm/pool/3', 'amm/pool/4'];
function snapshot(c: InProcessChain): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const addr of [A.address, poolAddress(1n), poolAddress(2n), poolAddress(3n), poolAddress(4n), PROTOCOL_ADDRESS]) {
    for (const d of WATCHED) m.set(`${addr}/${d}`, c.balance(addr, d));
  }
  return m;
}

interface BadCase {
  name: string;
  msg: AnyMsg;
  codespace: string;
  code: number;
  log: RegExp;
  /**
   * Where it is refused: 'stateless' by the Msg's validation, before the ante (a block charges
   * nothing and leaves the sequence), or 'msg' by the keeper, after the ante (the fee is charged
   * and the sequence bumped).
   */
  at: 'stateless' | 'msg';
}

const BAD: BadCase[] = [
  { name: 'unknown pool', msg: swapIn({ routes: [{ poolId: 42n, tokenOutDenom: 'uusdc' }], tokenIn: coin(1000n, 'uatom') }), codespace: 'amm', code: 2, log: /pool 42 not found/, at: 'msg' },
  { name: 'add liquidity to unknown pool', msg: addLiq({ poolId: 42n, maxAmountsIn: [coin(5n, 'uatom'), coin(5n, 'uusdc')] }), codespace: 'amm', code: 2, log: /pool 42 not found/, at: 'msg' },
  { name: 'same denom twice', msg: createPool({ initialLiquidity: [coin(5000n, 'uatom'), coin(5000n, 'uatom')] }), codespace: 'amm', code: 4, log: /same denom twice: uatom/, at: 'stateless' },
  { name: 'one asset', msg: createPool({ initialLiquidity: [coin(5000n, 'uatom')] }), codespace: 'amm', code: 4, log: /1 asset \[uatom\]/, at: 'stateless' },
  { name: 'three assets', msg: createPool({ initialLiquidity: [coin(5000n, 'uatom'), coin(5000n, 'ueth'), coin(5000n, 'uusdc')] }), codespace: 'amm', code: 4, log: /3 assets \[uatom, ueth, uusdc\]/, at: 'stateless' },
  { name: 'zero amount', msg: createPool({ initialLiquidity: [coin(0n, 'uatom'), coin(5000n, 'ueth')] }), codespace: 'sdk', code: 10, log: /0uatom/, at: 'stateless' },
  { name: 'negative amount', msg: swapIn({ routes: [{ poolId: 1n, tokenOutDenom: 'uusdc' }], tokenIn: coin('-5', 'uatom') }), codespace: 'sdk', code: 10, log: /"-5"/, at: 'stateless' },
  { name: 'overflowing amount', msg: createPool({ initialLiquidity: [coin(1n << 256n, 'uatom'), coin(5000n, 'ueth')] }), codespace: 'sdk', code: 10, log: new RegExp(`${1n << 256n} exceeds 256 bits`), at: 'stateless' },
  { name: 'swap_fee above 0.1', msg: createPool({ initialLiquidity: [coin(5000n, 'uatom'), coin(5000n, 'ueth')], swapFee: '0.100000000000000001' }), codespace: 'amm', code: 5, log: /swap_fee 0.100000000000000001 is above/, at: 'stateless' },
  { name: 'swap_fee malformed', msg: createPool({ initialLiquidity: [coin(5000n, 'uatom'), coin(5000n, 'ueth')], swapFee: '3%' }), codespace: 'amm', code: 5, log: /"3%"/, at: 'stateless' },
  { name: 'swap_fee negative', msg: createPool({ initialLiquidity: [coin(5000n, 'uatom'), coin(5000n, 'ueth')], swapFee: '-0.01' }), codespace: 'amm', code: 5, log: /"-0.01"/, at: 'stateless' },
  { name: 'amplification 0 for stableswap', msg: createPool({ poolType: PoolType.POOL_TYPE_STABLESWAP, initialLiquidity: [coin(5000n, 'uatom'), coin(5000n, 'ueth')], amplification: 0n }), codespace: 'amm', code: 6, log: /amplification 0 is outside 1..10000/, at: 'stateless' },
  { name: 'amplification above 10000', msg: createPool({ poolType: PoolType.POOL_TYPE_STABLESWAP, initialLiquidity: [coin(5000n, 'uatom'), coin(5000n, 'ueth')], amplification: 10001n }), codespace: 'amm', code: 6, log: /amplification 10001 is outside/, at: 'stateless' },
  { name: 'amplification on a constant-product pool', msg: createPool({ initialLiquidity: [coin(5000n, 'uatom'), coin(5000n, 'ueth')], amplification: 5n }), codespace: 'amm', code: 6, log: /amplification 5 is only for stableswap/, at: 'stateless' },
  { name: 'unspecified pool type', msg: createPool({ poolType: PoolType.POOL_TYPE_UNSPECIFIED, initialLiquidity: [coin(5000n, 'uatom'), coin(5000n, 'ueth')] }), codespace: 'amm', code: 3, log: /pool_type 0/, at: 'stateless' },
  { name: 'initial liquidity too low', msg: createPool({ initialLiquidity: [coin(1000n, 'uatom'), coin(1000n, 'ueth')] }), codespace: 'amm', code: 19, log: /isqrt\(a·b\) = 1000 shares/, at: 'msg' },
  { name: 'empty route', msg: swapIn({ routes: [], tokenIn: coin(1000n, 'uatom') }), codespace: 'amm', code: 7, log: /routes is empty/, at: 'stateless' },
  { name: 'route through a pool that lacks the denom', msg: swapIn({ routes: [{ poolId: 2n, tokenOutDenom: 'uusdc' }], tokenIn: coin(1000n, 'uatom') }), codespace: 'amm', code: 10, log: /pool 2 has no uatom/, at: 'msg' },
  { name: 'route out denom not in pool', msg: swapIn({ routes: [{ poolId: 1n, tokenOutDenom: 'ueth' }], tokenIn: coin(1000n, 'uatom') }), codespace: 'amm', code: 10, log: /pool 1 has no ueth/, at: 'msg' },
  { name: 'repeated pool in a route', msg: swapIn({ routes: [{ poolId: 1n, tokenOutDenom: 'uusdc' }, { poolId: 1n, tokenOutDenom: 'uatom' }], tokenIn: coin(1000n, 'uatom') }), codespace: 'amm', code: 9, log: /pool 1 appears twice/, at: 'stateless' },
  { name: 'route longer than max_route_length', msg: swapIn({ routes: [1n, 2n, 3n, 4n, 5n].map((poolId, i) => ({ poolId, tokenOutDenom: i % 2 === 0 ? 'uusdc' : 'uatom' })), tokenIn: coin(1000n, 'uatom') }), codespace: 'amm', code: 8, log: /route of 5 pools exceeds max_route_length 4/, at: 'msg' },
  // Refused before the route's partitions are worked out (no state read): no chain allows it.
  { name: 'route of 10,000 pools', msg: swapIn({ routes: Array.from({ length: 10_000 }, (_, i) => ({ poolId: BigInt(i + 1), tokenOutDenom: 'uusdc' })), tokenIn: coin(1000n, 'uatom') }), codespace: 'amm', code: 8, log: /route of 10000 pools exceeds 16, the most any max_route_length allows/, at: 'stateless' },
  { name: 'removing more shares than owned', msg: removeLiq({ poolId: 1n, shares: '31622775602' }), codespace: 'amm', code: 15, log: /removing 31622775602 shares of pool 1 but lanes1\w+ holds 31622775601/, at: 'msg' },
  { name: 'a deposit that would mint zero shares', msg: addLiq({ poolId: 2n, maxAmountsIn: [coin(1n, 'ulane'), coin(1n, 'uusdc')] }), codespace: 'amm', code: 16, log: /deposit of 1ulane,1uusdc into pool 2 would mint 0 shares/, at: 'msg' },
  { name: 'deposit with the wrong denoms', msg: addLiq({ poolId: 1n, maxAmountsIn: [coin(5n, 'uatom'), coin(5n, 'ueth')] }), codespace: 'amm', code: 4, log: /\[uatom,ueth\] must be exactly pool 1's \[uatom,uusdc\]/, at: 'msg' },
  { name: 'exact out beyond the reserve', msg: swapOut({ routes: [{ poolId: 1n, tokenInDenom: 'uatom' }], tokenOut: coin(100_000_000_000n, 'uusdc'), maxAmountIn: '1000000000000' }), codespace: 'amm', code: 17, log: /cannot pay out 100000000000/, at: 'msg' },
  { name: 'swap of a dust amount that pays nothing', msg: swapIn({ routes: [{ poolId: 2n, tokenOutDenom: 'uusdc' }], tokenIn: coin(1n, 'ulane') }), codespace: 'amm', code: 18, log: /swapping 1ulane in pool 2 gives 0uusdc/, at: 'msg' },
  // The keeper refuses a hop whose token in is its token out, though the Msg alone tells it.
  { name: 'swap exact in: a hop with token in = token out', msg: swapIn({ routes: [{ poolId: 1n, tokenOutDenom: 'uatom' }], tokenIn: coin(1000n, 'uatom') }), codespace: 'amm', code: 24, log: /pool 1: token in and out are both uatom/, at: 'stateless' },
  { name: 'swap exact out: the second hop pays out its own token in', msg: swapOut({ routes: [{ poolId: 1n, tokenInDenom: 'uatom' }, { poolId: 3n, tokenInDenom: 'uusdt' }], tokenOut: coin(1000n, 'uusdt'), maxAmountIn: '1000000' }), codespace: 'amm', code: 24, log: /pool 3: token in and out are both uusdt/, at: 'stateless' },
];

test('every bad input fails with its code and value; nothing moves but the fee, and the fee and sequence only when the keeper refuses it', () => {
  const c = chain();
  for (const bad of BAD) {
    const before = snapshot(c);
    const seq = c.account(A.address)?.sequence;
    assert.ok(seq !== undefined, 'account A exists');
    const [r] = c.block([tx(c, A, [bad.msg])]);
    assert.ok(r, `${bad.name}: the block returned a result`);
    assert.equal(`${r.codespace}/${r.code}`, `${bad.codespace}/${bad.code}`, `${bad.name}: ${r.log}`);
    assert.match(r.log, bad.log, bad.name);
    const after = snapshot(c);
    const kept = bad.at === 'msg';
    for (const [k, v] of before) assert.equal(after.get(k), k === `${A.address}/ulane` && kept ? v - FEE : v, `${bad.name} (${bad.at}): ${k}`);
    assert.equal(c.account(A.address)?.sequence, kept ? seq + 1n : seq, `${bad.name} (${bad.at}): sequence`);
  }
  void c.app.close();
});

test('LP shares past 256 bits: a deposit that takes the share supply to exactly 2^256-1 passes, the next is refused by the bank (sdk/10), the fee kept, nothing else moved', () => {
  // Reachable only from a genesis whose total_shares far exceed what its reserves justify
  // (genesis checks share supply == total_shares, not total_shares <= isqrt(reserves)): in a pool
  // that began from a Msg, total_shares <= max(reserves) <= a denom's supply <= 2^256-1.
  const R = 1_000_000n;
  // T + floor(T / R) == MAX_AMOUNT: a deposit of 1 of each mints floor(T / R) shares.
  let T = MAX_AMOUNT;
  for (let i = 0; i < 64; i++) T = MAX_AMOUNT - T / R;
  assert.equal(T + T / R, MAX_AMOUNT);
  const g = devnetGenesis([A.address, B.address], { pools: false });
  g.amm = {
    ...g.amm,
    pools: [{ id: '1', pool_type: 'POOL_TYPE_CONSTANT_PRODUCT', reserves: [coin(R, 'uatom'), coin(R, 'uusdc')], total_shares: T.toString(), swap_fee: '0.003000000000000000', amplification: '0' }],
    next_pool_id: '2',
  };
  g.bank.balances.push(
    { address: poolAddress(1n), coins: [coin(R, 'uatom'), coin(R, 'uusdc')] },
    { address: LOCKED_SHARES_ADDRESS, coins: [coin(1000n, 'amm/pool/1')] },
  );
  (g.bank.balances.find((b) => b.address === B.address)?.coins ?? []).push(coin(T - 1000n, 'amm/pool/1'));
  const c = new InProcessChain(g);
  c.block([]);
  const deposit = addLiq({ poolId: 1n, maxAmountsIn: [coin(1n, 'uatom'), coin(1n, 'uusdc')] });

  const [ok] = c.block([tx(c, A, [deposit])]);
  assert.ok(ok, 'the block returned a result for the deposit');
  assert.deepEqual(response(ok, MsgAddLiquidityResponse), { sharesOut: (T / R).toString(), amountsIn: [coin(1n, 'uatom'), coin(1n, 'uusdc')] });
  assert.equal(pool(c, 1n)?.totalShares, MAX_AMOUNT.toString());

  const before = snapshot(c);
  const reserves = pool(c, 1n)?.reserves;
  const seq = c.account(A.address)?.sequence ?? 0n;
  const [r] = c.block([tx(c, A, [deposit])]);
  assert.ok(r, 'the block returned a result for the second deposit');
  assert.equal(`${r.codespace}/${r.code}`, 'sdk/10', r.log);
  assert.match(r.log, new RegExp(`minting ${T / R}amm/pool/1 would take its supply past 256 bits`));
  const after = snapshot(c);
  for (const [k, v] of before) assert.equal(after.get(k), k === `${A.address}/ulane` ? v - FEE : v, k);
  assert.equal(c.account(A.address)?.sequence, seq + 1n);
  assert.deepEqual(pool(c, 1n)?.reserves, reserves);
  assert.equal(pool(c, 1n)?.totalShares, MAX_AMOUNT.toString());
  // The chain goes on: a swap through the pool works.
  const [sw] = c.block([tx(c, A, [swapIn({ routes: [{ poolId: 1n, tokenOutDenom: 'uusdc' }], tokenIn: coin(1000n, 'uatom') })])]);
  assert.equal(sw?.code, 0, sw?.log);
  void c.app.close();
});

test('swap exact in: min_amount_out = out passes, out + 1 fails; event and reserves', () => {
  const c = chain();
  const routes = [{ poolId: 1n, tokenOutDenom: 'uusdc' }];
  const est = estimateIn(c, routes, coin(1_000_000n, 'uatom'));
  assert.equal(est.amountOut, '9969006'); // pinned formula, see math.test.ts
  const [fail] = c.block([tx(c, A, [swapIn({ routes, tokenIn: coin(1_000_000n, 'uatom'), minAmountOut: '9969007' })])]);
  assert.equal(`${fail?.codespace}/${fail?.code}`, 'amm/11');
  assert.match(fail?.log ?? '', /min_amount_out 9969007 not met: got 9969006/);
  const usdc = c.balance(A.address, 'uusdc');
  const [ok] = c.block([tx(c, A, [swapIn({ routes, tokenIn: coin(1_000_000n, 'uatom'), minAmountOut: '9969006' })])]);
  assert.ok(ok, 'the block returned a result for the swap');
  assert.equal(response(ok, MsgSwapExactInResponse).amountOut, '9969006');
  assert.equal(c.balance(A.address, 'uusdc'), usdc + 9_969_006n);
  const ev = ok.events.find((e) => e.type === 'lanes.amm.v1.EventSwap');
  assert.ok(ev, 'EventSwap emitted');
  const attr = (k: string) => ev.attributes.find((a) => a.key === k)?.value;
  assert.equal(attr('pool_id'), '"1"');
  // Indexed for tx_search ("lanes.amm.v1.EventSwap.pool_id='\"1\"'"); amounts are not.
  const indexed = (k: string) => ev.attributes.find((a) => a.key === k)?.index;
  assert.deepEqual(['pool_id', 'sender', 'token_in', 'reserves'].map(indexed), [true, true, false, false]);
  assert.deepEqual(JSON.parse(attr('token_out') ?? ''), coin(9_969_006n, 'uusdc'));
  assert.deepEqual(JSON.parse(attr('reserves') ?? ''), [coin(10_001_000_000n, 'uatom'), coin(99_990_030_994n, 'uusdc')]);
  assert.deepEqual(pool(c, 1n)?.reserves, [coin(10_001_000_000n, 'uatom'), coin(99_990_030_994n, 'uusdc')]);
  // The pool's bank account holds exactly its reserves.
  assert.equal(c.balance(poolAddress(1n), 'uatom'), 10_001_000_000n);
  assert.equal(c.balance(poolAddress(1n), 'uusdc'), 99_990_030_994n);
  void c.app.close();
});

test('swap exact out: max_amount_in = in passes, in − 1 fails; multi-hop both ways', () => {
  const c = chain();
  const routes = [{ poolId: 1n, tokenInDenom: 'uatom' }];
  const est = estimateOut(c, routes, coin(1_000_000n, 'uusdc'));
  assert.equal(est.amountIn, '100302');
  const [fail] = c.block([tx(c, A, [swapOut({ routes, tokenOut: coin(1_000_000n, 'uusdc'), maxAmountIn: '100301' })])]);
  assert.equal(`${fail?.codespace}/${fail?.code}`, 'amm/12');
  assert.match(fail?.log ?? '', /max_amount_in 100301 exceeded: need 100302/);
  const [ok] = c.block([tx(c, A, [swapOut({ routes, tokenOut: coin(1_000_000n, 'uusdc'), maxAmountIn: '100302' })])]);
  assert.ok(ok, 'the block returned a result for the swap');
  assert.equal(response(ok, MsgSwapExactOutResponse).amountIn, '100302');

  // ATOM -> USDC -> USDT (constant product then stableswap), exact in and exact out.
  const hops = [{ poolId: 1n, tokenOutDenom: 'uusdc' }, { poolId: 3n, tokenOutDenom: 'uusdt' }];
  const quoted = estimateIn(c, hops, coin(500_000n, 'uatom'));
  const usdt = c.balance(A.address, 'uusdt');
  const [mh] = c.block([tx(c, A, [swapIn({ routes: hops, tokenIn: coin(500_000n, 'uatom'), minAmountOut: quoted.amountOut })])]);
  assert.ok(mh, 'the block returned a result for the multi-hop swap');
  assert.equal(response(mh, MsgSwapExactInResponse).amountOut, quoted.amountOut);
  assert.equal(c.balance(A.address, 'uusdt'), usdt + BigInt(quoted.amountOut));
  assert.ok(BigInt(quoted.priceImpact.replace('.', '')) > 0n, 'a fee-paying trade has a price impact');
  const back = [{ poolId: 1n, tokenInDenom: 'uatom' }, { poolId: 3n, tokenInDenom: 'uusdc' }];
  const need = estimateOut(c, back, coin(2_000_000n, 'uusdt'));
  const [mo] = c.block([tx(c, A, [swapOut({ routes: back, tokenOut: coin(2_000_000n, 'uusdt'), maxAmountIn: need.amountIn })])]);
  assert.ok(mo, 'the block returned a result for the multi-hop swap');
  assert.equal(response(mo, MsgSwapExactOutResponse).amountIn, need.amountIn);
  void c.app.close();
});

test('create pool: fee to the protocol, 1000 shares locked, liquidity add/remove with limits, LP shares transferable', () => {
  const c = chain();
  const protocol = c.balance(PROTOCOL_ADDRESS, 'ulane');
  const [cr] = c.block([tx(c, B, [createPool({ creator: B.address, initialLiquidity: [coin(4_000_000n, 'ueth'), coin(1_000_000n, 'uatom')] })])]);
  assert.ok(cr, 'the block returned a result for the pool creation');
  const created = response(cr, MsgCreatePoolResponse);
  assert.equal(created.poolId, 4n);
  assert.equal(created.sharesOut, String(2_000_000n - 1000n));
  assert.equal(c.balance(PROTOCOL_ADDRESS, 'ulane'), protocol + 1_000_000n, 'creation fee');
  assert.equal(c.balance(LOCKED_SHARES_ADDRESS, 'amm/pool/4'), 1000n);
  assert.deepEqual(pool(c, 4n), {
    id: 4n, poolType: PoolType.POOL_TYPE_CONSTANT_PRODUCT, reserves: [coin(1_000_000n, 'uatom'), coin(4_000_000n, 'ueth')],
    totalShares: '2000000', shareDenom: 'amm/pool/4', swapFee: '0.003000000000000000', amplification: 0n,
  });
  // Add: 0.5% more of each at most; only the proportional amounts are taken.
  const [lo] = c.block([tx(c, B, [addLiq({ sender: B.address, poolId: 4n, maxAmountsIn: [coin(5000n, 'uatom'), coin(30_000n, 'ueth')], minSharesOut: '10001' })])]);
  assert.equal(`${lo?.codespace}/${lo?.code}`, 'amm/13');
  assert.match(lo?.log ?? '', /min_shares_out 10001 not met: got 10000/);
  const [add] = c.block([tx(c, B, [addLiq({ sender: B.address, poolId: 4n, maxAmountsIn: [coin(5000n, 'uatom'), coin(30_000n, 'ueth')], minSharesOut: '10000' })])]);
  assert.ok(add, 'the block returned a result for the add');
  assert.deepEqual(response(add, MsgAddLiquidityResponse), { sharesOut: '10000', amountsIn: [coin(5000n, 'uatom'), coin(20_000n, 'ueth')] });
  // Send LP shares to A, who removes them.
  const send: AnyMsg = { typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: MsgSend.encode({ fromAddress: B.address, toAddress: A.address, amount: [coin(10_000n, 'amm/pool/4')] }).finish() };
  const [sent] = c.block([tx(c, B, [send])]);
  assert.equal(sent?.code, 0, sent?.log);
  const [rmFail] = c.block([tx(c, A, [removeLiq({ poolId: 4n, shares: '10000', minAmountsOut: [coin(5001n, 'uatom')] })])]);
  assert.equal(`${rmFail?.codespace}/${rmFail?.code}`, 'amm/14');
  assert.match(rmFail?.log ?? '', /min_amounts_out 5001uatom not met: got 5000uatom/);
  const [rm] = c.block([tx(c, A, [removeLiq({ poolId: 4n, shares: '10000', minAmountsOut: [coin(5000n, 'uatom'), coin(20_000n, 'ueth')] })])]);
  assert.ok(rm, 'the block returned a result for the remove');
  assert.deepEqual(response(rm, MsgRemoveLiquidityResponse).amountsOut, [coin(5000n, 'uatom'), coin(20_000n, 'ueth')]);
  assert.equal(c.balance(A.address, 'amm/pool/4'), 0n);
  assert.equal(pool(c, 4n)?.totalShares, '2000000');
  void c.app.close();
});

test('a route of exactly max_route_length pools is taken, one more is refused (amm/8)', () => {
  const genesis = devnetGenesis([A.address, B.address]);
  genesis.amm.params = { pool_creation_fee: [coin(1_000_000n, 'ulane')], max_route_length: '2', twap_observations: '100' };
  const c = new InProcessChain(genesis);
  c.block([]);
  const two = [{ poolId: 1n, tokenOutDenom: 'uusdc' }, { poolId: 3n, tokenOutDenom: 'uusdt' }];
  const quoted = estimateIn(c, two, coin(1_000_000n, 'uatom')).amountOut;
  const [ok] = c.block([tx(c, A, [swapIn({ routes: two, tokenIn: coin(1_000_000n, 'uatom'), minAmountOut: quoted })])]);
  assert.ok(ok, 'the block returned a result for the two-hop swap');
  assert.equal(response(ok, MsgSwapExactInResponse).amountOut, quoted);
  const three = [...two, { poolId: 2n, tokenOutDenom: 'ulane' }];
  const [r] = c.block([tx(c, A, [swapIn({ routes: three, tokenIn: coin(1_000_000n, 'uatom') })])]);
  assert.equal(`${r?.codespace}/${r?.code}`, 'amm/8', r?.log);
  assert.match(r?.log ?? '', /route of 3 pools exceeds max_route_length 2/);
  void c.app.close();
});

test('removing liquidity that rounds one asset down to 0 pays the other; a withdrawal that rounds both to 0 is refused (amm/18)', () => {
  const c = chain();
  // isqrt(10^11 · 2000) = 14,142,135 shares: 7,000 of them are worth under 1 ueth.
  const [cr] = c.block([tx(c, B, [createPool({ creator: B.address, initialLiquidity: [coin(100_000_000_000n, 'uatom'), coin(2000n, 'ueth')] })])]);
  assert.ok(cr, 'the block returned a result for the pool creation');
  assert.deepEqual(response(cr, MsgCreatePoolResponse), { poolId: 4n, sharesOut: String(14_142_135n - 1000n) });
  const atom = c.balance(B.address, 'uatom');
  const eth = c.balance(B.address, 'ueth');
  const [rm] = c.block([tx(c, B, [removeLiq({ sender: B.address, poolId: 4n, shares: '7000' })])]);
  assert.ok(rm, 'the block returned a result for the remove');
  // floor(7000 · 10^11 / 14142135) uatom and floor(7000 · 2000 / 14142135) = 0 ueth.
  assert.deepEqual(response(rm, MsgRemoveLiquidityResponse).amountsOut, [coin(49_497_476n, 'uatom'), coin(0n, 'ueth')]);
  assert.equal(c.balance(B.address, 'uatom'), atom + 49_497_476n);
  assert.equal(c.balance(B.address, 'ueth'), eth);
  assert.deepEqual(pool(c, 4n)?.reserves, [coin(100_000_000_000n - 49_497_476n, 'uatom'), coin(2000n, 'ueth')]);
  assert.equal(pool(c, 4n)?.totalShares, String(14_142_135n - 7000n));
  void c.app.close();

  // Both round to 0 only where total_shares exceed both reserves: a genesis pool (genesis checks
  // share supply == total_shares, not total_shares <= isqrt(reserves)).
  const g = devnetGenesis([A.address, B.address], { pools: false });
  const S = 10n ** 12n;
  g.amm = { ...g.amm, pools: [{ id: '1', pool_type: 'POOL_TYPE_CONSTANT_PRODUCT', reserves: [coin(1_000_000n, 'uatom'), coin(1_000_000n, 'uusdc')], total_shares: S.toString(), swap_fee: '0.003000000000000000', amplification: '0' }], next_pool_id: '2' };
  g.bank.balances.push(
    { address: poolAddress(1n), coins: [coin(1_000_000n, 'uatom'), coin(1_000_000n, 'uusdc')] },
    { address: LOCKED_SHARES_ADDRESS, coins: [coin(1000n, 'amm/pool/1')] },
  );
  (g.bank.balances.find((b) => b.address === A.address)?.coins ?? []).push(coin(S - 1000n, 'amm/pool/1'));
  const d = new InProcessChain(g);
  d.block([]);
  const [dust] = d.block([tx(d, A, [removeLiq({ poolId: 1n, shares: '1000' })])]);
  assert.equal(`${dust?.codespace}/${dust?.code}`, 'amm/18', dust?.log);
  assert.match(dust?.log ?? '', /removing 1000 shares of pool 1 returns nothing/);
  assert.equal(d.balance(A.address, 'amm/pool/1'), S - 1000n, 'no shares burned');
  void d.app.close();
});

test('stableswap math pays gas by its solver steps: a skewed pool costs more than a balanced one, and too little gas fails in the math, moving only the fee', () => {
  const c = chain();
  const gasTx = (msgs: AnyMsg[], gasLimit: bigint): Uint8Array => {
    const acc = c.account(A.address);
    return buildTx(A, msgs, { chainId: c.chainId, accountNumber: acc?.accountNumber ?? 0n, sequence: acc?.sequence ?? 0n, gasLimit, fee: gasLimit / 400n });
  };
  const stable = (liquidity: ReturnType<typeof coin>[], amplification: bigint): bigint => {
    const [r] = c.block([gasTx([createPool({ poolType: PoolType.POOL_TYPE_STABLESWAP, initialLiquidity: liquidity, amplification })], 4_000_000n)]);
    assert.ok(r, 'the block returned a result for the pool creation');
    return response(r, MsgCreatePoolResponse).poolId;
  };
  const balanced = stable([coin(10n ** 9n, 'uatom'), coin(10n ** 9n, 'ueth')], 100n);
  // ~460 solver steps a hop (against ~25 on the balanced pool): measured with math.ts's MathWork.
  const skewed = stable([coin(10n ** 11n, 'uatom'), coin(1000n, 'ueth')], 1n);
  const swap = (poolId: bigint, amount: bigint, gasLimit: bigint) =>
    c.block([gasTx([swapIn({ routes: [{ poolId, tokenOutDenom: 'ueth' }], tokenIn: coin(amount, 'uatom') })], gasLimit)])[0] as ExecTxResult;
  const cheap = swap(balanced, 10n ** 6n, 2_000_000n);
  const dear = swap(skewed, 10n ** 9n, 2_000_000n);
  assert.equal(cheap.code, 0, cheap.log);
  assert.equal(dear.code, 0, dear.log);
  assert.ok(dear.gasUsed - cheap.gasUsed > 400n * BigInt(STABLESWAP_STEP_GAS), `skewed ${dear.gasUsed} vs balanced ${cheap.gasUsed} gas`);

  const before = snapshot(c);
  const reserves = pool(c, skewed)?.reserves;
  const held = c.balance(poolAddress(skewed), 'uatom');
  const starved = swap(skewed, 10n ** 9n, 300_000n);
  assert.equal(`${starved.codespace}/${starved.code}`, 'sdk/11', starved.log);
  assert.match(starved.log, /out of gas in location: stableswap math; gasWanted: 300000/);
  // Charged step by step: the solver stops at the step that passes the limit, not after the hop.
  const used = Number(/gasUsed: (\d+)/.exec(starved.log)?.[1]);
  assert.ok(used > 300_000 && used <= 300_000 + STABLESWAP_STEP_GAS, `stopped at ${used} gas`);
  assert.deepEqual(pool(c, skewed)?.reserves, reserves);
  assert.equal(c.balance(poolAddress(skewed), 'uatom'), held);
  const after = snapshot(c);
  for (const [k, v] of before) assert.equal(after.get(k), k === `${A.address}/ulane` ? v - 750n : v, k);
  void c.app.close();
});

test('simulation estimates a swap as the first of the next block, TWAP update included: the estimate covers what the block charges', () => {
  const c = chain();
  const tx = (sequence: bigint, gasLimit: bigint, amount: bigint) => buildTx(A, [swapIn({ routes: [{ poolId: 3n, tokenOutDenom: 'uusdt' }], tokenIn: coin(amount, 'uusdc') })], {
    chainId: c.chainId, accountNumber: c.account(A.address)?.accountNumber ?? 0n, sequence, gasLimit, fee: gasLimit / 400n,
  });
  const seq = c.account(A.address)?.sequence ?? 0n;
  // The stable pool 3 is touched in this block, so its TWAP is current as of this block's time.
  assert.equal(c.block([tx(seq, 2_000_000n, 1_000_000n)])[0]?.code, 0);
  const sim = c.query('/cosmos.tx.v1beta1.Service/Simulate', SimulateRequest.encode({ txBytes: tx(seq + 1n, 0n, 2_000_000n) }).finish());
  assert.equal(sim.code, 0, sim.log);
  const estimate = SimulateResponse.decode(sim.value).gasInfo?.gasUsed ?? 0n;
  // In the next block the swap is the pool's first touch: it brings the TWAP up to date.
  const [r] = c.block([tx(seq + 1n, 2_000_000n, 2_000_000n)]);
  assert.equal(r?.code, 0, r?.log);
  assert.ok(estimate >= (r?.gasUsed ?? 0n), `estimate ${estimate} < charged ${r?.gasUsed}`);
  void c.app.close();
});

test('spot price and TWAP over block time; windows outside the retained history are refused', () => {
  const c = chain();
  const spot = (id: bigint, base: string, quote: string) => {
    const r = c.query('/lanes.amm.v1.Query/SpotPrice', QuerySpotPriceRequest.encode({ poolId: id, baseDenom: base, quoteDenom: quote }).finish());
    assert.equal(r.code, 0, r.log);
    return QuerySpotPriceResponse.decode(r.value).spotPrice;
  };
  assert.equal(spot(1n, 'uatom', 'uusdc'), '10.000000000000000000');
  assert.equal(spot(1n, 'uusdc', 'uatom'), '0.100000000000000000');
  assert.equal(spot(3n, 'uusdc', 'uusdt'), '1.000000000000000000');
  const twap = (start: bigint, end: bigint) => c.query('/lanes.amm.v1.Query/Twap', QueryTwapRequest.encode({
    poolId: 1n, baseDenom: 'uatom', quoteDenom: 'uusdc', startTime: { seconds: start, nanos: 0 }, endTime: { seconds: end, nanos: 0 },
  }).finish());
  const t0 = c.time; // pool 1's first observation is at genesis time (t0 - 1)
  // Price 10 for 3 seconds, then a big swap moves it, then 1 more second.
  c.block([]);
  c.block([]);
  c.block([tx(c, A, [swapIn({ routes: [{ poolId: 1n, tokenOutDenom: 'uusdc' }], tokenIn: coin(10_000_000_000n, 'uatom') })])]);
  const after = BigInt(spot(1n, 'uatom', 'uusdc').replace('.', ''));
  c.block([]);
  const r = twap(t0, c.time);
  assert.equal(r.code, 0, r.log);
  // [t0, t0+3): 10; [t0+3, t0+4]: the post-swap price.
  const expected = (3n * 10n * 10n ** 18n + after) / 4n;
  assert.equal(QueryTwapResponse.decode(r.value).twap, `${expected / 10n ** 18n}.${(expected % 10n ** 18n).toString().padStart(18, '0')}`);
  const early = twap(t0 - 100n, c.time);
  assert.equal(`${early.codespace}/${early.code}`, 'amm/23');
  assert.match(early.log, new RegExp(`start_time ${t0 - 100n} is before the oldest retained observation of pool 1 at ${t0 - 1n}`));
  const future = twap(t0, c.time + 10n);
  assert.match(future.log, new RegExp(`end_time ${c.time + 10n} is after the latest block time ${c.time}`));
  // Between a block's FinalizeBlock and its Commit, queries still answer at the committed block,
  // with its time: the next block's time is not theirs yet.
  const committedTime = c.time;
  const pending = c.app.finalizeBlock(c.nextRequest([]));
  assert.ok(!(pending instanceof Promise), 'sequential');
  const ahead = twap(t0, c.time);
  assert.equal(`${ahead.codespace}/${ahead.code}`, 'amm/23', ahead.log);
  assert.match(ahead.log, new RegExp(`end_time ${c.time} is after the latest block time ${committedTime}`));
  assert.equal(twap(t0, committedTime).code, 0);
  c.app.commit();
  assert.equal(twap(t0, c.time).code, 0, 'committed: its time is the latest');
  void c.app.close();
});

test('TwapHistory: the span of a pool\'s retained observations, exactly the windows Twap accepts; the oldest moves once the ring is full', () => {
  // A ring of 3 observations per pool (the params' twap_observations), so it fills in 3 blocks.
  const genesis = devnetGenesis([A.address, B.address]);
  genesis.amm.params = { pool_creation_fee: [coin(1_000_000n, 'ulane')], max_route_length: '4', twap_observations: '3' };
  const c = new InProcessChain(genesis);
  const t0 = c.time; // InitChain's time: the genesis pools' first observation
  c.block([]);
  const query = (id: bigint) => c.query('/lanes.amm.v1.Query/TwapHistory', QueryTwapHistoryRequest.encode({ poolId: id }).finish());
  const history = (id: bigint) => {
    const r = query(id);
    assert.equal(r.code, 0, r.log);
    const h = QueryTwapHistoryResponse.decode(r.value);
    return { oldest: h.oldestTime?.seconds, newest: h.newestTime?.seconds, observations: h.observations };
  };
  const twapFrom = (id: bigint, start: bigint) => c.query('/lanes.amm.v1.Query/Twap', QueryTwapRequest.encode({
    poolId: id, baseDenom: 'uatom', quoteDenom: 'uusdc', startTime: { seconds: start, nanos: 0 }, endTime: { seconds: c.time, nanos: 0 },
  }).finish());
  // Twap answers from the oldest observation TwapHistory names and refuses a second before it.
  const assertTwapStartsAt = (id: bigint, oldest: bigint) => {
    const at = twapFrom(id, oldest);
    assert.equal(at.code, 0, at.log);
    const before = twapFrom(id, oldest - 1n);
    assert.equal(`${before.codespace}/${before.code}`, 'amm/23', before.log);
    assert.match(before.log, new RegExp(`is before the oldest retained observation of pool ${id} at ${oldest}\\b`));
  };
  const swap = () => swapIn({ routes: [{ poolId: 1n, tokenOutDenom: 'uusdc' }], tokenIn: coin(1_000_000n, 'uatom') });

  // Genesis pools: one observation, at genesis, however many blocks pass without a touch.
  assert.deepEqual(history(1n), { oldest: t0, newest: t0, observations: 1 });
  assertTwapStartsAt(1n, t0);
  // A pool created in a block: one observation at that block's time.
  const [created] = c.block([tx(c, A, [createPool({ initialLiquidity: [coin(5_000_000n, 'uatom'), coin(5_000_000n, 'ueth')] })])]);
  const id = response(created as ExecTxResult, MsgCreatePoolResponse).poolId;
  assert.deepEqual(history(id), { oldest: c.time, newest: c.time, observations: 1 });
  // Each block that touches pool 1 adds one observation at its time, however many times it touches it.
  const times: bigint[] = [t0];
  for (const msgs of [[swap()], [swap(), swap()]]) {
    assert.equal(c.block([tx(c, A, msgs)])[0]?.code, 0);
    times.push(c.time);
    assert.deepEqual(history(1n), { oldest: t0, newest: c.time, observations: times.length });
  }
  assertTwapStartsAt(1n, t0);
  // The ring is full (3): each further touch drops the oldest observation.
  for (let i = 1; i <= 4; i++) {
    assert.equal(c.block([tx(c, A, [swap()])])[0]?.code, 0);
    times.push(c.time);
    assert.deepEqual(history(1n), { oldest: times[i], newest: c.time, observations: 3 }, `touch ${i} after the ring filled`);
    assertTwapStartsAt(1n, times[i] as bigint);
  }
  assert.deepEqual(history(2n), { oldest: t0, newest: t0, observations: 1 }, 'the untouched pool 2 keeps its own history');

  // Pool 0 and an unknown pool: refused as the Pool query refuses them, naming the value.
  for (const [poolId, want, log] of [[0n, 'amm/25', 'pool_id 0: pool ids start at 1'], [42n, 'amm/2', 'pool 42 not found']] as const) {
    const r = query(poolId);
    assert.equal(`${r.codespace}/${r.code}`, want, r.log);
    assert.match(r.log, new RegExp(log));
    const p = c.query('/lanes.amm.v1.Query/Pool', QueryPoolRequest.encode({ poolId }).finish());
    assert.equal(`${p.codespace}/${p.code}`, want, 'as the Pool query');
  }
  // A pool without observations (none exists: creation records one) is refused as twapOf refuses it.
  const ctx = plainContext(new Overlay(c.app.store), { height: c.height, timeSeconds: c.time, chainId: c.chainId }, 'query');
  assert.throws(() => twapSpan(ctx, 42n), { codespace: 'amm', code: 23, message: /pool 42 has no observations/ }, 'twapSpan of a pool without observations');
  void c.app.close();
});

test('genesis export -> import keeps pools, params and balances', () => {
  const c = chain();
  c.block([tx(c, A, [swapIn({ routes: [{ poolId: 3n, tokenOutDenom: 'uusdt' }], tokenIn: coin(123_456_789n, 'uusdc') })])]);
  const ctx = plainContext(new Overlay(c.app.store), { height: c.height, timeSeconds: c.time, chainId: c.chainId }, 'query');
  const bank = createBankModule();
  const amm = createAmmModule(bank.keeper).module.exportGenesis(ctx);
  const bankGenesis = bank.module.exportGenesis(ctx);
  const d = new InProcessChain({ auth: { accounts: [{ address: A.address }, { address: B.address }] }, bank: bankGenesis, amm });
  d.block([]);
  for (const id of [1n, 2n, 3n]) assert.deepEqual(pool(d, id), pool(c, id));
  assert.equal(d.balance(poolAddress(3n), 'uusdt'), c.balance(poolAddress(3n), 'uusdt'));
  // Tampered genesis: share supply must equal total_shares.
  const bad = structuredClone(amm) as { pools: { total_shares: string }[] };
  (bad.pools[0] as { total_shares: string }).total_shares = '5000';
  assert.throws(() => new InProcessChain({ auth: { accounts: [{ address: A.address }] }, bank: bankGenesis, amm: bad }), /bank supply of amm\/pool\/1 is \d+, total_shares is 5000/);
  // Tampered genesis: pool 1's locked shares handed to A (supply unchanged): refused, since A
  // could then withdraw every share and leave an empty pool.
  const unlocked = structuredClone(bankGenesis) as { balances: { address: string; coins: { denom: string; amount: string }[] }[] };
  const lockedEntry = unlocked.balances.find((b) => b.address === LOCKED_SHARES_ADDRESS);
  const aEntry = unlocked.balances.find((b) => b.address === A.address);
  assert.ok(lockedEntry && aEntry, 'genesis has balances for the locked-shares address and A');
  const share = lockedEntry.coins.find((x) => x.denom === 'amm/pool/1');
  const held = aEntry.coins.find((x) => x.denom === 'amm/pool/1');
  assert.ok(share && held, 'the locked-shares address and A both hold amm/pool/1');
  held.amount = String(BigInt(held.amount) + BigInt(share.amount));
  lockedEntry.coins = lockedEntry.coins.filter((x) => x !== share);
  assert.throws(() => new InProcessChain({ auth: { accounts: [{ address: A.address }, { address: B.address }] }, bank: unlocked, amm }), /pool 1: lanes1\w+ holds 0 of amm\/pool\/1; at least 1000 must be locked there/);
  // Tampered genesis: shares of the next pool, not created yet, in B's hands: whoever creates
  // pool 4 would mint on top of them, and B could take its reserves.
  const early = structuredClone(bankGenesis) as typeof unlocked & { supply?: { denom: string; amount: string }[] };
  const bEntry = early.balances.find((b) => b.address === B.address);
  assert.ok(bEntry, 'genesis has a balance for B');
  bEntry.coins = [...bEntry.coins, { denom: 'amm/pool/4', amount: '1000000000000' }].sort((x, y) => (x.denom < y.denom ? -1 : 1));
  if (early.supply) early.supply = [...early.supply, { denom: 'amm/pool/4', amount: '1000000000000' }].sort((x, y) => (x.denom < y.denom ? -1 : 1));
  assert.throws(() => new InProcessChain({ auth: { accounts: [{ address: A.address }, { address: B.address }] }, bank: early, amm }), /bank supply of amm\/pool\/4 is 1000000000000, but amm.pools lists no pool 4: LP shares exist only for existing pools/);
  void c.app.close();
  void d.app.close();
});

test('property: donations and first-depositor share inflation do not pay; invariant and supply hold', () => {
  fc.assert(fc.property(
    fc.bigInt({ min: 1001n, max: 100_000n }), fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.bigInt({ min: 1n, max: 10n ** 9n }),
    (seed, donation, victim) => {
      const c = chain();
      // B (attacker) creates a uatom/ueth pool with the least liquidity, donates to its account, A deposits.
      const [cr] = c.block([tx(c, B, [createPool({ creator: B.address, initialLiquidity: [coin(seed, 'uatom'), coin(seed, 'ueth')] })])]);
      assert.equal(cr?.code, 0, cr?.log);
      const bAtom = c.balance(B.address, 'uatom');
      const before = pool(c, 4n);
      if (donation > 0n) {
        const send: AnyMsg = { typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: MsgSend.encode({ fromAddress: B.address, toAddress: poolAddress(4n), amount: [coin(donation, 'uatom')] }).finish() };
        assert.equal(c.block([tx(c, B, [send])])[0]?.code, 0);
      }
      // A donation reaches the pool's account, never its reserves or shares (those move only
      // through the pool's own Msgs).
      const after = pool(c, 4n);
      assert.deepEqual([after?.reserves, after?.totalShares], [before?.reserves, before?.totalShares], 'a donation changed the pool record');
      assert.equal(c.balance(poolAddress(4n), 'uatom'), BigInt(before?.reserves[0]?.amount ?? '0') + donation, 'the donation sits in the pool account');
      const [dep] = c.block([tx(c, A, [addLiq({ poolId: 4n, maxAmountsIn: [coin(victim, 'uatom'), coin(victim, 'ueth')] })])]);
      if (dep?.code !== 0) assert.equal(`${dep?.codespace}/${dep?.code}`, 'amm/16');
      const shares = c.balance(B.address, 'amm/pool/4');
      c.block([tx(c, B, [removeLiq({ sender: B.address, poolId: 4n, shares: String(shares) })])]);
      // B got back at most its seed: the donation is lost to it (not counted in reserves).
      assert.ok(c.balance(B.address, 'uatom') <= bAtom + seed, 'attacker profit');
      const p = pool(c, 4n);
      assert.ok(p, 'pool 4 exists');
      assert.ok(BigInt(p.totalShares) >= 1000n, `pool 4 has ${p.totalShares} shares, expected at least 1000`);
      assert.ok(c.balance(poolAddress(4n), 'uatom') >= BigInt(p.reserves[0]?.amount ?? '0'), 'account holds at least the reserves');
      void c.app.close();
    },
  ), { numRuns: 15 });
});
