// Edits of the files `cometbft init` writes: config.toml (plain string edits of known keys, so
// CometBFT's comments stay) and genesis.json. Pure functions, no I/O.
import type { RecheckBy } from '@lanes/app';

export type TomlValue = string | number | boolean | readonly string[];

function renderToml(v: TomlValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((s) => JSON.stringify(s)).join(', ')}]`;
  return String(v);
}

/** The line of `key` in `section` ('' for the top-level table), and its indentation; -1 if absent. */
function findTomlKey(lines: readonly string[], section: string, key: string): { index: number; indent: string } {
  let current = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      current = header[1]!.trim();
      continue;
    }
    if (current !== section) continue;
    const m = /^(\s*)([A-Za-z0-9_-]+)\s*=/.exec(line);
    if (m && m[2] === key) return { index: i, indent: m[1]! };
  }
  return { index: -1, indent: '' };
}

/**
 * Sets `key = value` in `section` ('' for the top-level table) of a CometBFT config.toml.
 * Throws when the key is absent: a renamed key in a new CometBFT must not be silently skipped.
 */
export function setTomlKey(toml: string, section: string, key: string, value: TomlValue): string {
  const lines = toml.split('\n');
  const { index, indent } = findTomlKey(lines, section, key);
  if (index < 0) throw new Error(`config.toml has no key ${key} in section [${section || 'top level'}]`);
  lines[index] = `${indent}${key} = ${renderToml(value)}`;
  return lines.join('\n');
}

/** A TOML string's value (basic or literal quotes taken off), as getTomlKey finds it. */
export function getTomlString(toml: string, section: string, key: string): string | undefined {
  return getTomlKey(toml, section, key)?.replace(/^(["'])(.*)\1$/, '$2');
}

/** The value text of `key` in `section` (a scalar, without a trailing comment), or undefined. */
export function getTomlKey(toml: string, section: string, key: string): string | undefined {
  const lines = toml.split('\n');
  const { index } = findTomlKey(lines, section, key);
  if (index < 0) return undefined;
  const m = /^[^=]*=\s*([^#]*?)\s*(#.*)?$/.exec(lines[index]!);
  return m?.[1];
}

/**
 * What the app needs to know of CometBFT's mempool, from its config.toml: its limits
 * (`mempool.size` in txs, `mempool.max_txs_bytes` in bytes), under which the app keeps CheckTx
 * (LanesAppOptions.mempoolSize, mempoolMaxBytes), and who rechecks what stays in it after a
 * block (LanesAppOptions.recheck): CometBFT when `mempool.recheck = true` (its default), the app
 * when `false`. A limit that is missing or not a positive whole number is left unset.
 */
export function appMempoolOptions(toml: string): { mempoolSize?: number; mempoolMaxBytes?: number; recheck: RecheckBy } {
  // Absent, CometBFT's default applies: it rechecks.
  const recheck: RecheckBy = getTomlKey(toml, 'mempool', 'recheck') === 'false' ? 'app' : 'cometbft';
  const limit = (key: string): number | undefined => {
    const n = Number(getTomlKey(toml, 'mempool', key));
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  };
  const size = limit('size');
  const bytes = limit('max_txs_bytes');
  return { ...(size !== undefined && { mempoolSize: size }), ...(bytes !== undefined && { mempoolMaxBytes: bytes }), recheck };
}

/**
 * What in a CometBFT config the app's recheck cannot follow at once, as lines for the app's log.
 * With `rpc.unsafe`, /unsafe_flush_mempool empties CometBFT's mempool without a word to the app,
 * whose record of the mempool keeps the flushed txs (their sequences taken: sent again they are
 * refused as out of sequence) until this node next proposes a block with the whole mempool in
 * hand (LanesApp's forgetUnreaped): a node that never proposes keeps them until restarted.
 */
export function recheckWarnings(toml: string): string[] {
  if (appMempoolOptions(toml).recheck !== 'app') return [];
  const out: string[] = [];
  if (getTomlKey(toml, 'rpc', 'unsafe') === 'true') {
    out.push('rpc.unsafe = true with mempool.recheck = false: after /unsafe_flush_mempool the app still holds the flushed txs '
      + '(sent again they are refused as out of sequence) until this node next proposes a block (on a network, its next turn); '
      + 'a node that is not a validator keeps them until restarted, so restart it after a flush, or set mempool.recheck = true');
  }
  // CometBFT's /check_tx runs CheckTx without adding the tx to its mempool; the app, rechecking
  // itself, cannot tell such a call from a broadcast, and records the tx as held.
  const laddr = getTomlString(toml, 'rpc', 'laddr') ?? '';
  if (laddr !== '' && !/^(tcp:\/\/)?(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(laddr) && !laddr.startsWith('unix://')) {
    out.push(`rpc.laddr = ${laddr} with mempool.recheck = false: anyone who reaches the RPC can fill the app's record of the mempool `
      + 'through /check_tx (CheckTx without a broadcast, no fee paid), so that this node answers "mempool is full" until it next proposes a block; '
      + 'on a node whose RPC others reach, refuse /check_tx in a proxy or keep the RPC on 127.0.0.1 (mempool.recheck = true limits each filling to one block)');
  }
  return out;
}

