// The data folder of a Lanes node:
//   <home>/lanes.json       chain id, ports, executor/workers/metrics port and host (what `lanes start` reuses); marks a Lanes home
//   <home>/cometbft/        CometBFT's home (config/, data/)
//   <home>/app/state.db     the app's SQLite file
//   <home>/app.pid, <home>/cometbft.pid   written by the launcher while the node runs
import { spawnSync } from 'node:child_process';
import { isIP } from 'node:net';
import { availableParallelism, userInfo } from 'node:os';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appMempoolOptions, editCometConfig, editGenesis, getTomlString, recheckWarnings, setTomlKey, type NodePorts } from './config.ts';
import { DEFAULT_EVIDENCE_MAX_AGE_BLOCKS, STATE_CACHE_KEYS, defaultWorkers, type RecheckBy } from '@lanes/app';
import { DEVNET_CHAIN_ID, TESTNET_CHAIN_ID } from '@lanes/client';

export type { NodePorts } from './config.ts';

/** The repository root (LANES_REPO_ROOT when set). */
export const REPO_ROOT = process.env['LANES_REPO_ROOT'] ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const DEFAULT_PORTS: NodePorts = { rpc: 26657, p2p: 26656, abci: 26658 };
/** The app's Prometheus endpoint (`http://127.0.0.1:26670/metrics`); 0 disables it. */
export const DEFAULT_METRICS_PORT = 26670;
/** Where the app serves its metrics: this machine only, unless a node sets `--metrics-host`. */
export const DEFAULT_METRICS_HOST = '127.0.0.1';
export const EXECUTORS = ['sequential', 'parallel'] as const;
export type NodeExecutor = (typeof EXECUTORS)[number];
export const DEFAULT_EXECUTOR: NodeExecutor = 'parallel';
/** More execution workers than this is a typo, not a machine. */
export const MAX_WORKERS = 1024;

