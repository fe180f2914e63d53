// The parallel executor: groups a block's txs by declared partitions, runs the groups on a
// pool of execution workers, and merges their results in tx order. Falls back to the
// sequential executor (same module code) when parallelism cannot pay or a tx breaks its
// declaration; either way the result is byte-identical to sequential execution.
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { sortKeys, type Overlay, type WriteRun } from '../store/kv.ts';
import { runTx } from '../execute.ts';
import { AccessViolation } from '../context.ts';
import type { ExecEnv } from '../execute.ts';
import { ResultBuffer, type BlockExecution } from '../executor.ts';
import { chunkGroups, conflictGroups } from './scheduler.ts';
import { packBytes, packWrites, unpackBytes, unpackWrites } from './pack.ts';
import { CLAIM_OPEN, CLAIM_SKIPPED, type BlockDone, type BlockReply, type BlockRequest, type BlockViolation, type CheckedTx, type WorkerInit, type WorkerReply } from './protocol.ts';
import type { Params } from '../params.ts';
import type { DecodedTx } from '../tx.ts';

/** Below this many txs a block runs inline: dispatch would cost more than it saves. */
export const MIN_PARALLEL_TXS = 64;
/** If one group holds more than this share of a block, it runs inline (hot spot). */
export const MAX_GROUP_SHARE = 0.75;

type Reply = { type: 'synced' } | { type: 'checked'; out: CheckedTx[] };

interface Pending {
  resolve(r: Reply): void;
  reject(e: Error): void;
}

/** CheckTx calls batched per worker message: big enough to amortise a message, small enough for latency. */
export const CHECK_BATCH_MAX = 64;

/**
 * The main thread blocks for a worker's block reply in waits of BLOCK_WAIT_SLICE_MS, at most
 * BLOCK_WAIT_SLICES of them (2 s), and then waits through the event loop, where a dead worker's
 * exit can be seen. A 10,000-tx block's share takes a worker ~150 ms here.
 */
const BLOCK_WAIT_SLICE_MS = 50;
const BLOCK_WAIT_SLICES = 40;
const BLOCK_POLL_MS = 5;
/**
 * A worker that took chunks of a block and has not answered this long after the main thread
 * began to wait for the block's replies is taken for hung: it is terminated and the block
 * re-runs sequentially. Timed on the monotonic clock: counted in waits, the event loop's waits
 * under CheckTx load would stretch it many times over. (A clock is fine here: waiting or
 * re-running gives the same result, only later.)
 */
export const WORKER_BLOCK_TIMEOUT_MS = 30_000;
/**
 * A worker with CheckTx batches in flight that answers none of them for this long is taken for
 * hung: it is terminated and its batches are checked on the main thread. A batch takes a worker
 * a few ms, a block share ~150 ms. (A timer is fine here: CheckTx is this node's own business.)
 */
export const WORKER_CHECK_TIMEOUT_MS = 10_000;
/**
 * A failed worker is replaced at the next Commit; one that fails again is replaced no sooner
 * than this many blocks after its last replacement, so that a worker failing on every block
 * (a bug) does not cost a thread start per block.
 */
export const WORKER_REPLACE_MIN_BLOCKS = 100n;

/**
 * An execution worker's stack, in MB: less than the main thread's (V8's default --stack-size
 * of 984 KB; Node gives a worker 4 MB unless told, and keeps 192 KB of it for native code). A tx
 * that runs out of stack on the main thread must run out on a worker too: there it re-runs the
 * block on the main thread, as a sequential node runs it, whereas a tx that fit a worker's
 * larger stack would commit a result that the main thread, and a sequential node, never reach.
 * A tx deep enough to overflow a worker but not the main thread only costs that fallback.
 */
export const WORKER_STACK_MB = 0.75;

/** A block's FinalizeBlock was overtaken while it waited on a worker (see ExecWorker.blockReply). */
class Abandoned extends Error {}

