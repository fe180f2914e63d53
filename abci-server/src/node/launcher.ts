// Runs a node: the app (a child Node process serving ABCI over gRPC) and CometBFT, supervised.
//
// Order matters both ways: CometBFT handshakes with the app on start, so the app must be
// listening first; on shutdown CometBFT stops first, so the app never sees a half-sent block.
// If either dies unexpectedly both are brought back (the app first); CometBFT replays whatever
// the app lost. Children run in their own process groups, so a terminal's Ctrl-C reaches only
// the launcher, which then stops them in order. If the launcher itself dies, the app sees its
// IPC channel close, stops CometBFT (pid in <home>/cometbft.pid), then exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { NodePorts } from './config.ts';
import { REPO_ROOT, UserError, appSettingOverrides, assertDistinctPorts, assertHomeWritable, assertNotRunning, homePorts, homeWriteError, cometbftBinary, cometbftGoMaxProcs, homeMempoolOptions, homePaths, metricsHostProblem, metricsUrl, readManifest, resolveAppSettings, type AppSettings } from './home.ts';

export interface StartNodeOptions extends Partial<AppSettings> {
  // executor, workers, metricsPort, metricsHost, stateCacheKeys, minRetainBlocks: default lanes.json's, else parallel, CPU count - 1,
  // 26670 (0: off), 127.0.0.1, 1,000,000, 0 (keep every block).
  /** The node's ports are its lanes.json's, checked against its config.toml (see homePorts). */
  home: string;
  logger: Logger;
  /** Called once, when the RPC answers /status with a committed block. */
  onReady?: (info: { rpcUrl: string; height: number }) => void;
  /** Where the children's lines go, prefixed `[app] ` / `[cometbft] `. Default stdout; null drops them. */
  output?: NodeJS.WritableStream | null;
  /** Overrides config.toml's log_level for this run, e.g. '*:error'. */
  cometbftLogLevel?: string;
  /** The app's pino level (default 'info'). */
  appLogLevel?: string;
  /**
   * How long the start may go without progress before it fails (default 60 s): progress is the
   * app running a block (CometBFT replaying the chain into it, before it serves RPC) or the
   * RPC's height moving. With several genesis validators, once CometBFT answers it waits for
   * the others as long as it takes.
   */
  readyTimeoutMs?: number;
  /** Aborting it gives up a start still waiting (the node stops, startNode rejects with the reason). */
  signal?: AbortSignal;
  /** Restarts allowed within a minute before the supervisor gives up (default 5). */
  maxRestartsPerMinute?: number;
  /**
   * The app's entry point, run as `node --import tsx <appEntry> --home H app --abci ADDR
   * --log-level L --executor E --workers N --metrics-port P --metrics-host H`; it must send `{ type: 'lanes-app-ready' }` over IPC once listening.
   * Default: this package's cli.ts. Tests may substitute a stub app.
   */
  appEntry?: string;
}

export interface NodeHandle {
  rpcUrl: string;
  ports: NodePorts;
  /** What the app runs with (command line > lanes.json > defaults). */
  settings: AppSettings;
  /** `http://127.0.0.1:<port>/metrics`, or undefined when metrics are off. */
  metricsUrl: string | undefined;
  /** Pids of the current children (they change on restart; also in <home>/app.pid, cometbft.pid). */
  readonly appPid: number | undefined;
  readonly cometbftPid: number | undefined;
  /** How many times the supervisor restarted a child. */
  readonly restarts: number;
  /** The GOMAXPROCS CometBFT runs with (see cometbftGoMaxProcs), or undefined for Go's default. */
  cometbftGoMaxProcs: string | undefined;
  /** Resolves 0 once stop() is done, or 1 when the supervisor gave up (both children stopped). */
  readonly exited: Promise<number>;
  /** CometBFT first (SIGTERM, SIGKILL after 10 s), then the app. Idempotent. */
  stop(): Promise<void>;
}

/** Why a start was given up: its signal's reason. */
function abandoned(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return `start abandoned: ${reason instanceof Error ? reason.message : String(reason)}`;
}