/** An error a user caused (bad flag, missing folder): the CLI prints its message without a stack. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** How a command prints an error it ends with: a UserError's message, else the stack. */
export function errorText(err: unknown): string {
  if (err instanceof UserError) return err.message;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

export function defaultHome(): string {
  return process.env['LANES_HOME'] ?? join(REPO_ROOT, '.devnet');
}

/** The command that deletes the chain in `home` to start it over: `npm run reset` for the repo's devnet. */
export function resetCommand(home: string): string {
  return homePaths(home).home === homePaths(join(REPO_ROOT, '.devnet')).home ? 'npm run reset' : `npm run lanes -- --home ${home} unsafe-reset --all`;
}

export function homePaths(home: string) {
  const abs = resolve(home);
  return {
    home: abs,
    manifest: join(abs, 'lanes.json'),
    cometHome: join(abs, 'cometbft'),
    cometConfig: join(abs, 'cometbft', 'config', 'config.toml'),
    genesis: join(abs, 'cometbft', 'config', 'genesis.json'),
    appDir: join(abs, 'app'),
    dbPath: join(abs, 'app', 'state.db'),
    appPid: join(abs, 'app.pid'),
    cometPid: join(abs, 'cometbft.pid'),
  };
}

/** What lanes.json holds. */
export interface HomeManifest {
  chainId: string;
  ports: NodePorts;
  createdAt: string;
  appVersion: string;
  /** Block executor (default 'parallel'); `--executor` overrides it. */
  executor?: NodeExecutor;
  /** Execution workers of the parallel executor (default: CPU count - 1, the main thread executes a share); `--workers` overrides it. */
  workers?: number;
  /** Prometheus metrics port (default 26670, 0 = off); `--metrics-port` overrides it. */
  metricsPort?: number;
  /** The address the metrics port listens on (default 127.0.0.1); `--metrics-host` overrides it. */
  metricsHost?: string;
  /**
   * Bound of the committed-state read cache, in keys, per thread (the main thread and each
   * execution worker; default 1,000,000, roughly 0.15-0.3 GB each); `--state-cache-keys` overrides it.
   */
  stateCacheKeys?: number;
  /**
   * Blocks below the latest that CometBFT keeps (default 0: every block); never fewer than the
   * genesis's evidence.max_age_num_blocks. `--min-retain-blocks` overrides it.
   */
  minRetainBlocks?: number;
}

/** How the app process runs: from the command line, else lanes.json, else the defaults. */
export interface AppSettings {
  executor: NodeExecutor;
  workers: number;
  metricsPort: number;
  metricsHost: string;
  stateCacheKeys: number;
  minRetainBlocks: number;
}

/** The settings given (on the command line), for resolveAppSettings. */
export function appSettingOverrides(o: Partial<AppSettings>): Partial<AppSettings> {
  return {
    ...(o.executor !== undefined && { executor: o.executor }),
    ...(o.workers !== undefined && { workers: o.workers }),
    ...(o.metricsPort !== undefined && { metricsPort: o.metricsPort }),
    ...(o.metricsHost !== undefined && { metricsHost: o.metricsHost }),
    ...(o.stateCacheKeys !== undefined && { stateCacheKeys: o.stateCacheKeys }),
    ...(o.minRetainBlocks !== undefined && { minRetainBlocks: o.minRetainBlocks }),
  };
}

/** How the executor runs, for logs and reports: `parallel (1 worker + main thread)`, `sequential`. */
export function describeExecutor(s: Pick<AppSettings, 'executor' | 'workers'>): string {
  return s.executor === 'parallel' ? `parallel (${s.workers} worker${s.workers === 1 ? '' : 's'} + main thread)` : s.executor;
}

export function parseExecutor(value: unknown, where = '--executor'): NodeExecutor {
  if (typeof value === 'string' && (EXECUTORS as readonly string[]).includes(value)) return value as NodeExecutor;
  throw new UserError(`${where}: expected one of ${EXECUTORS.join(', ')}, got ${JSON.stringify(value)}`);
}

/** `value` (a number, or digits from the command line) as an integer from min to max, else a UserError saying `expected`. */
function integerIn(value: unknown, min: number, max: number, where: string, expected: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw new UserError(`${where}: expected ${expected}, got ${JSON.stringify(value)}`);
  return n;
}

export function parseWorkers(value: unknown, where = '--workers'): number {
  return integerIn(value, 1, MAX_WORKERS, where, `an integer from 1 to ${MAX_WORKERS}`);
}

/** Largest --state-cache-keys: far more than fits in memory anyway. */
export const MAX_STATE_CACHE_KEYS = 1_000_000_000;

export function parseStateCacheKeys(value: unknown, where = '--state-cache-keys'): number {
  return integerIn(value, 1, MAX_STATE_CACHE_KEYS, where, `a number of keys from 1 to ${MAX_STATE_CACHE_KEYS}`);
}

/** Largest --min-retain-blocks: heights are int64, but past 2^53 - 1 it stops being a whole number here. */
export const MAX_MIN_RETAIN_BLOCKS = Number.MAX_SAFE_INTEGER;

export function parseMinRetainBlocks(value: unknown, where = '--min-retain-blocks'): number {
  return integerIn(value, 0, MAX_MIN_RETAIN_BLOCKS, where, 'a number of blocks, or 0 to keep every block');
}

export function parseMetricsPort(value: unknown, where = '--metrics-port'): number {
  return integerIn(value, 0, 65535, where, 'a TCP port, or 0 to disable metrics');
}

/**
 * An IP address to serve metrics on: a name would be looked up, and could change. Not an IPv6
 * zone (fe80::1%eth0), which URLs as most tools parse them cannot hold.
 */
export function parseMetricsHost(value: unknown, where = '--metrics-host'): string {
  if (typeof value === 'string' && isIP(value) !== 0 && !value.includes('%')) return value;
  throw new UserError(`${where}: expected an IP address to listen on (127.0.0.1: this machine only; 0.0.0.0 or ::: every interface; or one of this machine's addresses), got ${JSON.stringify(value)}`);
}

/**
 * The URL to read metrics served on `host` (an address listened on; every interface: this
 * machine's loopback, and `(listening on every interface)` after it where `described`).
 */
export function metricsUrl(host: string, port: number, described = false): string {
  const any6 = isIP(host) === 6 && /^[0:]+$/.test(host); // ::, ::0, 0:0:0:0:0:0:0:0
  const any = host === '0.0.0.0' || any6;
  const reach = host === '0.0.0.0' ? '127.0.0.1' : any6 ? '::1' : host;
  const url = `http://${isIP(reach) === 6 ? `[${reach}]` : reach}:${port}/metrics`;
  return described && any ? `${url} (listening on every interface)` : url;
}

/**
 * Why metrics cannot listen on `host`, for the errors a listen on it gets that are the host's
 * fault; `manifest`: the lanes.json it may have come from, named beside the flag.
 */
export function metricsHostProblem(host: string, code: string | undefined, manifest?: string): string | undefined {
  const where = `metrics host ${host} (--metrics-host${manifest === undefined ? '' : `, or "metricsHost" in ${manifest}`})`;
  if (code === 'EADDRNOTAVAIL') return `${where} is not an address of this machine: give one of its addresses, 0.0.0.0 for every interface, or 127.0.0.1`;
  if (code === 'EAFNOSUPPORT') return `${where} is an IPv6 address, and this machine has IPv6 turned off: give 0.0.0.0 or an IPv4 address`;
  return undefined;
}

/** Resolves and validates the app settings: `overrides` (command line) > lanes.json > defaults. */
export function resolveAppSettings(manifest: Pick<HomeManifest, 'executor' | 'workers' | 'metricsPort' | 'metricsHost' | 'stateCacheKeys' | 'minRetainBlocks'> | undefined, overrides: Partial<AppSettings> = {}, manifestPath = 'lanes.json'): AppSettings {
  const m = (manifest ?? {}) as Partial<Record<keyof AppSettings, unknown>>;
  // The command line's value (its parser names the flag), else lanes.json's (named by key), else the default.
  const pick = <K extends keyof AppSettings>(key: K, parse: (v: unknown, where?: string) => AppSettings[K], fallback: () => AppSettings[K]): AppSettings[K] =>
    overrides[key] !== undefined ? parse(overrides[key]) : m[key] !== undefined ? parse(m[key], `${manifestPath} "${key}"`) : fallback();
  return {
    executor: pick('executor', parseExecutor, () => DEFAULT_EXECUTOR),
    workers: pick('workers', parseWorkers, () => defaultWorkers(availableParallelism())),
    metricsPort: pick('metricsPort', parseMetricsPort, () => DEFAULT_METRICS_PORT),
    metricsHost: pick('metricsHost', parseMetricsHost, () => DEFAULT_METRICS_HOST),
    stateCacheKeys: pick('stateCacheKeys', parseStateCacheKeys, () => STATE_CACHE_KEYS),
    minRetainBlocks: pick('minRetainBlocks', parseMinRetainBlocks, () => 0),
  };
}

export function readManifest(home: string): HomeManifest | undefined {
  const { manifest } = homePaths(home);
  if (!existsSync(manifest)) return undefined;
  let text: string;
  try {
    text = readFileSync(manifest, 'utf8');
  } catch (err) {
    throw homeWriteError(err, manifest, 'read');
  }
  try {
    return JSON.parse(text) as HomeManifest;
  } catch (err) {
    throw new UserError(`${manifest} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * A home's node ports: lanes.json's `ports`, each a TCP port, checked against the addresses its
 * CometBFT config.toml listens on and calls the app at (`rpc.laddr`, `p2p.laddr`, `proxy_app`),
 * which the launcher, the app and `--home`'s tx commands all take from lanes.json. A config.toml
 * that is missing, empty, lacks one of them or calls the app other than over gRPC is refused
 * (badCometConfig): CometBFT would write or fill in its defaults (a socket app on 26658, RPC on
 * 26657, P2P on every interface) and never reach this node's app.
 */
export function homePorts(home: string, manifest: Pick<HomeManifest, 'ports'> & Partial<Pick<HomeManifest, 'chainId'>>): NodePorts {
  const p = homePaths(home);
  const given = (manifest.ports ?? {}) as Partial<Record<keyof NodePorts, unknown>>;
  const ports = {} as NodePorts;
  for (const k of ['rpc', 'p2p', 'abci'] as const) ports[k] = integerIn(given[k], 1, 65535, `${p.manifest} "ports.${k}"`, 'a TCP port (1 to 65535)');
  let toml: string;
  try {
    toml = readFileSync(p.cometConfig, 'utf8');
  } catch (err) {
    // Missing, or not this user's to read (existsSync cannot tell: it says false for both).
    throw (err as NodeJS.ErrnoException).code === 'ENOENT' ? badCometConfig(home, ports, manifest.chainId, 'is missing') : homeWriteError(err, p.cometConfig, 'read');
  }
  if (toml.trim() === '') throw badCometConfig(home, ports, manifest.chainId, 'is empty');
  for (const k of ['rpc', 'p2p', 'abci'] as const) {
    const [section, key] = PORT_KEYS[k];
    const value = getTomlString(toml, section, key);
    if (value === undefined) throw badCometConfig(home, ports, manifest.chainId, `has no ${section ? `${section}.` : ''}${key} (cut short, or not the one \`lanes init\` wrote?)`);
    const port = Number(/:(\d+)$/.exec(value)?.[1]);
    if (port !== ports[k]) {
      throw new UserError(`${p.cometConfig} has ${section ? `${section}.` : ''}${key} = ${JSON.stringify(value ?? null)}, but ${p.manifest} has "ports.${k}": ${ports[k]}; `
        + 'the launcher and the tx commands use lanes.json\'s, so make the two agree');
    }
  }
  const abci = getTomlString(toml, '', 'abci');
  if (abci !== 'grpc') throw new UserError(`${p.cometConfig} has abci = ${JSON.stringify(abci ?? null)}, but the Lanes app serves ABCI over gRPC: set abci = "grpc"`);
  return ports;
}

/**
 * A home's config.toml that `lanes start` cannot use, and how to get one back without losing the
 * chain: a backup, or the one `lanes init` writes with this node's ports, made in a folder beside
 * the home and copied over (its chain id chosen so that CORS is set as here: any origin on the
 * devnet, none elsewhere). `init --force` and `unsafe-reset --all` would delete the chain.
 */
function badCometConfig(home: string, ports: NodePorts, chainId: string | undefined, what: string): UserError {
  const p = homePaths(home);
  const scratch = `${p.home}-config`;
  return new UserError(`${p.cometConfig} ${what}: CometBFT would start with its own defaults (a socket app on 26658, RPC on 26657, P2P on every interface), `
    + 'not this node\'s. Restore it from a backup, or write a new one and keep the chain: '
    + `\`npm run lanes -- --home ${scratch} init${chainId === undefined ? '' : ` --chain-id ${chainId}`} --devnet --rpc-port ${ports.rpc} --p2p-port ${ports.p2p} --abci-port ${ports.abci}\`, `
    + `copy ${join(scratch, 'cometbft', 'config', 'config.toml')} to ${p.cometConfig}, set again what you had changed in it (moniker, persistent_peers, `
    + `block time), and delete ${scratch}; \`lanes init --force\` would delete the chain`);
}

/** Where a home's config.toml names each of its node ports. */
const PORT_KEYS = { rpc: ['rpc', 'laddr'], p2p: ['p2p', 'laddr'], abci: ['', 'proxy_app'] } as const;

/**
 * Moves a stopped node's RPC, P2P and ABCI ports: lanes.json's `ports`, and the addresses in its
 * CometBFT config.toml, each keeping its host (an operator's 0.0.0.0 stays). Peers that list this
 * node's P2P address need the new one. `metricsPort`: this run's, when it is not lanes.json's.
 * Returns the node's ports.
 */
export function setHomePorts(home: string, change: Partial<NodePorts>, metricsPort?: number): NodePorts {
  const p = homePaths(home);
  const manifest = readManifest(home);
  if (!manifest) throw new UserError(`${p.home} is not initialised (no lanes.json)`);
  assertNotRunning(home);
  const ports = { ...homePorts(home, manifest), ...change };
  assertDistinctPorts(ports, metricsPort ?? resolveAppSettings(manifest, {}, p.manifest).metricsPort);
  const before = readFileSync(p.cometConfig, 'utf8');
  let toml = before;
  for (const k of ['rpc', 'p2p', 'abci'] as const) {
    const [section, key] = PORT_KEYS[k];
    // homePorts found this address ending in its port.
    const value = getTomlString(toml, section, key) ?? '';
    toml = setTomlKey(toml, section, key, value.replace(/:\d+$/, `:${ports[k]}`));
  }
  // config.toml first, lanes.json last, each written in place (through a link, keeping its owner
  // and mode, refused if the file is read-only). A write refused (a read-only or full disk, a
  // file this user may not write) is one line naming the file, with both files put back as they
  // were; one that fails part way and cannot be put back either (a full disk) says so.
  const manifestText = readFileSync(p.manifest, 'utf8');
  writeBack(p.cometConfig, toml, [[p.cometConfig, before]]);
  writeBack(p.manifest, `${JSON.stringify({ ...manifest, ports }, null, 2)}\n`, [[p.manifest, manifestText], [p.cometConfig, before]]);
  return ports;
}

/**
 * Writes `text` to `path`; if that fails, writes back each file's earlier text (`undo`, the
 * file itself first) and throws homeWriteError's one line, naming any file it could not put back.
 */
function writeBack(path: string, text: string, undo: [string, string][]): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    const lost: string[] = [];
    for (const [file, earlier] of undo) {
      try {
        if (readFileSync(file, 'utf8') !== earlier) writeFileSync(file, earlier);
      } catch {
        lost.push(file);
      }
    }
    const e = homeWriteError(err, path);
    if (lost.length === 0 || !(e instanceof UserError)) throw e;
    throw new UserError(`${e.message}; and ${lost.join(' and ')} could not be put back as ${lost.length > 1 ? 'they were' : 'it was'} (it may be cut short): `
      + `once the disk has room, set their ports by hand (lanes.json "ports", config.toml's rpc.laddr, p2p.laddr and proxy_app)`);
  }
}

