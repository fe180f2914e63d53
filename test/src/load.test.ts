// The load generator (`lanes load`, `npm run bench -- e2e`) in short runs: against the node it
// starts itself, and against an existing node (--rpc) where it funds fresh accounts from test0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTable, runLoad, type LoadResult } from '@lanes/abci-server';
import { startTestNode } from './support/node.ts';

function assertClean(r: LoadResult): void {
  assert.ok(r.sent > 0, 'sent something');
  assert.equal(r.accepted, r.sent, `every tx accepted: ${JSON.stringify(r.rejected)}`);
  assert.ok(r.committed > 0, 'committed something');
  assert.equal(r.lost, 0, 'no accepted tx lost');
  assert.equal(r.failed_in_block, 0);
  assert.equal(r.committed, r.accepted);
  assert.ok(r.tps > 0 && r.seconds > 0, `tps ${r.tps} over ${r.seconds} s: expected both > 0`);
  assert.ok(r.p50_ms > 0 && r.p95_ms >= r.p50_ms, `latencies ${r.p50_ms} / ${r.p95_ms}`);
}

test('lanes load on its own node: ~5 s at a modest rate, every accepted tx committed', async () => {
  const lines: string[] = [];
  const r = await runLoad({ duration: 5, rate: 300, accounts: 100, concurrency: 32, blockTimeMs: 300, log: (l) => lines.push(l), progressEvery: 2 });
  assertClean(r);
  assert.equal(r.executor, 'parallel');
  assert.ok(r.sent >= 1000, `sent ${r.sent} at 300 tx/s for 5 s`);
  assert.ok(lines.some((l) => /sent \d+ +accepted \d+/.test(l)), 'progress lines');
  // Pre-signing says up front how many txs and why that many (the budget rule: presignBudget).
  assert.ok(lines.some((l) => /^pre-signing 1,600 txs \(100 accounts × 16; --rate × --duration \+ 5 %\)$/.test(l)), lines.join('\n'));
  // Each progress line says where the CPU of its own interval went, per tx accepted in it.
  assert.ok(lines.some((l) => /µs\/tx cometbft [1-9]\d* app [1-9]\d* load [1-9]\d* \(busy \d+ %\)/.test(l)), lines.join('\n'));
  // Where the CPU went (Linux /proc): each process used some per tx, the machine was not idle.
  assert.ok(r.cpu, 'CPU measured on its own node');
  assert.ok(r.cpu.cometbft_us_per_tx > 0 && r.cpu.app_us_per_tx > 0 && r.cpu.load_us_per_tx > 0, JSON.stringify(r.cpu));
  assert.ok(r.cpu.machine_busy_pct > 0 && r.cpu.machine_busy_pct <= 100, JSON.stringify(r.cpu));
  // A Node.js app and CometBFT each hold tens of MB at least; 0 would mean /proc was not read.
  assert.ok(r.cpu.app_peak_rss_mb > 20 && r.cpu.cometbft_peak_rss_mb > 10, JSON.stringify(r.cpu));
  assert.match(loadTable(r), /CPU per tx while sending +CometBFT [\d,]+ µs, app [\d,]+ µs, load generator [\d,]+ µs/);
  assert.match(loadTable(r), /peak memory \(resident\) +CometBFT [\d,]+ MB, app [\d,]+ MB/);
});

test('lanes load --rpc: funds fresh accounts from test0 on an existing node', async () => {
  const node = await startTestNode();
  try {
    // More accounts than one tx may fund (max_msgs_per_tx 64): funding takes several txs.
    const r = await runLoad({ rpc: node.rpcUrl, duration: 3, rate: 200, accounts: 150, concurrency: 16, log: () => {} });
    assertClean(r);
    assert.equal(r.executor, null);
    assert.equal(r.cpu, null, 'no CPU figures for a node it did not start (its processes are unknown)');
    await assert.rejects(runLoad({ rpc: 'http://10.0.0.1:26657', duration: 1, log: () => {} }), /only targets a local node/);
  } finally {
    await node.stop();
  }
});

test('lanes load --rpc needs block results or a tx index, not both; with neither it refuses before funding', async () => {
  const run = (node: { rpcUrl: string }, lines: string[]) => runLoad({ rpc: node.rpcUrl, duration: 2, rate: 100, accounts: 20, concurrency: 8, log: (l) => lines.push(l) });
  // Results discarded: fates from the tx index.
  const noResults = await startTestNode({ cometConfig: [['storage', 'discard_abci_responses', true]] });
  try {
    const lines: string[] = [];
    assertClean(await run(noResults, lines));
    assert.ok(lines.some((l) => /tx results come from its tx index/.test(l)), lines.join('\n'));
  } finally {
    await noResults.stop();
  }
  // No tx index: funding is awaited through balances, fates come from block results.
  const noIndex = await startTestNode({ cometConfig: [['tx_index', 'indexer', 'null']] });
  try {
    assertClean(await run(noIndex, []));
  } finally {
    await noIndex.stop();
  }
  const neither = await startTestNode({ cometConfig: [['storage', 'discard_abci_responses', true], ['tx_index', 'indexer', 'null']] });
  try {
    const lines: string[] = [];
    await assert.rejects(run(neither, lines), /keeps no block results \(storage\.discard_abci_responses = true\) and indexes no txs \(tx_index\.indexer = "null"\)/);
    assert.ok(!lines.some((l) => /funding|pre-sign/.test(l)), `refused before funding: ${lines.join(' | ')}`);
  } finally {
    await neither.stop();
  }
});

test('lanes load --rpc: a node that stops mid-run ends the run with one line saying so, not a stack', async () => {
  const node = await startTestNode();
  let stopping: Promise<void> | undefined;
  const lines: string[] = [];
  try {
    const run = runLoad({
      rpc: node.rpcUrl, duration: 30, rate: 100, accounts: 20, concurrency: 8, progressEvery: 1,
      log: (l) => {
        lines.push(l);
        if (!stopping && /sent [1-9]\d*/.test(l)) stopping = node.stop();
      },
    });
    await assert.rejects(run, (e: Error) => {
      assert.equal(e.name, 'UserError', e.stack);
      assert.match(e.message, /^the node at http:\/\/127\.0\.0\.1:\d+\/ stopped answering \d+ s into the run \(.*ECONNREFUSED.*\); \d+ txs sent, \d+ accepted before that$/);
      return true;
    });
    assert.ok(stopping, lines.join('\n'));
  } finally {
    await (stopping ?? node.stop());
  }
});
