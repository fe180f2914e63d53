// The parallel executor against the sequential reference (ARCHITECTURE.md, "Parallel
// execution"): random blocks from no contention to total contention, run by the sequential
// executor and by the parallel one with 1, 2 and 4 workers; every block's encoded tx results
// (code, log, data, gas, events), block events and app hash, and finally the whole state, must
// be byte-identical. Blocks mix transfers (failing ones, dependent chains), AMM swaps (one hop,
// two-hop routes through both pool types, exact-in and exact-out), liquidity added and removed,
// bad sequences and undecodable bytes, on the devnet pools and on pools the test created. A fifth
// of the blocks also create pools (the global partition: conflicts with everything) and use them
// later in the same block; a tenth hold a Msg that lies about its access. A parallel block falls
// back to sequential exactly when it holds a lie: the other nine in ten compare the parallel
// executor with the reference (seven in ten, with no global tx, in several conflict groups).
// Failing seeds are saved in parallel.seeds.json and replayed first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { AuthInfo, TxBody, TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { SignMode } from 'cosmjs-types/cosmos/tx/signing/v1beta1/signing';
import { PubKey } from 'cosmjs-types/cosmos/crypto/secp256k1/keys';
import secp256k1 from 'secp256k1';
import { MsgAddLiquidity, MsgCreatePool, MsgRemoveLiquidity, MsgSwapExactIn, MsgSwapExactOut } from '@lanes/proto/lanes/amm/v1/tx';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { DEFAULT_PARAMS, LanesApp, buildTx, nestedGroups, signDocHash, nestedModeInfoSigner, testKey, txFingerprint, txHashHex, type AnyMsg, type BlockStats, type LanesAppOptions, type ParallelExecutor, type TestKey } from '@lanes/app';
import { InProcessChain } from './inprocess.ts';
import { devnetGenesis } from './lanesApp.ts';
import { assertPhases } from './testing/blockStats.ts';
import { createModules, recurse, ENDBLOCK_PAID, MSG_FAIL_ON_WORKER_TYPE_URL, MSG_LIE_CAUGHT_TYPE_URL, MSG_LIE_TYPE_URL, MSG_WRITE_CONST_TYPE_URL } from './testing/liarModules.ts';

const SEEDS_FILE = fileURLToPath(new URL('./parallel.seeds.json', import.meta.url));
const CHAIN = 'lanes-eq-1';
const funded = Array.from({ length: 40 }, (_, i) => testKey(`eq-${i}`));
const fresh = Array.from({ length: 20 }, (_, i) => testKey(`eq-new-${i}`).address);
const everyone = [...funded.map((k) => k.address), ...fresh];
const genesis = devnetGenesis(funded.map((k) => k.address)); // with the devnet pools 1..3

type Kind = 'send' | 'overspend' | 'secondFails' | 'chain' | 'swap' | 'route' | 'exactOut' | 'addLiq' | 'removeLiq' | 'badseq' | 'garbage' | 'lie' | 'createPool';
interface TxSpec { kind: Kind; from: number; to: number; amount: number; pool: number }
interface BlockSpec { contention: 0 | 0.5 | 1; txs: TxSpec[] }

/** The most ordinary txs in a block (a 'chain' adds two), drawn over the whole range of lengths. */
const MAX_TXS = 48;
const txOf = (kind: fc.Arbitrary<Kind>): fc.Arbitrary<TxSpec> => fc.record({
  kind,
  from: fc.nat(funded.length - 1),
  to: fc.nat(everyone.length - 1),
  amount: fc.integer({ min: 1, max: 5000 }),
  // 1..3: the devnet pools; 4: the pool created last before the tx (in its block, if one was
  // there); 5: any pool the test created. Before the first creation, 4 and 5 are pools 1 and 2.
  pool: fc.integer({ min: 1, max: 5 }),
});
const ordinary = txOf(fc.constantFrom<Kind>('send', 'send', 'send', 'overspend', 'secondFails', 'chain', 'swap', 'swap', 'route', 'exactOut', 'addLiq', 'removeLiq', 'badseq', 'garbage'));
/**
 * Pool creations (a fifth of the blocks) and lies (a tenth) go into some blocks only: the one
 * makes the whole block one group, the other a fallback. A creation comes with a tx on the new
 * pool somewhere after it in the block.
 */
const special = (kind: Kind) => fc.record({
  at: fc.nat(MAX_TXS),
  tx: txOf(fc.constant(kind)),
  useAt: fc.nat(MAX_TXS),
  use: txOf(fc.constantFrom<Kind>('swap', 'route', 'exactOut', 'addLiq', 'removeLiq')).map((t) => ({ ...t, pool: 4 })),
});
const blockSpec: fc.Arbitrary<BlockSpec> = fc.record({
  contention: fc.constantFrom<0 | 0.5 | 1>(0, 0.5, 1),
  // size 'max': fast-check's default size would stop near 10 txs whatever maxLength says.
  txs: fc.array(ordinary, { minLength: 1, maxLength: MAX_TXS, size: 'max' }),
  specials: fc.oneof(
    { weight: 7, arbitrary: fc.constant([]) },
    { weight: 2, arbitrary: fc.array(special('createPool'), { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.array(special('lie'), { minLength: 1, maxLength: 2 }) },
  ),
}).map(({ contention, txs, specials }) => {
  const all = [...txs];
  for (const s of specials) {
    const at = s.at % (all.length + 1);
    all.splice(at, 0, s.tx);
    if (s.tx.kind === 'createPool') all.splice(at + 1 + (s.useAt % (all.length - at)), 0, s.use);
  }
  return { contention, txs: all };
});

const send = (from: string, to: string, denom: string, amount: bigint): AnyMsg => ({
  typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: MsgSend.encode({ fromAddress: from, toAddress: to, amount: [{ denom, amount: amount.toString() }] }).finish(),
});
const SWAP_IN: Record<number, [string, string]> = { 1: ['uatom', 'uusdc'], 2: ['ulane', 'uusdc'], 3: ['uusdc', 'uusdt'] };
/** Two-hop routes through the devnet pools, each as [token in, [pool, denom out], [pool, denom out]]. */
const ROUTES: Record<number, [string, [number, string], [number, string]]> = {
  1: ['uatom', [1, 'uusdc'], [3, 'uusdt']], // constant product, then stableswap
  2: ['ulane', [2, 'uusdc'], [1, 'uatom']], // two constant-product pools
  3: ['uusdt', [3, 'uusdc'], [2, 'ulane']], // stableswap, then constant product
};
const amm = (typeUrl: string, value: Uint8Array): AnyMsg => ({ typeUrl: `/lanes.amm.v1.${typeUrl}`, value });

/** A pool the test created (uatom/ueth, constant product), and the funded account that created it. */
interface Created { id: bigint; creator: number }
/** `created`: the pools created so far, in order (the next gets id 4 + their number). */
interface Chains { seq: InProcessChain; par: InProcessChain[]; fallbacks: number[]; dirs: string[]; created: Created[] }

function openChains(): Chains {
  const dirs: string[] = [];
  const fallbacks = [0, 0, 0];
  const entry = new URL('./testing/liarModules.ts', import.meta.url).href;
  // x1: everything on the worker, one tx per chunk; x2: main and two workers race for chunks
  // of one; x4: four workers race for chunks of two, with small read caches.
  const make = (executor: 'sequential' | 'parallel', workers: number, idx: number, chunkTxs = 1, mainTakes = false, stateCacheKeys?: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'lanes-eq-'));
    dirs.push(dir);
    return new InProcessChain(genesis, join(dir, 'state.db'), CHAIN, {
      createApp: (dbPath) => new LanesApp({
        ...createModules(), dbPath, executor, ...(stateCacheKeys !== undefined && { stateCacheKeys }),
        parallel: { workers, entry, minTxs: 1, maxGroupShare: 1, chunkTxs, mainTakes },
        onBlock: (s) => { if (s.fallback && idx >= 0) fallbacks[idx] = (fallbacks[idx] ?? 0) + 1; },
      }),
    });
  };
  // x4 also keeps read caches of 50 keys (main thread and replicas), far fewer than the state's,
  // so that reads after the caches dropped keys go to SQLite, mid-block too.
  return { seq: make('sequential', 1, -1), par: [make('parallel', 1, 0), make('parallel', 2, 1, 1, true), make('parallel', 4, 2, 2, false, 50)], fallbacks, dirs, created: [] };
}

