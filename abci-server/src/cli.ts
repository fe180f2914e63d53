// The `lanes` command: node lifecycle (init, start, app, testnet, unsafe-reset, version) here; keys, tx
// and query commands come from ./commands/*. Run with `npm run lanes -- <args>`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option, type ParseOptionsResult } from 'commander';
import { pino } from 'pino';
import { APP_NAME, APP_VERSION, DEVNET_CHAIN_ID, SECP256K1_IMPLEMENTATION, STATE_CACHE_KEYS } from '@lanes/app';
import { devnetGenesis } from './lanesApp.ts';
import { assertLanesAddress, devnetAccounts, TEST_MNEMONIC, TESTNET_CHAIN_ID } from '@lanes/client';
import { register as registerAmm } from './commands/amm.ts';
import { wholeNumber } from './commands/numbers.ts';
import { keyringPath, loadKeyring, looksLikeAddress, register as registerKeys } from './commands/keys.ts';
import { register as registerLoad } from './commands/load.ts';
import { register as registerQuery } from './commands/query.ts';
import { register as registerTx } from './commands/tx.ts';
import {
  DEFAULT_METRICS_HOST, DEFAULT_METRICS_PORT, DEFAULT_PORTS, EXECUTORS, UserError, appSettingOverrides, assertLanesHome, assertNotRunning, homePorts, errorText, cometbftBinary, defaultHome, describeExecutor, goMaxProcsNote, homePaths, initHome,
  metricsUrl, parseMetricsHost, parseMetricsPort, parseMinRetainBlocks, parseStateCacheKeys, parseWorkers, nodeProcesses, readManifest, resetChainData, resetCommand, resetHome, resolveAppSettings, setHomePorts, homePeers,
  type AppSettings,
} from './node/home.ts';
import { assertPortsFree, startNode, type NodeHandle } from './node/launcher.ts';
import { runApp } from './node/appProcess.ts';
import { DEFAULT_TESTNET_DIR, initTestnet, MAX_TESTNET_VALIDATORS, quorum, TESTNET_PORT_STEP, testnetHomes } from './node/testnet.ts';
import type { NodePorts } from './node/config.ts';

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError(`not a TCP port: ${value}`);
  return n;
}

/** commander parsers that turn our UserErrors into commander's "error: option ... argument ... is invalid". */
function cliParser<T>(parse: (v: string) => T): (v: string) => T {
  return (v) => {
    try {
      return parse(v);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message.replace(/^--[a-z-]+: /, ''));
    }
  };
}

/** --executor, --workers, --metrics-port, --metrics-host, --state-cache-keys, --min-retain-blocks: for init (written to lanes.json), start and app (override lanes.json). */
function addAppSettingOptions(cmd: Command, verb: string): Command {
  return cmd
    .addOption(new Option('--executor <kind>', `block executor ${verb} (default: lanes.json's, else parallel)`).choices([...EXECUTORS]))
    .option('--workers <n>', `parallel executor workers ${verb} (default: lanes.json's, else the CPU count - 1)`, cliParser((v) => parseWorkers(v)))
    .option('--metrics-port <port>', `Prometheus /metrics port, 0 disables ${verb} (default: lanes.json's, else ${DEFAULT_METRICS_PORT})`,
      cliParser((v) => parseMetricsPort(v)))
    .option('--metrics-host <ip>', `address the metrics port listens on (0.0.0.0: every interface, for a Prometheus on another machine) ${verb} `
      + `(default: lanes.json's, else ${DEFAULT_METRICS_HOST}: this machine only)`, cliParser((v) => parseMetricsHost(v)))
    .option('--state-cache-keys <n>', `keys of committed state cached in memory per thread (main and each worker; ~130-300 bytes a key) ${verb} `
      + `(default: lanes.json's, else ${STATE_CACHE_KEYS.toLocaleString('en-US')})`, cliParser((v) => parseStateCacheKeys(v)))
    .option('--min-retain-blocks <n>', 'blocks below the latest that CometBFT keeps, deleting older ones; never fewer than the genesis\'s '
      + `evidence.max_age_num_blocks; 0 keeps every block ${verb} (default: lanes.json's, else 0)`, cliParser((v) => parseMinRetainBlocks(v)));
}

