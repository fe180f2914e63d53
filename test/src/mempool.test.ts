// A full mempool over the real RPC. CometBFT drops a tx it finds no room for after the app
// accepted it; the app keeps CheckTx under `mempool.size` (read from config.toml) and answers
// sdk/20 instead, so every tx a client was told was accepted is committed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BroadcastTxError } from '@cosmjs/stargate';
import { startTestNode, TEST_CHAIN_ID, waitFor } from './support/node.ts';
import { devnetWallet, msgSend, signRaw, signingClient } from './support/chain.ts';

const SIZE = 12;
const ACCOUNTS = 10;
const PER_ACCOUNT = 4;

test(`${ACCOUNTS * PER_ACCOUNT} txs at once into a ${SIZE}-tx mempool: refusals say "mempool is full", every accepted tx commits`, async () => {
  // Blocks 4 s apart: the txs all arrive within one block's wait.
  const node = await startTestNode({ blockTimeMs: 4000, cometConfig: [['mempool', 'size', SIZE]] });
  const wallet = await devnetWallet(Array.from({ length: ACCOUNTS }, (_, i) => i));
  const client = await signingClient(node.rpcUrl, wallet);
  try {
    const addresses = (await wallet.getAccounts()).map((a) => a.address);
    const numbers = await Promise.all(addresses.map(async (a) => (await client.getAccount(a))?.accountNumber ?? -1));
    const signed = await Promise.all(addresses.map((from, k) => Promise.all(Array.from({ length: PER_ACCOUNT }, (_, seq) =>
      signRaw(wallet, from, [msgSend(from, addresses[(k + 1) % ACCOUNTS] as string, [{ denom: 'uatom', amount: '1' }])],
        { chainId: TEST_CHAIN_ID, accountNumber: numbers[k] as number, sequence: seq })))));
    const accepted = new Array<number>(ACCOUNTS).fill(0);
    const refusals: string[] = [];
    // Each account sends in sequence order and stops at its first refusal (later sequences could only fail).
    await Promise.all(signed.map(async (txs, k) => {
      for (const tx of txs) {
        try {
          await client.broadcastTxSync(tx);
          accepted[k] = (accepted[k] as number) + 1;
        } catch (e) {
          if (e instanceof BroadcastTxError) refusals.push(`${e.codespace}/${e.code} ${e.log ?? ''}`);
          else refusals.push(`rpc ${(e as Error).message}`);
          return;
        }
      }
    }));
    const total = accepted.reduce((a, b) => a + b, 0);
    assert.ok(refusals.length > 0, `${total} accepted, nothing refused`);
    // The app's answer (sdk/20, while CheckTx calls are out) or CometBFT's own (once exactly full).
    for (const r of refusals) assert.match(r, /^(sdk\/20 .*mempool is full|rpc .*mempool is full)/i, r);
    assert.ok(refusals.some((r) => r.startsWith('sdk/20 ')), `the app refused none itself: ${refusals.join('; ')}`);
    // Nothing accepted is lost: each account's sequence reaches what it had accepted.
    await waitFor(async () => {
      const seqs = await Promise.all(addresses.map(async (a) => (await client.getAccount(a))?.sequence ?? 0));
      return seqs.every((s, k) => s === accepted[k]);
    }, 30_000, `sequences ${accepted.join(',')} on chain`);
  } finally {
    client.disconnect();
    await node.stop();
  }
});