async function closeChains(c: Chains): Promise<void> {
  for (const ch of [c.seq, ...c.par]) await ch.app.close();
  for (const d of c.dirs) rmSync(d, { recursive: true, force: true });
}

/**
 * Builds a block's txs from its spec, with sequences and balances read from the reference chain;
 * `creates`: where its pool creations are, and the pools they make (if they succeed, as they must).
 */
function buildBlock(c: Chains, spec: BlockSpec): { txs: Uint8Array[]; lies: boolean; creates: { at: number; pool: Created }[] } {
  const seqs = new Map<number, bigint>();
  const nextSeq = (i: number) => {
    const s = seqs.get(i) ?? c.seq.account((funded[i] as TestKey).address)?.sequence ?? 0n;
    seqs.set(i, s + 1n);
    return s;
  };
  const target = (t: TxSpec) => (spec.contention === 1 ? 0 : spec.contention === 0.5 ? t.to % 5 : t.to);
  const txs: Uint8Array[] = [];
  const creates: { at: number; pool: Created }[] = [];
  let lies = false;
  for (const t of spec.txs) {
    const key = funded[t.from] as TestKey;
    const to = everyone[target(t)] as string;
    const opts = () => ({ chainId: CHAIN, accountNumber: BigInt(t.from), sequence: nextSeq(t.from), gasLimit: 400_000n });
    // A pool this test created (pools 4 and 5 of the spec), else a devnet pool.
    const made = [...c.created, ...creates.map((x) => x.pool)];
    const np = t.pool < 4 || made.length === 0 ? undefined : t.pool === 4 ? made.at(-1) : made[t.amount % made.length];
    const dev = t.pool > 3 ? t.pool - 3 : t.pool;
    switch (t.kind) {
      case 'send':
        txs.push(buildTx(key, [send(key.address, to, 'uatom', BigInt(t.amount))], opts()));
        break;
      case 'overspend': // the Msg fails: fee and sequence kept, transfer dropped
        txs.push(buildTx(key, [send(key.address, to, 'uatom', 10n ** 15n)], opts()));
        break;
      case 'secondFails': // first Msg's writes must be discarded with the second's failure
        txs.push(buildTx(key, [send(key.address, to, 'ueth', BigInt(t.amount)), send(key.address, to, 'ueth', 10n ** 15n)], opts()));
        break;
      case 'chain': { // A pays B, then B pays C more than B had before: only right in order
        const bIdx = (t.from + 1) % funded.length;
        const b = funded[bIdx] as TestKey;
        const balB = c.seq.balance(b.address, 'uusdt');
        txs.push(buildTx(key, [send(key.address, b.address, 'uusdt', BigInt(t.amount))], opts()));
        txs.push(buildTx(b, [send(b.address, to, 'uusdt', balB + BigInt(t.amount))], { chainId: CHAIN, accountNumber: BigInt(bIdx), sequence: nextSeq(bIdx), gasLimit: 400_000n }));
        break;
      }
      case 'swap': {
        // On a created pool (about 10^6 of each side), either way; on a devnet pool, as SWAP_IN says.
        const [inDenom, outDenom] = np ? (t.amount % 2 === 0 ? ['uatom', 'ueth'] : ['ueth', 'uatom']) : SWAP_IN[dev] as [string, string];
        const msg = MsgSwapExactIn.fromPartial({ sender: key.address, routes: [{ poolId: np?.id ?? BigInt(dev), tokenOutDenom: outDenom }], tokenIn: { denom: inDenom, amount: String(t.amount * (np ? 10 : 1000)) }, minAmountOut: '1' });
        txs.push(buildTx(key, [{ typeUrl: '/lanes.amm.v1.MsgSwapExactIn', value: MsgSwapExactIn.encode(msg).finish() }], opts()));
        break;
      }
      case 'route': { // declares both pools; the second hop's input is the first's output
        const [tokenIn, [p1, d1], [p2, d2]] = np ? ['uusdc', [1n, 'uatom'], [np.id, 'ueth']] as const : routeOf(dev);
        const msg = MsgSwapExactIn.fromPartial({ sender: key.address, routes: [{ poolId: p1, tokenOutDenom: d1 }, { poolId: p2, tokenOutDenom: d2 }], tokenIn: { denom: tokenIn, amount: String(t.amount * 997) }, minAmountOut: '1' });
        txs.push(buildTx(key, [amm('MsgSwapExactIn', MsgSwapExactIn.encode(msg).finish())], opts()));
        break;
      }
      case 'exactOut': { // odd amounts: a two-hop route; even: one hop whose limit fails on larger amounts
        const [tokenIn, [p1, d1], [p2, d2]] = np ? ['uusdc', [1n, 'uatom'], [np.id, 'ueth']] as const : routeOf(dev);
        const [two, one] = np ? [t.amount * 3, t.amount * 5] : [t.amount * 101, t.amount * 50];
        const msg = t.amount % 2 === 1
          ? MsgSwapExactOut.fromPartial({ sender: key.address, routes: [{ poolId: p1, tokenInDenom: tokenIn }, { poolId: p2, tokenInDenom: d1 }], tokenOut: { denom: d2, amount: String(two) }, maxAmountIn: '1000000000000' })
          : np
            ? MsgSwapExactOut.fromPartial({ sender: key.address, routes: [{ poolId: np.id, tokenInDenom: 'uatom' }], tokenOut: { denom: 'ueth', amount: String(one) }, maxAmountIn: String(t.amount * 6) })
            : MsgSwapExactOut.fromPartial({ sender: key.address, routes: [{ poolId: p1, tokenInDenom: tokenIn }], tokenOut: { denom: d1, amount: String(one) }, maxAmountIn: String(t.amount * 60) });
        txs.push(buildTx(key, [amm('MsgSwapExactOut', MsgSwapExactOut.encode(msg).finish())], opts()));
        break;
      }
      case 'addLiq': { // unbalanced maxima: the pool takes its ratio and leaves the rest
        const [a, b] = np ? ['uatom', 'ueth'] : SWAP_IN[dev] as [string, string];
        const [ma, mb] = np ? [1003, 7001] : [1_000_003, 7_000_001];
        const msg = MsgAddLiquidity.fromPartial({ sender: key.address, poolId: np?.id ?? BigInt(dev), maxAmountsIn: [{ denom: a, amount: String(t.amount * ma) }, { denom: b, amount: String(t.amount * mb) }], minSharesOut: '1' });
        txs.push(buildTx(key, [amm('MsgAddLiquidity', MsgAddLiquidity.encode(msg).finish())], opts()));
        break;
      }
      case 'removeLiq': {
        // Shares held before the block: the sender's if any, else mostly the pool's first LP's
        // (eq-0 for the devnet pools, else the creator: of a pool created in this block, it holds
        // none yet, so it removes `amount` shares of those the creation gives it).
        const poolId = np?.id ?? BigInt(dev);
        const shares = (i: number) => c.seq.balance((funded[i] as TestKey).address, `amm/pool/${poolId}`);
        const firstLp = np?.creator ?? 0;
        const who = shares(t.from) > 0n || t.amount % 4 === 0 ? t.from : firstLp; // a quarter of the rest hold none: the Msg fails
        const lp = funded[who] as TestKey;
        const held = shares(who);
        const amount = held === 0n ? BigInt(t.amount) : who !== firstLp && t.amount % 5 === 0 ? held : held / BigInt(20 + (t.amount % 80));
        const msg = MsgRemoveLiquidity.fromPartial({ sender: lp.address, poolId, shares: amount.toString(), minAmountsOut: [] });
        txs.push(buildTx(lp, [amm('MsgRemoveLiquidity', MsgRemoveLiquidity.encode(msg).finish())], { chainId: CHAIN, accountNumber: BigInt(who), sequence: nextSeq(who), gasLimit: 400_000n }));
        break;
      }
      case 'badseq': // rejected in the ante: no fee, no sequence
        txs.push(buildTx(key, [send(key.address, to, 'uatom', 1n)], { chainId: CHAIN, accountNumber: BigInt(t.from), sequence: (seqs.get(t.from) ?? 0n) + 1000n }));
        break;
      case 'garbage':
        txs.push(Uint8Array.from([0x0a, 0x03, t.amount & 0xff, 0x01, 0x02]));
        break;
      case 'lie': {
        lies = lies || to !== key.address;
        txs.push(buildTx(key, [{ typeUrl: MSG_LIE_TYPE_URL, value: MsgSend.encode({ fromAddress: key.address, toAddress: to, amount: [{ denom: 'uatom', amount: '1' }] }).finish() }], opts()));
        break;
      }
      case 'createPool': { // declares the global partition: conflicts with everything
        creates.push({ at: txs.length, pool: { id: 4n + BigInt(made.length), creator: t.from } });
        const msg = MsgCreatePool.fromPartial({ creator: key.address, poolType: 1, initialLiquidity: [{ denom: 'uatom', amount: '1000000' }, { denom: 'ueth', amount: String(1_000_000 + t.amount) }], swapFee: '0.003', amplification: 0n });
        txs.push(buildTx(key, [{ typeUrl: '/lanes.amm.v1.MsgCreatePool', value: MsgCreatePool.encode(msg).finish() }], opts()));
        break;
      }
    }
  }
  return { txs, lies, creates };
}

