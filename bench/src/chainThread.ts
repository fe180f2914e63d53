// A benchmark chain in a thread of its own (exec.ts, ceiling.ts): its own state database,
// executor, signed blocks and V8 heap. On request it executes its next blocks and reports each
// one's FinalizeBlock time, and the time with Commit (and the workers' replica update).
//
// Own heaps are the point: configurations that take turns block by block in one process shared
// one heap, and a major GC, now of every chain's state at once, landed on whichever block was
// running (blocks of the same code read ~35k or ~13k tx/s).
import { parentPort, workerData } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SigVerifier } from '@lanes/app';
import { InProcessChain } from '@lanes/abci-server/inprocess';
import { BENCH_CHAIN_ID, benchGenesis, blockTxs, makeAccounts, timedFinalize, type Workload } from './workloads.ts';
import { seconds } from './report.ts';
import { blockCpu, currentThreadId, threadTimes, type BlockCpu, type ThreadTimes } from './threadCpu.ts';

export interface ChainThreadInit {
  txs: number;
  /** Blocks to sign (each run takes the next ones). */
  blocks: number;
  workload: Workload;
  executor: 'sequential' | 'parallel';
  /** Execution workers of the parallel executor. */
  workers: number;
}
export type ChainRequest = { type: 'run'; count: number } | { type: 'close' };
/** Where a FinalizeBlock's time went, in ms (BlockStats.prepareMs, txsMs, finishMs). */
export interface BlockPhases {
  prepare: number;
  txs: number;
  finish: number;
}
export type ChainReply =
  | { type: 'ready' }
  | { type: 'ran'; finalize: number[]; whole: number[]; phases: BlockPhases[]; cpu: (BlockCpu | undefined)[]; groups: number; fallbacks: number }
  | { type: 'failed'; message: string };

const port = parentPort;
if (!port) throw new Error('chainThread runs in a worker thread');
const init = workerData as ChainThreadInit;
const label = init.executor === 'sequential' ? 'sequential' : `parallel x${init.workers}`;
const acc = makeAccounts(init.txs);
const blocks = Array.from({ length: init.blocks }, (_, r) => blockTxs(init.workload, acc, r));
const dir = mkdtempSync(join(tmpdir(), 'lanes-bench-'));
const stats = { groups: 0, fallbacks: 0 };
let lastPhases: BlockPhases = { prepare: 0, txs: 0, finish: 0 };
const chain = new InProcessChain(benchGenesis(acc), join(dir, 'state.db'), BENCH_CHAIN_ID, {
  executor: init.executor, workers: Math.max(1, init.workers), sigs: new SigVerifier(4 * init.txs * init.blocks),
  onBlock: (s) => {
    stats.groups = s.groups;
    if (s.fallback) stats.fallbacks++;
    lastPhases = { prepare: s.prepareMs, txs: s.txsMs, finish: s.finishMs };
  },
});
await chain.app.ready();
await chain.blockAsync([]); // commit genesis, so workers see it
await chain.app.parallel?.sync();
let next = 0;
const self = currentThreadId();
// This chain's execution workers, by OS thread id, for the CPU split (none in the bench replace).
const workerThreads = new Set(chain.app.parallel?.workerThreadIds() ?? []);

async function run(count: number): Promise<ChainReply> {
  const finalize: number[] = [];
  const whole: number[] = [];
  const phases: BlockPhases[] = [];
  const cpu: (BlockCpu | undefined)[] = [];
  for (let i = 0; i < count; i++) {
    const txs = blocks[next++];
    if (!txs) throw new Error(`chain thread: only ${init.blocks} blocks were signed`);
    let before: Map<number, ThreadTimes> | undefined;
    let split: BlockCpu | undefined;
    const edges = (edge: 'start' | 'end'): void => {
      if (self === undefined) return;
      if (edge === 'start') {
        before = threadTimes();
        return;
      }
      const after = threadTimes();
      if (before && after) split = blockCpu(before, after, self, workerThreads);
    };
    const { started, seconds: tf } = await timedFinalize(chain, txs, `${init.workload}/${label}`, edges);
    chain.app.commit();
    await chain.app.parallel?.sync(); // the workers' replicas are current
    finalize.push(tf);
    whole.push(seconds(started));
    phases.push(lastPhases);
    cpu.push(split);
  }
  return { type: 'ran', finalize, whole, phases, cpu, ...stats };
}

port.on('message', (m: ChainRequest) => {
  if (m.type === 'close') {
    void (async () => {
      await chain.app.close();
      rmSync(dir, { recursive: true, force: true });
      port.close();
    })();
    return;
  }
  run(m.count).then(
    (r) => port.postMessage(r satisfies ChainReply),
    (e: unknown) => port.postMessage({ type: 'failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies ChainReply),
  );
});
port.postMessage({ type: 'ready' } satisfies ChainReply);