/** The peers a home's CometBFT config lists to dial: p2p.persistent_peers and p2p.seeds, each split on commas. */
export function homePeers(home: string): string[] {
  const p = homePaths(home);
  if (!existsSync(p.cometConfig)) return [];
  const toml = readFileSync(p.cometConfig, 'utf8');
  return ['persistent_peers', 'seeds'].flatMap((key) => (getTomlString(toml, 'p2p', key) ?? '').split(',').map((x) => x.trim()).filter((x) => x !== ''));
}

/** Refuses a port given to two of a node's listeners (RPC, P2P, ABCI, metrics). */
export function assertDistinctPorts(ports: NodePorts, metricsPort: number): void {
  const named: [string, number][] = [['RPC', ports.rpc], ['P2P', ports.p2p], ['ABCI', ports.abci], ...(metricsPort > 0 ? [['metrics', metricsPort] as [string, number]] : [])];
  for (const [i, [a, x]] of named.entries()) {
    const other = named.slice(i + 1).find(([, y]) => y === x);
    if (other) throw new UserError(`port ${x} is given to both ${a} and ${other[0]}: each needs its own`);
  }
}

/**
 * The CometBFT binary: $LANES_COMETBFT (set and not empty, as `scripts/ensure.mjs` reads it, which
 * then checks it is a 0.38 instead of installing one), else the pinned one ensure.mjs installs.
 */
