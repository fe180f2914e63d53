// The parallel executor: groups a block's txs by declared partitions, runs the groups on a
// pool of execution workers, and merges their results in tx order. Falls back to the
// sequential executor (same module code) when parallelism cannot pay or a tx breaks its
// declaration; either way the result is byte-identical to sequential execution.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Overlay } from '../store/kv.ts';
import type { ExecEnv } from '../execute.ts';
import type { BlockExecution } from '../executor.ts';
import { conflictGroups, packGroups } from './scheduler.ts';
import { packBytes, packWrites, unpackBytes, unpackWrites } from './pack.ts';
import type { BlockDone, BlockRequest, WorkerInit, WorkerReply } from './protocol.ts';

/** Below this many txs a block runs inline: dispatch would cost more than it saves. */
export const MIN_PARALLEL_TXS = 64;
/** If one group holds more than this share of a block, it runs inline (hot spot). */
export const MAX_GROUP_SHARE = 0.75;

interface Pending {
  resolve(r: BlockDone | { type: 'violation'; message: string }): void;
  reject(e: Error): void;
}

class ExecWorker {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  private pending = new Map<number, Pending>();
  private failed: Error | null = null;

  constructor(init: WorkerInit) {
    const bootstrap = fileURLToPath(new URL('./bootstrap.mjs', import.meta.url));
    this.worker = new Worker(bootstrap, { workerData: init, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 96 } });
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') {
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
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`execution worker exited with code ${code}`)));
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  run(req: BlockRequest): Promise<BlockDone | { type: 'violation'; message: string }> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.pending.set(req.id, { resolve, reject });
      this.worker.postMessage(req, [req.txs.buffer as ArrayBuffer, req.txOffsets.buffer as ArrayBuffer]);
    });
  }
}

export interface ParallelOptions {
  workers: number;
  /** Module URL exporting createModules() (see bootstrap.mjs). */
  entry: string;
  /** The state database file (workers open it read-only). */
  dbPath: string;
}

export class ParallelExecutor {
  private readonly workers: ExecWorker[];
  private nextId = 1;

  constructor(readonly opts: ParallelOptions) {
    if (!Number.isInteger(opts.workers) || opts.workers < 1) throw new Error(`parallel executor needs at least 1 worker, got ${opts.workers}`);
    if (opts.dbPath === ':memory:') throw new Error('the parallel executor needs a state database file (workers read it), not :memory:');
    this.workers = Array.from({ length: opts.workers }, () => new ExecWorker({ entry: opts.entry, dbPath: opts.dbPath }));
  }

  ready(): Promise<void> {
    return Promise.all(this.workers.map((w) => w.ready)).then(() => undefined);
  }

  /** Hands every worker's replica the writes of a committed block. */
  committed(writes: readonly [string, Uint8Array | null][], height: bigint, appHash: Uint8Array): void {
    const packed = packWrites(writes);
    for (const w of this.workers) w.worker.postMessage({ type: 'committed', writes: packed, height, appHash });
  }

  /**
   * Plans a block: its conflict groups, and whether running them on workers can pay.
   * `access[i]` is tx i's declared partitions (null: touches nothing).
   */
  plan(access: readonly (readonly string[] | null)[]): { groups: number[][]; bins: number[][] | null } {
    const groups = conflictGroups(access);
    const largest = groups.reduce((m, g) => Math.max(m, g.length), 0);
    if (access.length < MIN_PARALLEL_TXS || groups.length < 2 || largest > MAX_GROUP_SHARE * access.length) return { groups, bins: null };
    return { groups, bins: packGroups(groups, this.workers.length) };
  }

  /**
   * Runs the planned bins. Returns null if a tx touched a partition it did not declare (the
   * caller re-executes the block sequentially); writes go to `blockKV` only on success.
   */
  async execute(blockKV: Overlay, txs: readonly Uint8Array[], env: ExecEnv, bins: number[][], verifiedKeys: (i: number) => string[]): Promise<BlockExecution | { violation: string }> {
    const baseWrites = packWrites(blockKV.writes);
    const runs = bins.map((indices, w) => {
      if (indices.length === 0) return null;
      const packed = packBytes(indices.map((i) => txs[i] as Uint8Array));
      const verified: string[] = [];
      for (const i of indices) for (const k of verifiedKeys(i)) verified.push(k);
      const req: BlockRequest = {
        type: 'block', id: this.nextId++, height: env.block.height, timeSeconds: env.block.timeSeconds, chainId: env.block.chainId,
        params: env.params, baseWrites, txs: packed.buf, txOffsets: packed.offsets, verified,
      };
      return (this.workers[w] as ExecWorker).run(req);
    });
    const replies = await Promise.all(runs);
    const n = txs.length;
    const encoded = new Array<Uint8Array>(n);
    const codes = new Array<number>(n);
    const fees = new Array<bigint>(n);
    const newAccounts = new Array<string[]>(n);
    for (const [w, reply] of replies.entries()) {
      if (!reply) continue;
      if (reply.type === 'violation') return { violation: reply.message };
      const indices = bins[w] as number[];
      const results = unpackBytes(reply.results, reply.resultOffsets);
      for (const [j, i] of indices.entries()) {
        encoded[i] = results[j] as Uint8Array;
        codes[i] = reply.codes[j] as number;
        const fee = reply.fees[j];
        fees[i] = fee ? BigInt(fee) : 0n;
        newAccounts[i] = reply.newAccounts[j] ?? [];
      }
    }
    // Groups share no partition, hence no key: merge order cannot matter.
    for (const reply of replies) {
      if (!reply || reply.type !== 'done') continue;
      for (const [k, v] of unpackWrites(reply.writes)) blockKV.writes.set(k, v);
    }
    return { encoded, codes, fees, newAccounts, mode: 'parallel' };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
