// The app's Prometheus endpoint on a real node: block, CheckTx and rejection metrics move.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { SigningStargateClient, GasPrice, coins } from '@cosmjs/stargate';
import { makeCosmoshubPath } from '@cosmjs/amino';
import { TEST_MNEMONIC } from '@lanes/client';
import { startTestNode, waitFor, type TestNode } from './support/node.ts';

let node: TestNode;
let client: SigningStargateClient;
let a0: string;
let a1: string;

before(async () => {
  node = await startTestNode();
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(TEST_MNEMONIC, { prefix: 'lanes', hdPaths: [0, 1].map((i) => makeCosmoshubPath(i)) });
  [a0, a1] = (await wallet.getAccounts()).map((a) => a.address) as [string, string];
  client = await SigningStargateClient.connectWithSigner(node.rpcUrl, wallet, { gasPrice: GasPrice.fromString('0.0025ulane'), broadcastPollIntervalMs: 300 });
});

after(async () => {
  client?.disconnect();
  await node?.stop();
});

/** `name{labels} value` lines of the exposition format -> value by series. */
async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(node.metricsUrl);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

async function broadcastRaw(tx: Uint8Array): Promise<{ code: number; codespace: string }> {
  const res = await fetch(node.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'broadcast_tx_sync', params: { tx: Buffer.from(tx).toString('base64') } }),
  });
  const body = (await res.json()) as { result: { code: number; codespace: string } };
  return body.result;
}

test('the node serves /metrics on its metrics port, on 127.0.0.1 only', async () => {
  assert.match(node.metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  const m = await scrape();
  assert.ok(m.has('process_cpu_user_seconds_total'), 'default process metrics');
  assert.ok(m.has('nodejs_heap_size_used_bytes'), 'default nodejs metrics');
  assert.ok((m.get('lanes_block_exec_seconds_count') ?? 0) > 0, 'blocks were executed');
  assert.equal((await fetch(node.metricsUrl.replace('/metrics', '/nope'))).status, 404);
});

test('txs, CheckTx latency and rejections by codespace/code are counted', async () => {
  const before = await scrape();
  for (let i = 0; i < 3; i++) {
    const r = await client.sendTokens(a0, a1, coins(1000 + i, 'uatom'), { amount: coins(500, 'ulane'), gas: '200000' });
    assert.equal(r.code, 0, r.rawLog);
  }
  const garbage = await broadcastRaw(new Uint8Array([1, 2, 3, 4]));
  assert.deepEqual([garbage.codespace, garbage.code], ['sdk', 2]);

  let m = before;
  await waitFor(async () => {
    m = await scrape();
    return (m.get('lanes_block_txs_sum') ?? 0) >= (before.get('lanes_block_txs_sum') ?? 0) + 3;
  }, 10_000, 'lanes_block_txs_sum to count the three txs');
  assert.ok((m.get('lanes_block_txs_count') ?? 0) > 0, `lanes_block_txs_count ${m.get('lanes_block_txs_count')}, expected > 0`);
  assert.ok((m.get('lanes_block_exec_seconds_count') ?? 0) > (before.get('lanes_block_exec_seconds_count') ?? 0), `lanes_block_exec_seconds_count ${before.get('lanes_block_exec_seconds_count')} -> ${m.get('lanes_block_exec_seconds_count')}, expected it to grow`);
  assert.ok((m.get('lanes_block_exec_seconds_sum') ?? 0) > 0, `lanes_block_exec_seconds_sum ${m.get('lanes_block_exec_seconds_sum')}, expected > 0`);
  for (const phase of ['prepare', 'txs', 'finish']) {
    const count = `lanes_block_phase_seconds_count{phase="${phase}"}`;
    assert.equal(m.get(count), m.get('lanes_block_exec_seconds_count'), `${count}: one per block`);
  }
  assert.ok((m.get('lanes_block_phase_seconds_sum{phase="txs"}') ?? 0) > 0, 'blocks with txs spent time running them');
  assert.ok((m.get('lanes_checktx_seconds_count{type="new"}') ?? 0) >= 4, 'three accepted txs and one rejected');
  assert.equal(m.get('lanes_mempool_rejections_total{codespace="sdk",code="2"}'), 1);
  assert.equal(m.get('lanes_sequential_fallbacks_total'), 0);
  assert.equal(m.get('lanes_execution_worker_failures_total'), 0);
  assert.equal(m.get('lanes_execution_worker_replacements_total'), 0);
  assert.ok((m.get('lanes_execution_workers_alive') ?? 0) >= 1, 'the parallel executor\'s workers are running');
  assert.ok((m.get('lanes_state_cache_keys') ?? 0) > 0, 'committed state is read through the cache');
  assert.equal(m.get('lanes_results_trimmed_total'), 0);
  assert.equal(m.get('lanes_proposal_txs_deferred_total'), 0);
  assert.ok(m.has('lanes_block_conflict_groups'), 'lanes_block_conflict_groups is exported');
  assert.ok(m.has('lanes_block_largest_group'), 'lanes_block_largest_group is exported');
  assert.ok(m.has('lanes_block_worker_txs'), 'lanes_block_worker_txs is exported');
  assert.ok([0, 1].includes(m.get('lanes_block_executor_parallel') ?? -1), `lanes_block_executor_parallel ${m.get('lanes_block_executor_parallel')}, expected 0 or 1`);
});