/** A devnet route (ROUTES) with bigint pool ids. */
function routeOf(pool: number): readonly [string, readonly [bigint, string], readonly [bigint, string]] {
  const [tokenIn, [p1, d1], [p2, d2]] = ROUTES[pool] as [string, [number, string], [number, string]];
  return [tokenIn, [BigInt(p1), d1], [BigInt(p2), d2]];
}

async function runAndCompare(c: Chains, spec: BlockSpec): Promise<void> {
  const { txs, lies, creates } = buildBlock(c, spec);
  const before = [...c.fallbacks];
  const ref = await c.seq.app.finalizeBlock(c.seq.nextRequest(txs));
  c.seq.app.commit();
  // The block's pool creations succeed (the generator counts on their ids): later blocks use them.
  for (const { at } of creates) assert.equal(ref.txResults[at]?.code, 0, `pool creation: ${ref.txResults[at]?.log}`);
  c.created.push(...creates.map((x) => x.pool));
  // Every other block, the parallel nodes first check the txs as CheckTx would: FinalizeBlock
  // then runs on decoded txs cached by the main thread and the workers, and must still match
  // the reference, which decodes everything itself. (Derived from the block, so saved seeds
  // keep generating the same blocks.)
  const precheck = spec.txs.length % 2 === 0;
  for (const [i, p] of c.par.entries()) {
    if (precheck) await p.app.preverify(txs);
    const r = await p.app.finalizeBlock(p.nextRequest(txs));
    p.app.commit();
    assert.equal(Buffer.from(r.appHash).toString('hex'), Buffer.from(ref.appHash).toString('hex'), `app hash, parallel #${i}`);
    assert.deepEqual(r.encodedTxResults, ref.encodedTxResults, `tx results, parallel #${i}`);
    assert.deepEqual(r.events, ref.events, `block events, parallel #${i}`);
    // A lying Msg makes the block fall back; any other fallback means a module declared less
    // than its Msgs touch (a route's later pools, a pool's share denom, ...).
    assert.equal(c.fallbacks[i], (before[i] ?? 0) + (lies ? 1 : 0), lies ? `a lying Msg makes parallel #${i} fall back` : `parallel #${i} fell back without a lying Msg`);
  }
}

function dump(ch: InProcessChain): string[] {
  return [...ch.app.store.iterate('')].map(([k, v]) => `${Buffer.from(k, 'latin1').toString('hex')}=${Buffer.from(v, 'latin1').toString('hex')}`);
}

async function checkSeed(seed: number, numRuns: number): Promise<void> {
  const c = openChains();
  try {
    await Promise.all([c.seq, ...c.par].map((ch) => ch.app.ready()));
    for (const ch of [c.seq, ...c.par]) await ch.blockAsync([]); // commit genesis
    await fc.assert(fc.asyncProperty(blockSpec, (spec) => runAndCompare(c, spec)), { seed, numRuns, endOnFailure: true });
    await runAndCompare(c, { contention: 0, txs: [] }); // an empty block
    const ref = dump(c.seq);
    for (const p of c.par) assert.deepEqual(dump(p), ref, 'whole state');
    assert.ok((c.par[2] as InProcessChain).app.store.cachedKeys() <= 50, 'x4 kept its read cache within 50 keys');
  } finally {
    await closeChains(c);
  }
}

function savedSeeds(): { seed: number; note?: string }[] {
  return existsSync(SEEDS_FILE) ? (JSON.parse(readFileSync(SEEDS_FILE, 'utf8')) as { seed: number }[]) : [];
}

test('saved failing seeds replay identically', async () => {
  for (const s of savedSeeds()) await checkSeed(s.seed, 20);
});

test('random blocks: parallel (1, 2, 4 workers) equals sequential, byte for byte', async () => {
  const seed = Number(process.env['LANES_EQ_SEED'] ?? (Date.now() % 2 ** 31));
  try {
    await checkSeed(seed, Number(process.env['LANES_EQ_RUNS'] ?? 60));
  } catch (err) {
    const seeds = savedSeeds();
    if (!seeds.some((s) => s.seed === seed)) {
      seeds.push({ seed, note: `failed ${new Date().toISOString()}: ${String(err).slice(0, 200)}` });
      writeFileSync(SEEDS_FILE, `${JSON.stringify(seeds, null, 2)}\n`);
    }
    throw new Error(`equivalence failed with seed ${seed} (saved to parallel.seeds.json; replay with LANES_EQ_SEED=${seed})`, { cause: err });
  }
});

type ParallelSettings = NonNullable<LanesAppOptions['parallel']>;

/** A MsgFailOnWorker from funded[k]: on a worker, amount 1 hangs the block, 2 ends the thread, 3 hangs its decoding. */
function failOnWorker(k: number, amount: bigint): AnyMsg {
  return {
    typeUrl: MSG_FAIL_ON_WORKER_TYPE_URL,
    value: MsgSend.encode({ fromAddress: (funded[k] as TestKey).address, toAddress: everyone[k + 1] as string, amount: [{ denom: 'uatom', amount: amount.toString() }] }).finish(),
  };
}

/**
 * A sequential and a parallel chain on the test modules (one worker, blocks of any size and
 * contention on it, chunks of one tx), both past genesis. `parallel` adds executor settings,
 * `options` app options for the parallel chain; `close` stops both and removes their files.
 */
