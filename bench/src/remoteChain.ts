// The handle on a benchmark chain running in its own thread (chainThread.ts).
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { ChainReply, ChainRequest, ChainThreadInit } from './chainThread.ts';

export type Ran = Extract<ChainReply, { type: 'ran' }>;

export class RemoteChain {
  private readonly worker: Worker;
  private waiting: ((r: ChainReply) => void) | null = null;
  private failure: Error | null = null;
  readonly ready: Promise<void>;

  constructor(readonly init: ChainThreadInit) {
    this.worker = new Worker(fileURLToPath(new URL('./chainThread.mjs', import.meta.url)), { workerData: init });
    this.ready = this.next().then((r) => {
      if (r.type !== 'ready') throw new Error(`chain thread: expected ready, got ${r.type}`);
    });
    this.worker.on('message', (r: ChainReply) => {
      const w = this.waiting;
      this.waiting = null;
      w?.(r);
    });
    this.worker.on('error', (e) => {
      this.failure = e;
      const w = this.waiting;
      this.waiting = null;
      w?.({ type: 'failed', message: e.stack ?? e.message });
    });
  }

  private next(): Promise<ChainReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** Executes the thread's next `count` blocks (each with Commit). */
  async run(count: number): Promise<Ran> {
    const reply = this.next();
    this.worker.postMessage({ type: 'run', count } satisfies ChainRequest);
    const r = await reply;
    if (r.type === 'failed') throw new Error(`chain thread (${this.init.workload}, ${this.init.executor}): ${r.message}`);
    if (r.type !== 'ran') throw new Error(`chain thread: unexpected ${r.type}`);
    return r;
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.postMessage({ type: 'close' } satisfies ChainRequest);
    await exited;
  }
}