export interface NodePorts {
  rpc: number;
  p2p: number;
  abci: number;
}

export interface CometConfigOptions {
  moniker?: string;
  ports: NodePorts;
  /** consensus.timeout_commit in milliseconds; the devnet's block time is about this. */
  blockTimeMs?: number;
  /** CometBFT log level, e.g. 'info' or '*:error'. */
  logLevel?: string;
  /**
   * Web origins whose pages may call the RPC from a browser (rpc.cors_allowed_origins; default
   * none). Any (`*`) lets every page a visitor opens drive the node's RPC, a local one included.
   */
  corsAllowedOrigins?: string[];
}

/**
 * The default CometBFT log level: start/stop lines and errors. 'state:info' adds three lines per
 * block, too many at 2 blocks/s; `lanes start` prints a height heartbeat instead.
 */
export const DEFAULT_COMET_LOG_LEVEL = 'main:info,*:error';

export function editCometConfig(toml: string, opts: CometConfigOptions): string {
  const { ports } = opts;
  const blockTimeMs = opts.blockTimeMs ?? 500;
  const edits: [string, string, TomlValue][] = [
    // No tcp:// scheme: CometBFT 0.38.13+ dials with grpc.NewClient, which does not parse it.
    ['', 'proxy_app', `127.0.0.1:${ports.abci}`],
    ['', 'abci', 'grpc'],
    ['', 'log_level', opts.logLevel ?? DEFAULT_COMET_LOG_LEVEL],
    ['rpc', 'laddr', `tcp://127.0.0.1:${ports.rpc}`],
    ['rpc', 'cors_allowed_origins', opts.corsAllowedOrigins ?? []],
    ['rpc', 'max_open_connections', 2000],
    ['rpc', 'max_subscription_clients', 500],
    ['rpc', 'pprof_laddr', ''],
    ['p2p', 'laddr', `tcp://127.0.0.1:${ports.p2p}`],
    ['p2p', 'allow_duplicate_ip', true],
    ['p2p', 'addr_book_strict', false],
    // One full block (params.max_block_txs): every waiting tx is rechecked after each block, so
    // a larger pool turns an overload into longer rechecks.
    ['mempool', 'size', 10000],
    ['mempool', 'max_txs_bytes', 1073741824],
    ['mempool', 'cache_size', 100000],
    // The app rechecks the waiting txs itself, inside Commit (LanesAppOptions.recheck): CometBFT
    // 0.38's recheck is one blocking gRPC round trip per tx with its mempool locked, which cost
    // about a third of a tx's CPU under load (README, "Executor and metrics").
    ['mempool', 'recheck', false],
    ['consensus', 'timeout_commit', `${blockTimeMs}ms`],
    ['consensus', 'timeout_propose', `${Math.max(1000, blockTimeMs * 2)}ms`],
    ['consensus', 'create_empty_blocks', true],
    ['consensus', 'create_empty_blocks_interval', '0s'],
    ['tx_index', 'indexer', 'kv'],
    ['instrumentation', 'prometheus', false],
  ];
  if (opts.moniker !== undefined) edits.push(['', 'moniker', opts.moniker]);
  return edits.reduce((t, [section, key, value]) => setTomlKey(t, section, key, value), toml);
}

/**
 * Stays under the 4 MiB gRPC receive limit of CometBFT's ABCI client, with room for the
 * FinalizeBlock request's other fields.
 */
export const BLOCK_MAX_BYTES = 3 * 1024 * 1024;

export interface GenesisOptions {
  chainId: string;
  appState: object;
  /** Height from which validators sign vote extensions (the oracle's prices); 0 disables. */
  voteExtensionsEnableHeight?: number;
}

/** Returns genesis.json with the chain id, app state and consensus params set; keeps the validators. */
export function editGenesis(genesisJson: string, opts: GenesisOptions): string {
  const g = JSON.parse(genesisJson) as Record<string, unknown> & {
    consensus_params?: { block?: Record<string, string>; abci?: Record<string, string> };
  };
  g['chain_id'] = opts.chainId;
  g['app_state'] = opts.appState;
  const params = (g.consensus_params ??= {});
  params.block = { ...params.block, max_bytes: String(BLOCK_MAX_BYTES), max_gas: '-1' };
  params.abci = { ...params.abci, vote_extensions_enable_height: String(opts.voteExtensionsEnableHeight ?? 1) };
  return `${JSON.stringify(g, null, 2)}\n`;
}