async function openPair(parallel: Partial<ParallelSettings>, options: Partial<LanesAppOptions> = {}): Promise<{ seq: InProcessChain; par: InProcessChain; close(): Promise<void> }> {
  const entry = new URL('./testing/liarModules.ts', import.meta.url).href;
  const dirs: string[] = [];
  const make = (executor: 'sequential' | 'parallel') => {
    const dir = mkdtempSync(join(tmpdir(), 'lanes-pair-'));
    dirs.push(dir);
    return new InProcessChain(genesis, join(dir, 'state.db'), CHAIN, {
      createApp: (dbPath) => new LanesApp({
        ...createModules(), dbPath, executor,
        parallel: { workers: 1, entry, minTxs: 1, maxGroupShare: 1, chunkTxs: 1, ...parallel },
        ...(executor === 'parallel' && options),
      }),
    });
  };
  const seq = make('sequential');
  const par = make('parallel');
  const close = async () => {
    for (const ch of [seq, par]) await ch.app.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    for (const ch of [seq, par]) {
      await ch.app.ready();
      await ch.blockAsync([]);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { seq, par, close };
}

test('a block does not wait for a worker still busy with CheckTx batches: the main thread runs it all, with the same result', async () => {
  const stats: BlockStats[] = [];
  const { seq, par, close } = await openPair({}, { onBlock: (s) => stats.push(s) });
  try {
    // Linux: the worker says which OS thread it is (for tools that split CPU by thread).
    if (existsSync('/proc/thread-self')) {
      const ids = par.app.parallel?.workerThreadIds() ?? [];
      const main = Number(readlinkSync('/proc/thread-self').split('/').pop());
      assert.ok(ids.length === 1 && Number.isInteger(ids[0]) && ids[0] !== main && existsSync(`/proc/self/task/${ids[0]}`), `worker thread ids ${ids}, main ${main}`);
    }
    const opts = (k: number, sequence: bigint) => ({ chainId: CHAIN, accountNumber: BigInt(k), sequence });
    const block = funded.slice(0, 8).map((k, i) => buildTx(k, [send(k.address, everyone[i + 20] as string, 'uatom', 7n)], opts(i, 0n)));
    await par.app.preverify(block); // verified ahead, so the block itself sends the worker nothing to check
    // ~2,000 signature checks (future sequences of a funded account) queue on the worker...
    const key = funded[9] as TestKey;
    const later = Array.from({ length: 2000 }, (_, s) => buildTx(key, [send(key.address, key.address, 'uatom', 1n)], opts(9, 100n + BigInt(s))));
    const t0 = performance.now();
    const busy = par.app.preverify(later).then(() => performance.now() - t0);
    // ...and the block's request queues behind them: the main thread takes every chunk first,
    // and does not wait for the worker to get to the block (which it then skips). Waiting for
    // it would take as long as the checks.
    const r = await par.app.finalizeBlock(par.nextRequest(block));
    const blockMs = performance.now() - t0;
    assert.deepEqual(stats.at(-1), { ...stats.at(-1), executor: 'parallel', workerTxs: 0 });
    par.app.commit();
    const checksMs = await busy;
    assert.ok(blockMs < checksMs / 3, `the block took ${blockMs.toFixed(1)} ms, the worker's checks ${checksMs.toFixed(1)} ms`);
    const ref = await seq.app.finalizeBlock(seq.nextRequest(block));
    seq.app.commit();
    assert.deepEqual(r.encodedTxResults, ref.encodedTxResults);
    assert.equal(Buffer.from(r.appHash).toString('hex'), Buffer.from(ref.appHash).toString('hex'));
    // The worker, having skipped that block, still runs the next.
    const next = funded.slice(10, 18).map((k, i) => buildTx(k, [send(k.address, everyone[i] as string, 'uatom', 3n)], opts(i + 10, 0n)));
    const r2 = await par.app.finalizeBlock(par.nextRequest(next));
    assert.equal(stats.at(-1)?.executor, 'parallel');
    stats.forEach(assertPhases);
    par.app.commit();
    const ref2 = await seq.app.finalizeBlock(seq.nextRequest(next));
    seq.app.commit();
    assert.equal(Buffer.from(r2.appHash).toString('hex'), Buffer.from(ref2.appHash).toString('hex'));
    assert.deepEqual(dump(par), dump(seq));
  } finally {
    await close();
  }
});

test('a block tx that shares the fingerprint of a tx CheckTx decoded, but not its bytes, runs from its own bytes (main thread and worker)', async () => {
  for (const mainTakes of [true, false]) {
    // With mainTakes the main thread, which starts first, nearly always claims the block's one
    // chunk; a worker woken sooner can still take it (seen once in CI), so the case is tried
    // again, on a fresh pair, until it ran where it is meant to. Every try must match the
    // reference wherever it ran.
    let ranWhereMeant = false;
    const ranOn: number[] = [];
    for (let attempt = 0; attempt < 5 && !ranWhereMeant; attempt++) {
      const stats: BlockStats[] = [];
      const { seq, par, close } = await openPair({ mainTakes }, { onBlock: (s) => stats.push(s) });
      try {
        const key = funded[3] as TestKey;
        const signed = buildTx(key, [send(key.address, everyone[30] as string, 'uatom', 5n)], { chainId: CHAIN, accountNumber: 3n, sequence: 0n, memo: 'memo-a' });
        // One memo byte changed: same length and last four bytes (the signature's), so the same
        // fingerprint; the body is signed, so this tx fails its signature check.
        const forged = Uint8Array.from(signed);
        forged[Buffer.from(signed).indexOf('memo-a') + 5] = 'b'.charCodeAt(0);
        assert.equal(txFingerprint(forged), txFingerprint(signed));
        for (const ch of [seq, par]) await ch.app.preverify([signed]);
        const ref = await seq.blockAsync([forged]);
        const got = await par.blockAsync([forged]);
        assert.equal(ref[0]?.codespace, 'sdk');
        assert.equal(ref[0]?.code, 4, ref[0]?.log); // ErrUnauthorized
        assert.deepEqual(got, ref);
        assert.deepEqual(par.lastAppHash, seq.lastAppHash);
        assert.equal(stats.at(-1)?.executor, 'parallel');
        const workerTxs = stats.at(-1)?.workerTxs ?? -1;
        ranOn.push(workerTxs);
        ranWhereMeant = workerTxs === (mainTakes ? 0 : 1);
        // The signed tx itself still finds its decode and runs.
        for (const ch of [seq, par]) assert.equal((await ch.blockAsync([signed]))[0]?.code, 0);
      } finally {
        await close();
      }
    }
    assert.ok(ranWhereMeant, `mainTakes ${mainTakes}: txs on the worker in each try ${ranOn.join(', ')}, never ${mainTakes ? 0 : 1}`);
  }
});

test('txs nested past the decoders\' limits fail alike wherever they are decoded: CheckTx on a worker here, the block on either thread, a node that never saw them', async () => {
  // Before the limits (app/src/protoLimits.ts) a worker, with the larger stack, decoded these
  // while the main thread overflowed: the node that checked them ran them and the others did not.
  for (const mainTakes of [true, false]) {
    const { seq, par, close } = await openPair({ mainTakes });
    try {
      const opts = (k: number, extra: object) => ({ chainId: CHAIN, accountNumber: BigInt(k), sequence: 0n, ...extra });
      const block = [
        buildTx(funded[5] as TestKey, [send((funded[5] as TestKey).address, everyone[31] as string, 'uatom', 777n)], opts(5, { bodyExtra: nestedGroups(15, 20_000) })),
        buildTx(funded[6] as TestKey, [send((funded[6] as TestKey).address, everyone[32] as string, 'uatom', 777n)], opts(6, { authInfoExtra: nestedModeInfoSigner(15_000) })),
        buildTx(funded[7] as TestKey, [send((funded[7] as TestKey).address, everyone[33] as string, 'uatom', 777n)], opts(7, {})),
      ];
      const checked = await Promise.all(block.map((tx) => par.checkTxAsync(tx)));
      assert.deepEqual(checked.map((r) => [r.codespace, r.code]), [['sdk', 2], ['sdk', 2], ['', 0]], checked.map((r) => r.log).join(' | '));
      const ref = await seq.blockAsync(block);
      const got = await par.blockAsync(block);
      assert.deepEqual(got, ref);
      assert.deepEqual(ref.map((r) => r?.code), [2, 2, 0]);
      assert.match(ref[0]?.log ?? '', /protobuf groups nested deeper than 100/);
      assert.match(ref[1]?.log ?? '', /ModeInfo nested deeper than 16/);
      assert.deepEqual(par.lastAppHash, seq.lastAppHash);
      assert.deepEqual(dump(par), dump(seq));
    } finally {
      await close();
    }
  }
});

test('a Msg that throws an exception of the engine\'s (a bug) fails its tx with a fixed log in a block, the same on both executors; CheckTx shows the text', async () => {
  const { seq, par, close } = await openPair({});
  try {
    const k = funded[10] as TestKey;
    const bug = buildTx(k, [failOnWorker(10, 6n)], { chainId: CHAIN, accountNumber: 10n, sequence: 0n });
    const checked = await seq.checkTxAsync(bug);
    assert.deepEqual([checked.codespace, checked.code], ['sdk', 111222]);
    assert.match(checked.log, /Cannot read properties of undefined \(reading 'amount'\)/);
    const block = [bug, buildTx(funded[11] as TestKey, [send((funded[11] as TestKey).address, everyone[37] as string, 'uatom', 6n)], { chainId: CHAIN, accountNumber: 11n, sequence: 0n })];
    const ref = await seq.blockAsync(block);
    assert.deepEqual(await par.blockAsync(block), ref);
    assert.deepEqual(ref.map((r) => [r?.codespace, r?.code]), [['sdk', 111222], ['', 0]]);
    // V8's text would differ between Node.js versions: a block's result must not carry it.
    assert.equal(ref[0]?.log, 'failed to execute message; message index: 0: internal error');
    assert.deepEqual(par.lastAppHash, seq.lastAppHash);
    // The node's log says what it was, naming the tx.
    const lines: { msg: string; tx?: string; err?: { message?: string } }[] = [];
    const logger = pino({ level: 'error' }, new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk)) as (typeof lines)[number]); cb(); } }));
    const logged = new InProcessChain(genesis, ':memory:', CHAIN, { createApp: (dbPath) => new LanesApp({ ...createModules(), dbPath, executor: 'sequential', logger }) });
    try {
      const again = await logged.blockAsync([bug]);
      assert.equal(again[0]?.log, ref[0]?.log);
      assert.equal(lines.length, 1, JSON.stringify(lines));
      assert.match(lines[0]?.msg ?? '', /failed on an internal error/);
      assert.equal(lines[0]?.tx, txHashHex(bug));
      assert.match(lines[0]?.err?.message ?? '', /Cannot read properties of undefined \(reading 'amount'\)/);
    } finally {
      await logged.app.close();
    }
  } finally {
    await close();
  }
});