class ExecWorker {
  readonly worker: Worker;
  /** CheckTx batches sent and not yet answered. */
  inflight = 0;
  /** Set once the worker has loaded its modules and opened its replica. */
  started = false;
  /** The worker thread's OS id (Linux), from its ready message. */
  osThreadId: number | undefined;
  readonly ready: Promise<void>;
  /** Armed while CheckTx batches are in flight; each answer restarts it (see WORKER_CHECK_TIMEOUT_MS). */
  private watchdog: NodeJS.Timeout | null = null;
  /** CheckTx batches answered (or failed) so far. */
  private answers = 0;
  private pending = new Map<number, Pending>();
  private failed: Error | null = null;
  /** Block replies arrive here and are taken with receiveMessageOnPort (see blockReply). */
  private readonly replies: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  /**
   * A block request this worker took whose FinalizeBlock was overtaken (see blockReply's
   * `abandoned`): its reply is owed by `deadline`. Later blocks may skip a busy worker and never
   * wait on it, so each Commit checks (settleOwed), and terminates a worker still owing it then.
   */
  private owed: { id: number; deadline: bigint; timeoutMs: number } | null = null;
  /** The latest block request whose reply was read (replies come in request order). */
  private lastReply = 0;

  constructor(init: Omit<WorkerInit, 'replies' | 'signal'>, private readonly checkTimeoutMs: number) {
    const bootstrap = fileURLToPath(new URL('./bootstrap.mjs', import.meta.url));
    // LANES_WORKER_NODE_ARGS: extra Node.js flags for execution workers (e.g. --cpu-prof).
    const execArgv = (process.env['LANES_WORKER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
    const channel = new MessageChannel();
    this.replies = channel.port1;
    const workerData: WorkerInit = { ...init, replies: channel.port2, signal: this.signal };
    this.worker = new Worker(bootstrap, { workerData, transferList: [channel.port2], execArgv, resourceLimits: { maxYoungGenerationSizeMb: 96, stackSizeMb: WORKER_STACK_MB } });
    let notReady: (e: Error) => void = () => undefined;
    this.ready = new Promise((resolve, reject) => {
      notReady = reject;
      this.worker.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') {
          this.started = true;
          this.osThreadId = m.osThreadId;
          resolve();
          return;
        }
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.type === 'error') p.reject(new Error(`execution worker failed: ${m.message}`));
        else p.resolve(m);
      });
    });
    // Nobody awaits a replacement's start: its failure shows through `alive`, not as an
    // unhandled rejection (which would end the process). Awaiting `ready` still sees it.
    this.ready.catch(() => undefined);
    const failed = (e: Error): void => {
      notReady(e); // no-op once ready
      this.fail(e);
    };
    this.worker.on('error', failed);
    this.worker.on('exit', (code) => failed(new Error(`execution worker exited with code ${code}`)));
  }

  /** False once the worker has exited or failed to start: it takes no more work. */
  get alive(): boolean {
    return this.failed === null;
  }

  private fail(e: Error): void {
    this.failed ??= e;
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** Sends a block request; its reply comes from blockReply, unless the request is skipped (CLAIM_SKIPPED). */
  run(req: BlockRequest): void {
    // The txs, chunks and counter live in shared memory: posted, not copied.
    if (!this.failed) this.worker.postMessage(req);
  }

  /**
   * The reply to block request `id`. The main thread blocks for it (Atomics.wait on the counter
   * the worker bumps after each reply) instead of awaiting a message through the event loop,
   * where it queued behind every CheckTx call that arrived during the block: under `lanes load`
   * that delayed each block by 2–17 ms (median ~7). After BLOCK_WAIT_SLICES waits it goes on
   * through the event loop, so that a dead worker shows. After `timeoutMs` of waits it
   * terminates the worker and throws. `deadline`: process.hrtime.bigint() at which it gives up,
   * `timeoutMs` after the wait for the block's replies began.
   *
   * `abandoned`: true once no one waits for this block any more (its FinalizeBlock was overtaken:
   * see LanesApp.finalizeCalls). It then stops waiting and reads nothing: if the worker has not
   * taken the request (`claim`), it never will; else its reply is owed, to be dropped by whoever
   * reads next, and a worker that never answers is terminated at a Commit (settleOwed). A reply
   * to an earlier request than `id` can only be such an abandoned block's (every other is taken,
   * or its request skipped, before the next block is sent), and is dropped.
   */
  async blockReply(id: number, deadline: bigint, timeoutMs: number, abandoned?: () => boolean, claim?: Int32Array): Promise<BlockDone | BlockViolation> {
    for (let slice = 0; ; slice++) {
      if (abandoned?.()) {
        // Owed, unless a later block already read (and dropped) the reply, or the worker never took the request.
        const taken = !claim || Atomics.compareExchange(claim, 0, CLAIM_OPEN, CLAIM_SKIPPED) !== CLAIM_OPEN;
        if (taken && this.lastReply < id && (this.owed === null || id > this.owed.id)) this.owed = { id, deadline, timeoutMs };
        throw new Abandoned(`block request ${id} abandoned: its FinalizeBlock was overtaken`);
      }
      const seen = Atomics.load(this.signal, 0);
      for (let m = receiveMessageOnPort(this.replies); m; m = receiveMessageOnPort(this.replies)) {
        const r = m.message as BlockReply;
        this.lastReply = r.id;
        if (r.id < id) {
          if (this.owed !== null && r.id >= this.owed.id) this.owed = null;
          continue;
        }
        // A worker that answers wrongly or with an error (out of stack, a failed read of its own
        // database) is taken out like a dead one, to be replaced at the next Commit: left in, it
        // would fail every block it takes and make each re-run.
        if (r.id !== id) throw await this.terminate(new Error(`execution worker answered block request ${r.id}, expected ${id}; terminated`));
        if (r.type === 'error') throw await this.terminate(new Error(`execution worker failed: ${r.message}`));
        return r;
      }
      if (this.failed) throw this.failed;
      const leftNs = deadline - process.hrtime.bigint();
      if (leftNs <= 0n) throw await this.terminate(new Error(`execution worker did not answer block request ${id} within ${timeoutMs} ms; terminated`));
      if (slice < BLOCK_WAIT_SLICES) Atomics.wait(this.signal, 0, seen, Math.min(BLOCK_WAIT_SLICE_MS, Number(leftNs / 1_000_000n) + 1));
      else await new Promise((resolve) => setTimeout(resolve, BLOCK_POLL_MS));
    }
  }

  /**
   * At Commit, when no block waits on this worker and it owes a reply (see `owed`): reads the
   * replies queued, up to that one, and terminates the worker if it is not there and overdue.
   * Returns why it terminated it.
   */
  settleOwed(): string | undefined {
    if (this.owed === null || this.failed) return undefined;
    for (let m = receiveMessageOnPort(this.replies); m; m = receiveMessageOnPort(this.replies)) {
      this.lastReply = (m.message as BlockReply).id;
      if (this.lastReply >= this.owed.id) {
        this.owed = null;
        return undefined;
      }
    }
    if (process.hrtime.bigint() <= this.owed.deadline) return undefined;
    const why = `execution worker did not answer block request ${this.owed.id} (its FinalizeBlock overtaken) within ${this.owed.timeoutMs} ms; terminated`;
    this.owed = null;
    void this.terminate(new Error(why));
    return why;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
    this.replies.close();
  }

  checkBatch(id: number, txs: Uint8Array[], chainId: string, params: Params): Promise<CheckedTx[]> {
    const packed = packBytes(txs);
    if (this.inflight++ === 0 && !this.failed) this.watchdog = setTimeout(() => void this.hung(), this.checkTimeoutMs).unref();
    const answered = (): void => {
      this.answers++;
      if (--this.inflight > 0) {
        this.watchdog?.refresh();
      } else if (this.watchdog) {
        clearTimeout(this.watchdog);
        this.watchdog = null;
      }
    };
    return this.call(id, () => this.worker.postMessage(
      { type: 'check', id, chainId, params, txs: packed.buf, txOffsets: packed.offsets },
      [packed.buf.buffer as ArrayBuffer, packed.offsets.buffer as ArrayBuffer],
    )).then((r) => {
      answered();
      return (r as { out: CheckedTx[] }).out;
    }, (e: unknown) => {
      answered();
      throw e;
    });
  }

  /**
   * The watchdog went off: no CheckTx batch answered for checkTimeoutMs. If the main thread
   * itself was busy that long, answers may be waiting to be read: timers run before them, so
   * the verdict waits one turn of the event loop (setImmediate runs after they are read).
   */
  private async hung(): Promise<void> {
    const seen = this.answers;
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failed || this.inflight === 0 || this.answers !== seen) return;
    await this.terminate(new Error(`execution worker answered none of ${this.inflight} CheckTx batches in ${this.checkTimeoutMs} ms; terminated`));
  }

  /** Takes a hung worker out: fails what it owes with `err`, stops its thread, returns `err`. */
  private async terminate(err: Error): Promise<Error> {
    this.fail(err);
    await this.worker.terminate();
    return err;
  }

  /** Resolves once the worker has handled every message sent before this one. */
  sync(id: number): Promise<unknown> {
    return this.call(id, () => this.worker.postMessage({ type: 'sync', id }));
  }

  private call(id: number, send: () => void): Promise<Reply> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      send();
    });
  }
}