const CLI_PATH = join(REPO_ROOT, 'abci-server', 'src', 'cli.ts');
const TAIL_LINES = 40;
const KILL_AFTER_MS = 10_000;
/** At most this many lines of a Go panic's message are kept (see Child.panic), each cut to PANIC_LINE_CHARS. */
const PANIC_LINES = 200;
const PANIC_LINE_CHARS = 300;
/** A panic's message longer than this many lines (a state dump) is shown by its first and last ones. */
const PANIC_SHOWN = 10;

class Child {
  readonly proc: ChildProcess;
  readonly tail: string[] = [];
  /**
   * The message of the first Go panic in its output: the `panic: ` line and those after it, up to
   * the goroutine dump. A panic's stack trace runs to dozens of lines, which push the message
   * (CometBFT's cause: "state.AppHash does not match AppHash after replay", say) out of the tail.
   */
  readonly panic: string[] = [];
  private inPanic = false;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive = true;
  /** Set once we asked it to stop: its exit is then expected. */
  terminating = false;

  constructor(readonly label: string, cmd: string, args: string[], output: NodeJS.WritableStream | null, ipc: boolean, env?: NodeJS.ProcessEnv) {
    this.proc = spawn(cmd, args, {
      cwd: REPO_ROOT,
      env,
      stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    for (const stream of [this.proc.stdout, this.proc.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        if (this.panic.length === 0 && line.startsWith('panic: ')) this.inPanic = true;
        if (this.inPanic) {
          if (/^goroutine \d+ \[/.test(line) || this.panic.length >= PANIC_LINES) this.inPanic = false;
          else this.panic.push(line.length > PANIC_LINE_CHARS ? `${line.slice(0, PANIC_LINE_CHARS)}...` : line);
        }
        this.tail.push(line);
        if (this.tail.length > TAIL_LINES) this.tail.shift();
        output?.write(`[${label}] ${line}\n`);
      });
    }
    this.exit = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => resolve({ code, signal }));
      // Spawn failure (ENOENT, EACCES): there is no 'exit' event.
      this.proc.once('error', (err) => {
        this.tail.push(`spawn failed: ${err.message}`);
        if (this.proc.pid === undefined) resolve({ code: -1, signal: null });
      });
    });
    void this.exit.then(() => {
      this.alive = false;
    });
  }

  /** SIGTERM, then SIGKILL after graceMs. */
  async terminate(graceMs = KILL_AFTER_MS): Promise<void> {
    if (!this.alive) return;
    this.terminating = true;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }

  describeExit(e: { code: number | null; signal: NodeJS.Signals | null }): string {
    return e.signal ? `killed by ${e.signal}` : `exited with code ${e.code}`;
  }
}

/**
 * Refuses a port something else listens on, saying how this home's could change: a node's own
 * ports are chosen at init (its config), the metrics port at every start.
 */
async function assertPortFree(port: number, what: 'ABCI' | 'RPC' | 'P2P' | 'metrics', home: string, host = '127.0.0.1'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      const hostProblem = what === 'metrics' ? metricsHostProblem(host, err.code, join(home, 'lanes.json')) : undefined;
      const change = what === 'metrics'
        ? 'start this node with --metrics-port <another> (0 for none), or set "metricsPort" in its lanes.json'
        : `move this node's: start it with --rpc-port, --p2p-port or --abci-port <another> (kept in ${join(home, 'lanes.json')} and its config.toml)`;
      reject(err.code === 'EADDRINUSE'
        ? new UserError(`port ${port} (${what}) is already in use by another node or program (the devnet's, say); ${change}`)
        : hostProblem !== undefined ? new UserError(hostProblem) : err);
    });
    srv.listen(port, host, () => srv.close(() => resolve()));
  });
}

/**
 * Refuses a node's ports (RPC, P2P, ABCI; metrics unless 0) that something listens on; for a node
 * that is not running (assertNotRunning: its own node holds them). `lanes start --rpc-port` and
 * the like check the new ports with it before saving them, so that a start refused for a taken
 * port leaves the node's ports as they were.
 */
