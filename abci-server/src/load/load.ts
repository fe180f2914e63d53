// The load generator behind `lanes load` and `npm run bench -- e2e`: pre-signed MsgSend txs from
// many accounts, broadcast with `broadcast_tx_sync` over CometBFT's JSON-RPC WebSocket at bounded
// concurrency (one tx in flight per account, so sequences arrive in order), then every tx's fate
// read from the blocks (`block` + `block_results` over the height range, matched by sha256; the
// tx index when the node discards block results).
//
// Without `rpc` it starts its own single-validator node in a temporary home whose genesis funds
// the load accounts; with `rpc` (127.0.0.1 only) it funds fresh load accounts from test0 first.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createHash, randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { ErrMempoolIsFull, FEE_DENOM, normalizeParams, testKey, type Params, type TestKey } from '@lanes/app';
import { UserError, describeExecutor, goMaxProcsNote, initHome, type NodeExecutor } from '../node/home.ts';
import { startNode, type NodeHandle } from '../node/launcher.ts';
import { devnetGenesis } from '../lanesApp.ts';
import { TEST_MNEMONIC, connectLanes, connectLanesReadOnly, devnetAccounts, lanesWallet } from '@lanes/client';
import { table } from './table.ts';
import { cpuMeter, type CpuReport } from './cpu.ts';
import type { EncodeObject } from '@cosmjs/proto-signing';
import { GasPrice, calculateFee, type IndexedTx, type StargateClient } from '@cosmjs/stargate';
import { TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import type { SignJob, SignMessage, SignResult } from './loadSign.ts';
import { WsBroadcaster, websocketUrl, type BroadcastResult } from './wsBroadcast.ts';
import { Rpc, RpcError } from './rpc.ts';

export const LOAD_CHAIN_ID = 'lanes-load-1';
/** MsgSend uses well under this; the fee is gas × 0.0025ulane. */
const LOAD_GAS = 200_000n;
const LOAD_FEE = (LOAD_GAS * 25n + 9999n) / 10000n;
const LOAD_DENOM = 'uatom';

export interface LoadOptions {
  /** An existing node's CometBFT RPC (127.0.0.1 only); default: start one in a temporary home. */
  rpc?: string;
  /** Sending window in seconds. */
  duration: number;
  /** Target tx/s; default as fast as the node takes them. */
  rate?: number;
  /** Broadcasts in flight (default 128). */
  concurrency?: number;
  /** Sending accounts (default 2,000). */
  accounts?: number;
  /** Pre-signed txs at most (default rate × duration × 1.05, else duration × 10,000). */
  maxTxs?: number;
  /** Own node only: block time in ms (default 500), executor (default parallel) and workers. */
  blockTimeMs?: number;
  executor?: NodeExecutor;
  workers?: number;
  /** Own node only: where the node's output goes (default: dropped). */
  nodeOutput?: NodeJS.WritableStream | null;
  /** Progress lines (default stderr). */
  log?: (line: string) => void;
  /** Seconds between progress lines (default 5). */
  progressEvery?: number;
  /** Abort: stop sending, stop the node, reject with an AbortError. */
  signal?: AbortSignal;
}

export interface LoadResult {
  suite: 'e2e';
  /** Committed txs per second over `seconds`. */
  tps: number;
  /** Broadcasts answered by the node (accepted or rejected). */
  sent: number;
  /** CheckTx code 0. */
  accepted: number;
  /** Included in a block with code 0. */
  committed: number;
  /** Included in a block with code != 0. */
  failed_in_block: number;
  /** Accepted by CheckTx but in no block of the range. */
  lost: number;
  /** Send → commit of the inclusion block (BFT time of the next header), ms. */
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  /** First send → commit of the last inclusion block, in seconds. */
  seconds: number;
  rejected: Record<string, number>;
  send_seconds: number;
  send_rate: number;
  presigned: number;
  accounts: number;
  concurrency: number;
  target_rate: number | null;
  blocks: number;
  max_block_txs: number;
  heights: [number, number];
  node: string;
  executor: string | null;
  workers: number | null;
  /**
   * CPU time per accepted tx while sending, by process (CometBFT, the app, the load generator),
   * how busy the whole machine was, and the node processes' peak memory: only for the node it
   * starts itself, on Linux.
   */
  cpu: CpuReport | null;
}

interface TxStore {
  data: Uint8Array;
  offsets: Uint32Array;
  hashes: Uint8Array;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Ports handed out by this process, and where to draw them from: below the kernel's ephemeral
 * range, so the local end of an outgoing connection (CometBFT dialing the app, RPC clients) can
 * never take a port between our probe and the child process binding it. A port the OS picks
 * (listen on 0) comes from that very range, and a test run once lost a node start to it.
 */
const handedOut = new Set<number>();
function portRange(): [number, number] | null {
  let lo = 32768;
  try {
    lo = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    // not Linux: assume the usual default
  }
  return Number.isInteger(lo) && lo > 12_000 ? [Math.max(10_000, lo - 12_000), lo - 1] : null;
}

function canListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const s = createServer();
    s.unref();
    s.once('error', () => resolve(null));
    s.listen(port, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : null));
    });
  });
}