export interface ParallelOptions {
  workers: number;
  /** Module URL exporting createModules() (see bootstrap.mjs). */
  entry: string;
  /** The state database file (workers open it read-only). */
  dbPath: string;
  /** Bound of each worker's read cache, in keys (default STATE_CACHE_KEYS). */
  cacheKeys?: number | undefined;
  /** Blocks with fewer txs run inline (default MIN_PARALLEL_TXS; tests use 1). */
  minTxs?: number;
  /** A block whose largest group exceeds this share runs inline (default MAX_GROUP_SHARE; tests use 1). */
  maxGroupShare?: number;
  /** Txs per work chunk (default CHUNK_TXS; tests use small ones). */
  chunkTxs?: number;
  /**
   * Whether the main thread takes chunks too (default true). Tests turn it off so that small
   * blocks run on the workers instead of all on the main thread, which starts first.
   */
  mainTakes?: boolean;
  /** How long a worker that took chunks may take to answer (default WORKER_BLOCK_TIMEOUT_MS; tests use less). */
  workerTimeoutMs?: number;
  /** How long a worker with CheckTx batches in flight may answer none (default WORKER_CHECK_TIMEOUT_MS; tests use less). */
  checkTimeoutMs?: number;
  /** Blocks between two replacements of the same worker (default WORKER_REPLACE_MIN_BLOCKS; tests use less). */
  replaceMinBlocks?: bigint;
}

