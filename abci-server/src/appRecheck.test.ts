// The app's own recheck (LanesAppOptions.recheck 'app', what nodes Lanes sets up run, with
// CometBFT's mempool.recheck off): at Commit the app re-runs, on the new check state, every tx it
// admitted that the block did not hold, in the order admitted, as CometBFT's recheck would have.
// Run with both executors: admission is counted on the sequential path and on the worker path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { MsgSwapExactIn } from '@lanes/proto/lanes/amm/v1/tx';
import { CHECK_TX_MIN_TIMEOUT_BLOCKS, DEFAULT_PARAMS, buildTx, protoTxSize, testKey, type CheckTxStats, type TestKey } from '@lanes/app';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { InProcessChain, TEST_CHAIN_ID } from './inprocess.ts';
import { devnetGenesis, DEVNET_FUNDING } from './lanesApp.ts';

const alice = testKey('alice');
const bob = testKey('bob');
const carol = testKey('carol');
const NUMBERS = new Map([[alice, 0n], [bob, 1n], [carol, 2n]]);

function transfer(from: TestKey, amount: bigint, sequence: bigint, to = carol.address): Uint8Array {
  const value = MsgSend.encode({ fromAddress: from.address, toAddress: to, amount: [{ denom: 'uatom', amount: amount.toString() }] }).finish();
  return buildTx(from, [{ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value }], { chainId: TEST_CHAIN_ID, accountNumber: NUMBERS.get(from) ?? -1n, sequence, fee: 500n });
}

function swap(from: TestKey, atom: bigint, minUsdc: bigint, sequence: bigint): Uint8Array {
  const value = MsgSwapExactIn.encode(MsgSwapExactIn.fromPartial({
    sender: from.address, routes: [{ poolId: 1n, tokenOutDenom: 'uusdc' }], tokenIn: { denom: 'uatom', amount: atom.toString() }, minAmountOut: minUsdc.toString(),
  })).finish();
  return buildTx(from, [{ typeUrl: '/lanes.amm.v1.MsgSwapExactIn', value }], { chainId: TEST_CHAIN_ID, accountNumber: NUMBERS.get(from) ?? -1n, sequence, fee: 1000n, gasLimit: 400_000n });
}