function home(cmd: Command): string {
  return homePaths((cmd.optsWithGlobals() as { home: string }).home).home;
}

const print = (line = '') => process.stdout.write(`${line}\n`);

/**
 * A home whose genesis funds `fund` (10^12 of every devnet denom each), or without it the ten
 * devnet test accounts and the devnet pools (liquidity owned by test0). The pools come only with
 * the test accounts: on a chain of one's own they would be liquidity nobody put in.
 */
async function initDevnet(dir: string, opts: { chainId: string; moniker?: string; ports: NodePorts; blockTimeMs?: number; force?: boolean; fund?: string[]; settings?: Partial<AppSettings> }) {
  const accounts = opts.fund ?? (await devnetAccounts()).map((a) => a.address);
  return initHome({
    home: dir,
    chainId: opts.chainId,
    ports: opts.ports,
    genesisAppState: devnetGenesis(accounts, { pools: opts.fund === undefined }),
    appVersion: APP_VERSION,
    // lanes.json records the executor (parallel unless told otherwise); the other settings only
    // when given, so a copied home adapts to its machine.
    ...appSettingOverrides(opts.settings ?? {}),
    executor: opts.settings?.executor ?? 'parallel',
    ...(opts.moniker !== undefined && { moniker: opts.moniker }),
    ...(opts.blockTimeMs !== undefined && { blockTimeMs: opts.blockTimeMs }),
    ...(opts.force !== undefined && { force: opts.force }),
  });
}

async function devnetBanner(dir: string, chainId: string, ports: NodePorts): Promise<string> {
  const accounts = await devnetAccounts();
  const bar = '!'.repeat(78);
  return [
    '',
    bar,
    `  LANES DEVNET is running   chain id ${chainId}`,
    `  RPC        http://127.0.0.1:${ports.rpc}`,
    `  ABCI gRPC  127.0.0.1:${ports.abci}`,
    `  data       ${dir}`,
    `  reset      ${resetCommand(dir)}   (stop the node first; deletes the chain)`,
    '',
    `  TEST KEYS from the public mnemonic '${TEST_MNEMONIC}'`,
    '  Anyone can spend these: NEVER use them on a real network.',
    ...accounts.map((a) => `    test${a.index}  ${a.address}`),
    bar,
    '',
  ].join('\n');
}

/**
 * A line every 10 s showing blocks are being made (CometBFT's per-block lines are off by
 * default): one node's height and app hash, or each node's height in a testnet.
 */
/**
 * Each node's height over time, for the heartbeat: how far it moved since the last look, and
 * when it has not moved for `warnMs`, a warning (again every `repeatMs` while that lasts).
 */
export class StallWatch {
  private readonly last = new Map<string, { height: number; since: number; warned: number }>();
  constructor(private readonly warnMs = 60_000, private readonly repeatMs = 300_000) {}

  /** `height` undefined: the node did not answer, which is no progress either (first time: from now). */
  observe(name: string, height: number | undefined, now: number): { step: number | undefined; stalledMs: number | undefined } {
    const before = this.last.get(name);
    const h = height ?? before?.height ?? Number.NaN;
    const step = before === undefined || height === undefined || Number.isNaN(before.height) ? undefined : h - before.height;
    const entry = before === undefined || (height !== undefined && h !== before.height) ? { height: h, since: now, warned: Number.NEGATIVE_INFINITY } : before;
    this.last.set(name, entry);
    if (now - entry.since < this.warnMs || now - entry.warned < this.repeatMs) return { step, stalledMs: undefined };
    entry.warned = now;
    return { step, stalledMs: now - entry.since };
  }
}

/**
 * Every 10 s: each node's height (unless quiet), and a warning, quiet or not, when a node has made
 * no block for a minute. CometBFT can halt without exiting (a CONSENSUS FAILURE, say, when its
 * disk fills), which the supervisor, watching for exits, cannot see.
 */