export function cometbftBinary(): string {
  // Absolute: the launcher starts CometBFT from the repository root, wherever this runs from.
  const bin = resolve(process.env['LANES_COMETBFT'] || join(REPO_ROOT, '.tools', 'bin', 'cometbft'));
  if (!existsSync(bin)) {
    throw new UserError(`CometBFT not found at ${bin}: run \`node scripts/ensure.mjs\` or set LANES_COMETBFT`);
  }
  return bin;
}

/** appMempoolOptions of a home's CometBFT config.toml; without one, CometBFT's defaults (it rechecks). */
export function homeMempoolOptions(home: string): ReturnType<typeof appMempoolOptions> & { warnings: string[] } {
  const config = homePaths(home).cometConfig;
  if (!existsSync(config)) return { recheck: 'cometbft', warnings: [] };
  const toml = readFileSync(config, 'utf8');
  return { ...appMempoolOptions(toml), warnings: recheckWarnings(toml) };
}

/** What the app reads of the genesis's consensus params (CometBFT's defaults where it says nothing). */
export interface GenesisConsensusLimits {
  /** `evidence.max_age_num_blocks`, which bounds block pruning from below: see BlockRetention. */
  evidenceMaxAgeBlocks: number;
  /**
   * `block.max_gas` (-1: none, what Lanes writes; the app enforces its own params.max_block_gas),
   * or undefined where the genesis does not say (then nothing is assumed of it).
   */
  blockMaxGas: number | undefined;
}