/**
 * Why a parallel block must re-run sequentially (on the block layer, put back as it was):
 * `violation`, a tx touched a partition it did not declare; `worker`, an execution worker
 * exited, answered with an error or hung, losing the chunks it took.
 */
export interface BlockFallback {
  fallback: 'violation' | 'worker';
  reason: string;
}

interface PendingCheck {
  tx: Uint8Array;
  resolve(c: CheckedTx): void;
  reject(e: unknown): void;
}

/**
 * Default execution workers: one per CPU but one, since the main thread executes a share of
 * every parallel block itself (more threads than cores only adds contention).
 */
export function defaultWorkers(cpus: number): number {
  return Math.max(1, cpus - 1);
}

/**
 * Share of a block's chunks the workers leave to the main thread (BlockRequest.leaveLast): a
 * worker's last steps (sorting its writes, ~6-9 ms for a 10,000-tx block's half, and sending
 * them, ~7-10 ms) then overlap the main thread's last chunks instead of the main thread waiting
 * through them; at best that saves half of those steps. Four alternating runs of
 * 10,000-transfer blocks (bench/PERFORMANCE.md, tenth round): the lower quartile fell by
 * 2.6-10 ms each time, the median in three of four; the largest (120 blocks each) read 3-5 %
 * faster at every quartile. 1/10 and 3/20 were no better than none.
 */
export const MAIN_TAIL_SHARE = 1 / 16;
/** Txs per work chunk: small enough that threads finish within a chunk of each other. */
export const CHUNK_TXS = 64;
/** Tx hashes remembered with the worker that checked them (beyond this, the map starts over). */
const CHECKED_BY_MAX = 100_000;

export class ParallelExecutor {
  /** Worker slots; a failed worker's slot gets a new worker at a later Commit (see committed). */
  private readonly workers: ExecWorker[];
  /** Height of the Commit at which each slot's worker was last replaced. */
  private readonly replacedAt: (bigint | undefined)[];
  /**
   * Which worker checked (and so already remembers the signatures of) each recent tx, by hash;
   * a block sends a worker only the keys it lacks. Missing entries only cost a resend.
   */
  private readonly checkedBy = new Map<string, number>();
  private nextId = 1;
  private batch: PendingCheck[] = [];
  private flushScheduled = false;

