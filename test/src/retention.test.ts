// Block retention on a real node: with --min-retain-blocks, Commit's retain_height lets CometBFT
// delete old blocks, never more than the genesis's evidence age allows; the node restarts on the
// pruned store and goes on.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { StargateClient } from '@cosmjs/stargate';
import { startNode } from '@lanes/abci-server';
import { startTestNode, waitFor, type TestNode } from './support/node.ts';
import { devnetWallet, signingClient } from './support/chain.ts';

const EVIDENCE_AGE = 6;
const MIN_RETAIN = 3; // below the evidence age, so the evidence age is what holds

interface SyncInfo { latest_block_height: string; earliest_block_height: string }

async function syncInfo(rpc: string): Promise<{ latest: number; earliest: number }> {
  const r = (await (await fetch(`${rpc}/status`)).json()) as { result: { sync_info: SyncInfo } };
  return { latest: Number(r.result.sync_info.latest_block_height), earliest: Number(r.result.sync_info.earliest_block_height) };
}

let node: TestNode | undefined;
let home: string | undefined;
after(async () => {
  await node?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('--min-retain-blocks: CometBFT deletes blocks older than the larger of it and the evidence age, and the node restarts on what is left', { timeout: 180_000 }, async () => {
  node = await startTestNode({
    blockTimeMs: 100,
    keepHome: true,
    minRetainBlocks: MIN_RETAIN,
    genesis: (g) => {
      const cp = g['consensus_params'] as { evidence: Record<string, string> };
      cp.evidence['max_age_num_blocks'] = String(EVIDENCE_AGE);
    },
  });
  home = node.home;
  const rpc = node.rpcUrl;
  // A tx in a block that will be deleted: the tx index keeps it.
  const wallet = await devnetWallet([0, 1]);
  const [from, to] = (await wallet.getAccounts()).map((a) => a.address) as [string, string];
  const signer = await signingClient(rpc, wallet);
  const sent = await signer.sendTokens(from, to, [{ denom: 'uusdc', amount: '7' }], 'auto');
  assert.equal(sent.code, 0, sent.rawLog);
  signer.disconnect();
  await waitFor(async () => (await syncInfo(rpc)).latest >= sent.height + EVIDENCE_AGE + 4, 60_000, `height ${sent.height + EVIDENCE_AGE + 4}`);
  const { latest, earliest } = await syncInfo(rpc);
  // Pruned at every Commit down to its height minus the evidence age; the status may be read
  // between a Commit and the next one's pruning.
  assert.ok(earliest > 1, `blocks were deleted (earliest ${earliest}, latest ${latest})`);
  assert.ok(latest - earliest >= EVIDENCE_AGE, `at least the evidence age kept: earliest ${earliest}, latest ${latest}`);
  assert.ok(latest - earliest <= EVIDENCE_AGE + 2, `no more than it and a block or two in flight: earliest ${earliest}, latest ${latest}`);
  const gone = (await (await fetch(`${rpc}/block?height=1`)).json()) as { error?: { data?: string } };
  assert.match(gone.error?.data ?? '', /height 1 is not available, lowest height is \d+/);
  // The lowest block /status reports is served. Blocks come every 100 ms and each Commit prunes
  // one more, so the lowest can move between the two calls: read both again then, a few times.
  const lowestServed = async (): Promise<[string | undefined, number]> => {
    const low = (await syncInfo(rpc)).earliest;
    const kept = (await (await fetch(`${rpc}/block?height=${low}`)).json()) as { result?: { block: { header: { height: string } } } };
    return [kept.result?.block.header.height, low];
  };
  let served = await lowestServed();
  for (let i = 0; i < 4 && served[0] === undefined; i++) served = await lowestServed();
  assert.equal(served[0], String(served[1]), 'the lowest block /status names is served');
  assert.ok(sent.height < earliest, `the tx's block ${sent.height} was deleted (earliest ${earliest})`);
  const client = await StargateClient.connect(rpc);
  const found = await client.getTx(sent.transactionHash);
  client.disconnect();
  assert.deepEqual([found?.height, found?.code], [sent.height, 0], 'CosmJS still finds the tx of a deleted block');

  // The same home again: the handshake finds app and store at the same height, and blocks go on.
  const { ports } = node.handle;
  await node.stop();
  node = undefined;
  const handle = await startNode({
    home, metricsPort: 0, logger: pino({ level: 'warn' }), output: null, cometbftLogLevel: '*:error', appLogLevel: 'warn',
    readyTimeoutMs: 60_000, minRetainBlocks: MIN_RETAIN,
  });
  try {
    const again = handle.rpcUrl;
    assert.equal(handle.ports.rpc, ports.rpc);
    await waitFor(async () => (await syncInfo(again)).latest >= latest + 10, 60_000, `height ${latest + 10} after the restart`);
    const s = await syncInfo(again);
    assert.ok(s.earliest > earliest && s.latest - s.earliest <= EVIDENCE_AGE + 2, `pruning goes on after the restart: ${JSON.stringify(s)}`);
  } finally {
    await handle.stop();
  }
});
