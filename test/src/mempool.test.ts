// A full mempool over the real RPC. CometBFT checks for room before CheckTx and again when the
// answer comes back, and drops a tx that no longer fits although the client was told it was
// accepted. The app keeps CheckTx under `mempool.size` (read from config.toml) and answers
// sdk/20 "mempool is full" instead, so every tx a client was told was accepted is committed.
// Both ways of rechecking: by the app (mempool.recheck = false, what Lanes sets up) and by
// CometBFT (mempool.recheck = true, which an operator may choose).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BroadcastTxError } from '@cosmjs/stargate';
import { startTestNode, TEST_CHAIN_ID, waitFor } from './support/node.ts';
import { devnetWallet, msgSend, signRaw, signingClient } from './support/chain.ts';

const SIZE = 4;
const ACCOUNTS = 10;

for (const recheck of [false, true]) test(`${ACCOUNTS} txs at once into a ${SIZE}-tx mempool (mempool.recheck = ${recheck}): the rest are refused as "mempool is full", every accepted tx commits`, async () => {
  // Blocks 4 s apart: the burst arrives within one block's wait.
  const node = await startTestNode({ blockTimeMs: 4000, cometConfig: [['mempool', 'size', SIZE], ['mempool', 'recheck', recheck]] });
  const wallet = await devnetWallet(Array.from({ length: ACCOUNTS }, (_, i) => i));
  const client = await signingClient(node.rpcUrl, wallet);
  try {
    const addresses = (await wallet.getAccounts()).map((a) => a.address);
    const numbers = await Promise.all(addresses.map(async (a) => (await client.getAccount(a))?.accountNumber ?? -1));
    const txs = await Promise.all(addresses.map((from, k) => signRaw(wallet, from,
      [msgSend(from, addresses[(k + 1) % ACCOUNTS] as string, [{ denom: 'uatom', amount: '1' }])],
      { chainId: TEST_CHAIN_ID, accountNumber: numbers[k] as number, sequence: 0 })));
    // All at once, so that CheckTx calls overlap: then every one of them finds room in CometBFT's
    // mempool before CheckTx, and only the app's count can stop more than SIZE being accepted.
    const answers = await Promise.all(txs.map(async (tx) => {
      try {
        await client.broadcastTxSync(tx);
        return 'accepted';
      } catch (e) {
        return e instanceof BroadcastTxError ? `${e.codespace}/${e.code} ${e.log ?? ''}` : `rpc ${(e as Error).message}`;
      }
    }));
    const accepted = answers.map((a) => a === 'accepted');
    const refusals = answers.filter((a) => a !== 'accepted');
    assert.ok(accepted.filter(Boolean).length <= SIZE, answers.join('; '));
    assert.ok(refusals.length >= ACCOUNTS - SIZE, answers.join('; '));
    // The app's answer (sdk/20, while CheckTx calls are out) or CometBFT's own (once exactly full).
    for (const r of refusals) assert.match(r, /^(sdk\/20 .*mempool is full|rpc .*mempool is full)/i, r);
    // Nothing accepted is lost: an accepted tx's account reaches sequence 1, a refused one stays at 0.
    await waitFor(async () => {
      const seqs = await Promise.all(addresses.map(async (a) => (await client.getAccount(a))?.sequence ?? 0));
      return seqs.every((s, k) => s === (accepted[k] ? 1 : 0));
    }, 30_000, `sequences ${accepted.map((a) => (a ? 1 : 0)).join(',')} on chain`);
  } finally {
    client.disconnect();
    await node.stop();
  }
});

test('after /unsafe_flush_mempool the app lets the flushed txs go: their sender\'s sequence, sent again, is accepted and commits', { timeout: 120_000 }, async () => {
  // Blocks 2 s apart: the tx goes in and is flushed well inside one block's wait.
  const node = await startTestNode({ blockTimeMs: 2000, cometConfig: [['rpc', 'unsafe', true]] });
  const wallet = await devnetWallet([4, 5]);
  const client = await signingClient(node.rpcUrl, wallet);
  const rpc = async (path: string): Promise<Record<string, unknown>> => ((await (await fetch(`${node.rpcUrl}/${path}`)).json()) as { result: Record<string, unknown> }).result;
  const height = async (): Promise<number> => Number(((await rpc('status'))['sync_info'] as { latest_block_height: string }).latest_block_height);
  try {
    const [from, to] = (await wallet.getAccounts()).map((a) => a.address) as [string, string];
    const accountNumber = Number((await client.getAccount(from))?.accountNumber ?? -1);
    const sign = (amount: string) => signRaw(wallet, from, [msgSend(from, to, [{ denom: 'uatom', amount }])], { chainId: TEST_CHAIN_ID, accountNumber, sequence: 0 });
    const [flushed, again] = [await sign('1'), await sign('2')];
    // Just after a block, so that the next proposal is ~2 s away.
    const h = await height();
    await waitFor(async () => (await height()) > h, 10_000, 'a new block');
    await client.broadcastTxSync(flushed);
    await rpc('unsafe_flush_mempool');
    assert.equal((await rpc('num_unconfirmed_txs'))['total'], '0', 'CometBFT flushed it');
    // The app still held it for a block or two (it is refused as out of sequence meanwhile);
    // once this node proposes with the whole mempool in hand, it lets it go.
    const deadline = Date.now() + 20_000;
    let last = '';
    await waitFor(async () => {
      if (last.startsWith('sdk/32') && Date.now() > deadline) assert.fail(`the sequence sent again is still refused: ${last}`);
      try {
        await client.broadcastTxSync(again);
        return true;
      } catch (e) {
        if (!(e instanceof BroadcastTxError)) throw e;
        last = `${e.codespace}/${e.code} ${e.log ?? ''}`;
        assert.match(last, /^sdk\/32 /, 'refused only for its sequence');
        return false;
      }
    }, 30_000, 'the sequence sent again to be accepted');
    await waitFor(async () => (await client.getAccount(from))?.sequence === 1, 20_000, 'the tx sent again to commit');
    assert.equal((await client.getBalance(to, 'uatom')).amount, String(10n ** 12n + 2n), 'the second tx, not the flushed one');
  } finally {
    client.disconnect();
    await node.stop();
  }
});