test('an address first paid by an end-block hook gets an account number, the same on both executors', async () => {
  const { seq, par, close } = await openPair({});
  try {
    // openPair ran one empty block on each chain: the observer's end-block paid ENDBLOCK_PAID.
    const k = funded[14] as TestKey;
    const block = [buildTx(k, [send(k.address, everyone[40] as string, 'uatom', 2n)], { chainId: CHAIN, accountNumber: 14n, sequence: 0n })];
    assert.deepEqual(await par.blockAsync(block), await seq.blockAsync(block));
    for (const ch of [seq, par]) {
      assert.equal(ch.balance(ENDBLOCK_PAID, 'uatom'), 2n, 'paid 1uatom by each of the two blocks\' end-block');
      assert.ok(ch.account(ENDBLOCK_PAID) !== null, 'the address paid only in end-block has an account');
    }
    assert.equal(par.account(ENDBLOCK_PAID)?.accountNumber, seq.account(ENDBLOCK_PAID)?.accountNumber);
    assert.deepEqual(dump(par), dump(seq));
  } finally {
    await close();
  }
});

test('an undeclared access that module code catches still makes the block fall back: failing with its own error or going on, the results are the sequential ones', async () => {
  const stats: BlockStats[] = [];
  const { seq, par, close } = await openPair({}, { onBlock: (s) => stats.push(s) });
  try {
    const lieCaught = (k: TestKey, to: string, amount: string): AnyMsg => ({
      typeUrl: MSG_LIE_CAUGHT_TYPE_URL, value: MsgSend.encode({ fromAddress: k.address, toAddress: to, amount: [{ denom: 'uatom', amount }] }).finish(),
    });
    const [a, b, c] = [funded[10] as TestKey, funded[11] as TestKey, funded[12] as TestKey];
    const block = [
      buildTx(a, [lieCaught(a, everyone[37] as string, '1')], { chainId: CHAIN, accountNumber: 10n, sequence: 0n }), // fails with its own error on a thread that refuses
      buildTx(b, [lieCaught(b, everyone[38] as string, '2')], { chainId: CHAIN, accountNumber: 11n, sequence: 0n }), // goes on, half done, on such a thread
      buildTx(c, [send(c.address, everyone[39] as string, 'uatom', 3n)], { chainId: CHAIN, accountNumber: 12n, sequence: 0n }),
    ];
    const ref = await seq.blockAsync(block);
    const got = await par.blockAsync(block);
    assert.deepEqual(got, ref);
    // Sequentially nothing is refused: both sends went through.
    assert.deepEqual(ref.map((r) => r?.code), [0, 0, 0]);
    assert.deepEqual(stats.at(-1), { ...stats.at(-1), executor: 'parallel', fallback: true });
    assert.deepEqual(par.lastAppHash, seq.lastAppHash);
    assert.deepEqual(dump(par), dump(seq));
  } finally {
    await close();
  }
});

test('a tx that writes a per-block constant (a module bug) fails on both executors alike, without a fallback, and the chain goes on', async () => {
  const stats: BlockStats[] = [];
  const { seq, par, close } = await openPair({}, { onBlock: (s) => stats.push(s) });
  try {
    const k = funded[8] as TestKey;
    const writeConst: AnyMsg = { typeUrl: MSG_WRITE_CONST_TYPE_URL, value: MsgSend.encode({ fromAddress: k.address, toAddress: everyone[34] as string, amount: [{ denom: 'uatom', amount: '5' }] }).finish() };
    const block = [
      buildTx(k, [writeConst], { chainId: CHAIN, accountNumber: 8n, sequence: 0n }),
      buildTx(funded[9] as TestKey, [send((funded[9] as TestKey).address, everyone[35] as string, 'uatom', 6n)], { chainId: CHAIN, accountNumber: 9n, sequence: 0n }),
    ];
    const ref = await seq.blockAsync(block);
    const got = await par.blockAsync(block);
    assert.deepEqual(got, ref);
    assert.deepEqual(ref.map((r) => [r?.codespace, r?.code]), [['sdk', 111222], ['', 0]]);
    assert.match(ref[0]?.log ?? '', /a tx wrote a per-block constant/);
    assert.deepEqual(stats.at(-1), { ...stats.at(-1), executor: 'parallel', fallback: false });
    assert.deepEqual(par.lastAppHash, seq.lastAppHash);
    // The next block runs as usual.
    const next = [buildTx(k, [send(k.address, everyone[36] as string, 'uatom', 7n)], { chainId: CHAIN, accountNumber: 8n, sequence: 1n })];
    assert.deepEqual(await par.blockAsync(next), await seq.blockAsync(next));
    assert.ok(seq.balance(everyone[36] as string, 'uatom') >= 7n, 'the recipient of the next block holds at least the 7uatom sent');
    assert.deepEqual(dump(par), dump(seq));
  } finally {
    await close();
  }
});

/**
 * openPair for the worker-failure tests: the parallel chain's block stats and warn-level log
 * lines are recorded, and `both` runs a block on both chains, commits it, checks that results and
 * app hash agree and returns the parallel block's stats with the reference's tx codes.
 */
async function openWatchedPair(parallel: Partial<ParallelSettings>) {
  const stats: BlockStats[] = [];
  const lines: string[] = [];
  const pair = await openPair(parallel, { onBlock: (s) => stats.push(s), logger: pino({ level: 'warn' }, { write: (l: string) => lines.push(l) }) });
  const both = async (txs: Uint8Array[]): Promise<{ stats: BlockStats; codes: number[] }> => {
    const r = await pair.par.app.finalizeBlock(pair.par.nextRequest(txs));
    const ref = await pair.seq.app.finalizeBlock(pair.seq.nextRequest(txs));
    pair.par.app.commit();
    pair.seq.app.commit();
    assert.deepEqual(r.encodedTxResults, ref.encodedTxResults);
    assert.equal(Buffer.from(r.appHash).toString('hex'), Buffer.from(ref.appHash).toString('hex'));
    assertPhases(stats.at(-1) as BlockStats);
    return { stats: stats.at(-1) as BlockStats, codes: ref.txResults.map((x) => x.code) };
  };
  const logged = (text: string) => lines.filter((l) => l.includes(text)).length;
  return { ...pair, pool: pair.par.app.parallel as ParallelExecutor, stats, lines, both, logged };
}