function startHeartbeat(nodes: { name: string; rpcUrl: string }[], quiet = false) {
  const watch = new StallWatch();
  const status = (rpcUrl: string) => fetch(`${rpcUrl}/status`, { signal: AbortSignal.timeout(2000) })
    .then((r) => r.json() as Promise<{ result: { sync_info: { latest_block_height: string; latest_app_hash: string } } }>)
    .then(({ result: { sync_info: s } }) => s);
  setInterval(() => {
    void Promise.all(nodes.map((n) => status(n.rpcUrl).then((s) => ({ n, s }), (err: unknown) => ({ n, err: err as Error })))).then((all) => {
      const parts = all.map((a) => {
        const h = 'err' in a ? undefined : Number(a.s.latest_block_height);
        const { step, stalledMs } = watch.observe(a.n.name, h, Date.now());
        if (stalledMs !== undefined) {
          print(`[lanes] WARNING: ${nodes.length === 1 ? 'the node' : a.n.name} has made no block for ${Math.round(stalledMs / 1000)} s`
            + `${h === undefined ? ', and its RPC does not answer' : ` (height ${h})`}: `
            + 'CometBFT may have halted without exiting (look for CONSENSUS FAILURE in its log: a full disk, say), '
            + 'or too few validators are online; once the cause is fixed, restarting the node resumes the chain');
        }
        if ('err' in a) return `${nodes.length === 1 ? '' : `${a.n.name} `}RPC ${a.n.rpcUrl}/status did not answer: ${a.err.message}`;
        const moved = step !== undefined ? ` (+${step} in 10 s)` : '';
        return nodes.length === 1 ? `height ${h}${moved}, app hash ${a.s.latest_app_hash}` : `${a.n.name} ${h}${moved}`;
      });
      if (!quiet) print(`[lanes] ${parts.join(nodes.length === 1 ? '' : ', ')}`);
    });
  }, 10_000).unref();
}

/** Writes each line with a prefix to stdout (a testnet's nodes share one terminal). */
function prefixedLines(prefix: string): NodeJS.WritableStream {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) process.stdout.write(`${prefix} ${line}\n`);
      done();
    },
  });
}

/**
 * A second signal this soon after the first is the same Ctrl-C, not a request to force: in a
 * terminal, under `npm start`, Ctrl-C reaches the launcher twice at once (the terminal signals
 * the whole foreground process group, and npm forwards the SIGINT it got too).
 */
export const SIGNAL_REPEAT_MS = 1000;

/**
 * Ctrl-C and SIGTERM from before the nodes of `homes` start until they stop. While they start
 * (a long replay, waiting for the other validators), the first signal aborts the start (`signal`:
 * the launcher stops what it started, CometBFT first); once `ready`, it stops the nodes. A second
 * signal, later than SIGNAL_REPEAT_MS, kills the nodes' processes (by their pid files while they
 * start) and exits.
 */
function handleSignals(homes: string[]): { signal: AbortSignal; ready(nodes: NodeHandle[]): void } {
  const abort = new AbortController();
  let nodes: NodeHandle[] | undefined;
  let first: number | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    const now = performance.now();
    if (first !== undefined) {
      if (now - first < SIGNAL_REPEAT_MS) return;
      process.stderr.write(`${sig} again: not waiting; the node will replay on next start\n`);
      const pids = nodes ? nodes.flatMap((n) => [n.cometbftPid, n.appPid]) : homes.flatMap((h) => nodeProcesses(h).map((x) => x.pid));
      for (const pid of pids) if (pid) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      process.exit(130);
    }
    first = now;
    if (nodes) {
      process.stderr.write(`${sig}: stopping CometBFT, then the app (again to force)...\n`);
      for (const node of nodes) void node.stop();
    } else {
      process.stderr.write(`${sig}: stopping the node before it is ready: CometBFT, then the app (again to force)...\n`);
      abort.abort(new Error(`stopped by ${sig} before it was ready`));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { signal: abort.signal, ready: (n) => (nodes = n) };
}

/**
 * A start that a signal abandoned ends as a stop after the node was ready does: quietly, status 0
 * (a process manager stopping a node during a long replay sees a clean stop, not a failure).
 */
function exitIfAbandoned(signal: AbortSignal): void {
  if (!signal.aborted) return;
  print(`node ${(signal.reason as Error).message}`); // "node stopped by SIGINT before it was ready"
  process.exit(0);
}

/**
 * `init --fund`'s addresses, space- or comma-separated (as the CLI's other lists are), each a
 * lanes address or the name of a key in this home's keyring (`keys`: name -> address; the
 * built-in test keys are not taken, their mnemonic being public), none twice: refused here,
 * naming the value, rather than written into a genesis that the node then refuses at start.
 */
export function fundList(values: readonly string[], keys: ReadonlyMap<string, string> = new Map(), keyring = 'the keyring'): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const part of v.split(',')) {
      const given = part.trim();
      if (given === '') continue;
      const addr = keys.get(given) ?? given;
      try {
        assertLanesAddress(addr, '--fund address');
      } catch (e) {
        // Not shaped like any bech32 address (hrp, '1', data): taken for a key name.
        if (!looksLikeAddress(given) && !given.toLowerCase().startsWith('lanes1') && !/^[a-z0-9]+1[02-9ac-hj-np-z]{6,}$/i.test(given)) throw new UserError(`--fund: ${JSON.stringify(given)} is neither a lanes address nor a key in ${keyring} (make one with \`keys add ${given}\` on this home)`);
        throw new UserError((e as Error).message);
      }
      if (out.includes(addr)) throw new UserError(`--fund lists ${addr} twice`);
      out.push(addr);
    }
  }
  if (out.length === 0) throw new UserError('--fund needs at least one address');
  return out;
}

