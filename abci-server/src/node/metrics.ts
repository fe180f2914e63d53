// Prometheus metrics of the app process (prom-client), served on http://127.0.0.1:<port>/metrics
// (default port 26670, `--metrics-port`, lanes.json `metricsPort`; 0 disables). Fed by the app's
// onBlock/onCheckTx hooks; names are documented in the README ("Metrics").
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BlockStats, CheckTxStats, ProposalStats } from '@lanes/app';
import { metricsHostProblem } from './home.ts';

export interface LanesMetrics {
  readonly registry: Registry;
  onBlock(stats: BlockStats): void;
  onCheckTx(stats: CheckTxStats): void;
  onProposal(stats: ProposalStats): void;
}

/** A registry with the Lanes metrics and prom-client's default process metrics. */
export function createLanesMetrics(): LanesMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const blockExec = new Histogram({
    name: 'lanes_block_exec_seconds',
    help: 'FinalizeBlock execution time (decode, execute, fold, end-block, app hash)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const blockPhase = new Histogram({
    name: 'lanes_block_phase_seconds',
    help: 'FinalizeBlock by phase: prepare (begin-block, decodes, planning; one thread), txs (running the txs, on every execution thread in a parallel block), finish (end-block, results, change set and app hash; one thread)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    labelNames: ['phase'] as const,
    registers,
  });
  const blockTxs = new Histogram({
    name: 'lanes_block_txs',
    help: 'Transactions per block',
    buckets: [0, 1, 10, 100, 500, 1000, 2500, 5000, 10000, 20000],
    registers,
  });
  const groups = new Gauge({ name: 'lanes_block_conflict_groups', help: 'Conflict groups of the last block (0: not scheduled in parallel)', registers });
  const largest = new Gauge({ name: 'lanes_block_largest_group', help: 'Txs in the largest conflict group of the last block', registers });
  const workerTxs = new Gauge({ name: 'lanes_block_worker_txs', help: 'Txs of the last block that ran on execution workers (the rest ran on the main thread)', registers });
  const parallel = new Gauge({ name: 'lanes_block_executor_parallel', help: '1 when the last block ran on the parallel executor, 0 when it ran sequentially', registers });
  const fallbacks = new Counter({
    name: 'lanes_sequential_fallbacks_total',
    help: 'Blocks re-executed sequentially: a tx touched a partition it did not declare, or an execution worker failed during the block',
    registers,
  });
  const workerFailures = new Counter({
    name: 'lanes_execution_worker_failures_total',
    help: 'Blocks during which an execution worker exited, answered with an error or hung (the block re-ran sequentially; the worker is replaced at the next Commit)',
    registers,
  });
  const workerReplacements = new Counter({
    name: 'lanes_execution_worker_replacements_total',
    help: 'Failed execution workers replaced (at a Commit; a worker that fails again is replaced no sooner than 100 blocks later)',
    registers,
  });
  const workersAlive = new Gauge({
    name: 'lanes_execution_workers_alive',
    help: 'Execution workers running after the last block (0 with the sequential executor); fewer than configured means one failed and is not replaced yet (the main thread runs its share meanwhile)',
    registers,
  });
  const stateCache = new Gauge({
    name: 'lanes_state_cache_keys',
    help: 'Keys in the main thread\'s committed-state read cache after the last block (at most --state-cache-keys; each execution worker keeps one like it)',
    registers,
  });
  const trimmed = new Counter({
    name: 'lanes_results_trimmed_total',
    help: 'Tx results whose events were left out so that a block\'s results fit CometBFT\'s 4 MiB gRPC limit (indexers miss those events)',
    registers,
  });
  const deferred = new Counter({
    name: 'lanes_proposal_txs_deferred_total',
    help: 'Txs a proposal built here left in the mempool so that the block\'s results fit CometBFT\'s 4 MiB gRPC limit',
    registers,
  });
  const checkTx = new Histogram({
    name: 'lanes_checktx_seconds',
    help: 'CheckTx latency (new txs and rechecks), including waiting for a signature batch',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    labelNames: ['type'] as const,
    registers,
  });
  const rejections = new Counter({
    name: 'lanes_mempool_rejections_total',
    help: 'New txs rejected by CheckTx (code != 0), by codespace and code',
    labelNames: ['codespace', 'code'] as const,
    registers,
  });
  const evictions = new Counter({
    name: 'lanes_mempool_recheck_evictions_total',
    help: 'Mempool txs dropped by a recheck after a block (code != 0), by codespace and code',
    labelNames: ['codespace', 'code'] as const,
    registers,
  });

  return {
    registry,
    onBlock(s) {
      blockExec.observe(s.execMs / 1000);
      blockPhase.observe({ phase: 'prepare' }, s.prepareMs / 1000);
      blockPhase.observe({ phase: 'txs' }, s.txsMs / 1000);
      blockPhase.observe({ phase: 'finish' }, s.finishMs / 1000);
      blockTxs.observe(s.txs);
      groups.set(s.groups);
      largest.set(s.largestGroup);
      workerTxs.set(s.workerTxs);
      parallel.set(s.executor === 'parallel' ? 1 : 0);
      if (s.fallback) fallbacks.inc();
      if (s.workerFailed) workerFailures.inc();
      if (s.workersReplaced > 0) workerReplacements.inc(s.workersReplaced);
      workersAlive.set(s.workersAlive);
      stateCache.set(s.stateCacheKeys);
      if (s.trimmed > 0) trimmed.inc(s.trimmed);
    },
    onProposal(s) {
      if (s.deferred > 0) deferred.inc(s.deferred);
    },
    onCheckTx(s) {
      checkTx.observe({ type: s.recheck ? 'recheck' : 'new' }, s.ms / 1000);
      if (s.code !== 0) (s.recheck ? evictions : rejections).inc({ codespace: s.codespace, code: String(s.code) });
    },
  };
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves GET /metrics on host:port (0 picks a free port). */
export async function startMetricsServer(registry: Registry, port: number, host = '127.0.0.1'): Promise<MetricsServer> {
  // Timeouts are checked every second (Node's default, 30 s, would let 10 s run to 40).
  const server: Server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(path === '/metrics' ? 405 : 404, { 'content-type': 'text/plain' }).end('GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`),
    );
  });
  server.keepAliveTimeout = 5000;
  // A scraper asks once every few seconds: a connection that sends no full request in 10 s, or a
  // 65th at once, is some other program's, and is not kept waiting for.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  server.maxConnections = 64;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const hostProblem = metricsHostProblem(host, err.code);
      reject(err.code === 'EADDRINUSE' ? new Error(`metrics port ${port} is already in use on ${host} (set --metrics-port, or 0 to disable)`)
        : hostProblem !== undefined ? new Error(hostProblem) : err);
    });
    server.listen(port, host, () => resolve());
  });
  server.unref();
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