export async function assertPortsFree(home: string, ports: NodePorts, metricsPort: number, metricsHost = '127.0.0.1'): Promise<void> {
  await assertPortFree(ports.abci, 'ABCI', home);
  await assertPortFree(ports.rpc, 'RPC', home);
  await assertPortFree(ports.p2p, 'P2P', home);
  if (metricsPort > 0) await assertPortFree(metricsPort, 'metrics', home, metricsHost);
}

/** The number of validators in a genesis file (0 if it cannot be read). */
function genesisValidators(genesisPath: string): number {
  try {
    const g = JSON.parse(readFileSync(genesisPath, 'utf8')) as { validators?: unknown[] };
    return Array.isArray(g.validators) ? g.validators.length : 0;
  } catch {
    return 0;
  }
}

/**
 * The last height the app has committed, as CometBFT's `abci_info` reports it. CometBFT stores a
 * block (and /status shows its height) before the app commits it: until the app's first Commit
 * its queries answer sdk/26.
 */
function rpcAppHeight(rpcUrl: string): Promise<number | undefined> {
  return rpcNumber(`${rpcUrl}/abci_info`, (r) => (r as { response?: { last_block_height?: string } }).response?.last_block_height);
}

/** The latest height CometBFT has stored (`/status`). */
function rpcHeight(rpcUrl: string): Promise<number | undefined> {
  return rpcNumber(`${rpcUrl}/status`, (r) => (r as { sync_info?: { latest_block_height?: string } }).sync_info?.latest_block_height);
}

/** A number from a CometBFT RPC answer's `result` (0 when absent), or undefined when the RPC does not answer. */
async function rpcNumber(url: string, pick: (result: unknown) => string | undefined): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { result?: unknown };
    return Number((body.result === undefined ? undefined : pick(body.result)) ?? 0);
  } catch {
    return undefined;
  }
}