// 'errors': it answers the block with an error (here running out of stack; a failed read of its
// own database would do the same), and lives on.
for (const mode of ['exits', 'hangs', 'errors'] as const) {
  // timeout: without the fallback a hang would hold the test run forever.
  test(`an execution worker that ${mode} during a block: the block re-runs sequentially, identical, and the worker is replaced`, { timeout: 60_000 }, async () => {
    // Every chunk goes to the worker, so that the planted failure runs there. An exit shows
    // after 2 s of blocking waits, before the default timeout; a hang only at the timeout.
    const { seq, par, close, pool, lines, both, logged } = await openWatchedPair({ mainTakes: false, replaceMinBlocks: 4n, ...(mode === 'hangs' && { workerTimeoutMs: 300 }) });
    try {
      const sequences = new Map<number, bigint>();
      const tx = (k: number, msg: AnyMsg) => {
        const sequence = sequences.get(k) ?? 0n;
        sequences.set(k, sequence + 1n);
        return buildTx(funded[k] as TestKey, [msg], { chainId: CHAIN, accountNumber: BigInt(k), sequence });
      };
      const transfers = (from: number) => Array.from({ length: 6 }, (_, i) => tx(from + i, send((funded[from + i] as TestKey).address, everyone[from + i + 20] as string, 'uatom', 5n)));
      const failing = (from: number) => [...transfers(from), tx(from + 6, failOnWorker(from + 6, { hangs: 1n, exits: 2n, errors: 4n }[mode]))];
      // [executor, fallback, workerFailed, workerTxs, workersAlive, workersReplaced]
      let last: BlockStats | undefined;
      const block = async (txs: Uint8Array[]) => {
        const { stats: st, codes } = await both(txs);
        last = st;
        assert.ok(codes.every((c) => c === 0), 'every tx of these blocks succeeds');
        return [st.executor, st.fallback, st.workerFailed, st.workerTxs, st.workersAlive, st.workersReplaced];
      };
      const replaced = 'failed execution worker replaced';

      assert.deepEqual(await block(transfers(0)), ['parallel', false, false, 6, 1, 0]);
      // The worker ends or hangs mid-block, having run some of the block's txs: found once the
      // main thread stops blocking for it, or after workerTimeoutMs (then terminated).
      assert.deepEqual((await block(failing(8))).slice(1, 3), [true, true]);
      // The txs phase counts from the parallel start, the wait for the hung worker included.
      if (mode === 'hangs') assert.ok((last?.txsMs ?? 0) >= 300, `txsMs ${last?.txsMs}, the worker was waited for 300 ms`);
      const why = { exits: 'exited with code 7', hangs: 'did not answer block request', errors: 'Maximum call stack size exceeded' }[mode];
      assert.ok(lines.some((l) => l.includes('an execution worker failed during the block') && l.includes(why)), lines.join(''));
      // That block's Commit replaced it: once the new worker has started (it reads the state
      // committed so far from the database), it runs the next block, with the same result.
      assert.equal(logged(replaced), 1);
      await pool.ready();
      assert.deepEqual(await block(transfers(16)), ['parallel', false, false, 6, 1, 1]);
      // It fails again, and is not replaced again within replaceMinBlocks of the last time:
      // meanwhile blocks still come out identical (here, where the main thread takes no chunks,
      // by the sequential re-run; on a node the main thread takes them all).
      assert.deepEqual((await block(failing(24))).slice(1, 3), [true, true]);
      assert.deepEqual((await block(transfers(0))).slice(1, 6), [true, true, 0, 0, 0]);
      assert.equal(logged(replaced), 1);
      // At the Commit four blocks after the last replacement, replaced again.
      assert.deepEqual((await block(transfers(8))).slice(4, 6), [0, 0]);
      assert.equal(logged(replaced), 2);
      await pool.ready();
      assert.deepEqual(await block(transfers(16)), ['parallel', false, false, 6, 1, 1]);
      assert.deepEqual(dump(par), dump(seq));
    } finally {
      await close();
    }
  });
}

test('CometBFT restarted alone while a FinalizeBlock waited on a hung worker: its height sent again runs on the main thread and commits, and the first call\'s late result is dropped, not committed with the next block', { timeout: 60_000 }, async () => {
  // Every chunk to the worker for the first call, so that the hanging tx hangs it.
  const { seq, par, close, pool, logged, lines } = await openWatchedPair({ mainTakes: false, workerTimeoutMs: 1500 });
  try {
    const settings = (pool as unknown as { opts: { mainTakes?: boolean } }).opts;
    const opts = (k: number, sequence: bigint) => ({ chainId: CHAIN, accountNumber: BigInt(k), sequence });
    const transfers = (from: number, sequence: bigint) => [0, 1, 2].map((i) => buildTx(funded[from + i] as TestKey, [send((funded[from + i] as TestKey).address, everyone[from + i + 20] as string, 'uatom', 5n)], opts(from + i, sequence)));
    const first = [...transfers(0, 0n), buildTx(funded[3] as TestKey, [failOnWorker(3, 1n)], opts(3, 0n))];
    const req = par.nextRequest(first);
    const overtaken = par.app.finalizeBlock(req);
    assert.ok(overtaken instanceof Promise, 'still waiting on the hung worker');
    // CometBFT restarts: Echo, then the same height again, now with the main thread taking the
    // chunks (on a node it takes them anyway, and skips a worker still busy). Committed.
    par.app.clientConnected();
    settings.mainTakes = true;
    const again = await par.app.finalizeBlock(req);
    par.app.commit();
    const ref = await seq.app.finalizeBlock(seq.nextRequest(first));
    seq.app.commit();
    assert.equal(Buffer.from(again.appHash).toString('hex'), Buffer.from(ref.appHash).toString('hex'));
    // The next block is decided; the first call ends (its worker timed out) before that block's
    // Commit.
    const second = transfers(0, 1n);
    const next = await par.app.finalizeBlock(par.nextRequest(second));
    await overtaken;
    par.app.commit();
    const nextRef = await seq.app.finalizeBlock(seq.nextRequest(second));
    seq.app.commit();
    assert.equal(Buffer.from(next.appHash).toString('hex'), Buffer.from(nextRef.appHash).toString('hex'));
    const height = (ch: InProcessChain) => ch.app.info({ version: '', blockVersion: 0n, p2pVersion: 0n, abciVersion: '' });
    assert.equal(height(par).lastBlockHeight, height(seq).lastBlockHeight, 'the block decided last is the one committed');
    assert.deepEqual(height(par).lastBlockAppHash, height(seq).lastBlockAppHash);
    assert.deepEqual(dump(par), dump(seq));
    assert.equal(logged('its result is dropped'), 1, lines.join(''));
    // Its worker timed out, and nobody waits for its answer: no sequential re-run (nor its log).
    assert.equal(logged('block re-executed sequentially'), 0, lines.join(''));
  } finally {
    await close();
  }
});

/**
 * For the tests of a FinalizeBlock overtaken by CometBFT sending its height again: the pair, the
 * executor's settings (to flip mainTakes between calls), transfers of accounts from..from+2, and
 * `same`, which commits a parallel block and checks it against the same block run sequentially.
 */
async function openOvertakePair(parallel: Partial<ParallelSettings>) {
  const pair = await openWatchedPair(parallel);
  const settings = (pair.pool as unknown as { opts: { mainTakes?: boolean } }).opts;
  const opts = (k: number, sequence: bigint) => ({ chainId: CHAIN, accountNumber: BigInt(k), sequence });
  const transfers = (from: number, sequence: bigint) => [0, 1, 2].map((i) => buildTx(funded[from + i] as TestKey, [send((funded[from + i] as TestKey).address, everyone[from + i + 20] as string, 'uatom', 5n)], opts(from + i, sequence)));
  const same = async (txs: Uint8Array[], run: Promise<{ appHash: Uint8Array }> | { appHash: Uint8Array }) => {
    const got = await run;
    pair.par.app.commit();
    const ref = await pair.seq.app.finalizeBlock(pair.seq.nextRequest(txs));
    pair.seq.app.commit();
    assert.equal(Buffer.from(got.appHash).toString('hex'), Buffer.from(ref.appHash).toString('hex'));
  };
  return { ...pair, settings, opts, transfers, same };
}