/** An argument like `-5usdc`, `-1.5lane` or `-5`: a negative amount, which commander takes for an option. */
const NEGATIVE_AMOUNT = /^-\.?[0-9]/;

/**
 * commander's Command, except that a command's first unknown option that reads as a negative amount
 * (`tx bank send test0 lanes1... -5usdc`) is refused as one ("amounts must be positive: -5usdc")
 * rather than as "unknown option '-5usdc'". Other unknown options are reported as before. Every
 * subcommand is one too (createCommand).
 */
export class LanesCommand extends Command {
  override createCommand(name?: string): Command {
    return new LanesCommand(name);
  }

  override parseOptions(argv: string[]): ParseOptionsResult {
    const parsed = super.parseOptions(argv);
    const first = parsed.unknown[0];
    // Only where arguments end up: a command with subcommands passes its unknown ones on to them.
    if (this.commands.length === 0 && first !== undefined && NEGATIVE_AMOUNT.test(first)) {
      this.showHelpAfterError(false); // one line, as for any bad value
      this.error(`error: amounts must be positive: ${first}`, { exitCode: 1, code: 'lanes.negativeAmount' });
    }
    return parsed;
  }
}

export function buildProgram(): Command {
  const program = new LanesCommand('lanes')
    .description('Lanes appchain node and client')
    .option('--home <dir>', 'node data folder ($LANES_HOME, else <repo>/.devnet)', defaultHome())
    .showHelpAfterError();
  // tx and query commands talk to the node of --home (its lanes.json's RPC port) unless --node
  // or LANES_NODE says otherwise: a home made with --rpc-port 36657 is not the devnet's 26657.
  program.hook('preAction', (_root, action) => {
    if (!action.options.some((o) => o.attributeName() === 'node') || action.getOptionValueSource('node') !== 'default') return;
    const dir = home(action);
    const manifest = readManifest(dir);
    if (manifest) {
      action.setOptionValueWithSource('node', `http://127.0.0.1:${homePorts(dir, manifest).rpc}`, 'default');
      return;
    }
    // No node here (never initialised, or reset): whatever listens on the devnet's port may be
    // another chain, where a key of this keyring would sign for real. A tx names its node.
    let top: Command | null = action;
    while (top.parent && top.parent !== program) top = top.parent;
    if (top.name() === 'tx') {
      throw new UserError(`${dir} has no node (no lanes.json), so which node to send to is not known: pass --node <url> or set LANES_NODE, `
        + `or start this home's node first (\`npm start\` for the devnet)`);
    }
    process.stderr.write(`note: ${dir} has no node (no lanes.json); asking ${String(action.getOptionValue('node'))} (--node <url> to choose)\n`);
  });

  addAppSettingOptions(program.command('init'), 'written to lanes.json')
    .description('create a node data folder: CometBFT config, genesis, lanes.json')
    .option('--chain-id <id>', 'chain id', DEVNET_CHAIN_ID)
    .option('--moniker <name>', 'node name')
    .option('--rpc-port <port>', 'CometBFT RPC port', parsePort, DEFAULT_PORTS.rpc)
    .option('--p2p-port <port>', 'CometBFT P2P port', parsePort, DEFAULT_PORTS.p2p)
    .option('--abci-port <port>', 'ABCI gRPC port of the app', parsePort, DEFAULT_PORTS.abci)
    .option('--block-time <ms>', 'consensus timeout_commit in ms', wholeNumber(1), 500)
    .option('--fund <addresses...>', `addresses (or names of keys in this home's keyring) funded at genesis, 10^12 of each devnet denom (no pools); a chain other than ${DEVNET_CHAIN_ID} needs this or --devnet`)
    .addOption(new Option('--devnet', `fund the ten devnet test accounts (public mnemonic) and create the devnet pools: the default on ${DEVNET_CHAIN_ID}`).conflicts('fund'))
    .option('--force', 'wipe an existing Lanes home first')
    .action(async (o: { chainId: string; moniker?: string; rpcPort: number; p2pPort: number; abciPort: number; blockTime: number; fund?: string[]; devnet?: boolean; force?: boolean } & Partial<AppSettings>, cmd: Command) => {
      const dir = home(cmd);
      if (o.fund !== undefined) o.fund = fundList(o.fund, new Map(loadKeyring(dir).keys.map((k) => [k.name, k.address])), keyringPath(dir));
      // Anyone can spend the test accounts: a chain of one's own gets them only when asked.
      if (o.fund === undefined && !o.devnet && o.chainId !== DEVNET_CHAIN_ID) {
        throw new UserError(`chain ${o.chainId} is not the devnet: name the accounts its genesis funds with --fund lanes1..., `
          + 'or pass --devnet for the ten public test accounts and the devnet pools');
      }
      const m = await initDevnet(dir, {
        chainId: o.chainId,
        settings: appSettingOverrides(o),
        ports: { rpc: o.rpcPort, p2p: o.p2pPort, abci: o.abciPort },
        blockTimeMs: o.blockTime,
        ...(o.moniker !== undefined && { moniker: o.moniker }),
        ...(o.fund !== undefined && { fund: o.fund }),
        ...(o.force !== undefined && { force: o.force }),
      });
      print(`initialised ${dir} (chain ${m.chainId}, RPC port ${m.ports.rpc}, P2P ${m.ports.p2p}, ABCI ${m.ports.abci}, executor ${m.executor ?? 'parallel'})`);
      print(o.fund === undefined
        ? 'genesis: the ten devnet test accounts funded (public mnemonic: never use them on a real network), pools 1-3'
        : `genesis: ${o.fund.length} address${o.fund.length === 1 ? '' : 'es'} funded, no pools`);
      print(`start it with: npm run lanes -- --home ${dir} start`);
    });

  addAppSettingOptions(program.command('start'), 'for this run')
    .description('run the node (the app and CometBFT, supervised) until Ctrl-C')
    .option('--devnet', 'initialise a local devnet with the ten funded test accounts if the home is empty')
    .option('--quiet', 'CometBFT logs errors only')
    .addOption(new Option('--cometbft-log-level <level>', 'CometBFT log level for this run, e.g. info').conflicts('quiet'))
    .option('--app-log-level <level>', 'app log level (pino)', 'info')
    .option('--rpc-port <port>', 'move the CometBFT RPC port (written to lanes.json and config.toml)', parsePort)
    .option('--p2p-port <port>', 'move the CometBFT P2P port (written to lanes.json and config.toml)', parsePort)
    .option('--abci-port <port>', 'move the app\'s ABCI gRPC port (written to lanes.json and config.toml)', parsePort)
    .action(async (o: { devnet?: boolean; quiet?: boolean; cometbftLogLevel?: string; appLogLevel: string; rpcPort?: number; p2pPort?: number; abciPort?: number } & Partial<AppSettings>, cmd: Command) => {
      const dir = home(cmd);
      cometbftBinary(); // fail early with the install hint
      const move: Partial<NodePorts> = {
        ...(o.rpcPort !== undefined && { rpc: o.rpcPort }), ...(o.p2pPort !== undefined && { p2p: o.p2pPort }), ...(o.abciPort !== undefined && { abci: o.abciPort }),
      };
      let manifest = readManifest(dir);
      if (!manifest) {
        if (!o.devnet) throw new UserError(`${dir} is not initialised: run \`npm run lanes -- --home ${dir} init\` (or \`npm start\` for the devnet)`);
        print(`initialising a devnet in ${dir}...`);
        manifest = await initDevnet(dir, { chainId: DEVNET_CHAIN_ID, ports: { ...DEFAULT_PORTS, ...move } });
      } else if (Object.keys(move).length > 0) {
        // The node's ports, moved, free before they are saved: a start refused for a taken port
        // leaves them as they were (its own node, running, holds them: refused as running).
        assertNotRunning(dir);
        const { metricsPort, metricsHost } = resolveAppSettings(manifest, appSettingOverrides(o), homePaths(dir).manifest);
        await assertPortsFree(dir, { ...homePorts(dir, manifest), ...move }, metricsPort, metricsHost);
        const ports = setHomePorts(dir, move, o.metricsPort);
        manifest = { ...manifest, ports };
        print(`ports of ${dir} now: RPC ${ports.rpc}, P2P ${ports.p2p}, ABCI ${ports.abci} (written to lanes.json and config.toml)`);
        if (move.p2p !== undefined && homePeers(dir).length > 0) print('note: peers that list this node\'s P2P address need its new port in their persistent_peers');
      }
      const logger = pino({ level: 'info', base: { proc: 'launcher' } });
      const logLevel = o.quiet ? '*:error' : o.cometbftLogLevel;
      const signals = handleSignals([dir]);
      const node = await startNode({
        home: dir,
        logger,
        appLogLevel: o.appLogLevel,
        ...appSettingOverrides(o),
        ...(logLevel !== undefined && { cometbftLogLevel: logLevel }),
        signal: signals.signal,
      }).catch((err: unknown) => {
        exitIfAbandoned(signals.signal);
        throw err;
      });
      signals.ready([node]);
      startHeartbeat([{ name: 'node', rpcUrl: node.rpcUrl }], o.quiet);
      if (manifest.chainId === DEVNET_CHAIN_ID) print(await devnetBanner(dir, manifest.chainId, manifest.ports));
      print(`Lanes node ready: RPC ${node.rpcUrl}  (chain ${manifest.chainId}, executor ${describeExecutor(node.settings)}, `
        + `metrics ${node.settings.metricsPort > 0 ? metricsUrl(node.settings.metricsHost, node.settings.metricsPort, true) : 'off'}, app pid ${node.appPid}, cometbft pid ${node.cometbftPid}${goMaxProcsNote(node.cometbftGoMaxProcs)})`);
      const code = await node.exited;
      print(code === 0 ? 'node stopped' : 'node failed; see the log above');
      process.exit(code);
    });

  addAppSettingOptions(program.command('app'), 'for this process')
    .description('run only the app, serving ABCI over gRPC (the launcher runs this for you)')
    .option('--abci <host:port>', 'listen address', `127.0.0.1:${DEFAULT_PORTS.abci}`)
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (o: { abci: string; logLevel: string } & Partial<AppSettings>, cmd: Command) => {
      await runApp({ home: home(cmd), abci: o.abci, logLevel: o.logLevel, ...appSettingOverrides(o) });
    });

  const testnet = program.command('testnet')
    .description('a local network of several validators at equal power, one home each (node0, node1, ...) under one folder');
  testnet.command('init')
    .description('create the node homes, funding the ten devnet test accounts')
    .option('--validators <n>', `validators (1 to ${MAX_TESTNET_VALIDATORS})`, wholeNumber(1), 4)
    .option('--dir <path>', 'folder for the node homes', DEFAULT_TESTNET_DIR)
    .option('--executors <list>', 'block executors, comma-separated, taken in turn by node0, node1, ... (e.g. parallel,sequential)',
      (v: string) => v.split(',').map((e) => {
        if (!(EXECUTORS as readonly string[]).includes(e)) throw new InvalidArgumentError(`not an executor: ${JSON.stringify(e)} (${EXECUTORS.join(' or ')})`);
        return e as (typeof EXECUTORS)[number];
      }), ['parallel' as const])
    .option('--chain-id <id>', 'chain id', TESTNET_CHAIN_ID)
    .option('--block-time <ms>', 'consensus timeout_commit in ms', wholeNumber(1), 500)
    .option('--port-offset <n>', `added to every node's ports (node i: the single node's ports + offset + ${TESTNET_PORT_STEP}·i); e.g. 1000 to run beside the devnet`, wholeNumber(0), 0)
    .option('--force', 'wipe the node homes already in --dir (none may be running)')
    .action(async (o: { validators: number; dir: string; executors: (typeof EXECUTORS)[number][]; chainId: string; blockTime: number; portOffset: number; force?: boolean }) => {
      const nodes = initTestnet({
        dir: o.dir, validators: o.validators, chainId: o.chainId, executors: o.executors, blockTimeMs: o.blockTime, appVersion: APP_VERSION, portOffset: o.portOffset,
        genesisAppState: devnetGenesis((await devnetAccounts()).map((a) => a.address)),
        ...(o.force !== undefined && { force: o.force }),
      });
      print(`initialised a ${nodes.length}-validator network in ${o.dir} (chain ${o.chainId}):`);
      for (const x of nodes) {
        print(`  ${x.moniker.padEnd(6)} ${x.executor.padEnd(10)} RPC http://127.0.0.1:${x.ports.rpc}  P2P ${x.ports.p2p}  ABCI ${x.ports.abci}  metrics ${x.metricsPort}`);
      }
      print(`start them all with: npm run lanes -- testnet start${o.dir === DEFAULT_TESTNET_DIR ? '' : ` --dir ${o.dir}`}`);
      print(`or each in a terminal of its own (blocks need ${quorum(nodes.length)} of the ${nodes.length} running): npm run lanes -- --home ${resolve(o.dir)}/node<i> start`);
      print('funded: the ten devnet test accounts (public mnemonic: never use them on a real network)');
    });
  testnet.command('start')
    .description('run every node of the network in --dir (the app and CometBFT each, supervised) until Ctrl-C')
    .option('--dir <path>', 'folder of the node homes', DEFAULT_TESTNET_DIR)
    .option('--app-log-level <level>', 'the apps\' log level (pino)', 'warn')
    .action(async (o: { dir: string; appLogLevel: string }) => {
      const homes = testnetHomes(o.dir);
      cometbftBinary(); // fail early with the install hint
      const logger = pino({ level: 'info', base: { proc: 'testnet' } });
      print(`starting ${homes.length} nodes from ${o.dir} (a block needs ${quorum(homes.length)} of them)...`);
      // Together: no node makes a block alone. One that fails gives the others up, which would
      // otherwise wait for it as long as it takes; so does a signal.
      const giveUp = new AbortController();
      const signals = handleSignals(homes.map((h) => h.home));
      signals.signal.addEventListener('abort', () => giveUp.abort(signals.signal.reason), { once: true });
      const started = await Promise.allSettled(homes.map((h) => startNode({
        home: h.home, logger, appLogLevel: o.appLogLevel, cometbftLogLevel: '*:error', output: prefixedLines(`[${h.moniker}]`), signal: giveUp.signal,
      }).catch((err: unknown) => {
        if (!giveUp.signal.aborted) giveUp.abort(new Error(`${h.moniker} failed to start`));
        throw err;
      })));
      const nodes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const failed = started.flatMap((r, i) => (r.status === 'rejected' ? [`${homes[i]!.moniker}: ${errorText(r.reason)}`] : []));
      if (failed.length > 0) {
        await Promise.all(nodes.map((n) => n.stop()));
        exitIfAbandoned(signals.signal);
        throw new UserError(`the network did not start:\n  ${failed.join('\n  ')}`);
      }
      signals.ready(nodes);
      homes.forEach((h, i) => print(`  ${h.moniker.padEnd(6)} ${describeExecutor(nodes[i]!.settings).padEnd(34)} RPC ${nodes[i]!.rpcUrl}`));
      print(`Lanes testnet ready: ${nodes.length} validators, chain ${homes[0]!.chainId}`);
      startHeartbeat(nodes.map((n, i) => ({ name: homes[i]!.moniker, rpcUrl: n.rpcUrl })));
      const codes = await Promise.all(nodes.map((n) => n.exited));
      const code = Math.max(...codes);
      print(code === 0 ? 'testnet stopped' : 'a node failed; see the log above');
      process.exit(code);
    });

  program.command('unsafe-reset')
    .description('delete the chain data (blocks, app state) and keep the config, genesis and keys, to sync the chain again; --all deletes the whole node')
    .option('--all', 'delete the whole node: also lanes.json, CometBFT\'s config and genesis, and the validator\'s keys and signing state (to start a chain over)')
    .option('--devnet', 'only reset a home whose chain is the local devnet')
    .option('--force', 'reset a node that lists no peers (persistent_peers, seeds) too')
    .action((o: { all?: boolean; devnet?: boolean; force?: boolean }, cmd: Command) => {
      const dir = home(cmd);
      if (!existsSync(dir)) {
        print(`nothing to reset: ${dir} does not exist`);
        return;
      }
      const manifest = assertLanesHome(dir, o.all ? 'delete' : 'reset');
      if (o.devnet && manifest.chainId !== DEVNET_CHAIN_ID) {
        throw new UserError(`${dir} holds chain ${manifest.chainId}, not the devnet ${DEVNET_CHAIN_ID}; refusing (drop --devnet to reset it anyway)`);
      }
      assertNotRunning(dir);
      if (!o.all) {
        // A node that lists no peer could never get the chain back, and as a validator it signs no
        // height it signed before: a chain's only validator would never make a block again.
        if (!o.force && homePeers(dir).length === 0) {
          throw new UserError(`${dir} lists no peers (p2p.persistent_peers and p2p.seeds in its config.toml are empty): without its chain data it has nowhere `
            + 'to sync the chain from, and a validator that signed up to some height signs none below it again, so a chain whose only validator this is would never '
            + 'make another block. To start the chain over from genesis: unsafe-reset --all. To reset anyway (peers you will add): unsafe-reset --force');
        }
        const gone = resetChainData(dir);
        print(`deleted the chain data of ${manifest.chainId} in ${dir}: ${gone.map((f) => relative(dir, f)).join(', ') || 'nothing there'}`);
        print('kept lanes.json, CometBFT\'s config, genesis and keys, and the validator\'s last-signed record (so it never signs a height twice): '
          + `start the node to sync the chain again from its peers; to start a chain of your own over from genesis, use unsafe-reset --all`);
        return;
      }
      resetHome(dir);
      // Keys (keyring-test.json) and anything else the user put there stay.
      const kept = existsSync(dir) ? readdirSync(dir).sort() : [];
      print(kept.length === 0 ? `deleted ${dir} (chain ${manifest.chainId})` : `deleted chain ${manifest.chainId} from ${dir}; kept ${kept.join(', ')}`);
    });

  program.command('version')
    .description('print versions')
    .action(() => {
      print(`${APP_NAME} ${APP_VERSION}`);
      let comet = 'not installed (node scripts/ensure.mjs)';
      try {
        const r = spawnSync(cometbftBinary(), ['version'], { encoding: 'utf8' });
        if (r.status === 0) comet = r.stdout.trim();
      } catch {
        // keep "not installed"
      }
      print(`cometbft ${comet}`);
      print(`node ${process.version}`);
      print(`secp256k1 ${SECP256K1_IMPLEMENTATION === 'native' ? 'native (libsecp256k1)' : 'JavaScript fallback (elliptic): slower; npm rebuild secp256k1 with a C++ toolchain'}`);
    });

  registerKeys(program);
  registerTx(program);
  registerQuery(program);
  registerAmm(program); // after tx and query: adds `tx amm` and `query amm` to them
  registerLoad(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  // Output piped into a reader that stops early (`| head`): stop without a stack, with the status
  // of a process killed by SIGPIPE, as Unix tools do (a node whose log reader died stops, and its
  // supervisor sees a failure).
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(141);
    throw err;
  });
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode); // commander printed it
    process.stderr.write(`error: ${errorText(err)}\n`);
    process.exit(1);
  }
}

// Only when run as the entry point, so buildProgram() can be imported.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