/** Starts the app and CometBFT for an initialised home; resolves once a block is committed. */
export async function startNode(opts: StartNodeOptions): Promise<NodeHandle> {
  const { logger } = opts;
  const p = homePaths(opts.home);
  const manifest = readManifest(p.home);
  if (!manifest) throw new UserError(`${p.home} is not initialised (no lanes.json): run \`lanes init\` first`);
  assertHomeWritable(p.home); // first: a home of another user's would be reported as whatever is read next
  const ports = homePorts(p.home, manifest);
  const settings = resolveAppSettings(manifest, appSettingOverrides(opts), p.manifest);
  assertDistinctPorts(ports, settings.metricsPort);
  const rpcUrl = `http://127.0.0.1:${ports.rpc}`;
  const output = opts.output === undefined ? process.stdout : opts.output;
  const maxRestarts = opts.maxRestartsPerMinute ?? 5;
  const cometBin = cometbftBinary();
  const tsxLoader = import.meta.resolve('tsx');
  const goMaxProcs = cometbftGoMaxProcs(process.env, availableParallelism(), homeMempoolOptions(p.home).recheck);
  const cometEnv = goMaxProcs === undefined ? undefined : { ...process.env, GOMAXPROCS: goMaxProcs };

  assertNotRunning(p.home); // this home's own node first: its ports are taken, but by itself
  await assertPortsFree(p.home, ports, settings.metricsPort, settings.metricsHost);

  let app: Child | undefined;
  let comet: Child | undefined;
  let stopping = false;
  let started = false;
  let recovery: Promise<void> | undefined;
  let restartCount = 0;
  const restartTimes: number[] = [];
  let resolveExited!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExited = r));

  /**
   * A child's pid file. A write that fails (a read-only or full disk) stops the child, which
   * nothing could find without its pid file, and is one line naming the file.
   */
  function writePid(file: string, child: Child): void {
    if (child.proc.pid === undefined) return;
    try {
      writeFileSync(file, `${child.proc.pid}\n`);
    } catch (err) {
      void child.terminate();
      throw homeWriteError(err, file);
    }
  }

  function failure(msg: string, child?: Child): Error {
    const last = child?.tail.slice(-15) ?? [];
    const tail = last.length > 0 ? `\nlast lines of ${child?.label}:\n  ${last.join('\n  ')}` : '';
    // A panic's message, unless the last lines shown have it already: without the tab Go puts
    // before its further lines, without blank lines, and a long one (CometBFT's, with a state
    // dump) by its first lines and its last, where CometBFT puts its hint ("Did you reset
    // CometBFT without resetting your application's data?").
    const message = (child?.panic ?? []).map((l) => l.replace(/^\t/, '')).filter((l) => l.trim() !== '');
    const shown = message.length > PANIC_SHOWN ? [...message.slice(0, 4), `... (${message.length - 6} more lines)`, ...message.slice(-2)] : message;
    const panic = shown.length > 0 && !last.includes(child?.panic[0] as string) ? `\n${child?.label} panicked:\n  ${shown.join('\n  ')}` : '';
    return new UserError(`${msg}${panic}${tail}`); // for operators: what happened and the child's last lines, no stack
  }

  async function startApp(): Promise<void> {
    if (stopping) throw new Error('node is stopping');
    // LANES_APP_NODE_ARGS: extra Node.js flags for the app process (e.g. --cpu-prof for profiling).
    const nodeArgs = (process.env['LANES_APP_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
    const args = [...nodeArgs, '--import', tsxLoader, opts.appEntry ?? CLI_PATH, '--home', p.home, 'app', '--abci', `127.0.0.1:${ports.abci}`,
      '--log-level', opts.appLogLevel ?? 'info', '--executor', settings.executor, '--workers', String(settings.workers),
      '--metrics-port', String(settings.metricsPort), '--metrics-host', settings.metricsHost, '--state-cache-keys', String(settings.stateCacheKeys),
      '--min-retain-blocks', String(settings.minRetainBlocks)];
    const child = new Child('app', process.execPath, args, output, true);
    app = child;
    writePid(p.appPid, child);
    void child.exit.then((e) => onExit(child, e));
    // The app sends 'lanes-app-ready' over IPC once its gRPC port is bound. An app that does not
    // within 120 s, or whose start a signal abandons, is stopped, and the start fails only once it
    // has exited: a restart must never find it still running and start CometBFT beside it.
    await new Promise<void>((resolve, reject) => {
      let why: string | undefined;
      const giveUp = (reason: string): void => {
        why ??= reason;
        void child.terminate();
      };
      const timer = setTimeout(() => giveUp('the app did not start listening within 120 s'), 120_000);
      const onAbort = (): void => giveUp(abandoned(opts.signal));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.signal?.aborted) onAbort();
      child.proc.on('message', (m: unknown) => {
        if ((m as { type?: string } | null)?.type === 'lanes-app-ready' && why === undefined) {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
          resolve();
        }
      });
      void child.exit.then((e) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        reject(failure(why === undefined ? `the app ${child.describeExit(e)} before it was ready` : `${why} (the app ${child.describeExit(e)})`, child));
      });
    });
  }

  function startComet(): void {
    if (stopping) throw new Error('node is stopping');
    const args = ['start', '--home', p.cometHome];
    if (opts.cometbftLogLevel) args.push('--log_level', opts.cometbftLogLevel);
    const child = new Child('cometbft', cometBin, args, output, false, cometEnv);
    comet = child;
    writePid(p.cometPid, child);
    void child.exit.then((e) => onExit(child, e));
  }

  function onExit(child: Child, e: { code: number | null; signal: NodeJS.Signals | null }): void {
    if (stopping || !started) return;
    if (child.terminating || (child !== app && child !== comet)) return; // stopped or replaced by us
    logger.warn({ child: child.label, code: e.code, signal: e.signal }, `${child.label} ${child.describeExit(e)} unexpectedly; restarting`);
    recovery ??= recover().finally(() => {
      recovery = undefined;
    });
  }

  async function recover(): Promise<void> {
    while (!stopping && !(app?.alive && comet?.alive)) {
      const now = Date.now();
      while (restartTimes.length > 0 && now - restartTimes[0]! > 60_000) restartTimes.shift();
      if (restartTimes.length >= maxRestarts) {
        const culprit = app?.alive ? comet : app;
        logger.fatal(failure(`${maxRestarts} restarts within a minute; giving up`, culprit).message);
        // Not awaited: shutdown waits for the recovery in progress, which is this call (awaited,
        // neither would ever end, and `exited` never settle).
        void shutdown(1);
        return;
      }
      restartTimes.push(now);
      restartCount++;
      // CometBFT cannot run without its app, and must start after the app listens. Without
      // its app it hangs in the pending ABCI call and ignores SIGTERM: a short grace, then KILL
      // (it survives that: it replays from its WAL).
      if (!app?.alive) await comet?.terminate(2000);
      await sleep(250 * restartTimes.length);
      if (stopping) return;
      try {
        if (!app?.alive) await startApp();
        if (!comet?.alive) startComet();
        logger.info({ appPid: app?.proc.pid, cometbftPid: comet?.proc.pid }, 'node restarted');
      } catch (err) {
        if (!stopping) logger.error({ err }, 'restart failed');
      }
    }
  }

  let shuttingDown: Promise<void> | undefined;
  function shutdown(code: number): Promise<void> {
    stopping = true;
    shuttingDown ??= (async () => {
      await comet?.terminate();
      await app?.terminate();
      // A restart in progress may have spawned a child meanwhile.
      await recovery?.catch(() => {});
      await comet?.terminate();
      await app?.terminate();
      try {
        rmSync(p.appPid, { force: true });
        rmSync(p.cometPid, { force: true });
      } catch (err) {
        logger.warn({ err }, 'could not remove the pid files'); // a read-only home: the stop itself went through
      }
      resolveExited(code);
    })();
    return shuttingDown;
  }

  try {
    await startApp();
    startComet();
    const patience = opts.readyTimeoutMs ?? 60_000;
    const validators = genesisValidators(p.genesis);
    let progress = Date.now();
    let appHeight = 0;
    app?.proc.on('message', (m: { type?: string; height?: number } | null) => {
      if (m?.type === 'lanes-app-block' && typeof m.height === 'number' && m.height > appHeight) {
        appHeight = m.height;
        progress = Date.now();
      }
    });
    let height: number | undefined;
    let waitingSaid = 0;
    for (;;) {
      if (opts.signal?.aborted) throw new UserError(abandoned(opts.signal));
      if (!app?.alive) throw failure('the app exited during startup', app);
      if (!comet?.alive) throw failure('CometBFT exited during startup', comet);
      const h = await rpcHeight(rpcUrl);
      if (h !== height) progress = Date.now();
      height = h;
      // Ready once the app has committed a block too: its queries answer from then on.
      if (height !== undefined && height >= 1 && ((await rpcAppHeight(rpcUrl)) ?? 0) >= 1) break;
      if (height === 0 && validators > 1) {
        // Up, and the first block needs more than two thirds of the voting power online.
        if (Date.now() - waitingSaid >= 30_000) {
          waitingSaid = Date.now();
          logger.info({ rpcUrl, validators }, `waiting for the other validators: the first block needs more than two thirds of the ${validators} genesis validators' power online`);
        }
      } else if (Date.now() - progress > patience) {
        const where = height === undefined ? `CometBFT's RPC did not answer${appHeight > 0 ? ` (the app ran blocks up to ${appHeight})` : ''}` : 'no block was committed';
        throw failure(`nothing moved for ${patience / 1000} s: ${where}`, comet);
      }
      await sleep(200);
    }
    // A signal during the last poll: abandoned all the same, not reported ready.
    if (opts.signal?.aborted) throw new UserError(abandoned(opts.signal));
    started = true;
    logger.info({
      rpcUrl, height, appPid: app.proc.pid, cometbftPid: comet.proc.pid, executor: settings.executor,
      ...(settings.executor === 'parallel' && { workers: settings.workers }), // the sequential executor runs none
      cometbftGoMaxProcs: goMaxProcs ?? 'Go default',
    }, 'node ready');
    opts.onReady?.({ rpcUrl, height });
  } catch (err) {
    await shutdown(1);
    throw err;
  }

  return {
    rpcUrl,
    ports,
    settings,
    metricsUrl: settings.metricsPort > 0 ? metricsUrl(settings.metricsHost, settings.metricsPort) : undefined,
    cometbftGoMaxProcs: goMaxProcs,
    get appPid() {
      return app?.proc.pid;
    },
    get cometbftPid() {
      return comet?.proc.pid;
    },
    get restarts() {
      return restartCount;
    },
    exited,
    stop: () => shutdown(0),
  };
}