  constructor(readonly opts: ParallelOptions) {
    if (!Number.isInteger(opts.workers) || opts.workers < 1) throw new Error(`parallel executor needs at least 1 worker, got ${opts.workers}`);
    if (opts.dbPath === ':memory:') throw new Error('the parallel executor needs a state database file (workers read it), not :memory:');
    this.workers = Array.from({ length: opts.workers }, () => this.spawn());
    this.replacedAt = this.workers.map(() => undefined);
  }

  private spawn(): ExecWorker {
    return new ExecWorker({ entry: this.opts.entry, dbPath: this.opts.dbPath, cacheKeys: this.opts.cacheKeys }, this.opts.checkTimeoutMs ?? WORKER_CHECK_TIMEOUT_MS);
  }

  /**
   * The OS thread ids (Linux) of the live workers that have started: for tools that split CPU
   * time by thread (the exec benchmark). Empty where the OS does not say.
   */
  workerThreadIds(): number[] {
    return this.workers.flatMap((w) => (w.alive && w.osThreadId !== undefined ? [w.osThreadId] : []));
  }

  /** Workers that have not failed (a replacement counts from the Commit that starts it). */
  liveWorkers(): number {
    return this.workers.filter((w) => w.alive).length;
  }

  ready(): Promise<void> {
    return Promise.all(this.workers.map((w) => w.ready)).then(() => undefined);
  }