/** A free TCP port on 127.0.0.1, outside the ephemeral range, not handed out before by this process. */
export async function freePort(): Promise<number> {
  const range = portRange();
  for (let attempt = 0; range && attempt < 200; attempt++) {
    const port = range[0] + Math.floor(Math.random() * (range[1] - range[0] + 1));
    if (handedOut.has(port)) continue;
    if ((await canListen(port)) === port) {
      handedOut.add(port);
      return port;
    }
  }
  const port = await canListen(0); // no usable range: let the OS pick
  if (port === null) throw new Error('no free TCP port on 127.0.0.1');
  handedOut.add(port);
  return port;
}

function assertLocal(rpc: string): URL {
  let url: URL;
  try {
    url = new URL(rpc);
  } catch {
    throw new Error(`--rpc: not a URL: ${rpc}`);
  }
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error(`--rpc: the load generator only targets a local node (http://127.0.0.1:<port>), not ${rpc}`);
  }
  return url;
}

/**
 * Sockets of the HTTP client: its calls are the status, mempool and block reads around the load
 * (at most 16 at once); broadcasts go over WebSocket connections of their own (wsBroadcast.ts).
 */
const RPC_SOCKETS = 16;

/** RFC 3339 with nanoseconds -> ms since the epoch. */
function blockTimeMs(t: string): number {
  return Date.parse(t.replace(/(\.\d{3})\d*/, '$1'));
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  }));
  return out;
}

/** How often pre-signing reports its progress. */
const PRESIGN_PROGRESS_MS = 3000;

/**
 * Signs every account's txs on worker threads (one slice each), concatenated account-major.
 * Says how far it got every PRESIGN_PROGRESS_MS; an abort stops the threads.
 */