// 'before': the overtaken call sees it is overtaken before the next block reads the worker's
// late reply (the reply is then owed, and reading it settles the debt); 'after': once that block
// has read it (then nothing is owed).
for (const notices of ['before', 'after'] as const) test(`CometBFT restarted alone while a FinalizeBlock waited on a slow (not broken) worker, overtaken call noticing ${notices} the next block: it stops waiting, and the next block drops the worker's late reply instead of terminating it`, { timeout: 60_000 }, async () => {
  // The wait's timeout passes the worker's 3.5 s: a reply owed but dropped must not count as overdue.
  const { seq, par, close, stats, logged, lines, settings, opts, transfers, same } = await openOvertakePair({ mainTakes: false, workerTimeoutMs: 4_500 });
  try {
    // The worker takes SLOW_ON_WORKER_MS over the last tx: the call waits 2 s blocking, then
    // through the event loop.
    const first = [...transfers(0, 0n), buildTx(funded[3] as TestKey, [failOnWorker(3, 7n)], opts(3, 0n))];
    const req = par.nextRequest(first);
    const overtaken = par.app.finalizeBlock(req);
    assert.ok(overtaken instanceof Promise, 'still waiting on the slow worker');
    par.app.clientConnected();
    settings.mainTakes = true; // the height again: the main thread runs it, the busy worker skipped
    await same(first, par.app.finalizeBlock(req)); // microtasks only: the first call's poll timer has not run
    // Before: given a turn of the event loop, it stops waiting (its reply now owed), terminating nothing.
    if (notices === 'before') await overtaken;
    // The next block goes to the worker, which answers the first call's request before it.
    settings.mainTakes = false;
    await same(transfers(0, 1n), par.app.finalizeBlock(par.nextRequest(transfers(0, 1n))));
    assert.deepEqual([stats.at(-1)?.executor, stats.at(-1)?.fallback, stats.at(-1)?.workerTxs], ['parallel', false, 3], lines.join(''));
    await overtaken;
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // past the first call's timeout
    await same(transfers(0, 2n), par.app.finalizeBlock(par.nextRequest(transfers(0, 2n))));
    assert.deepEqual([stats.at(-1)?.executor, stats.at(-1)?.fallback, stats.at(-1)?.workersAlive, stats.at(-1)?.workersReplaced], ['parallel', false, 1, 0], lines.join(''));
    assert.equal(logged('terminated'), 0, lines.join(''));
    assert.equal(logged('its result is dropped'), 1, lines.join(''));
    assert.deepEqual(dump(par), dump(seq));
  } finally {
    await close();
  }
});

test('CometBFT restarted alone while a FinalizeBlock waited on a hung worker that later blocks skip: a Commit past the wait\'s timeout terminates it, and it is replaced', { timeout: 60_000 }, async () => {
  // Over the 2 s of blocking waits, so that the first call is still waiting when overtaken.
  const { seq, par, close, pool, stats, logged, lines, settings, opts, transfers, same } = await openOvertakePair({ mainTakes: false, workerTimeoutMs: 2_500, replaceMinBlocks: 1n });
  try {
    const first = [...transfers(0, 0n), buildTx(funded[3] as TestKey, [failOnWorker(3, 1n)], opts(3, 0n))]; // hangs the worker for good
    const req = par.nextRequest(first);
    const overtaken = par.app.finalizeBlock(req);
    par.app.clientConnected();
    settings.mainTakes = true; // as on a node: the main thread takes every chunk, and skips a worker still busy
    await same(first, par.app.finalizeBlock(req));
    await overtaken;
    assert.equal(logged('terminated'), 0, 'the overtaken call gave up waiting without terminating anything');
    await same(transfers(0, 1n), par.app.finalizeBlock(par.nextRequest(transfers(0, 1n))));
    assert.deepEqual([stats.at(-1)?.workersAlive, stats.at(-1)?.workerTxs], [1, 0], 'the hung worker, skipped, still counted alive');
    await new Promise((resolve) => setTimeout(resolve, 2_600)); // past the first call's deadline
    await same(transfers(0, 2n), par.app.finalizeBlock(par.nextRequest(transfers(0, 2n))));
    assert.equal(logged('an execution worker hung on a block CometBFT sent again; terminated'), 1, lines.join(''));
    assert.ok(lines.some((l) => l.includes('did not answer block request') && l.includes('within 2500 ms')), lines.join(''));
    assert.equal(logged('failed execution worker replaced'), 1, lines.join(''));
    await pool.ready();
    settings.mainTakes = false;
    await same(transfers(0, 3n), par.app.finalizeBlock(par.nextRequest(transfers(0, 3n))));
    assert.deepEqual([stats.at(-1)?.executor, stats.at(-1)?.fallback, stats.at(-1)?.workerTxs, stats.at(-1)?.workersAlive], ['parallel', false, 3, 1], lines.join(''));
    assert.deepEqual(dump(par), dump(seq));
  } finally {
    await close();
  }
});

test('a tx with a junk signature, refused by CheckTx, does not push an honest tx\'s decode out of the worker\'s cache: the block finds it there', { timeout: 60_000 }, async () => {
  const { par, close, both } = await openWatchedPair({ mainTakes: false });
  try {
    const k = funded[21] as TestKey;
    const honest = buildTx(k, [send(k.address, everyone[41] as string, 'uatom', 1n)], { chainId: CHAIN, accountNumber: 21n, sequence: 0n });
    assert.equal((await par.checkTxAsync(honest)).code, 0);
    // Its twin: the same length and last four bytes (the cache's fingerprint of a tx), another
    // signature's r: it decodes, and its signature fails.
    const twin = Uint8Array.from(honest);
    for (let i = twin.length - 64; i < twin.length - 32; i++) twin[i] = (twin[i] as number) ^ 0x5a;
    // Refused (here on its sequence, which the honest tx took, once the worker has decoded it
    // and found its signature bad).
    const refused = await par.checkTxAsync(twin);
    assert.notEqual(refused.code, 0, 'the twin is refused');
    const { stats, codes } = await both([honest]);
    assert.deepEqual(codes, [0]);
    assert.equal(stats.workerTxs, 1, 'the worker ran it');
    assert.equal(stats.workerDecodes, 0, 'and had it decoded since CheckTx');
    // A tx the worker never checked is decoded in the block, and counted.
    const unseen = buildTx(k, [send(k.address, everyone[42] as string, 'uatom', 1n)], { chainId: CHAIN, accountNumber: 21n, sequence: 1n });
    assert.equal((await both([unseen])).stats.workerDecodes, 1);
  } finally {
    await close();
  }
});

test('a thread that runs out of stack or heap in a block never makes that a tx\'s result: a worker\'s re-runs the block on the main thread, the main thread\'s stops the block; CheckTx just refuses', { timeout: 60_000 }, async () => {
  const { seq, par, close, both } = await openWatchedPair({ mainTakes: false });
  try {
    const k = (i: number) => funded[i] as TestKey;
    const opts = (i: number, sequence = 0n) => ({ chainId: CHAIN, accountNumber: BigInt(i), sequence });
    // On the worker the Msg throws RangeError('Maximum call stack size exceeded'); on the main
    // thread it is a send. Taken as the tx's failure, the parallel node would part from the rest.
    const block = [0, 1, 2].map((i) => buildTx(k(i), [send(k(i).address, everyone[i + 30] as string, 'uatom', 1n)], opts(i)));
    block.push(buildTx(k(3), [failOnWorker(3, 4n)], opts(3)));
    const { stats: st, codes } = await both(block);
    assert.deepEqual(codes, [0, 0, 0, 0]);
    assert.deepEqual([st.executor, st.fallback, st.workerFailed], ['parallel', true, true]);
    // Everywhere (amount 5): CheckTx refuses it as an internal error; a block holding it stops.
    const everywhere = buildTx(k(4), [failOnWorker(4, 5n)], opts(4));
    const checked = await seq.checkTxAsync(everywhere);
    assert.deepEqual([checked.codespace, checked.code], ['sdk', 111222], checked.log);
    await assert.rejects(seq.blockAsync([everywhere]), /Maximum call stack size exceeded/);
    await assert.rejects(par.blockAsync([everywhere]), /Maximum call stack size exceeded/);
  } finally {
    await close();
  }
});

test('a tx deeper than the main thread\'s stack stops the block on both executors: an execution worker\'s stack is no deeper (WORKER_STACK_MB), so it cannot commit such a tx', { timeout: 60_000 }, async () => {
  const { seq, par, close } = await openWatchedPair({ mainTakes: false });
  try {
    // How deep recurse goes on this (the main) thread, once optimized: its frames are then their
    // smallest, so this is the most any thread's copy of it reaches in the same stack.
    let deepest = 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 200; i++) recurse(100);
      let lo = 1000;
      let hi = 1 << 24;
      while (lo + 1 < hi) {
        const mid = (lo + hi) >> 1;
        try {
          recurse(mid);
          lo = mid;
        } catch {
          hi = mid;
        }
      }
      deepest = Math.max(deepest, lo);
    }
    const k = funded[13] as TestKey;
    const deep = buildTx(k, [failOnWorker(13, BigInt(Math.ceil(deepest * 1.3)))], { chainId: CHAIN, accountNumber: 13n, sequence: 0n });
    await assert.rejects(seq.blockAsync([deep]), /Maximum call stack size exceeded/);
    // The tx runs on the worker (mainTakes: false). With a stack deeper than the main thread's
    // it would succeed there, and the parallel node commit a block every sequential node refuses.
    await assert.rejects(par.blockAsync([deep]), /Maximum call stack size exceeded/);
  } finally {
    await close();
  }
});