/** A home's GenesisConsensusLimits (the defaults without a genesis). */
export function homeConsensusLimits(home: string): GenesisConsensusLimits {
  const { genesis } = homePaths(home);
  const limits: GenesisConsensusLimits = { evidenceMaxAgeBlocks: DEFAULT_EVIDENCE_MAX_AGE_BLOCKS, blockMaxGas: undefined };
  if (!existsSync(genesis)) return limits;
  let g: { consensus_params?: { evidence?: { max_age_num_blocks?: unknown }; block?: { max_gas?: unknown } } };
  try {
    g = JSON.parse(readFileSync(genesis, 'utf8')) as typeof g;
  } catch (err) {
    throw new UserError(`${genesis} is not valid JSON: ${(err as Error).message}`);
  }
  // CometBFT writes int64 as a JSON string; past 2^53 neither value can be reached anyway.
  const int64 = (v: unknown, key: string, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
      throw new UserError(`${genesis} has consensus_params.${key} = ${JSON.stringify(v)}, not an integer of at least ${min}`);
    }
    return Math.min(n, Number.MAX_SAFE_INTEGER);
  };
  limits.evidenceMaxAgeBlocks = int64(g.consensus_params?.evidence?.max_age_num_blocks, 'evidence.max_age_num_blocks', 0) ?? limits.evidenceMaxAgeBlocks;
  limits.blockMaxGas = int64(g.consensus_params?.block?.max_gas, 'block.max_gas', -1);
  return limits;
}