  /**
   * Decodes a CheckTx tx and verifies its signatures on a worker. Concurrent calls (CometBFT
   * sends one per RPC broadcast) are batched: a batch leaves when full or at the next turn of
   * the event loop, to the worker with the fewest batches in flight.
   */
  check(tx: Uint8Array, chainId: string, params: Params): Promise<CheckedTx> {
    return new Promise((resolve, reject) => {
      this.batch.push({ tx, resolve, reject });
      if (this.batch.length >= CHECK_BATCH_MAX) {
        this.flush(chainId, params);
      } else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush(chainId, params));
      }
    });
  }

  private flush(chainId: string, params: Params): void {
    this.flushScheduled = false;
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    // The live worker with the fewest batches in flight, preferring one that has started (a
    // replacement takes a moment to load). With none alive, the call fails and CheckTx does the
    // work on the main thread.
    const rank = (w: ExecWorker): number => (w.alive ? 0 : 2) + (w.started ? 0 : 1);
    let wi = 0;
    for (let x = 1; x < this.workers.length; x++) {
      const w = this.workers[x] as ExecWorker;
      const best = this.workers[wi] as ExecWorker;
      if (rank(w) < rank(best) || (rank(w) === rank(best) && w.inflight < best.inflight)) wi = x;
    }
    (this.workers[wi] as ExecWorker).checkBatch(this.nextId++, batch.map((b) => b.tx), chainId, params).then(
      (out) => {
        if (this.checkedBy.size > CHECKED_BY_MAX) this.checkedBy.clear();
        for (const c of out) if (c.tx && c.keys.length > 0) this.checkedBy.set(c.tx.hashHex, wi);
        batch.forEach((b, i) => b.resolve(out[i] ?? { keys: [] }));
      },
      (e: unknown) => batch.forEach((b) => b.reject(e)),
    );
  }

  /** Resolves once every worker has applied every commit sent so far. */
  async sync(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.sync(this.nextId++)));
  }

  /**
   * Hands every worker's replica the writes of a committed block (framed by packWrites), and
   * replaces failed workers; returns the slots replaced, and why workers were terminated here
   * (one that never answered an overtaken block: ExecWorker.settleOwed). Called once the block is
   * in the database: a new worker opens it at this height or later, and takes every commit after
   * this one as a message, in order. A commit it also finds in the database only sets the same
   * values again, so its replica ends up where the others are before it runs a block.
   */
  committed(packed: Uint8Array, height: bigint, appHash: Uint8Array): { replaced: number[]; terminated: string[] } {
    const terminated: string[] = [];
    for (const w of this.workers) {
      const why = w.settleOwed();
      if (why !== undefined) terminated.push(why);
    }
    for (const w of this.workers) if (w.alive) w.worker.postMessage({ type: 'committed', writes: packed, height, appHash });
    const replaced: number[] = [];
    const gap = this.opts.replaceMinBlocks ?? WORKER_REPLACE_MIN_BLOCKS;
    for (const [wi, w] of this.workers.entries()) {
      const last = this.replacedAt[wi];
      if (w.alive || (last !== undefined && height - last < gap)) continue;
      void w.close().catch(() => undefined);
      this.workers[wi] = this.spawn();
      this.replacedAt[wi] = height;
      replaced.push(wi);
    }
    // The new worker remembers no signatures: forget which txs the old one checked.
    if (replaced.length > 0) this.checkedBy.clear();
    return { replaced, terminated };
  }

  /**
   * Plans a block: its conflict groups, and whether running them on workers can pay (then the
   * work chunks). `access[i]` is tx i's declared partitions as partitionKeys (null: touches
   * nothing).
   */
  plan(access: readonly (readonly number[] | null)[]): { groups: number[][]; chunks: number[][] | null } {
    const groups = conflictGroups(access);
    const largest = groups.reduce((m, g) => Math.max(m, g.length), 0);
    const minTxs = this.opts.minTxs ?? MIN_PARALLEL_TXS;
    const maxShare = this.opts.maxGroupShare ?? MAX_GROUP_SHARE;
    if (access.length < minTxs || (maxShare < 1 && (groups.length < 2 || largest > maxShare * access.length))) return { groups, chunks: null };
    return { groups, chunks: chunkGroups(groups, this.opts.chunkTxs ?? CHUNK_TXS) };
  }

  /**
   * Runs a planned block: the main thread and every worker take chunks from a shared counter
   * until none are left (whoever is free takes the next, so a thread slowed by GC or the OS
   * takes fewer). Returns a violation if a tx touched a partition it did not declare; the caller
   * then re-executes the block sequentially on `blockKV`, which is put back as it was.
   * `hashes[i]` is tx i's hash; `verifiedKeys(i)` the signature keys this node verified for it.
   * `onStart` is called once the workers have the block, as the txs start running (for timing).
   * `abandoned`: see ExecWorker.blockReply; an abandoned block returns a worker fallback.
   */
  async execute(
    blockKV: Overlay, txs: readonly Uint8Array[], env: ExecEnv, chunks: readonly number[][], hashes: readonly string[],
    verifiedKeys: (i: number) => string[], decoded: readonly (DecodedTx | undefined)[] = [], onStart?: () => void, abandoned?: () => boolean,
  ): Promise<BlockExecution | BlockFallback> {
    const n = txs.length;
    const baseWrites = packWrites(blockKV.writes);
    const shared = packBytes(txs, true);
    const order = new Int32Array(new SharedArrayBuffer(4 * n));
    const chunkStart = new Int32Array(new SharedArrayBuffer(4 * (chunks.length + 1)));
    let at = 0;
    for (const [c, chunk] of chunks.entries()) {
      for (const i of chunk) order[at++] = i;
      chunkStart[c + 1] = at;
    }
    const next = new Int32Array(new SharedArrayBuffer(4));
    const mainTakes = this.opts.mainTakes ?? true;
    const leaveLast = mainTakes ? Math.floor(chunks.length * MAIN_TAIL_SHARE) : 0;
    const claims = this.workers.map(() => new Int32Array(new SharedArrayBuffer(4)));
    const ids = this.workers.map((w, wi) => {
      const verified: string[] = [];
      for (let i = 0; i < n; i++) if (this.checkedBy.get(hashes[i] as string) !== wi) for (const k of verifiedKeys(i)) verified.push(k);
      const req: BlockRequest = {
        type: 'block', id: this.nextId++, height: env.block.height, timeSeconds: env.block.timeSeconds, chainId: env.block.chainId,
        params: env.params, baseWrites, txs: shared.buf, txOffsets: shared.offsets, order, chunkStart, next, leaveLast, verified,
        claim: claims[wi] as Int32Array,
      };
      w.run(req);
      return req.id;
    });
    onStart?.();
    const encoded = new Array<Uint8Array>(n);
    const codes = new Array<number>(n);
    const fees = new Array<bigint>(n);
    const newAccounts = new Array<string[]>(n);
    let violation: string | null = null;
    const baseSize = blockKV.writes.size;
    // The main thread takes chunks too, straight into the block layer; the workers' replies
    // queue until it is done. On a violation the layer is put back as it was.
    const mainRan: number[] = [];
    const mainResults = new ResultBuffer(Math.ceil(n / (this.workers.length + 1)));
    try {
      for (let c = mainTakes ? Atomics.add(next, 0, 1) : chunks.length; c < chunks.length; c = Atomics.add(next, 0, 1)) {
        for (const i of chunks[c] as number[]) {
          const out = runTx(blockKV, txs[i] as Uint8Array, env, 'deliver', true, decoded[i]);
          mainRan.push(i);
          mainResults.add(out.result);
          codes[i] = out.result.code;
          fees[i] = out.fee;
          newAccounts[i] = out.newAccounts;
        }
      }
    } catch (err) {
      if (!(err instanceof AccessViolation)) throw err;
      Atomics.store(next, 0, chunks.length); // the workers stop after their current chunk
      violation = err.message;
    }
    // The keys the layer gained in the tx phase form one sorted run, which sortedRun merges
    // instead of sorting again; sorted now, while the workers finish.
    let mainRun: string[] = [];
    if (violation === null) {
      const { buf, offsets } = mainResults.frame();
      for (let k = 0; k < mainRan.length; k++) encoded[mainRan[k] as number] = buf.subarray(offsets[k], offsets[k + 1]);
      let pos = 0;
      for (const k of blockKV.writes.keys()) if (pos++ >= baseSize) mainRun.push(k);
      mainRun = sortKeys(mainRun);
    }
    // Each worker's writes stay the sorted run it sent (see RunsLayer). Threads share no
    // partition, hence no key, so the runs are disjoint; they are kept in worker order anyway,
    // not in the order the replies arrive.
    const workerRuns = new Array<WriteRun>(this.workers.length);
    let workerTxs = 0;
    let workerDecodes = 0;
    // A worker that throws or exits during the block loses the chunks it took; which ones is
    // not known here, so the whole block re-runs sequentially (see below).
    const failures: string[] = [];
    const timeoutMs = this.opts.workerTimeoutMs ?? WORKER_BLOCK_TIMEOUT_MS;
    const deadline = process.hrtime.bigint() + BigInt(timeoutMs) * 1_000_000n;
    await Promise.all(this.workers.map(async (w, wi) => {
      // A worker still busy with earlier messages when the chunks ran out has nothing to add:
      // skip it rather than wait for it to get to this block.
      const claim = claims[wi] as Int32Array;
      if (Atomics.load(next, 0) >= chunks.length && Atomics.compareExchange(claim, 0, CLAIM_OPEN, CLAIM_SKIPPED) === CLAIM_OPEN) {
        workerRuns[wi] = { keys: [], values: [] };
        return;
      }
      let reply: BlockDone | BlockViolation;
      try {
        reply = await w.blockReply(ids[wi] as number, deadline, timeoutMs, abandoned, claim);
      } catch (err) {
        if (err instanceof Abandoned) Atomics.store(next, 0, chunks.length); // a worker still running it stops after its chunk
        failures.push(`execution worker ${wi}: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      if (violation !== null) return;
      if (reply.type === 'violation') {
        violation = reply.message;
        return;
      }
      workerTxs += reply.indices.length;
      workerDecodes += reply.decodes;
      const results = unpackBytes(reply.results, reply.resultOffsets);
      for (let j = 0; j < reply.indices.length; j++) {
        const i = reply.indices[j] as number;
        encoded[i] = results[j] as Uint8Array;
        codes[i] = reply.codes[j] as number;
        const fee = reply.fees[j];
        fees[i] = fee ? BigInt(fee) : 0n;
        newAccounts[i] = reply.newAccounts[j] ?? [];
      }
      workerRuns[wi] = { keys: reply.writeKeys, values: reply.writeValues };
    }));
    if (violation !== null || failures.length > 0) {
      blockKV.replaceWrites(unpackWrites(baseWrites));
      return violation !== null ? { fallback: 'violation', reason: violation } : { fallback: 'worker', reason: failures.join('; ') };
    }
    return {
      encoded, codes, fees, newAccounts, mode: 'parallel',
      presorted: { from: baseSize, to: blockKV.writes.size, runs: [mainRun] }, workerRuns, workerTxs, workerDecodes,
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
