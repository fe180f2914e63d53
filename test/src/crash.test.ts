// kill -9 the app under a stream of txs; the launcher restarts it, CometBFT's handshake replays
// what the app lost; every tx the chain reports committed is reflected in balances, and supply
// is conserved.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { BroadcastTxError, StargateClient, QueryClient, setupBankExtension } from '@cosmjs/stargate';
import { connectComet } from '@cosmjs/tendermint-rpc';
import type { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { startTestNode, waitFor, TEST_CHAIN_ID, type TestNode } from './support/node.ts';
import { devnetWallet, msgSend, signRaw } from './support/chain.ts';
import { cometbftGoMaxProcs } from '@lanes/abci-server';

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

test('kill -9 of the app under load loses no committed tx and conserves supply', async () => {
  const client = await StargateClient.connect(node.rpcUrl);
  const accepted: string[] = [];
  let stop = false;
  let killedAt = 0;

  async function sender(idx: number): Promise<void> {
    const addr = senders[idx] as string;
    let seq: number | undefined;
    while (!stop) {
      try {
        if (seq === undefined) seq = (await client.getSequence(addr)).sequence;
        const tx = await signRaw(wallet, addr, [msgSend(addr, sink, [{ denom: 'uusdc', amount: AMOUNT.toString() }])], {
          chainId: TEST_CHAIN_ID, accountNumber: idx, sequence: Number(seq), gas: GAS, fee: [{ denom: 'ulane', amount: FEE.toString() }],
        });
        const hash = await client.broadcastTxSync(tx);
        accepted.push(hash);
        seq = Number(seq) + 1;
      } catch (e) {
        // Node down or mempool lost our pending txs in the restart: resync the sequence.
        if (!(e instanceof BroadcastTxError)) await new Promise((r) => setTimeout(r, 100));
        seq = undefined;
        await client.disconnect();
        try {
          Object.assign(client, await StargateClient.connect(node.rpcUrl));
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  }

  const supplyBefore = await supplies(node.rpcUrl);
  const streams = [0, 1, 2].map((i) => sender(i));
  await waitFor(() => accepted.length >= 30, 30_000, '30 accepted txs');
  const pid = node.handle.appPid;
  assert.ok(pid, 'app pid known');
  process.kill(pid, 'SIGKILL');
  killedAt = accepted.length;
  await waitFor(() => node.handle.restarts >= 1 && node.handle.appPid !== pid, 30_000, 'app restart');
  await waitFor(() => accepted.length >= killedAt + 30, 60_000, '30 more accepted txs after the restart');
  stop = true;
  await Promise.all(streams);
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

test('CometBFT runs with the launcher\'s GOMAXPROCS, the restarted one too', { skip: process.platform !== 'linux' && 'reads the environment from /proc' }, () => {
  const pid = node.handle.cometbftPid;
  assert.ok(pid !== undefined && firstCometPid !== undefined && pid !== firstCometPid, `CometBFT was restarted (pid ${firstCometPid} -> ${pid})`);
  const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
  const set = env.find((e) => e.startsWith('GOMAXPROCS='))?.slice('GOMAXPROCS='.length);
  // 1 on this project's 2-CPU machines; Go's default (unset) on larger ones, unless the test runs with GOMAXPROCS.
  assert.equal(set, cometbftGoMaxProcs(process.env, availableParallelism()));
});

async function supplies(rpc: string): Promise<Record<string, string>> {
  const comet = await connectComet(rpc);
  const q = QueryClient.withExtensions(comet, setupBankExtension);
  const out: Record<string, string> = {};
  for (const d of ['uatom', 'ueth', 'ulane', 'uusdc', 'uusdt']) out[d] = (await q.bank.supplyOf(d)).amount;
  comet.disconnect();
  return out;
}
