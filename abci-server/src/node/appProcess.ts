// `lanes app`: the app process. Opens the state database, serves ABCI over gRPC, and closes the
// database cleanly on SIGTERM/SIGINT or when the launcher that spawned it goes away.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createLanesApp } from '../lanesApp.ts';
import { startAbciGrpcServer } from '../grpcServer.ts';
import { appSettingOverrides, describeExecutor, homeConsensusLimits, homeMempoolOptions, homePaths, isNodeProcess, isRunning, readManifest, resetCommand, resolveAppSettings, UserError, type AppSettings } from './home.ts';
import { SECP256K1_IMPLEMENTATION, StateLayoutError, blocksKept } from '@lanes/app';
import { createLanesMetrics, startMetricsServer, type MetricsServer } from './metrics.ts';

export interface RunAppOptions extends Partial<AppSettings> {
  home: string;
  /** host:port, e.g. '127.0.0.1:26658'. */
  abci: string;
  logLevel?: string;
}

/**
 * createLanesApp; state in another layout is the operator's to resolve, said without a stack
 * trace. A layout change moves app hashes, so one node cannot move alone: the chain starts over.
 */
function openApp(home: string, opts: Parameters<typeof createLanesApp>[0]): ReturnType<typeof createLanesApp> {
  try {
    return createLanesApp(opts);
  } catch (e) {
    if (!(e instanceof StateLayoutError)) throw e;
    throw new UserError(`${e.message}. Every node of a chain runs one layout, so the chain starts again from genesis on all of its nodes `
      + `(this node: stop it, then ${resetCommand(home)}; a local testnet: lanes testnet init --force), or run the build that wrote the state`);
  }
}

export async function runApp(opts: RunAppOptions): Promise<void> {
  const p = homePaths(opts.home);
  const logger = pino({ level: opts.logLevel ?? 'info', base: { pid: process.pid } });
  // Command line > lanes.json > defaults (executor parallel, workers = CPU count - 1, metrics 26670,
  // state cache 1,000,000 keys).
  const settings = resolveAppSettings(readManifest(p.home), appSettingOverrides(opts), p.manifest);
  mkdirSync(p.appDir, { recursive: true });
  const metrics = settings.metricsPort > 0 ? createLanesMetrics() : undefined;
  // Spawned by the launcher: it hears of the blocks the app runs (at most one a second), so that
  // a start that replays a long chain into the app, before CometBFT serves RPC, counts as progress.
  let reported = 0;
  const reportBlock = (height: bigint): void => {
    const now = Date.now();
    if (!process.send || !process.connected || now - reported < 1000) return;
    reported = now;
    process.send({ type: 'lanes-app-block', height: Number(height) });
  };
  let metricsServer: MetricsServer | undefined;
  if (metrics) metricsServer = await startMetricsServer(metrics.registry, settings.metricsPort);
  // CheckTx stays under CometBFT's mempool limits, which then never drops a tx it accepted; and
  // the app rechecks the mempool itself unless CometBFT does (mempool.recheck).
  const { warnings, ...mempool } = homeMempoolOptions(p.home);
  const limits = homeConsensusLimits(p.home);
  const retention = { minRetainBlocks: settings.minRetainBlocks, evidenceMaxAgeBlocks: limits.evidenceMaxAgeBlocks };
  const kept = blocksKept(retention);
  const app = openApp(p.home, {
    dbPath: p.dbPath,
    logger,
    executor: settings.executor,
    workers: settings.workers,
    stateCacheKeys: settings.stateCacheKeys,
    retention,
    reapsByBytesOnly: limits.blockMaxGas === -1,
    ...mempool,
    onBlock: (s) => {
      metrics?.onBlock(s);
      reportBlock(s.height);
    },
    ...(metrics && { onCheckTx: metrics.onCheckTx, onProposal: metrics.onProposal }),
  });
  logger.info({
    executor: settings.executor,
    ...(settings.executor === 'parallel' && { workers: settings.workers }),
    metrics: metricsServer ? `http://127.0.0.1:${metricsServer.port}/metrics` : 'off',
    stateCacheKeys: settings.stateCacheKeys,
    blocks: kept === undefined ? 'every block kept (--min-retain-blocks 0)'
      : `the latest ${kept.toLocaleString('en-US')} kept, older ones deleted (--min-retain-blocks ${settings.minRetainBlocks}, `
        + `evidence.max_age_num_blocks ${retention.evidenceMaxAgeBlocks})`,
    mempoolSize: mempool.mempoolSize ?? 'not limited',
    mempoolMaxBytes: mempool.mempoolMaxBytes ?? 'not limited',
    recheck: mempool.recheck === 'app' ? 'by the app, at Commit (mempool.recheck = false)' : 'by CometBFT (mempool.recheck = true)',
    secp256k1: SECP256K1_IMPLEMENTATION,
  }, `executor: ${describeExecutor(settings)}`);
  for (const w of warnings) logger.warn(w);
  if (SECP256K1_IMPLEMENTATION !== 'native') {
    logger.warn('secp256k1: the native binding did not load (no prebuilt binary for this platform, and none was built): signatures are checked in JavaScript, '
      + 'with the same results, several times slower; install a C++ toolchain and run npm rebuild secp256k1');
  }
  let server;
  try {
    await app.ready(); // execution workers up before CometBFT connects
    server = await startAbciGrpcServer(app, { address: opts.abci, logger });
  } catch (err) {
    await app.close();
    await metricsServer?.close();
    throw err;
  }

  let closing = false;
  const shutdown = (why: string, stopCometbft = false) => {
    if (closing) return;
    closing = true;
    logger.info({ why }, 'app shutting down');
    // In-flight calls (a Commit) finish before the database closes.
    void (stopCometbft ? stopOrphanedCometbft(p.cometPid, p.home) : Promise.resolve()).then(() => server.close()).then(async () => {
      await metricsServer?.close();
      await app.close();
      logger.info('app stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (process.send) {
    // Spawned by the launcher: tell it we listen, and leave with it.
    // CometBFT would hang (it ignores SIGTERM while an ABCI call is pending), so it goes first.
    process.on('disconnect', () => shutdown('launcher went away', true));
    process.send({ type: 'lanes-app-ready', port: server.port, executor: settings.executor, workers: settings.workers, metricsPort: metricsServer?.port ?? 0 });
    process.channel?.unref();
  }
}

/** SIGTERM the CometBFT our dead launcher started, wait up to 10 s, then SIGKILL. */
async function stopOrphanedCometbft(pidFile: string, home: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1 || !isNodeProcess(pid, home)) return; // never another process that got its pid
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isRunning(pid); i++) await sleep(100);
  if (isRunning(pid)) process.kill(pid, 'SIGKILL');
}