/**
 * The Go scheduler's GOMAXPROCS for CometBFT: the environment's GOMAXPROCS when set, else 1 on
 * a machine of at most 2 CPUs when CometBFT rechecks the mempool itself (`recheck`
 * 'cometbft'), else undefined (Go's default, one per CPU).
 *
 * On 2 CPUs the app's threads keep both busy, and a Go runtime with an idle P spins looking for
 * work before it parks, most of all between the one-at-a-time gRPC calls of CometBFT's recheck:
 * with one P, CometBFT used 13–38 % less CPU per tx and the node took more txs (the performance
 * log, seventeenth round). When the app rechecks (what Lanes sets up) those calls are gone, and
 * one P cost throughput instead: Go's default took more txs in four pairs of four (eighteenth
 * round). With more CPUs it is not measured, so Go's default stays.
 */
export function cometbftGoMaxProcs(env: NodeJS.ProcessEnv, cpus: number, recheck: RecheckBy): string | undefined {
  const set = env['GOMAXPROCS'];
  if (set !== undefined && set !== '') return set;
  return cpus <= 2 && recheck === 'cometbft' ? '1' : undefined;
}

/** ", CometBFT GOMAXPROCS=N" for a node's start-up line, or "" when CometBFT runs with Go's default. */
export function goMaxProcsNote(goMaxProcs: string | undefined): string {
  return goMaxProcs === undefined ? '' : `, CometBFT GOMAXPROCS=${goMaxProcs}`;
}

export interface InitHomeOptions {
  home: string;
  chainId: string;
  moniker?: string;
  ports: NodePorts;
  /** genesis.json's app_state, e.g. `devnetGenesis(addresses)` from @lanes/app. */
  genesisAppState: object;
  /** consensus.timeout_commit in ms (default 500). */
  blockTimeMs?: number;
  /** CometBFT log level written to config.toml. */
  logLevel?: string;
  voteExtensionsEnableHeight?: number;
  /** Wipe an existing Lanes home first (only one that has a lanes.json). */
  force?: boolean;
  appVersion?: string;
  /** Written to lanes.json when given (see HomeManifest). */
  executor?: NodeExecutor;
  workers?: number;
  metricsPort?: number;
  metricsHost?: string;
  stateCacheKeys?: number;
  minRetainBlocks?: number;
}

