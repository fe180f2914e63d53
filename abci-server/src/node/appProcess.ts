// `lanes app`: the app process. Opens the state database, serves ABCI over gRPC, and closes the
// database cleanly on SIGTERM/SIGINT or when the launcher that spawned it goes away.
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createLanesApp } from '../lanesApp.ts';
import { startAbciGrpcServer } from '../grpcServer.ts';
import { appSettingOverrides, describeExecutor, homeConsensusLimits, homeMempoolOptions, homePaths, isNodeProcess, isRunning, metricsUrl, readManifest, resetCommand, resolveAppSettings, UserError, type AppSettings } from './home.ts';
import { SECP256K1_IMPLEMENTATION, StateLayoutError, blocksKept } from '@lanes/app';
import { createLanesMetrics, startMetricsServer, type MetricsServer } from './metrics.ts';

export interface RunAppOptions extends Partial<AppSettings> {
  home: string;
  /** host:port, e.g. '127.0.0.1:26658'. */
  abci: string;
  logLevel?: string;
}

/**
 * createLanesApp; state in another layout, or a state.db SQLite cannot open or write, is the
 * operator's to resolve, said without a stack trace, naming the file. A layout change moves app
 * hashes, so one node cannot move alone: the chain starts over.
 */
function openApp(home: string, opts: Parameters<typeof createLanesApp>[0]): ReturnType<typeof createLanesApp> {
  // SQLite opens a file it may not write read-only, without a word, and fails at the first
  // Commit (in the middle of CometBFT's replay, say); so state this user cannot write is refused
  // here, naming the file.
  const p = homePaths(home);
  for (const file of [p.appDir, p.dbPath, `${p.dbPath}-wal`, `${p.dbPath}-shm`]) {
    try {
      accessSync(file, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EACCES';
      if (code === 'ENOENT') continue;
      throw new UserError(stateDbProblem(home, code, (err as Error).message.replace(/^E[A-Z]+: /, '').replace(/, access '[^']*'$/, ''), 0, file));
    }
  }
  try {
    return createLanesApp(opts);
  } catch (e) {
    if (e instanceof StateLayoutError) {
      throw new UserError(`${e.message}. Every node of a chain runs one layout, so the chain starts again from genesis on all of its nodes `
        + `(this node: stop it, then ${resetCommand(home)}; a local testnet: lanes testnet init --force), or run the build that wrote the state`);
    }
    const sqlite = sqliteCode(e);
    if (sqlite === undefined) throw e;
    throw new UserError(stateDbProblem(home, sqlite, (e as Error).message, opts.retention?.minRetainBlocks ?? 0));
  }
}

/** A better-sqlite3 SqliteError's code (`SQLITE_CORRUPT`, `SQLITE_READONLY_DBMOVED`, ...), else undefined. */
function sqliteCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && e.name === 'SqliteError' && typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * What an operator reads when SQLite refuses a home's state.db at start: the file, SQLite's code
 * and words, and what to do. A damaged file is rebuilt by deleting it: CometBFT's handshake then
 * finds the app at height 0 and replays every block it keeps into it (InitChain first), checking
 * each app hash against the one its blocks recorded; the app's state is all derived from the
 * blocks. That takes the blocks from height 1: a node that deleted older ones
 * (`minRetainBlocks` > 0) syncs again from its peers instead. `file`: the one refused, when not
 * state.db itself (its folder, its -wal).
 */
export function stateDbProblem(home: string, code: string, message: string, minRetainBlocks: number, file = homePaths(home).dbPath): string {
  const p = homePaths(home);
  const files = `${p.dbPath} and its -wal and -shm files`;
  const said = `(${code}: ${message})`;
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    const rebuild = minRetainBlocks > 0
      ? `This node deletes its old blocks (--min-retain-blocks ${minRetainBlocks}), so CometBFT cannot replay the chain into a new state: `
        + `stop the node, then sync it again from its peers with \`npm run lanes -- --home ${p.home} unsafe-reset\` (keeps its keys and config)`
      : `To rebuild it from CometBFT's blocks: stop the node, delete ${files}, and start it; CometBFT replays every block into the app `
        + '(it checks each app hash), which takes about as long as executing the whole chain again. If CometBFT no longer keeps every block from height 1, '
        + `that replay fails: then sync the node again from its peers (\`npm run lanes -- --home ${p.home} unsafe-reset\`)`;
    return `${p.dbPath} is damaged ${said}. ${rebuild}; a chain of your own with no other node starts over with ${resetCommand(home)}`;
  }
  if (code.startsWith('SQLITE_READONLY') || ['EACCES', 'EPERM', 'EROFS'].includes(code)) {
    return `${file} cannot be written ${said}: this user may not write it or its folder ${p.appDir} (SQLite writes its -wal and -shm files there), `
      + 'or the file system is read-only; give this user write access to both, or run the node as the user that owns them';
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return `${p.dbPath} cannot be opened ${said}: check that ${p.appDir} exists and that this user may read and write it`;
  }
  if (code.startsWith('SQLITE_FULL')) return `${p.dbPath} cannot grow ${said}: the disk is full; free some space and start the node again`;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return `${p.dbPath} is locked by another process ${said}: is another node (or a copy of its app) running on ${p.home}?`;
  }
  return `${p.dbPath}: SQLite failed ${said}`;
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
  if (metrics) metricsServer = await startMetricsServer(metrics.registry, settings.metricsPort, settings.metricsHost);
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
    metrics: metricsServer ? metricsUrl(settings.metricsHost, metricsServer.port) : 'off',
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
