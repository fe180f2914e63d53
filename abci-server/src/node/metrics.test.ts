// The metrics follow what the app reports: every field of a block's, a proposal's and a CheckTx's
// stats lands in its series (the real-node test sees them move; here each is pinned).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlockStats } from '@lanes/app';
import { connect, type Socket } from 'node:net';
import { createLanesMetrics, startMetricsServer } from './metrics.ts';

async function values(m: ReturnType<typeof createLanesMetrics>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await m.registry.metrics()).split('\n')) {
    if (line === '' || line.startsWith('#') || !line.startsWith('lanes_')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

const block = (over: Partial<BlockStats>): BlockStats => ({
  height: 5n, txs: 40, executor: 'parallel', groups: 7, largestGroup: 12, workerTxs: 25, workerDecodes: 0, fallback: false, workerFailed: false,
  workersAlive: 1, workersReplaced: 0, stateCacheKeys: 900, trimmed: 0, execMs: 30, prepareMs: 4, txsMs: 20, finishMs: 6, ...over,
});

test('block stats: fallbacks, worker failures and replacements, trimmed results counted; the last block\'s shape kept', async () => {
  const m = createLanesMetrics();
  m.onBlock(block({}));
  m.onBlock(block({ fallback: true, workerFailed: true, workersAlive: 0, trimmed: 3, groups: 0, largestGroup: 0, workerTxs: 0 }));
  m.onBlock(block({ executor: 'sequential', fallback: true, workersReplaced: 1, txs: 2, execMs: 2500, prepareMs: 10, txsMs: 2400, finishMs: 90 }));
  const v = await values(m);
  assert.equal(v.get('lanes_sequential_fallbacks_total'), 2);
  assert.equal(v.get('lanes_execution_worker_failures_total'), 1);
  assert.equal(v.get('lanes_execution_worker_replacements_total'), 1);
  assert.equal(v.get('lanes_results_trimmed_total'), 3);
  assert.equal(v.get('lanes_block_executor_parallel'), 0, 'the last block ran sequentially');
  assert.equal(v.get('lanes_block_conflict_groups'), 7);
  assert.equal(v.get('lanes_block_largest_group'), 12);
  assert.equal(v.get('lanes_block_worker_txs'), 25);
  assert.equal(v.get('lanes_execution_workers_alive'), 1);
  assert.equal(v.get('lanes_state_cache_keys'), 900);
  assert.equal(v.get('lanes_block_exec_seconds_count'), 3);
  assert.equal(v.get('lanes_block_exec_seconds_bucket{le="0.05"}'), 2, '30 ms twice, 2.5 s once');
  assert.equal(v.get('lanes_block_exec_seconds_sum'), 2.56);
  assert.equal(v.get('lanes_block_txs_sum'), 82);
  assert.equal(v.get('lanes_block_phase_seconds_count{phase="prepare"}'), 3);
  const near = (k: string, want: number): void => assert.ok(Math.abs((v.get(k) ?? NaN) - want) < 1e-9, `${k} ${v.get(k)}, expected ${want}`);
  near('lanes_block_phase_seconds_sum{phase="prepare"}', 0.018);
  near('lanes_block_phase_seconds_sum{phase="txs"}', 2.44);
  assert.equal(v.get('lanes_block_phase_seconds_bucket{le="0.025",phase="txs"}'), 2, '20 ms twice, 2.4 s once');
  near('lanes_block_phase_seconds_sum{phase="finish"}', 0.102);
});

test('CheckTx stats: new txs and rechecks timed apart; a new tx refused is a rejection, a recheck\'s failure an eviction', async () => {
  const m = createLanesMetrics();
  m.onCheckTx({ ms: 2, code: 0, codespace: '', recheck: false });
  m.onCheckTx({ ms: 3, code: 32, codespace: 'sdk', recheck: false });
  m.onCheckTx({ ms: 1, code: 5, codespace: 'sdk', recheck: true });
  m.onCheckTx({ ms: 1, code: 0, codespace: '', recheck: true });
  m.onProposal({ txs: 10, deferred: 4 });
  m.onProposal({ txs: 10, deferred: 0 });
  const v = await values(m);
  assert.equal(v.get('lanes_checktx_seconds_count{type="new"}'), 2);
  assert.equal(v.get('lanes_checktx_seconds_count{type="recheck"}'), 2);
  assert.equal(v.get('lanes_mempool_rejections_total{codespace="sdk",code="32"}'), 1);
  assert.equal(v.get('lanes_mempool_recheck_evictions_total{codespace="sdk",code="5"}'), 1);
  assert.equal([...v.keys()].filter((k) => k.startsWith('lanes_mempool_rejections_total')).length, 1, 'an accepted tx is no rejection');
  assert.equal(v.get('lanes_proposal_txs_deferred_total'), 4);
});

test('the metrics server holds at most 64 connections: one more is closed at once, and a scrape still answers once others go', { timeout: 20_000 }, async () => {
  const m = createLanesMetrics();
  const server = await startMetricsServer(m.registry, 0);
  const sockets: Socket[] = [];
  try {
    const open = () => new Promise<Socket>((resolve, reject) => {
      const s = connect(server.port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    for (let i = 0; i < 64; i++) sockets.push(await open());
    const extra = await open();
    const closed = await new Promise<boolean>((resolve) => {
      extra.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 5_000).unref();
    });
    assert.ok(closed, 'the 65th connection is closed by the server');
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /lanes_/);
  } finally {
    for (const s of sockets) s.destroy();
    await server.close();
  }
});

test('the metrics server listens on the host it is given: an address this machine does not have is refused, naming it', async () => {
  const m = createLanesMetrics();
  const server = await startMetricsServer(m.registry, 0, '127.0.0.1');
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /lanes_block_exec_seconds/);
  } finally {
    await server.close();
  }
  // 192.0.2.1 (TEST-NET-1, RFC 5737) is no machine's own address.
  await assert.rejects(startMetricsServer(m.registry, 0, '192.0.2.1'), (e) => e instanceof Error
    && e.message === 'metrics host 192.0.2.1 (--metrics-host) is not an address of this machine: give one of its addresses, 0.0.0.0 for every interface, or 127.0.0.1');
});