/** Creates a node's data folder: `cometbft init`, config.toml and genesis.json edits, lanes.json. */
export function initHome(opts: InitHomeOptions): HomeManifest {
  const p = homePaths(opts.home);
  for (const [name, port] of Object.entries(opts.ports)) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UserError(`invalid ${name} port: ${port}`);
  }
  assertDistinctPorts(opts.ports, resolveAppSettings(opts, {}, 'init').metricsPort); // validated before touching the disk
  if (existsSync(p.manifest)) {
    if (!opts.force) throw new UserError(`${p.home} is already initialised (use --force to wipe it and start a new chain)`);
    assertNotRunning(p.home); // its validator key and data would go from under a running node
    resetHome(p.home);
  }
  mkdirSync(p.appDir, { recursive: true });
  if (!existsSync(p.genesis)) {
    const r = spawnSync(cometbftBinary(), ['init', '--home', p.cometHome], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cometbft init --home ${p.cometHome} failed (${r.status}): ${r.stderr || r.error?.message}`);
  }
  const configOpts = {
    ports: opts.ports,
    // The local chains take calls from any page (a web app on another port); a chain of one's own
    // none until its operator names the origins in config.toml.
    corsAllowedOrigins: opts.chainId === DEVNET_CHAIN_ID || opts.chainId === TESTNET_CHAIN_ID ? ['*'] : [],
    ...(opts.moniker !== undefined && { moniker: opts.moniker }),
    ...(opts.blockTimeMs !== undefined && { blockTimeMs: opts.blockTimeMs }),
    ...(opts.logLevel !== undefined && { logLevel: opts.logLevel }),
  };
  writeFileSync(p.cometConfig, editCometConfig(readFileSync(p.cometConfig, 'utf8'), configOpts));
  writeFileSync(p.genesis, editGenesis(readFileSync(p.genesis, 'utf8'), {
    chainId: opts.chainId,
    appState: opts.genesisAppState,
    ...(opts.voteExtensionsEnableHeight !== undefined && { voteExtensionsEnableHeight: opts.voteExtensionsEnableHeight }),
  }));
  const manifest: HomeManifest = {
    chainId: opts.chainId,
    ports: { ...opts.ports },
    createdAt: new Date().toISOString(),
    appVersion: opts.appVersion ?? 'unknown',
    ...(opts.executor !== undefined && { executor: parseExecutor(opts.executor, 'executor') }),
    ...(opts.workers !== undefined && { workers: parseWorkers(opts.workers, 'workers') }),
    ...(opts.metricsPort !== undefined && { metricsPort: parseMetricsPort(opts.metricsPort, 'metricsPort') }),
    ...(opts.metricsHost !== undefined && { metricsHost: parseMetricsHost(opts.metricsHost, 'metricsHost') }),
    ...(opts.stateCacheKeys !== undefined && { stateCacheKeys: parseStateCacheKeys(opts.stateCacheKeys, 'stateCacheKeys') }),
    ...(opts.minRetainBlocks !== undefined && { minRetainBlocks: parseMinRetainBlocks(opts.minRetainBlocks, 'minRetainBlocks') }),
  };
  // Written last: its presence means the home is complete.
  writeFileSync(p.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` is a process of the node on `home`: alive, and, where /proc tells (Linux), with
 * `--home` naming that home (the app's) or its `cometbft` folder (CometBFT's), compared by real
 * path, so that a home reached through a symlink is the same home, `/x/node1` is not `/x/node10`,
 * and a pid file left by a crash or a power cut never blocks a start because its pid now belongs
 * to another program (which has no `--home`).
 */
export function isNodeProcess(pid: number, home: string): boolean {
  if (!isRunning(pid)) return false;
  let args: string[];
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return true; // no /proc (or not ours to read): alive is all we know
  }
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  const want = real(homePaths(home).home);
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const value = a === '--home' ? args[i + 1] : a.startsWith('--home=') ? a.slice('--home='.length) : undefined;
    if (value === undefined || value === '') continue;
    const dir = real(value);
    if (dir === want || (basename(dir) === 'cometbft' && dirname(dir) === want)) return true;
  }
  return false;
}

/** The live processes of a home's node (the app, CometBFT) that its pid files name. */
export function nodeProcesses(home: string): { pid: number; pidFile: string }[] {
  const p = homePaths(home);
  const out: { pid: number; pidFile: string }[] = [];
  for (const pidFile of [p.appPid, p.cometPid]) {
    let pid = 0;
    try {
      pid = Number(readFileSync(pidFile, 'utf8').trim());
    } catch {
      // no pid file: not started, or stopped
    }
    if (pid > 1 && isNodeProcess(pid, p.home)) out.push({ pid, pidFile });
  }
  return out;
}

/**
 * A failed write into a node's home (or read: `verb`) as one line for its operator, naming the
 * path, the error code and what to do (permissions, a read-only or full disk), as a UserError:
 * printed without a stack. Anything but a file system error (one with an `E...` code) is returned
 * as it is.
 */
