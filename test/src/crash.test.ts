// kill -9 the app under a stream of txs; the launcher restarts it, CometBFT's handshake replays
// what the app lost; every tx the chain reports committed is reflected in balances, and supply
// is conserved. Then kill -9 CometBFT alone: its mempool is lost, the app's record of it must go
// too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { BroadcastTxError, StargateClient, QueryClient, setupBankExtension } from '@cosmjs/stargate';
import { connectComet } from '@cosmjs/tendermint-rpc';
import type { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { startTestNode, waitFor, TEST_CHAIN_ID, type TestNode } from './support/node.ts';
import { devnetWallet, msgSend, signRaw } from './support/chain.ts';
import { cometbftGoMaxProcs, homeMempoolOptions } from '@lanes/abci-server';

let node: TestNode;
let wallet: DirectSecp256k1HdWallet;
let senders: string[];
let sink: string;
let firstCometPid: number | undefined;

before(async () => {
  node = await startTestNode({ blockTimeMs: 200 });
  firstCometPid = node.handle.cometbftPid;
  wallet = await devnetWallet([0, 1, 2, 3]);
  const addrs = (await wallet.getAccounts()).map((a) => a.address);
  senders = addrs.slice(0, 3);
  sink = addrs[3] as string;
});

after(async () => {
  await node?.stop();
});

const AMOUNT = 1000n;
const GAS = 100_000;
const FEE = 250n; // ceil(100000 * 0.0025)

/**
 * Three senders, each sending its next sequence as soon as the last was accepted, until stopped;
 * after any error (node down, a pending tx lost in a restart) a sender reads its sequence from
 * the chain again. `accepted[i]`: hashes sender i was told were accepted.
 */
function startSending(): { accepted: string[][]; stop(): Promise<void> } {
  const accepted: string[][] = [[], [], []];
  let stopped = false;
  async function sender(idx: number): Promise<void> {
    const addr = senders[idx] as string;
    let client = await StargateClient.connect(node.rpcUrl);
    let seq: number | undefined;
    while (!stopped) {
      try {
        if (seq === undefined) seq = (await client.getSequence(addr)).sequence;
        const tx = await signRaw(wallet, addr, [msgSend(addr, sink, [{ denom: 'uusdc', amount: AMOUNT.toString() }])], {
          chainId: TEST_CHAIN_ID, accountNumber: idx, sequence: Number(seq), gas: GAS, fee: [{ denom: 'ulane', amount: FEE.toString() }],
        });
        accepted[idx]?.push(await client.broadcastTxSync(tx));
        seq = Number(seq) + 1;
      } catch (e) {
        if (!(e instanceof BroadcastTxError)) await new Promise((r) => setTimeout(r, 100));
        seq = undefined;
        client.disconnect();
        try {
          client = await StargateClient.connect(node.rpcUrl);
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
    client.disconnect();
  }
  const streams = [0, 1, 2].map((i) => sender(i));
  return {
    accepted,
    stop: async () => {
      stopped = true;
      await Promise.all(streams);
    },
  };
}

const count = (a: string[][]): number => a.reduce((n, s) => n + s.length, 0);

test('kill -9 of the app under load loses no committed tx and conserves supply', async () => {
  const client = await StargateClient.connect(node.rpcUrl);
  const supplyBefore = await supplies(node.rpcUrl);
  const sending = startSending();
  await waitFor(() => count(sending.accepted) >= 30, 30_000, '30 accepted txs');
  const pid = node.handle.appPid;
  assert.ok(pid, 'app pid known');
  process.kill(pid, 'SIGKILL');
  const killedAt = count(sending.accepted);
  await waitFor(() => node.handle.restarts >= 1 && node.handle.appPid !== pid, 30_000, 'app restart');
  await waitFor(() => count(sending.accepted) >= killedAt + 30, 60_000, '30 more accepted txs after the restart');
  await sending.stop();
  const accepted = sending.accepted.flat();
  // Let the mempool drain.
  const h = await client.getHeight();
  await waitFor(async () => (await client.getHeight()) >= h + 5, 30_000, 'five more blocks');

  const ro = await StargateClient.connect(node.rpcUrl);
  // What the chain reports committed: every successful tx from each sender, found by event.
  const perSender = new Map<string, bigint>();
  const committedHashes = new Set<string>();
  for (const s of senders) {
    const txs = await ro.searchTx(`transfer.sender='${s}' AND transfer.recipient='${sink}'`);
    const ok = txs.filter((t) => t.code === 0);
    for (const t of ok) committedHashes.add(t.hash);
    perSender.set(s, BigInt(ok.length));
  }
  // Every accepted tx the chain knows as committed is among them.
  let committedAccepted = 0;
  for (const hash of accepted) {
    const tx = await ro.getTx(hash);
    if (tx?.code === 0) {
      committedAccepted++;
      assert.ok(committedHashes.has(hash), `committed tx ${hash} found by search`);
    }
  }
  assert.ok(committedAccepted >= 40, `committed ${committedAccepted} of ${accepted.length} accepted`);
  const initial = 10n ** 12n;
  let total = 0n;
  for (const s of senders) {
    const n = perSender.get(s) ?? 0n;
    total += n;
    assert.equal(BigInt((await ro.getBalance(s, 'uusdc')).amount), initial - n * AMOUNT, `uusdc of ${s} after ${n} committed sends`);
    assert.equal(BigInt((await ro.getBalance(s, 'ulane')).amount), initial - n * FEE, `ulane of ${s}`);
  }
  assert.equal(BigInt((await ro.getBalance(sink, 'uusdc')).amount), initial + total * AMOUNT);
  assert.deepEqual(await supplies(node.rpcUrl), supplyBefore);
  ro.disconnect();
  client.disconnect();
});

test('kill -9 of CometBFT with txs waiting in its mempool: it restarts alone, and those txs can be sent again', async () => {
  // Blocks 3 s apart: txs sent right after a block wait in the mempool, in no proposal yet, and a
  // kill loses them. The app lives on. It must forget what it had admitted (it learns of the
  // restart from CometBFT's Echo): else their sequences stay taken in its check state, and their
  // senders are refused ("account sequence mismatch") for as long as the app runs.
  const slow = await startTestNode({ blockTimeMs: 3000 });
  let client = await StargateClient.connect(slow.rpcUrl);
  const send = async (idx: number, sequence: number): Promise<string> => client.broadcastTxSync(await signRaw(wallet, senders[idx] as string,
    [msgSend(senders[idx] as string, sink, [{ denom: 'uusdc', amount: AMOUNT.toString() }])],
    { chainId: TEST_CHAIN_ID, accountNumber: idx, sequence, gas: GAS, fee: [{ denom: 'ulane', amount: FEE.toString() }] }));
  try {
    const h = await client.getHeight();
    await waitFor(async () => (await client.getHeight()) > h, 10_000, 'a new block');
    // Sequence 0 and 1 of each of two senders, into the mempool; then CometBFT dies.
    for (const idx of [0, 1]) for (const seq of [0, 1]) await send(idx, seq);
    const appPid = slow.handle.appPid;
    const cometPid = slow.handle.cometbftPid;
    assert.ok(cometPid, 'CometBFT pid known');
    process.kill(cometPid, 'SIGKILL');
    await waitFor(() => slow.handle.cometbftPid !== undefined && slow.handle.cometbftPid !== cometPid, 30_000, 'CometBFT restart');
    assert.equal(slow.handle.appPid, appPid, 'the app was not restarted');
    client.disconnect();
    let fresh: StargateClient | undefined;
    await waitFor(async () => (fresh = await StargateClient.connect(slow.rpcUrl).catch(() => undefined)) !== undefined, 30_000, 'RPC back');
    client = fresh as StargateClient;
    // The txs were lost (nothing committed them), and the same sequences go through again.
    for (const idx of [0, 1]) assert.equal((await client.getSequence(senders[idx] as string)).sequence, 0, `sender ${idx}'s txs were lost`);
    const again = [await send(0, 0), await send(0, 1), await send(1, 0)];
    await waitFor(async () => (await Promise.all(again.map((x) => client.getTx(x)))).every((t) => t?.code === 0), 30_000, 'the txs sent again committed');
  } finally {
    client.disconnect();
    await slow.stop();
  }
});

test('CometBFT runs with the launcher\'s GOMAXPROCS, the restarted one too', { skip: process.platform !== 'linux' && 'reads the environment from /proc' }, () => {
  const pid = node.handle.cometbftPid;
  assert.ok(pid !== undefined && firstCometPid !== undefined && pid !== firstCometPid, `CometBFT was restarted (pid ${firstCometPid} -> ${pid})`);
  const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
  const set = env.find((e) => e.startsWith('GOMAXPROCS='))?.slice('GOMAXPROCS='.length);
  // By the rule for this node's config: the app rechecks, so Go's default (unset) unless the
  // test runs with GOMAXPROCS.
  const { recheck } = homeMempoolOptions(node.home);
  assert.equal(recheck, 'app');
  assert.equal(set, cometbftGoMaxProcs(process.env, availableParallelism(), recheck));
});

async function supplies(rpc: string): Promise<Record<string, string>> {
  const comet = await connectComet(rpc);
  const q = QueryClient.withExtensions(comet, setupBankExtension);
  const out: Record<string, string> = {};
  for (const d of ['uatom', 'ueth', 'ulane', 'uusdc', 'uusdt']) out[d] = (await q.bank.supplyOf(d)).amount;
  comet.disconnect();
  return out;
}