test('a replacement worker that fails to start: the node goes on without it, and the next replacement starts', { timeout: 60_000 }, async () => {
  const { seq, par, close, pool, both } = await openWatchedPair({ mainTakes: false, replaceMinBlocks: 2n, entry: new URL('./testing/startFailModules.ts', import.meta.url).href });
  try {
    const k = (i: number) => funded[i] as TestKey;
    let height = 0;
    // [executor, fallback, workersAlive, workersReplaced]
    const block = async () => {
      const txs = [0, 1, 2].map((i) => buildTx(k(i), [send(k(i).address, everyone[i + 30] as string, 'uatom', 1n)], { chainId: CHAIN, accountNumber: BigInt(i), sequence: BigInt(height) }));
      height++;
      const { stats: st } = await both(txs);
      return [st.executor, st.fallback, st.workersAlive, st.workersReplaced];
    };
    const internals = par.app.parallel as unknown as { workers: { worker: { terminate(): Promise<number> } }[] };
    await internals.workers[0]?.worker.terminate();
    process.env['LANES_TEST_WORKER_START_FAILS'] = '1';
    // The failed worker is replaced at this Commit; the replacement fails as it loads, and with
    // nobody awaiting its start that must not end the process (an unhandled rejection would).
    await block();
    while (pool.liveWorkers() > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    delete process.env['LANES_TEST_WORKER_START_FAILS'];
    // Blocks re-run sequentially meanwhile.
    assert.deepEqual(await block(), ['parallel', true, 0, 1]);
    assert.deepEqual(await block(), ['parallel', true, 0, 0]);
    // At that Commit, two blocks after the last replacement, a new one starts and runs blocks.
    await pool.ready();
    assert.deepEqual(await block(), ['parallel', false, 1, 1]);
    assert.deepEqual(dump(par), dump(seq));
  } finally {
    delete process.env['LANES_TEST_WORKER_START_FAILS'];
    await close();
  }
});

test('a main thread busy past the CheckTx watchdog does not take a worker that answered for hung', async () => {
  const { par, close, pool, lines, logged } = await openWatchedPair({ checkTimeoutMs: 300 });
  try {
    const k = funded[5] as TestKey;
    const pending = par.checkTxAsync(buildTx(k, [send(k.address, everyone[6] as string, 'uatom', 1n)], { chainId: CHAIN, accountNumber: 5n, sequence: 0n }));
    await new Promise((resolve) => setImmediate(resolve)); // the batch leaves
    // The worker answers within milliseconds, but the main thread only reads the answer after
    // this, when the watchdog's timer is overdue too (timers run first).
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 800);
    assert.equal((await pending).code, 0);
    assert.equal(pool.liveWorkers(), 1);
    assert.equal(logged('checking on the main thread'), 0, lines.join(''));
  } finally {
    await close();
  }
});

test('an execution worker that hangs on a CheckTx batch: terminated, the batch is checked on the main thread, and the worker is replaced', { timeout: 60_000 }, async () => {
  const { seq, par, close, pool, lines, both, logged } = await openWatchedPair({ mainTakes: false, checkTimeoutMs: 300 });
  try {
    const opts = (k: number, sequence: bigint) => ({ chainId: CHAIN, accountNumber: BigInt(k), sequence });
    // Decoding it hangs a worker, not the main thread: CheckTx still answers (from the main
    // thread, after checkTimeoutMs) and accepts it.
    const hanging = buildTx(funded[0] as TestKey, [failOnWorker(0, 3n)], opts(0, 0n));
    const r = await par.checkTxAsync(hanging);
    assert.equal(r.code, 0, r.log);
    assert.equal(pool.liveWorkers(), 0);
    assert.ok(lines.some((l) => l.includes('checking on the main thread') && l.includes('answered none of 1 CheckTx batches in 300 ms')), lines.join(''));
    // The block that includes it re-runs sequentially (no live worker), identically; its Commit
    // replaces the worker.
    const first = await both([hanging, buildTx(funded[1] as TestKey, [send((funded[1] as TestKey).address, everyone[30] as string, 'uatom', 4n)], opts(1, 0n))]);
    assert.equal(first.stats.fallback, true);
    assert.equal(logged('failed execution worker replaced'), 1, lines.join(''));
    await pool.ready();
    // The new worker checks again (no second fallback logged) and runs blocks.
    const next = [2, 3, 4].map((k) => buildTx(funded[k] as TestKey, [send((funded[k] as TestKey).address, everyone[31] as string, 'uatom', 2n)], opts(k, 0n)));
    for (const t of next) assert.equal((await par.checkTxAsync(t)).code, 0);
    assert.equal(logged('checking on the main thread'), 1, lines.join(''));
    const { stats: st } = await both(next);
    assert.deepEqual([st.executor, st.fallback, st.workerTxs, st.workersReplaced], ['parallel', false, 3, 1]);
    assert.deepEqual(dump(par), dump(seq));
  } finally {
    await close();
  }
});

/** A tx of one MsgSend per key, each key a signer (in order) at the given sequence, signed by all; `junk` signatures get r flipped. */
function multiSigned(keys: TestKey[], accountNumbers: bigint[], sequences: bigint[], junk: number[] = []): Uint8Array {
  const body = TxBody.encode(TxBody.fromPartial({ messages: keys.map((k) => send(k.address, everyone[45] as string, 'uatom', 1n)) })).finish();
  const auth = AuthInfo.encode(AuthInfo.fromPartial({
    signerInfos: keys.map((k, i) => ({
      publicKey: { typeUrl: '/cosmos.crypto.secp256k1.PubKey', value: PubKey.encode({ key: k.pubkey }).finish() },
      modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } }, sequence: sequences[i] as bigint,
    })),
    fee: { amount: [{ denom: 'ulane', amount: '2500' }], gasLimit: 1_000_000n },
  })).finish();
  const signatures = keys.map((k, i) => {
    const sig = Uint8Array.from(secp256k1.ecdsaSign(signDocHash(body, auth, CHAIN, accountNumbers[i] as bigint), k.privkey).signature);
    if (junk.includes(i)) for (let b = 0; b < 32; b++) sig[b] = (sig[b] as number) ^ 0x5a;
    return sig;
  });
  return TxRaw.encode({ bodyBytes: body, authInfoBytes: auth, signatures }).finish();
}

test('a worker checking a CheckTx stops at the first signature that fails, and checks none of a tx signed for a sequence already used', { timeout: 60_000 }, async () => {
  const { close, pool, both } = await openWatchedPair({});
  try {
    const k = (i: number) => funded[i] as TestKey;
    const check = async (tx: Uint8Array) => (await pool.check(tx, CHAIN, DEFAULT_PARAMS)).keys.length;
    // Two signers, both signatures good: both verified there.
    assert.equal(await check(multiSigned([k(30), k(31)], [30n, 31n], [0n, 0n])), 2);
    // The first one junk: the second is not checked (it used to be, for nothing: the main thread refuses the tx at the first).
    assert.equal(await check(multiSigned([k(32), k(33)], [32n, 33n], [0n, 0n], [0])), 0);
    assert.equal(await check(multiSigned([k(32), k(33)], [32n, 33n], [0n, 0n], [1])), 1, 'a junk second signature: the first is verified');
    // k(34) commits a tx at sequence 0: a tx signed for sequence 0 again is refused whatever its
    // signatures, and the worker verifies none.
    assert.deepEqual((await both([buildTx(k(34), [send(k(34).address, everyone[46] as string, 'uatom', 1n)], { chainId: CHAIN, accountNumber: 34n, sequence: 0n })])).codes, [0]);
    assert.equal(await check(buildTx(k(34), [send(k(34).address, everyone[47] as string, 'uatom', 2n)], { chainId: CHAIN, accountNumber: 34n, sequence: 0n })), 0);
    assert.equal(await check(buildTx(k(34), [send(k(34).address, everyone[47] as string, 'uatom', 2n)], { chainId: CHAIN, accountNumber: 34n, sequence: 1n })), 1);
  } finally {
    await close();
  }
});