export function homeWriteError(err: unknown, path: string, verb: 'read' | 'write' = 'write'): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (!(err instanceof Error) || typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return err;
  const user = ((): string => {
    try {
      return userInfo().username;
    } catch {
      return `uid ${process.getuid?.() ?? '?'}`;
    }
  })();
  const what: Record<string, string> = {
    EACCES: `permission denied: run the node as the user who owns it, or give this user (${user}) ${verb} access to it`,
    EPERM: `operation not permitted: run the node as the user who owns it, or give this user (${user}) ${verb} access to it`,
    EROFS: 'read-only file system: remount it read-write, or keep the node\'s home on another disk (--home, LANES_HOME)',
    ENOSPC: 'no space left on device: free some space on its disk, then start the node again',
    EDQUOT: 'disk quota exceeded: free some space (or raise the quota), then start the node again',
  };
  // Node's own words for the rest: "ENOTDIR: not a directory, mkdir '...'" without the call.
  const words = what[code] ?? err.message.replace(new RegExp(`^${code}: `), '').replace(/, \w+ '[^']*'$/, '').replace(/, \w+$/, '');
  return new UserError(`cannot ${verb} ${path}: ${code} (${words})`);
}

/**
 * Refuses, before a node starts, a home it cannot write: the home (pid files), `app/` (the
 * app's state.db) and `cometbft/data` (CometBFT's blocks), each created where missing and written
 * a probe file to, so that a read-only folder, a permission error or a full disk is one line
 * naming the folder (homeWriteError), not a child's stack trace once it is running.
 */
export function assertHomeWritable(home: string): void {
  const p = homePaths(home);
  for (const dir of [p.home, p.appDir, join(p.cometHome, 'data')]) {
    const probe = join(dir, `.lanes-write-check-${process.pid}`);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(probe, 'lanes: can this node write here?\n');
      unlinkSync(probe);
    } catch (err) {
      throw homeWriteError(err, dir);
    }
  }
}

/** Refuses when the pid files of a home name a live process of its node: a node is running on it. */
export function assertNotRunning(home: string): void {
  const [running] = nodeProcesses(home);
  if (running) throw new UserError(`a node is running on ${homePaths(home).home} (pid ${running.pid} in ${running.pidFile}): stop it first`);
}

/**
 * A Lanes home's manifest, for a command about to reset or delete it: refuses a folder without a
 * lanes.json, so that a mistyped --home can never lose something else.
 */
export function assertLanesHome(home: string, verb: 'reset' | 'delete'): HomeManifest {
  const manifest = readManifest(home);
  if (!manifest) throw new UserError(`${homePaths(home).home} does not look like a Lanes home (no lanes.json); refusing to ${verb} it`);
  return manifest;
}

/**
 * Deletes a node's chain data and keeps what makes it this node on this network, as the Cosmos
 * SDK's `unsafe-reset-all` does: CometBFT's blocks, state and tx index (`cometbft/data`), its
 * address book and the app's state go; lanes.json, CometBFT's config, genesis and keys stay, and
 * so does the validator's record of what it last signed (`data/priv_validator_state.json`), so
 * that a validator that syncs the chain again never signs a height twice. For a node that lost
 * its state and rejoins its network. Returns the paths deleted. Refuses any folder without a
 * lanes.json, as resetHome does.
 */
export function resetChainData(home: string): string[] {
  const p = homePaths(home);
  assertLanesHome(home, 'reset');
  // Everything in CometBFT's data folder but the signing record, which is never moved or
  // rewritten: a reset cut short cannot lose it.
  const data = join(p.cometHome, 'data');
  const inData = existsSync(data) ? readdirSync(data).filter((f) => f !== 'priv_validator_state.json').sort().map((f) => join(data, f)) : [];
  const gone = [...inData, join(p.cometHome, 'config', 'addrbook.json'), p.appDir, p.appPid, p.cometPid].filter((f) => existsSync(f));
  for (const f of gone) rmSync(f, { recursive: true, force: true });
  return gone;
}

/**
 * Deletes a Lanes home: chain data, config, genesis and the validator's keys. Refuses any
 * folder without a lanes.json, so a mistyped --home can never delete something else.
 */
export function resetHome(home: string): void {
  const p = homePaths(home);
  assertLanesHome(home, 'delete');
  // Known entries only, then the folder if nothing else was put there. lanes.json first: a wipe
  // that fails halfway leaves no home that looks complete.
  for (const f of [p.manifest, p.cometHome, p.appDir, p.appPid, p.cometPid]) rmSync(f, { recursive: true, force: true });
  try {
    rmdirSync(p.home);
  } catch {
    // Not empty: the user keeps what they put there.
  }
}
