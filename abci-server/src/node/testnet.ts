// A local network of several validators (`lanes testnet`): one Lanes home per validator under
// one folder, one genesis naming them all at equal power, each node a persistent peer of every
// other. Each node then runs as any other (`lanes --home <dir>/node<i> start`), so a network can
// mix executors, stop and restart single validators, and show that validators running the
// parallel executor and the sequential one agree on every block.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTomlKey, type NodePorts } from './config.ts';
import {
  DEFAULT_METRICS_PORT, DEFAULT_PORTS, REPO_ROOT, UserError, assertNotRunning, cometbftBinary, homePaths, initHome, readManifest, resetHome, type NodeExecutor,
} from './home.ts';

/** Where `lanes testnet init` puts the homes, and `lanes testnet start` looks for them. */
export const DEFAULT_TESTNET_DIR = join(REPO_ROOT, '.testnet');

/** Each validator is two processes (CometBFT and the app): more than this on one machine is a typo. */
export const MAX_TESTNET_VALIDATORS = 16;
/** Node i's default ports: the single node's, plus this times i. */
export const TESTNET_PORT_STEP = 100;

export interface TestnetOptions {
  /** The folder that gets one home per validator, `node0` to `node<N-1>`. */
  dir: string;
  validators: number;
  chainId: string;
  /** genesis.json's app_state, the same for every node. */
  genesisAppState: object;
  /** Node i runs `executors[i % executors.length]` (default: all parallel). */
  executors?: readonly NodeExecutor[];
  /** Node i's ports (default: `defaultTestnetPorts(i, portOffset)`). */
  ports?: (i: number) => NodePorts & { metrics: number };
  /** Added to every default port (ignored with `ports`). */
  portOffset?: number;
  blockTimeMs?: number;
  /** Wipe the folder's existing node homes first. */
  force?: boolean;
  appVersion?: string;
}

export interface TestnetNode {
  home: string;
  moniker: string;
  executor: NodeExecutor;
  ports: NodePorts;
  metricsPort: number;
  /** CometBFT's node id (the peer address is `<id>@127.0.0.1:<p2p port>`). */
  nodeId: string;
}

/**
 * Node i's ports: the single node's plus `offset` plus TESTNET_PORT_STEP · i. An offset lets a
 * network run beside the devnet or another network (e.g. 1000: node0's RPC is 27657).
 */
export function defaultTestnetPorts(i: number, offset = 0): NodePorts & { metrics: number } {
  const step = offset + TESTNET_PORT_STEP * i;
  return { rpc: DEFAULT_PORTS.rpc + step, p2p: DEFAULT_PORTS.p2p + step, abci: DEFAULT_PORTS.abci + step, metrics: DEFAULT_METRICS_PORT + step };
}

/** Validators needed for a block: more than two thirds of the (equal) voting power. */
export function quorum(validators: number): number {
  return Math.floor((2 * validators) / 3) + 1;
}

