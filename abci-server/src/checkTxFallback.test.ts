// CheckTx with execution workers: when the worker pool fails, CheckTx still answers, from the
// main thread, with the same results and the same check state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { buildTx, testKey } from '@lanes/app';
import { InProcessChain, TEST_CHAIN_ID } from './inprocess.ts';
import { devnetGenesis } from './lanesApp.ts';

const alice = testKey('alice');
const bob = testKey('bob');
const send = (amount: bigint) => ({
  typeUrl: '/cosmos.bank.v1beta1.MsgSend',
  value: MsgSend.encode({ fromAddress: alice.address, toAddress: bob.address, amount: [{ denom: 'uatom', amount: amount.toString() }] }).finish(),
});

/** A parallel chain of alice and bob past genesis, logging errors into `lines`; `close` removes it. */
async function openChain(workers: number, lines: string[]): Promise<{ c: InProcessChain; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-fallback-'));
  const logger = pino({ level: 'error' }, { write: (s: string) => lines.push(s) });
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address], { pools: false }), join(dir, 'state.db'), TEST_CHAIN_ID, { executor: 'parallel', workers, logger });
  const close = async () => {
    await c.app.close();
    rmSync(dir, { recursive: true, force: true });
  };
  await c.app.ready();
  await c.blockAsync([]);
  return { c, close };
}

test('a dead execution worker does not fail CheckTx: the main thread checks, in order, and says so in the log', async () => {
  const lines: string[] = [];
  const { c, close } = await openChain(1, lines);
  try {
    const tx = (sequence: bigint, o: { accountNumber?: bigint } = {}) => buildTx(alice, [send(5n)], { chainId: TEST_CHAIN_ID, accountNumber: o.accountNumber ?? 0n, sequence });
    // Through the worker.
    assert.equal((await c.checkTxAsync(tx(0n))).code, 0);

    const pool = c.app.parallel as unknown as { workers: { worker: Worker }[] };
    await pool.workers[0]?.worker.terminate();

    // Same answers as before the failure: the next sequence passes, a wrong signature (signed
    // for another account number) and a replayed sequence fail with their usual codes.
    const next = await c.checkTxAsync(tx(1n));
    assert.equal(next.code, 0, next.log);
    const badSig = await c.checkTxAsync(tx(2n, { accountNumber: 7n }));
    assert.equal(`${badSig.codespace}/${badSig.code}`, 'sdk/4');
    assert.match(badSig.log, /signature verification failed/);
    const replay = await c.checkTxAsync(tx(1n));
    assert.equal(`${replay.codespace}/${replay.code}`, 'sdk/32');
    assert.match(replay.log, /expected 2, got 1/);
    // Logged once, not once per CheckTx: the dead worker fails every batch after.
    assert.equal(lines.filter((l) => l.includes('checking on the main thread')).length, 1, `logged: ${lines.join('')}`);
  } finally {
    await close();
  }
});

test('with two workers, one dead: CheckTx batches go to the live one', async () => {
  const lines: string[] = [];
  const { c, close } = await openChain(2, lines);
  try {
    const pool = c.app.parallel as unknown as { workers: { worker: Worker; alive: boolean }[] };
    const dead = pool.workers[0] as { worker: Worker; alive: boolean };
    const exited = new Promise<void>((resolve) => dead.worker.once('exit', () => resolve()));
    await dead.worker.terminate();
    await exited;
    assert.equal(dead.alive, false);
    for (let s = 0n; s < 4n; s++) {
      const r = await c.checkTxAsync(buildTx(alice, [send(5n)], { chainId: TEST_CHAIN_ID, accountNumber: 0n, sequence: s }));
      assert.equal(r.code, 0, r.log);
    }
    assert.equal(lines.filter((l) => l.includes('checking on the main thread')).length, 0, `logged: ${lines.join('')}`);
  } finally {
    await close();
  }
});

test('with mempoolSize, CheckTx calls still out count as taken: of three sent at once into room for two, the third is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-admit-'));
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address], { pools: false }), join(dir, 'state.db'), TEST_CHAIN_ID, { executor: 'parallel', workers: 1, mempoolSize: 2 });
  try {
    await c.app.ready();
    await c.blockAsync([]);
    const tx = (sequence: bigint) => buildTx(alice, [send(5n)], { chainId: TEST_CHAIN_ID, accountNumber: 0n, sequence });
    const answers = await Promise.all([c.checkTxAsync(tx(0n)), c.checkTxAsync(tx(1n)), c.checkTxAsync(tx(2n))]);
    assert.deepEqual(answers.map((a) => `${a.codespace}/${a.code}`), ['/0', '/0', 'sdk/20']);
    assert.match(answers[2]?.log ?? '', /0 txs in the mempool and 2 being checked, of 2/);
    // Once answered they are admitted: still no room.
    assert.equal((await c.checkTxAsync(tx(2n))).code, 20);
  } finally {
    await c.app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('close() resolves once the execution workers have exited, then closes the state database', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-close-'));
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address], { pools: false }), join(dir, 'state.db'), TEST_CHAIN_ID, { executor: 'parallel', workers: 2 });
  try {
    await c.app.ready();
    await c.blockAsync([]);
    const workers = (c.app.parallel as unknown as { workers: { worker: Worker }[] }).workers.map((w) => w.worker);
    assert.equal(workers.length, 2);
    const exited = workers.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));
    let done = 0;
    for (const e of exited) void e.then(() => done++);
    await c.app.close();
    assert.equal(done, 2, 'both workers exited before close() resolved');
    assert.ok(workers.every((w) => w.threadId === -1), `worker threadIds ${workers.map((w) => w.threadId).join(', ')}: expected all -1 (exited)`);
    // A key the cache has not seen goes to SQLite, which is closed now.
    assert.throws(() => c.balance(testKey('never-seen').address, 'uatom'), /database connection is not open/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