async function presign(
  chainId: string, senders: { seed: string; accountNumber: bigint }[], recipients: string[], perAccount: number,
  log: (line: string) => void, signal?: AbortSignal,
): Promise<TxStore> {
  const threads = Math.max(1, Math.min(availableParallelism(), senders.length));
  const total = senders.length * perAccount;
  const started = Date.now();
  const signedBy: number[] = [];
  const ticker = setInterval(() => {
    const signed = signedBy.reduce((a, b) => a + b, 0);
    log(`pre-signing: ${signed.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} txs (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }, PRESIGN_PROGRESS_MS);
  // Workers stop through this flag at their next tx (see loadSign.ts).
  const stopFlag = new Int32Array(new SharedArrayBuffer(4));
  const stop = (): void => {
    Atomics.store(stopFlag, 0, 1);
  };
  signal?.addEventListener('abort', stop, { once: true });
  const entry = fileURLToPath(new URL('./loadSigner.mjs', import.meta.url));
  const slices: Promise<SignResult>[] = [];
  const size = Math.ceil(senders.length / threads);
  for (let t = 0; t < threads; t++) {
    const from = t * size;
    const to = Math.min(senders.length, from + size);
    if (from >= to) break;
    const job: SignJob = {
      chainId,
      senders: senders.slice(from, to).map((s) => ({ seed: s.seed, accountNumber: s.accountNumber.toString(), sequence: '0' })),
      recipients: recipients.slice(from, to),
      txsPerAccount: perAccount,
      gasLimit: LOAD_GAS.toString(),
      denom: LOAD_DENOM,
    };
    const slot = signedBy.push(0) - 1;
    slices.push(new Promise((resolve, reject) => {
      const w = new Worker(entry, { workerData: { lanesLoadSign: true, job, stop: stopFlag }, execArgv: [] });
      w.on('message', (m: SignMessage) => {
        if (m.type === 'progress') {
          signedBy[slot] = m.signed;
        } else if (m.type === 'done') {
          resolve(m.result);
        } else {
          reject(signal?.reason ?? new Error('pre-signing stopped'));
        }
      });
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`pre-signing worker exited with code ${code}`)));
    }));
  }
  let parts: SignResult[];
  try {
    parts = await Promise.all(slices);
  } finally {
    clearInterval(ticker);
    signal?.removeEventListener('abort', stop);
    stop();
  }
  const bytes = parts.reduce((n, p) => n + p.data.length, 0);
  const store: TxStore = { data: new Uint8Array(bytes), offsets: new Uint32Array(total + 1), hashes: new Uint8Array(total * 32) };
  let tx = 0;
  let at = 0;
  for (const p of parts) {
    store.data.set(p.data, at);
    store.hashes.set(p.hashes, tx * 32);
    for (let i = 1; i < p.offsets.length; i++) store.offsets[tx + i] = at + (p.offsets[i] as number);
    tx += p.offsets.length - 1;
    at += p.data.length;
  }
  return store;
}

interface Target {
  rpc: Rpc;
  /** Where the txs' result codes come from (see BlockCodes). */
  codes: BlockCodes;
  chainId: string;
  node: NodeHandle | undefined;
  senders: { seed: string; key: TestKey; accountNumber: bigint }[];
  describe: string;
  cleanup(): Promise<void>;
}

/** A temporary single-validator node whose genesis funds the devnet accounts, then the load accounts. */
async function ownNode(o: LoadOptions, seeds: string[], log: (l: string) => void): Promise<Target> {
  const home = mkdtempSync(join(tmpdir(), 'lanes-load-'));
  const cleanupHome = () => rmSync(home, { recursive: true, force: true });
  try {
    const keys = seeds.map((s) => testKey(s));
    const devnet = (await devnetAccounts()).map((a) => a.address);
    const ports = { rpc: await freePort(), p2p: await freePort(), abci: await freePort() };
    // The metrics port too: initHome checks the ports against it, which by default is the devnet's,
    // and a free port drawn for P2P could be that one.
    const metricsPort = await freePort();
    initHome({
      home,
      chainId: LOAD_CHAIN_ID,
      ports,
      metricsPort,
      genesisAppState: devnetGenesis([...devnet, ...keys.map((k) => k.address)], { pools: false }),
      blockTimeMs: o.blockTimeMs ?? 500,
    });
    const executor = o.executor ?? 'parallel';
    log(`starting a ${executor} node in ${home} (RPC 127.0.0.1:${ports.rpc}, block time ${o.blockTimeMs ?? 500} ms)`);
    const node = await startNode({
      home, executor, metricsPort,
      ...(o.workers !== undefined && { workers: o.workers }),
      logger: pino({ level: 'warn' }), output: o.nodeOutput ?? null, cometbftLogLevel: '*:error', appLogLevel: 'warn',
    });
    log(`node up: ${node.rpcUrl}, executor ${describeExecutor(node.settings)}, metrics ${node.metricsUrl ?? 'off'}${goMaxProcsNote(node.cometbftGoMaxProcs)}`);
    // Genesis assigns account numbers in auth.accounts order: the devnet's ten come first.
    const senders = keys.map((key, i) => ({ seed: seeds[i] as string, key, accountNumber: BigInt(devnet.length + i) }));
    const rpc = new Rpc(new URL(node.rpcUrl), RPC_SOCKETS);
    const { codes } = await BlockCodes.open(rpc, log);
    return {
      rpc, codes, chainId: LOAD_CHAIN_ID, node, senders,
      describe: `own node, ${describeExecutor(node.settings)}${goMaxProcsNote(node.cometbftGoMaxProcs)}`,
      cleanup: async () => {
        rpc.close();
        await node.stop();
        cleanupHome();
      },
    };
  } catch (err) {
    cleanupHome();
    throw err;
  }
}

/** Calls `probe` every 250 ms until it returns a value, for up to a minute; then throws `timeout`. */
async function pollFor<T>(probe: () => Promise<T | undefined>, timeout: string, signal?: AbortSignal): Promise<T> {
  for (let waited = 0; waited < 60_000; waited += 250) {
    const found = await probe();
    if (found !== undefined) return found;
    signal?.throwIfAborted();
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(timeout);
}

/** A committed tx by hash (CometBFT's tx index), waited for up to a minute. */
function waitForTx(client: StargateClient, hash: string, signal?: AbortSignal): Promise<IndexedTx> {
  return pollFor(async () => (await client.getTx(hash)) ?? undefined, `funding tx ${hash} not committed within 60 s`, signal);
}

/** Waits up to a minute for `addr` to hold at least `amount` of LOAD_DENOM (funding tx `hash` committed). */
async function waitForBalance(client: StargateClient, addr: string, amount: bigint, hash: string, signal?: AbortSignal): Promise<void> {
  await pollFor(
    async () => (BigInt((await client.getBalance(addr, LOAD_DENOM)).amount) >= amount ? true : undefined),
    `funding tx ${hash} not committed within 60 s (or it failed; the node has no tx index to say which)`, signal,
  );
}

/** An existing node: fund fresh load accounts from test0 (MsgSends in chunks), then read their account numbers. */
async function existingNode(o: LoadOptions & { rpc: string }, seeds: string[], perAccount: number, log: (l: string) => void): Promise<Target> {
  const url = assertLocal(o.rpc);
  const rpc = new Rpc(url, RPC_SOCKETS);
  try {
    const status = await rpc.call<{ node_info: { network: string } }>('status').catch((err: unknown) => {
      if (err instanceof RpcError) throw err;
      throw new UserError(`no node answers at ${o.rpc} (${err instanceof Error ? err.message : String(err)}): start one (npm start) or give --rpc the RPC address of a running node`);
    });
    const chainId = status.node_info.network;
    const { codes, indexed } = await BlockCodes.open(rpc, log);
    const keys = seeds.map((s) => testKey(s));
    const wallet = await lanesWallet(TEST_MNEMONIC);
    const [funder] = await wallet.getAccounts();
    if (!funder) throw new Error('no test0 account');
    const client = await connectLanes(o.rpc, wallet);
    const need = { ulane: LOAD_FEE * BigInt(perAccount) + 1_000_000n, atom: BigInt(perAccount) + 1_000_000n };
    // As many MsgSends per funding tx as the chain allows, at its gas price (params are fixed at genesis).
    const genesis = await rpc.call<{ genesis: { app_state?: { params?: Partial<Params> } } }>('genesis');
    const params = normalizeParams(genesis.genesis.app_state?.params);
    const chunk = params.max_msgs_per_tx;
    const batches: EncodeObject[][] = [];
    for (let i = 0; i < keys.length; i += chunk) {
      batches.push(keys.slice(i, i + chunk).map((k) => ({
        typeUrl: '/cosmos.bank.v1beta1.MsgSend',
        value: { fromAddress: funder.address, toAddress: k.address, amount: [{ denom: LOAD_DENOM, amount: need.atom.toString() }, { denom: FEE_DENOM, amount: need.ulane.toString() }].sort((a, b) => a.denom.localeCompare(b.denom)) },
      })));
    }
    log(`funding ${keys.length} fresh load accounts from test0 (${funder.address}) on ${chainId}: ${batches.length} txs of up to ${chunk} MsgSends...`);
    try {
      // Every funding tx signed with the next sequence and broadcast at once, then all awaited:
      // one block or two instead of one per tx. The largest batch's simulated gas (with CosmJS's
      // usual 1.4 margin) prices them all; simulation needs the current sequence, so it runs once.
      const acc = await client.getAccount(funder.address);
      if (!acc) throw new Error(`test0 (${funder.address}) has no account on this node`);
      const memo = 'lanes load: funding';
      const gas = Math.ceil((await client.simulate(funder.address, batches[0] ?? [], memo)) * 1.4);
      const fee = calculateFee(gas, GasPrice.fromString(`${params.min_gas_price}${FEE_DENOM}`));
      const hashes: string[] = [];
      for (const [k, msgs] of batches.entries()) {
        const signed = await client.sign(funder.address, msgs, fee, memo, { accountNumber: acc.accountNumber, sequence: acc.sequence + k, chainId });
        hashes.push(await client.broadcastTxSync(TxRaw.encode(signed).finish()));
        o.signal?.throwIfAborted();
      }
      for (const [k, hash] of hashes.entries()) {
        if (indexed) {
          const r = await waitForTx(client, hash, o.signal);
          if (r.code !== 0) throw new Error(`funding tx ${hash} failed: code ${r.code}: ${r.rawLog ?? ''}`);
        } else {
          // No tx index to ask: the batch's last recipient holding its funds means the tx committed.
          const last = (batches[k]?.at(-1)?.value as { toAddress: string }).toAddress;
          await waitForBalance(client, last, need.atom, hash, o.signal);
        }
      }
    } finally {
      client.disconnect();
    }
    const reader = await connectLanesReadOnly(o.rpc);
    let senders;
    try {
      senders = await mapLimit(keys, 16, async (key, i) => {
        const acc = await reader.getAccount(key.address);
        if (!acc) throw new Error(`load account ${key.address} has no account after funding`);
        if (acc.sequence !== 0) throw new Error(`load account ${key.address} is not fresh (sequence ${acc.sequence})`);
        return { seed: seeds[i] as string, key, accountNumber: BigInt(acc.accountNumber) };
      });
    } finally {
      reader.disconnect();
    }
    log(`funded; account numbers ${senders[0]?.accountNumber}..${senders.at(-1)?.accountNumber}`);
    return { rpc, codes, chainId, node: undefined, senders, describe: `existing node ${o.rpc}`, cleanup: async () => rpc.close() };
  } catch (err) {
    rpc.close();
    throw err;
  }
}

/** Pre-signed txs at most, whatever the options say. */
export const PRESIGN_MAX = 2_000_000;
/** Without --rate or --max-txs: pre-signed txs per second of --duration (the issue's stretch target). */
export const PRESIGN_PER_SECOND = 10_000;

/** How many txs a run pre-signs (before rounding up to whole accounts), and why that many. */
export function presignBudget(o: Pick<LoadOptions, 'maxTxs' | 'rate' | 'duration'>): { txs: number; basis: string } {
  const capped = (txs: number, basis: string) => (txs > PRESIGN_MAX ? { txs: PRESIGN_MAX, basis: `${basis}, capped at ${PRESIGN_MAX.toLocaleString('en-US')}` } : { txs, basis });
  if (o.maxTxs !== undefined) return capped(o.maxTxs, '--max-txs');
  if (o.rate !== undefined) return capped(Math.ceil(o.rate * o.duration * 1.05), '--rate × --duration + 5 %');
  return capped(o.duration * PRESIGN_PER_SECOND, `${PRESIGN_PER_SECOND.toLocaleString('en-US')} per second of --duration; --rate or --max-txs signs fewer`);
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const log = o.log ?? ((l: string) => process.stderr.write(`[load] ${l}\n`));
  const K = o.accounts ?? 2000;
  const concurrency = o.concurrency ?? 128;
  if (!(o.duration > 0)) throw new Error(`duration must be > 0 seconds, got ${o.duration}`);
  if (!Number.isInteger(K) || K < 1 || K > 100_000) throw new Error(`accounts must be 1..100000, got ${K}`);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1024) throw new Error(`concurrency must be 1..1024, got ${concurrency}`);
  if (o.rate !== undefined && !(o.rate > 0)) throw new Error(`rate must be > 0 tx/s, got ${o.rate}`);
  const budget = presignBudget(o);
  const perAccount = Math.max(1, Math.ceil(budget.txs / K));
  // Fresh seeds on an existing chain (its accounts keep their sequences); fixed ones on our own.
  const run = o.rpc ? randomBytes(4).toString('hex') : '';
  const seeds = Array.from({ length: K }, (_, i) => (o.rpc ? `load-${run}-${i}` : `load-${i}`));
  const recipients = Array.from({ length: K }, (_, i) => testKey(`load-recipient-${run}${i}`).address);

  const target = o.rpc ? await existingNode({ ...o, rpc: o.rpc }, seeds, perAccount, log) : await ownNode(o, seeds, log);
  const { rpc } = target;
  let stopProgress = () => {};
  try {
    o.signal?.throwIfAborted();
    let t0 = Date.now();
    log(`pre-signing ${(K * perAccount).toLocaleString('en-US')} txs (${K} accounts × ${perAccount}; ${budget.basis})`);
    const store = await presign(target.chainId, target.senders, recipients, perAccount, log, o.signal);
    const total = store.offsets.length - 1;
    log(`pre-signed ${total.toLocaleString('en-US')} txs (${K} accounts × ${perAccount}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    o.signal?.throwIfAborted();

    // Per-tx outcome: 0 unsent, 1 accepted, 2 rejected; send time; per-account next index.
    const state = new Uint8Array(total);
    const sentAt = new Float64Array(total);
    const next = new Uint32Array(K);
    const rejected: Record<string, number> = {};
    let sent = 0;
    let accepted = 0;
    let retries = 0;
    const ready: number[] = Array.from({ length: K }, (_, i) => i);
    let head = 0;
    let inFlight = 0;
    const waiters: (() => void)[] = [];
    const wakeOne = () => waiters.shift()?.();
    const wakeAll = () => {
      for (const w of waiters.splice(0)) w();
    };

    const startHeight = await rpc.height();
    const { appPid, cometbftPid } = target.node ?? {};
    const meter = appPid !== undefined && cometbftPid !== undefined ? cpuMeter({ app: appPid, cometbft: cometbftPid }) : undefined;
    const start = Date.now();
    const endAt = start + o.duration * 1000;
    let stopped = false;
    const abort = () => {
      stopped = true;
      wakeAll();
    };
    o.signal?.addEventListener('abort', abort, { once: true });
    const stopTimer = setTimeout(abort, o.duration * 1000);
    let issued = 0;
    /** Set when a broadcast found nothing listening: the node stopped (or was stopped) mid-run. */
    let gone: { afterSeconds: number; why: string } | undefined;

    // Progress every few seconds: sent, accepted, rejected, rate, height, mempool.
    let lastSent = 0;
    let lastAccepted = 0;
    let lastAt = start;
    const every = (o.progressEvery ?? 5) * 1000;
    const progress = setInterval(() => {
      // CPU per tx accepted in this interval, so a run that slows down shows which process did.
      const cpu = meter?.lap(accepted - lastAccepted);
      lastAccepted = accepted;
      void Promise.all([rpc.height().catch(() => undefined), rpc.mempool().catch(() => undefined)]).then(([h, mp]) => {
        const now = Date.now();
        const rate = ((sent - lastSent) * 1000) / (now - lastAt);
        lastSent = sent;
        lastAt = now;
        const rej = Object.entries(rejected).map(([k, v]) => `${k}:${v}`).join(' ') || '0';
        const us = cpu ? `  µs/tx cometbft ${cpu.cometbft_us_per_tx} app ${cpu.app_us_per_tx} load ${cpu.load_us_per_tx} (busy ${cpu.machine_busy_pct} %)` : '';
        const node = h === undefined || mp === undefined ? 'node not answering' : `height ${h}  mempool ${mp}`;
        log(`${((now - start) / 1000).toFixed(0).padStart(3)} s  sent ${sent}  accepted ${accepted}  rejected ${rej}  ${Math.round(rate)} tx/s now  ${node}${us}`);
      });
    }, every);
    stopProgress = () => clearInterval(progress);

    const txB64 = (i: number) => Buffer.from(store.data.buffer, store.data.byteOffset + (store.offsets[i] as number), (store.offsets[i + 1] as number) - (store.offsets[i] as number)).toString('base64');

    const wsUrl = websocketUrl(rpc.url);
    async function sender(): Promise<void> {
      const ws = new WsBroadcaster(wsUrl);
      try {
        await send(ws);
      } finally {
        ws.close();
      }
    }
    async function send(ws: WsBroadcaster): Promise<void> {
      for (;;) {
        if (stopped) return;
        if (head >= ready.length) {
          // Nothing ready: done when nothing is in flight either (every account finished or stopped).
          if (inFlight === 0) {
            stopped = true;
            wakeAll();
            return;
          }
          await new Promise<void>((r) => waiters.push(r));
          continue;
        }
        const a = ready[head++] as number;
        if (head > 4096 && head * 2 > ready.length) {
          ready.splice(0, head);
          head = 0;
        }
        if (o.rate !== undefined) {
          const due = start + (issued++ * 1000) / o.rate;
          const wait = due - Date.now();
          if (wait > 0) await sleep(wait);
          if (stopped || Date.now() >= endAt) {
            stopped = true;
            wakeAll();
            return;
          }
        }
        const i = a * perAccount + (next[a] as number);
        const b64 = txB64(i);
        sentAt[i] = Date.now();
        inFlight++;
        let res: BroadcastResult;
        for (;;) {
          try {
            res = await ws.broadcast(b64);
          } catch (err) {
            res = { error: `rpc: ${(err as Error).message}` };
            // Refused: nothing listens there any more, and every later broadcast would fail too.
            if (refused(err)) {
              gone ??= { afterSeconds: (Date.now() - start) / 1000, why: (err as Error).message };
              abort();
            }
          }
          // A full mempool is back-pressure, not a verdict: the same tx again shortly. CometBFT
          // says so as an RPC error; the app, keeping CheckTx under the mempool's size, as sdk/20.
          const full = 'error' in res ? /mempool is full/i.test(res.error) : res.codespace === ErrMempoolIsFull.codespace && res.code === ErrMempoolIsFull.code;
          if (full && !stopped) {
            retries++;
            await sleep(50);
            continue;
          }
          break;
        }
        inFlight--;
        sent++;
        let more = false;
        if ('error' in res) {
          const k = /mempool is full/i.test(res.error) ? 'mempool-full' : res.error.startsWith('rpc:') ? 'rpc-error' : `rpc: ${res.error.slice(0, 60)}`;
          rejected[k] = (rejected[k] ?? 0) + 1;
          state[i] = 2;
        } else if (res.code === 0) {
          accepted++;
          state[i] = 1;
          more = ++next[a]! < perAccount;
        } else {
          const k = `${res.codespace || '?'}/${res.code}`;
          rejected[k] = (rejected[k] ?? 0) + 1;
          state[i] = 2;
        }
        // A rejected tx leaves a sequence gap: that account's later txs could only fail, so it stops.
        if (more) {
          ready.push(a);
          wakeOne();
        } else if (head >= ready.length && inFlight === 0) {
          wakeAll();
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, K) }, () => sender()));
    clearTimeout(stopTimer);
    o.signal?.removeEventListener('abort', abort);
    o.signal?.throwIfAborted();
    if (gone) {
      throw new UserError(`the node at ${rpc.url.href} stopped answering ${gone.afterSeconds.toFixed(0)} s into the run (${gone.why}); `
        + `${sent} txs sent, ${accepted} accepted before that`);
    }
    const sendEnd = Date.now();
    const cpu = meter?.stop(accepted) ?? null;
    const sendSeconds = (sendEnd - start) / 1000;
    log(`sending done after ${sendSeconds.toFixed(1)} s: sent ${sent}, accepted ${accepted}${retries ? ` (${retries} mempool-full retries)` : ''}; waiting for the mempool to drain...`);

    // Inclusion: until the mempool is empty and two more blocks are committed (bounded).
    const drainUntil = Date.now() + Math.max(30_000, o.duration * 1000);
    let emptyAt: number | undefined;
    for (;;) {
      o.signal?.throwIfAborted();
      const [h, mp] = await Promise.all([rpc.height(), rpc.mempool()]);
      if (mp === 0 && emptyAt === undefined) emptyAt = h;
      if (mp !== 0) emptyAt = undefined;
      if (emptyAt !== undefined && h >= emptyAt + 2) break;
      if (Date.now() > drainUntil) {
        log(`mempool still holds ${mp} txs after the drain timeout: counting what is in blocks up to ${h}`);
        break;
      }
      await sleep(250);
    }
    stopProgress();
    const endHeight = await rpc.height();

    // Every tx's fate, from the blocks: sha256(tx) -> index.
    t0 = Date.now();
    const byHash = new Map<string, number>();
    for (let i = 0; i < total; i++) if (state[i] !== 0) byHash.set(Buffer.from(store.hashes.subarray(i * 32, i * 32 + 32)).toString('hex'), i);
    const inclusion = new Int32Array(total); // height, 0 = none
    const okInBlock = new Uint8Array(total);
    const heights = Array.from({ length: endHeight - startHeight }, (_, i) => startHeight + 1 + i);
    const times = new Map<number, number>();
    let maxBlockTxs = 0;
    await mapLimit(heights, 4, async (h) => {
      const b = await rpc.call<{ block: { header: { time: string }; data: { txs: string[] | null } } }>('block', { height: String(h) });
      times.set(h, blockTimeMs(b.block.header.time));
      const txs = b.block.data.txs ?? [];
      maxBlockTxs = Math.max(maxBlockTxs, txs.length);
      const code = await target.codes.of(h, txs.length);
      txs.forEach((t, j) => {
        const i = byHash.get(createHash('sha256').update(Buffer.from(t, 'base64')).digest('hex'));
        if (i === undefined) return;
        inclusion[i] = h;
        okInBlock[i] = code[j] === 0 ? 1 : 0;
      });
    });
    // A block is committed at about the next header's time (the BFT time of its precommits).
    const commitTime = (h: number) => times.get(h + 1) ?? (times.get(h) as number);
    let committed = 0;
    let failedInBlock = 0;
    let lost = 0;
    let lastCommit = 0;
    const latencies: number[] = [];
    for (let i = 0; i < total; i++) {
      const h = inclusion[i] as number;
      if (h > 0) {
        if (okInBlock[i]) {
          committed++;
          const c = commitTime(h);
          latencies.push(c - (sentAt[i] as number));
          lastCommit = Math.max(lastCommit, c);
        } else failedInBlock++;
      } else if (state[i] === 1) lost++;
    }
    latencies.sort((x, y) => x - y);
    const seconds = committed > 0 ? (lastCommit - start) / 1000 : sendSeconds;
    log(`checked ${heights.length} blocks (${startHeight + 1}..${endHeight}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
    return {
      suite: 'e2e',
      tps: round(committed / Math.max(seconds, 1e-3)),
      sent,
      accepted,
      committed,
      failed_in_block: failedInBlock,
      lost,
      p50_ms: round(percentile(latencies, 50)),
      p95_ms: round(percentile(latencies, 95)),
      p99_ms: round(percentile(latencies, 99)),
      seconds: round(seconds, 2),
      rejected,
      send_seconds: round(sendSeconds, 2),
      send_rate: round(sent / Math.max(sendSeconds, 1e-3)),
      presigned: total,
      accounts: K,
      concurrency,
      target_rate: o.rate ?? null,
      blocks: heights.length,
      max_block_txs: maxBlockTxs,
      heights: [startHeight + 1, endHeight],
      node: target.describe,
      executor: target.node?.settings.executor ?? null,
      workers: target.node?.settings.workers ?? null,
      cpu,
    };
  } catch (err) {
    // Its RPC refusing after the run began: the node stopped. Said as such, not as a stack.
    if (!(err instanceof UserError) && refused(err)) throw new UserError(`the node at ${target.rpc.url.href} stopped answering (${(err as Error).message})`);
    throw err;
  } finally {
    stopProgress();
    await target.cleanup();
  }
}

/** A connection refused: nothing listens at the node's address (the message of a ws failure carries the code). */
function refused(err: unknown): boolean {
  return err instanceof Error && ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED' || /\bECONNREFUSED\b/.test(err.message));
}

/** The result as a table (one metric a row). */
export function loadTable(r: LoadResult): string {
  const rej = Object.entries(r.rejected).map(([k, v]) => `${k}: ${v}`).join(', ') || '0';
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return table(['metric', 'value'], [
    ['node', r.node],
    ['accounts / concurrency', `${r.accounts} / ${r.concurrency}`],
    ['target rate', r.target_rate === null ? 'max' : `${r.target_rate} tx/s`],
    ['sent', n(r.sent)],
    ['accepted (CheckTx 0)', n(r.accepted)],
    ['rejected', rej],
    ['committed', n(r.committed)],
    ['failed in block', n(r.failed_in_block)],
    ['lost', n(r.lost)],
    ['send rate (tx/s)', n(r.send_rate)],
    ['committed tx/s', n(r.tps)],
    ['seconds (first send -> last commit)', r.seconds.toFixed(2)],
    ['inclusion p50 / p95 / p99 (ms)', `${r.p50_ms} / ${r.p95_ms} / ${r.p99_ms}`],
    ['blocks (max txs in one)', `${r.blocks} (${r.max_block_txs})`],
    ...(r.cpu ? [['CPU per tx while sending', `CometBFT ${n(r.cpu.cometbft_us_per_tx)} µs, app ${n(r.cpu.app_us_per_tx)} µs, load generator ${n(r.cpu.load_us_per_tx)} µs`],
      ['machine busy while sending', `${r.cpu.machine_busy_pct} % of all CPUs`],
      ['peak memory (resident)', `CometBFT ${n(r.cpu.cometbft_peak_rss_mb)} MB, app ${n(r.cpu.app_peak_rss_mb)} MB`]] : []),
  ]);
}

/** What CometBFT answers for the results of a block it no longer keeps. */
const RESULTS_DISCARDED = /not persisting finalize block responses/;
const INDEXING_DISABLED = /indexing is disabled/;

/**
 * The result code of every tx of a block, by position. From `block_results`; a node run with
 * `storage.discard_abci_responses = true` keeps no results, and then they come from its tx index
 * (`tx_search "tx.height=h"`, a page of 100 at a time).
 */
class BlockCodes {
  private constructor(private readonly rpc: Rpc, private readonly fromIndex: boolean) {}

  /**
   * Finds out what the node keeps: block results, a tx index. Throws if neither, before any
   * account is funded or load sent. `indexed`: whether the funding step can wait for its txs
   * through the tx index.
   */
  static async open(rpc: Rpc, log: (line: string) => void): Promise<{ codes: BlockCodes; indexed: boolean }> {
    const h = Math.max(1, await rpc.height());
    let results = true;
    try {
      await blockResults(rpc, h);
    } catch (e) {
      if (!(e instanceof RpcError) || !RESULTS_DISCARDED.test(e.message)) throw e;
      results = false;
    }
    let indexed = true;
    try {
      await rpc.call('tx_search', { query: `tx.height=${h}`, page: '1', per_page: '1' });
    } catch (e) {
      if (!(e instanceof RpcError) || !INDEXING_DISABLED.test(e.message)) throw e;
      indexed = false;
    }
    if (!results && !indexed) {
      throw new Error('cannot learn the txs\' results: the node keeps no block results (storage.discard_abci_responses = true) and indexes no txs (tx_index.indexer = "null"); enable either in its config.toml');
    }
    if (!results) log('the node discards block results (storage.discard_abci_responses): tx results come from its tx index');
    return { codes: new BlockCodes(rpc, !results), indexed };
  }

  /** Code of each of height h's `count` txs (undefined where the source has none). */
  async of(h: number, count: number): Promise<(number | undefined)[]> {
    if (!this.fromIndex) return (await blockResults(this.rpc, h)).txs_results?.map((r) => r.code ?? 0) ?? [];
    const out = new Array<number | undefined>(count);
    for (let page = 1; (page - 1) * TX_SEARCH_PAGE < count; page++) {
      const r = await this.rpc.call<{ txs: { index: number; tx_result: { code?: number } }[] }>(
        'tx_search', { query: `tx.height=${h}`, page: String(page), per_page: String(TX_SEARCH_PAGE), order_by: 'asc' },
      );
      for (const t of r.txs) out[t.index] = t.tx_result.code ?? 0;
    }
    return out;
  }
}

/** CometBFT's largest tx_search page. */
const TX_SEARCH_PAGE = 100;

/**
 * block_results of height h. CometBFT stores a block before executing it, so the newest
 * height can briefly have no results yet: retry for a few seconds.
 */
async function blockResults(rpc: Rpc, h: number): Promise<{ txs_results: { code?: number }[] | null }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await rpc.call<{ txs_results: { code?: number }[] | null }>('block_results', { height: String(h) });
    } catch (e) {
      if (attempt >= 50 || !(e instanceof RpcError) || !/could not find results/.test(e.message)) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
