// Starts a real single-validator node (the pinned cometbft binary + the Lanes app as a child
// process, supervised by the launcher) in a temporary home on free 127.0.0.1 ports.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { freePort, homePaths, initHome, setTomlKey, startNode, type NodeHandle, type TomlValue } from '@lanes/abci-server';
import { devnetGenesis } from '@lanes/abci-server/lanesApp';
import { devnetAccounts, type DevnetAccount } from '@lanes/client';

export const TEST_CHAIN_ID = 'lanes-devnet-1';

export interface TestNode {
  rpcUrl: string;
  home: string;
  accounts: DevnetAccount[];
  handle: NodeHandle;
  /** The app's Prometheus endpoint (on a free port, so test nodes and a devnet never collide). */
  metricsUrl: string;
  stop(): Promise<void>;
}

export async function startTestNode(opts: {
  blockTimeMs?: number; keepHome?: boolean; executor?: 'sequential' | 'parallel';
  /** The app's --state-cache-keys (default: the app's). */
  stateCacheKeys?: number;
  /** Further edits of CometBFT's config.toml, after `initHome` wrote it: [section, key, value]. */
  cometConfig?: [string, string, TomlValue][];
  /** Edits genesis.json (parsed) after `initHome` wrote it. */
  genesis?: (g: Record<string, unknown>) => void;
  /** The app's --min-retain-blocks (default: the app's, every block kept). */
  minRetainBlocks?: number;
} = {}): Promise<TestNode> {
  const home = mkdtempSync(join(tmpdir(), 'lanes-it-'));
  const ports = { rpc: await freePort(), p2p: await freePort(), abci: await freePort() };
  const metricsPort = await freePort();
  const accounts = await devnetAccounts();
  initHome({
    home,
    chainId: TEST_CHAIN_ID,
    ports,
    // Else initHome checks the ports against the devnet's metrics port, which a free port drawn above may be.
    metricsPort,
    genesisAppState: devnetGenesis(accounts.map((a) => a.address)),
    blockTimeMs: opts.blockTimeMs ?? 300,
  });
  const configPath = homePaths(home).cometConfig;
  if (opts.cometConfig) writeFileSync(configPath, opts.cometConfig.reduce((t, [section, key, value]) => setTomlKey(t, section, key, value), readFileSync(configPath, 'utf8')));
  if (opts.genesis) {
    const g = JSON.parse(readFileSync(homePaths(home).genesis, 'utf8')) as Record<string, unknown>;
    opts.genesis(g);
    writeFileSync(homePaths(home).genesis, JSON.stringify(g, null, 2));
  }
  const level = testLogLevel();
  const logger = pino({ level: level ?? 'warn' });
  const output = level ? process.stderr : null;
  const handle = await startNode({
    home, metricsPort, logger, output, cometbftLogLevel: '*:error', appLogLevel: level ?? 'warn', readyTimeoutMs: 60_000,
    ...(opts.executor !== undefined && { executor: opts.executor }),
    ...(opts.stateCacheKeys !== undefined && { stateCacheKeys: opts.stateCacheKeys }),
    ...(opts.minRetainBlocks !== undefined && { minRetainBlocks: opts.minRetainBlocks }),
  });
  return {
    rpcUrl: handle.rpcUrl,
    home,
    accounts,
    handle,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    stop: async () => {
      await handle.stop();
      if (!opts.keepHome) rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Polls until `cond` holds or `ms` pass. */
export async function waitFor(cond: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * LANES_TEST_LOG: a pino level name (`info`, `debug`) shows the test nodes' output at that level;
 * any other value (`1`, `true`) means `info`. Unset or empty: quiet.
 */
export function testLogLevel(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env['LANES_TEST_LOG'];
  if (!v) return undefined;
  return Object.hasOwn(pino.levels.values, v) ? v : 'info';
}