async function withChain(executor: 'sequential' | 'parallel', mempoolSize: number, body: (c: InProcessChain, checks: CheckTxStats[]) => Promise<void>, pools = false): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-recheck-'));
  const checks: CheckTxStats[] = [];
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address, carol.address], { pools }), join(dir, 'state.db'), TEST_CHAIN_ID, {
    executor, workers: 1, mempoolSize, recheck: 'app', reapsByBytesOnly: true, onCheckTx: (s) => checks.push(s),
  });
  try {
    await c.app.ready();
    await c.blockAsync([]);
    await body(c, checks);
  } finally {
    await c.app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const answer = (r: { code: number; codespace: string }): string => `${r.codespace}/${r.code}`;

for (const executor of ['sequential', 'parallel'] as const) {
  test(`recheck by the app (${executor}): a tx the block left out is re-run at Commit, so its sender's next one is accepted; counted until a block holds it`, async () => {
    await withChain(executor, 3, async (c, checks) => {
      const [a0, a1, a2] = [0n, 1n, 2n].map((s) => transfer(alice, 10n + s, s)) as [Uint8Array, Uint8Array, Uint8Array];
      assert.equal(answer(await c.checkTxAsync(a0)), '/0');
      assert.equal(answer(await c.checkTxAsync(a1)), '/0');
      // The block holds a0 only (a1 came after the proposal). No RECHECK comes from CometBFT:
      // the app re-runs a1 itself, so the check state has alice at sequence 2.
      await c.blockAsync([a0]);
      const rechecks = checks.filter((s) => s.recheck);
      assert.deepEqual(rechecks.map((s) => s.code), [0], 'a1 rechecked once, and it stays');
      const next = await c.checkTxAsync(a2);
      assert.equal(answer(next), '/0', next.log);
      // The mempool holds a1 and a2: one slot of three is left.
      assert.equal(answer(await c.checkTxAsync(transfer(bob, 1n, 0n))), '/0');
      const full = await c.checkTxAsync(transfer(bob, 2n, 1n));
      assert.equal(answer(full), 'sdk/20');
      assert.match(full.log, /3 txs in the mempool and 0 being checked, of 3/);
      // A block holding them all empties the record: room for three again.
      const results = await c.blockAsync([a1, a2, transfer(bob, 1n, 0n)]);
      assert.deepEqual(results.map((r) => r.code), [0, 0, 0]);
      assert.equal(checks.filter((s) => s.recheck).length, 1, 'nothing left to recheck');
      for (const s of [1n, 2n, 3n]) assert.equal(answer(await c.checkTxAsync(transfer(bob, 5n, s))), '/0');
    });
  });
}

test('recheck by the app: a tx a block made invalid is stale; it still counts against the mempool until a block includes it, where it fails and pays nothing', async () => {
  await withChain('sequential', 2, async (c, checks) => {
    const a0 = transfer(alice, 1n, 0n);
    assert.equal(answer(await c.checkTxAsync(a0)), '/0');
    // Another node's proposal spends alice's sequence 0 with a tx this node never checked.
    const other = transfer(alice, 2n, 0n, bob.address);
    assert.deepEqual((await c.blockAsync([other])).map((r) => r.code), [0]);
    const last = checks.filter((s) => s.recheck).at(-1);
    assert.deepEqual([last?.codespace, last?.code], ['sdk', 32], 'the recheck found a0 invalid (sequence 0 is used)');
    // Stale, a0 is still in CometBFT's mempool (only a block takes it out): it takes one of two slots.
    assert.equal(answer(await c.checkTxAsync(transfer(alice, 3n, 1n))), '/0', 'the check state has alice at sequence 1, not 2');
    const full = await c.checkTxAsync(transfer(bob, 1n, 0n));
    assert.equal(answer(full), 'sdk/20', full.log);
    assert.match(full.log, /2 txs in the mempool and 0 being checked, of 2/);
    // A proposal includes it: it fails there (no fee: its sequence is gone) and leaves the count.
    const balance = c.balance(alice.address, 'ulane');
    const results = await c.blockAsync([a0, transfer(alice, 3n, 1n)]);
    assert.deepEqual(results.map((r) => `${r.codespace}/${r.code}`), ['sdk/32', '/0']);
    assert.equal(c.balance(alice.address, 'ulane'), balance - 500n, 'only the valid tx paid its fee');
    assert.equal(c.balance(carol.address, 'uatom'), DEVNET_FUNDING + 3n, 'a0 moved nothing');
    assert.equal(answer(await c.checkTxAsync(transfer(bob, 1n, 0n))), '/0');
    assert.equal(answer(await c.checkTxAsync(transfer(bob, 2n, 1n))), '/0');
  });
});

test('recheck by the app: a tx with a timeout height stays valid until it passes, however near: the margin a new tx must leave is CheckTx\'s alone', async () => {
  await withChain('sequential', 10, async (c, checks) => {
    const value = MsgSend.encode({ fromAddress: alice.address, toAddress: carol.address, amount: [{ denom: 'uatom', amount: '7' }] }).finish();
    const last = c.height + CHECK_TX_MIN_TIMEOUT_BLOCKS; // the least timeout height CheckTx takes
    const tx = buildTx(alice, [{ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value }], { chainId: TEST_CHAIN_ID, accountNumber: 0n, sequence: 0n, fee: 500n, timeoutHeight: last });
    assert.equal(answer(await c.checkTxAsync(tx)), '/0');
    // Blocks without it, until the next is its last: each recheck keeps it (not stale).
    while (c.height + 1n < last) await c.blockAsync([]);
    const rechecks = checks.filter((s) => s.recheck);
    assert.equal(rechecks.length, Number(CHECK_TX_MIN_TIMEOUT_BLOCKS) - 1);
    assert.ok(rechecks.every((s) => s.code === 0), `rechecks: ${rechecks.map((s) => `${s.codespace}/${s.code}`).join(' ')}`);
    const prepare = c.app.prepareProposal({
      maxTxBytes: 1n << 20n, txs: [tx], localLastCommit: { round: 0, votes: [] }, misbehavior: [], height: c.height + 1n, time: { seconds: 0n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array(),
    }).txs;
    assert.deepEqual(prepare, [tx]);
    assert.deepEqual((await c.blockAsync([tx])).map(answer), ['/0'], 'its last block takes it');
  });
});

test('recheck by the app: a proposal puts stale txs after the others, so they only fill room the valid txs leave', async () => {
  await withChain('sequential', 10, async (c) => {
    const a0 = transfer(alice, 1n, 0n);
    assert.equal(answer(await c.checkTxAsync(a0)), '/0');
    await c.blockAsync([transfer(alice, 2n, 0n, bob.address)]); // another node's tx takes sequence 0: a0 is stale
    const fresh = [transfer(alice, 3n, 1n), transfer(bob, 4n, 0n)];
    for (const tx of fresh) assert.equal(answer(await c.checkTxAsync(tx)), '/0');
    const prepare = (txs: Uint8Array[], maxTxBytes: bigint): Uint8Array[] => c.app.prepareProposal({
      maxTxBytes, txs, localLastCommit: { round: 0, votes: [] }, misbehavior: [], height: c.height + 1n, time: { seconds: 0n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array(),
    }).txs;
    // CometBFT reaps in its order, a0 first.
    const mempool = [a0, ...fresh];
    assert.deepEqual(prepare(mempool, 1n << 20n), [...fresh, a0], 'the stale tx last');
    const room = BigInt(fresh.reduce((n, t) => n + protoTxSize(t.length), 0)); // as CometBFT counts a tx's bytes
    assert.deepEqual(prepare(mempool, room), fresh, 'a block with room for two takes the two valid txs');
    // Included anyway once there is room: it fails, pays nothing, and leaves the mempool.
    const results = await c.blockAsync(prepare(mempool, 1n << 20n));
    assert.deepEqual(results.map(answer), ['/0', '/0', 'sdk/32']);
    assert.deepEqual(prepare(mempool, 1n << 20n), mempool, 'nothing stale any more: CometBFT\'s order kept');
  });
});

test('recheck by the app: a proposal takes the txs this node admitted in the order admitted, whatever order CometBFT\'s mempool holds them in', async () => {
  await withChain('parallel', 10, async (c) => {
    // Each CheckTx call out at once lands in CometBFT's mempool when its goroutine gets to it,
    // so alice's sequences 0, 1, 2 (sent with broadcast_tx_async, say) can be held in any order.
    const [a0, a1, a2] = [0n, 1n, 2n].map((s) => transfer(alice, 1n + s, s)) as [Uint8Array, Uint8Array, Uint8Array];
    const b0 = transfer(bob, 5n, 0n);
    for (const tx of [a0, b0, a1, a2]) assert.equal(answer(await c.checkTxAsync(tx)), '/0');
    const other = transfer(carol, 7n, 0n); // relayed by a peer whose CheckTx this app never answered
    const prepare = (txs: Uint8Array[]): Uint8Array[] => c.app.prepareProposal({
      maxTxBytes: 1n << 20n, txs, localLastCommit: { round: 0, votes: [] }, misbehavior: [], height: c.height + 1n, time: { seconds: 0n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array(),
    }).txs;
    assert.deepEqual(prepare([a0, other, b0, a1, a2]), [a0, other, b0, a1, a2], 'in order already: kept');
    const proposal = prepare([a2, other, b0, a0, a1]);
    assert.deepEqual(proposal, [a0, other, b0, a1, a2], 'admitted txs in the order admitted; the one it never saw keeps its place');
    // CometBFT hands over a1 and a2 but not a0 (further back in its mempool than the block's
    // room): they wait for a0's block; bob's and the tx this node never saw go ahead.
    assert.deepEqual(prepare([a2, other, b0, a1]), [b0, other], 'alice\'s later txs wait for her first; bob\'s takes the first admitted tx\'s place');
    const results = await c.blockAsync(proposal);
    assert.deepEqual(results.map(answer), ['/0', '/0', '/0', '/0', '/0'], results.map((r) => r.log).join(' | '));
  });
});

for (const executor of ['sequential', 'parallel'] as const) {
  test(`recheck by the app (${executor}): txs CometBFT no longer holds (an /unsafe_flush_mempool) are forgotten once a proposal gets the whole mempool, so their senders can send again`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanes-forget-'));
    const said: { forgotten?: number; msg: string }[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write(chunk, _enc, cb) { said.push(JSON.parse(String(chunk)) as { msg: string }); cb(); } }));
    const c = new InProcessChain(devnetGenesis([alice.address, bob.address, carol.address], { pools: false }), join(dir, 'state.db'), TEST_CHAIN_ID, {
      executor, workers: 1, mempoolSize: 10, mempoolMaxBytes: 4096, recheck: 'app', reapsByBytesOnly: true, logger,
    });
    const prepare = (txs: Uint8Array[], maxTxBytes = 1n << 20n): Uint8Array[] => c.app.prepareProposal({
      maxTxBytes, txs, localLastCommit: { round: 0, votes: [] }, misbehavior: [], height: c.height + 1n, time: { seconds: 0n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array(),
    }).txs;
    try {
      await c.app.ready();
      await c.blockAsync([]);
      const [a0, a1] = [0n, 1n].map((q) => transfer(alice, 1n + q, q)) as [Uint8Array, Uint8Array];
      const b0 = transfer(bob, 2n, 0n);
      const c0 = transfer(carol, 3n, 0n);
      for (const tx of [a0, a1, b0, c0]) assert.equal(answer(await c.checkTxAsync(tx)), '/0');
      // Another node's block takes carol's sequence 0: c0 is stale; a0, a1, b0 stay.
      await c.blockAsync([transfer(carol, 4n, 0n, alice.address)]);
      // Now /unsafe_flush_mempool: CometBFT holds none of them. alice signs her sequence 0 again;
      // the check state still has a0 and a1 in it.
      const again = transfer(alice, 9n, 0n);
      const refused = await c.checkTxAsync(again);
      assert.equal(answer(refused), 'sdk/32', refused.log);
      assert.match(refused.log, /expected 2, got 0/);
      // A tx admitted after the last Commit may land in CometBFT's mempool after a reap: never
      // forgotten for not being reaped.
      const b1 = transfer(bob, 5n, 1n);
      assert.equal(answer(await c.checkTxAsync(b1)), '/0');
      // A reap that may have stopped short (no room left for one more tx of the largest size)
      // proves nothing: nothing is forgotten, and a new block's recheck still refuses alice.
      // CometBFT counts a tx of n bytes as a field of Data: 1 + varint(n) + n, so the largest
      // (131,072 bytes) needs max_tx_bytes + 4.
      const maxTx = BigInt(DEFAULT_PARAMS.max_tx_bytes);
      assert.deepEqual(prepare([], maxTx + 3n), []);
      assert.equal(said.length, 0, JSON.stringify(said));
      // The whole mempool handed over (room for one more of the largest), holding none of them:
      // the four settled txs are forgotten, b1 is not.
      assert.deepEqual(prepare([], maxTx + 4n), []);
      assert.deepEqual(said.map((l) => l.forgotten), [4]);
      assert.match(said[0]?.msg ?? '', /left CometBFT's mempool without a block/);
      // What stays counted, until the Commit's recheck counts again: b1 alone, its bytes only
      // (the stale c0's went with it). A tx too large for the room left says so.
      const wide = buildTx(bob, Array.from({ length: 40 }, () => ({ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: MsgSend.encode({ fromAddress: bob.address, toAddress: carol.address, amount: [{ denom: 'uatom', amount: '1' }] }).finish() })), { chainId: TEST_CHAIN_ID, accountNumber: 1n, sequence: 2n, gasLimit: 2_000_000n });
      const refusedWide = await c.checkTxAsync(wide);
      assert.equal(answer(refusedWide), 'sdk/20', refusedWide.log);
      assert.match(refusedWide.log, new RegExp(`^${b1.length} bytes of txs in the mempool and 0 being checked; ${wide.length} more would pass its 4096`));
      // Another round's proposal, before the Commit: b1, admitted since the last Commit and not
      // reaped, is still not forgotten (the settled txs counted are gone).
      assert.deepEqual(prepare([], maxTx + 4n), []);
      assert.deepEqual(said.map((l) => l.forgotten), [4]);
      await c.blockAsync([]);
      const accepted = await c.checkTxAsync(again);
      assert.equal(answer(accepted), '/0', accepted.log);
      const results = await c.blockAsync(prepare([again]));
      assert.deepEqual(results.map(answer), ['/0']);
      assert.equal(c.balance(carol.address, 'uatom'), DEVNET_FUNDING - 4n + 9n, 'the tx sent again committed');
    } finally {
      await c.app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('recheck by the app: a tx whose Msg now fails stays, its fee and sequence taken as the block will take them', async () => {
  await withChain('sequential', 10, async (c, checks) => {
    // ATOM/USDC pool 1 at 10 USDC per ATOM: 1 ATOM in gives just under 9.97 USDC.
    const tight = swap(alice, 1_000_000n, 9_960_000n, 0n);
    const ok = await c.checkTxAsync(tight);
    assert.equal(answer(ok), '/0', ok.log);
    // Another node's proposal: bob sells 100 ATOM first, the price falls past alice's limit.
    assert.deepEqual((await c.blockAsync([swap(bob, 1_000_000_000n, 1n, 0n)])).map((r) => r.code), [0]);
    const last = checks.filter((s) => s.recheck).at(-1);
    assert.equal(last?.codespace, 'amm', 'the recheck ran the swap and it fails now');
    // CometBFT keeps the swap; its block will take alice's sequence 0 and fee. So here too: a
    // new tx at sequence 0 is refused, one at sequence 1 accepted.
    const again = await c.checkTxAsync(swap(alice, 1_000_000n, 1n, 0n));
    assert.equal(answer(again), 'sdk/32', again.log);
    assert.match(again.log, /expected 1, got 0/);
    const next = transfer(alice, 5n, 1n);
    assert.equal(answer(await c.checkTxAsync(next)), '/0');
    const fees = c.balance(alice.address, 'ulane');
    const results = await c.blockAsync([tight, next]);
    assert.deepEqual(results.map((r) => r.codespace === '' ? '/0' : r.codespace), ['amm', '/0'], results.map((r) => r.log).join(' | '));
    assert.equal(c.balance(alice.address, 'ulane'), fees - 1500n, 'both paid their fee');
  }, true);
});

for (const recheck of ['app', 'cometbft'] as const) {
  test(`mempoolMaxBytes (recheck by ${recheck}): a tx that would take the mempool past CometBFT's max_txs_bytes is refused, not accepted and dropped`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanes-bytes-'));
    const txs = [0n, 1n, 2n].map((s) => transfer(alice, 1n, s));
    const [s0, s1, s2] = txs.map((t) => t.length) as [number, number, number];
    // Room for two txs and a bit, not three; the count allows ten.
    const c = new InProcessChain(devnetGenesis([alice.address, bob.address, carol.address], { pools: false }), join(dir, 'state.db'), TEST_CHAIN_ID, {
      executor: 'parallel', workers: 1, mempoolSize: 10, mempoolMaxBytes: s0 + s1 + 10, recheck,
    });
    try {
      await c.app.ready();
      await c.blockAsync([]);
      // Sent at once: the two still being checked count as taken.
      const answers = await Promise.all(txs.map((t) => c.checkTxAsync(t)));
      assert.deepEqual(answers.map(answer), ['/0', '/0', 'sdk/20']);
      assert.match(answers[2]?.log ?? '', new RegExp(`0 bytes of txs in the mempool and ${s0 + s1} being checked; ${s2} more would pass its ${s0 + s1 + 10}`));
      // A block takes the first: room for one again (with CometBFT's recheck, once it has rechecked the second).
      await c.blockAsync([txs[0] as Uint8Array]);
      if (recheck === 'cometbft') assert.equal(answer(await c.checkTxAsync(txs[1] as Uint8Array, true)), '/0');
      assert.equal(answer(await c.checkTxAsync(txs[2] as Uint8Array)), '/0');
      assert.equal(answer(await c.checkTxAsync(transfer(alice, 1n, 3n))), 'sdk/20');
    } finally {
      await c.app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

for (const executor of ['sequential', 'parallel'] as const) {
  test(`mempoolMaxBytes with recheck by the app (${executor}): a stale tx's bytes still count against max_txs_bytes until a block includes it`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanes-bytes-'));
    const a0 = transfer(alice, 1n, 0n);
    const a1 = transfer(alice, 3n, 1n);
    const b0 = transfer(bob, 1n, 0n);
    // Room for two txs and a bit (these are all about as long), not three; the count allows ten.
    const max = a0.length + a1.length + 10;
    const c = new InProcessChain(devnetGenesis([alice.address, bob.address, carol.address], { pools: false }), join(dir, 'state.db'), TEST_CHAIN_ID, {
      executor, workers: 1, mempoolSize: 10, mempoolMaxBytes: max, recheck: 'app', reapsByBytesOnly: true,
    });
    try {
      await c.app.ready();
      await c.blockAsync([]);
      assert.equal(answer(await c.checkTxAsync(a0)), '/0');
      // Another node's proposal spends alice's sequence 0 with a tx this node never checked: the
      // recheck finds a0 stale, but CometBFT still holds it (only a block takes it out), bytes and all.
      assert.deepEqual((await c.blockAsync([transfer(alice, 2n, 0n, bob.address)])).map((r) => r.code), [0]);
      assert.equal(answer(await c.checkTxAsync(a1)), '/0');
      const full = await c.checkTxAsync(b0);
      assert.equal(answer(full), 'sdk/20', full.log);
      assert.match(full.log, new RegExp(`${a0.length + a1.length} bytes of txs in the mempool and 0 being checked; ${b0.length} more would pass its ${max}`));
      // Still so after a block that leaves both out: the recheck keeps a0 stale, its bytes counted.
      await c.blockAsync([]);
      assert.equal(answer(await c.checkTxAsync(b0)), 'sdk/20');
      // A block includes a0 (it fails there, paying nothing): its bytes are free again, for b0,
      // and a1 and b0 fill the mempool's bytes.
      assert.deepEqual((await c.blockAsync([a0])).map(answer), ['sdk/32']);
      assert.equal(answer(await c.checkTxAsync(b0)), '/0');
      assert.equal(answer(await c.checkTxAsync(transfer(bob, 1n, 1n))), 'sdk/20');
    } finally {
      await c.app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('CometBFT (re)connecting (Echo) means an empty mempool: the app forgets what it admitted, so those sequences can be sent again', async () => {
  await withChain('sequential', 2, async (c) => {
    const a0 = transfer(alice, 1n, 0n);
    assert.equal(answer(await c.checkTxAsync(a0)), '/0');
    assert.equal(answer(await c.checkTxAsync(transfer(alice, 1n, 1n))), '/0');
    assert.equal(answer(await c.checkTxAsync(transfer(bob, 1n, 0n))), 'sdk/20', 'two of two taken');
    c.app.clientConnected();
    // CometBFT restarted without them: alice's sequence 0 is free again, and both slots are.
    assert.equal(answer(await c.checkTxAsync(a0)), '/0');
    assert.equal(answer(await c.checkTxAsync(transfer(bob, 1n, 0n))), '/0');
    // After a block with a0, nothing stale or pending is left from before.
    await c.blockAsync([a0]);
    assert.equal(answer(await c.checkTxAsync(transfer(alice, 1n, 1n))), '/0');
  });
});

test('a CheckTx still on a worker when CometBFT (re)connects admits nothing: the new mempool never got the tx, so its sequence stays free', async () => {
  await withChain('parallel', 5, async (c) => {
    const a0 = transfer(alice, 1n, 0n);
    const inFlight = c.checkTxAsync(a0); // decoded and verified on the worker first
    c.app.clientConnected(); // meanwhile CometBFT restarted, its mempool empty
    const late = await inFlight;
    assert.equal(answer(late), 'sdk/20', late.log);
    assert.match(late.log, /CometBFT restarted while this tx was being checked; send it again/);
    // Sent again to the new CometBFT: accepted, and no ghost of the first call is rechecked.
    assert.equal(answer(await c.checkTxAsync(a0)), '/0');
    await c.blockAsync([]);
    await c.blockAsync([a0]);
    assert.equal(answer(await c.checkTxAsync(transfer(alice, 2n, 1n))), '/0');
    assert.equal(c.balance(carol.address, 'uatom'), DEVNET_FUNDING + 1n);
  });
});

test('recheck by CometBFT: a tx whose Msg now fails is refused, and leaves the check state as it was: CometBFT drops it, so its sender may send that sequence again', () => {
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address, carol.address]), ':memory:', TEST_CHAIN_ID, { mempoolSize: 10 });
  c.block([]);
  // ATOM/USDC pool 1 at 10 USDC per ATOM: 1 ATOM in gives just under 9.97 USDC.
  const tight = swap(alice, 1_000_000n, 9_960_000n, 0n);
  assert.equal(answer(c.checkTx(tight)), '/0');
  // Another node's proposal: bob sells 100 ATOM first, the price falls past alice's limit.
  assert.deepEqual(c.block([swap(bob, 1_000_000_000n, 1n, 0n)]).map(answer), ['/0']);
  const rechecked = c.checkTx(tight, true);
  assert.equal(answer(rechecked), 'amm/11', rechecked.log);
  assert.match(rechecked.log, /min_amount_out 9960000 not met/);
  const again = c.checkTx(swap(alice, 1_000_000n, 1n, 0n));
  assert.equal(answer(again), '/0', again.log);
});

test('mempoolMaxBytes: CometBFT refuses only a tx that would take its txs past max_txs_bytes, so txs that fill it exactly are accepted', () => {
  const a0 = transfer(alice, 1n, 0n);
  const a1 = transfer(alice, 2n, 1n);
  const b0 = transfer(bob, 1n, 0n);
  const max = a0.length + a1.length;
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address, carol.address], { pools: false }), ':memory:', TEST_CHAIN_ID, { mempoolSize: 10, mempoolMaxBytes: max });
  c.block([]);
  assert.equal(answer(c.checkTx(a0)), '/0');
  assert.equal(answer(c.checkTx(a1)), '/0', 'its bytes fill the mempool\'s exactly');
  const full = c.checkTx(b0);
  assert.equal(answer(full), 'sdk/20', full.log);
  assert.match(full.log, new RegExp(`${max} bytes of txs in the mempool and 0 being checked; ${b0.length} more would pass its ${max}`));
});

test('recheck by CometBFT (the default): the app keeps no record, and the check state starts over at Commit', async () => {
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address, carol.address], { pools: false }), ':memory:', TEST_CHAIN_ID, { mempoolSize: 3 });
  c.block([]);
  assert.equal(c.checkTx(transfer(alice, 1n, 0n)).code, 0);
  assert.equal(c.checkTx(transfer(alice, 1n, 1n)).code, 0);
  c.block([transfer(alice, 1n, 0n)]);
  // Until CometBFT's RECHECK of sequence 1 arrives, sequence 2 is out of turn.
  assert.equal(answer(c.checkTx(transfer(alice, 1n, 2n))), 'sdk/32');
  assert.equal(c.checkTx(transfer(alice, 1n, 1n), true).code, 0);
  assert.equal(c.checkTx(transfer(alice, 1n, 2n)).code, 0);
  // A client connecting (Echo) changes nothing here: the next Commit and CometBFT's recheck set
  // the check state right, and a tool of its own (the checktx benchmark) keeps what it sent.
  c.app.clientConnected();
  assert.equal(answer(c.checkTx(transfer(alice, 1n, 2n))), 'sdk/32', 'sequence 2 is still taken');
});