export function initTestnet(o: TestnetOptions): TestnetNode[] {
  const n = o.validators;
  if (!Number.isInteger(n) || n < 1 || n > MAX_TESTNET_VALIDATORS) throw new UserError(`validators: expected 1 to ${MAX_TESTNET_VALIDATORS}, got ${n}`);
  const executors = o.executors ?? ['parallel'];
  if (executors.length === 0) throw new UserError('executors: give at least one');
  const dir = resolve(o.dir);
  if (existsSync(dir) && readdirSync(dir).length > 0 && !o.force) {
    throw new UserError(`${dir} is not empty (use --force to wipe the node homes in it and start a new network)`);
  }
  const portsOf = o.ports ?? ((i: number) => defaultTestnetPorts(i, o.portOffset ?? 0));
  const nodes = Array.from({ length: n }, (_, i): Omit<TestnetNode, 'nodeId'> => {
    const { metrics, ...ports } = portsOf(i);
    return { home: join(dir, `node${i}`), moniker: `node${i}`, executor: executors[i % executors.length] as NodeExecutor, ports, metricsPort: metrics };
  });
  // Wiping: no node of the folder may be running, and homes of a larger earlier network go too.
  const earlier = nodeHomes(dir);
  for (const h of earlier) assertNotRunning(h.home);
  const used = nodes.flatMap((x) => [x.ports.rpc, x.ports.p2p, x.ports.abci, ...(x.metricsPort > 0 ? [x.metricsPort] : [])]);
  const clash = used.find((p, k) => used.indexOf(p) !== k);
  if (clash !== undefined) throw new UserError(`port ${clash} is given to two nodes`);
  const bad = used.find((p) => !Number.isInteger(p) || p < 1 || p > 65535);
  if (bad !== undefined) throw new UserError(`port ${bad} is not a TCP port (1 to 65535): lower --port-offset or --validators`);

  for (const h of earlier) if (!nodes.some((x) => x.home === h.home)) resetHome(h.home);
  for (const x of nodes) {
    initHome({
      home: x.home, chainId: o.chainId, moniker: x.moniker, ports: x.ports, genesisAppState: o.genesisAppState,
      executor: x.executor, metricsPort: x.metricsPort,
      ...(o.blockTimeMs !== undefined && { blockTimeMs: o.blockTimeMs }),
      ...(o.force !== undefined && { force: o.force }),
      ...(o.appVersion !== undefined && { appVersion: o.appVersion }),
    });
  }
  const paths = nodes.map((x) => homePaths(x.home));
  // One genesis (the first node's, so one genesis time), naming every validator at power 10.
  const genesis = JSON.parse(readFileSync((paths[0] as ReturnType<typeof homePaths>).genesis, 'utf8')) as { validators: object[] };
  genesis.validators = paths.map((p, i) => {
    const key = JSON.parse(readFileSync(join(p.cometHome, 'config', 'priv_validator_key.json'), 'utf8')) as { address: string; pub_key: object };
    return { address: key.address, pub_key: key.pub_key, power: '10', name: `node${i}` };
  });
  const ids = paths.map((p) => {
    const r = spawnSync(cometbftBinary(), ['show-node-id', '--home', p.cometHome], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cometbft show-node-id --home ${p.cometHome} failed (${r.status}): ${r.stderr || r.error?.message}`);
    return r.stdout.trim();
  });
  const genesisJson = `${JSON.stringify(genesis, null, 2)}\n`;
  paths.forEach((p, i) => {
    writeFileSync(p.genesis, genesisJson);
    const peers = nodes.flatMap((x, k) => (k === i ? [] : [`${ids[k]}@127.0.0.1:${x.ports.p2p}`])).join(',');
    writeFileSync(p.cometConfig, setTomlKey(readFileSync(p.cometConfig, 'utf8'), 'p2p', 'persistent_peers', peers));
  });
  return nodes.map((x, i) => ({ ...x, nodeId: ids[i] as string }));
}

/** The node homes of a network `initTestnet` made in `dir`, in node order. */
export function testnetHomes(dir: string): { home: string; moniker: string; chainId: string }[] {
  const abs = resolve(dir);
  const homes = nodeHomes(abs);
  if (homes.length === 0) throw new UserError(`no testnet in ${abs}: make one with \`npm run lanes -- testnet init\``);
  const chains = new Set(homes.map((h) => h.chainId));
  if (chains.size > 1) throw new UserError(`${abs} holds homes of several chains (${[...chains].join(', ')}): make it again with \`testnet init --force\``);
  return homes;
}

/** The Lanes homes named `node<i>` in `dir` (absolute), in node order; none if it does not exist. */
function nodeHomes(dir: string): { home: string; moniker: string; chainId: string }[] {
  const names = existsSync(dir) ? readdirSync(dir).filter((f) => /^node\d+$/.test(f)) : [];
  return names.sort((a, b) => Number(a.slice(4)) - Number(b.slice(4))).flatMap((f) => {
    const m = readManifest(join(dir, f));
    return m ? [{ home: join(dir, f), moniker: f, chainId: m.chainId }] : [];
  });
}
