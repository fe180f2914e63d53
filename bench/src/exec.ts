// exec: FinalizeBlock throughput of large blocks, signatures already verified (as CheckTx
// leaves them), sequential vs parallel at 1, 2 and N workers, in the same run.
import { availableParallelism } from 'node:os';
import type { Workload } from './workloads.ts';
import { median, progress, quantile, table, writeResult } from './report.ts';
import { measureCeiling, type Ceiling } from './ceiling.ts';
import { RemoteChain } from './remoteChain.ts';
import type { BlockPhases } from './chainThread.ts';
import type { BlockCpu } from './threadCpu.ts';

/**
 * Unmeasured blocks per chain first, at least this many txs' worth (and 3 blocks). Each chain's
 * threads warm their JIT on their own: after one warm-up block of 2,000 txs, the inline hot spot
 * (the sequential code on a parallel node) read 27,000 tx/s in its first measured block and
 * ~46,000 from the seventh, while the sequential node, whose CheckTx runs the same code on its
 * main thread, was warm from the first.
 */
export const WARMUP_TXS = 30_000;

function warmupBlocks(txsPerBlock: number): number {
  return Math.max(3, Math.ceil(WARMUP_TXS / txsPerBlock));
}

export interface ExecOptions {
  txs: number;
  runs: number;
  /** Warm-up blocks per chain (default warmupBlocks(txs)). */
  warmup?: number;
  workloads: Workload[];
  /** Also measure the two-thread ceiling of this machine (ceiling.ts). */
  ceiling: boolean;
}

/** One configuration's chain and its measurements within a workload. */
interface Run {
  cfg: { executor: 'sequential' | 'parallel'; workers: number };
  label: string;
  chain: RemoteChain;
  finalize: number[];
  whole: number[];
  phases: BlockPhases[];
  cpu: (BlockCpu | undefined)[];
  groups: number;
  fallbacks: number;
}

interface Row {
  workload: Workload;
  executor: 'sequential' | 'parallel';
  workers: number;
  tps: number;
  blockTps: number;
  runs: number;
  ratio?: number;
  /** The lower and upper quartiles of the per-round ratios whose median is `ratio`: how far one block's reading strays. */
  ratioQuartiles?: [number, number];
  /** The median of each phase over the measured blocks. */
  phases: BlockPhases;
  /** The median of each part of the CPU split (threadCpu.ts), where every block has one. */
  cpu?: BlockCpu;
  groups?: number;
  fallbacks?: number;
}

export async function execSuite(o: ExecOptions): Promise<void> {
  const cpus = availableParallelism();
  const warmup = o.warmup ?? warmupBlocks(o.txs);
  progress(`exec: ${o.txs} txs per block, median of ${o.runs} runs after ${warmup} warm-up blocks, ${cpus} CPUs`);
  const configs: { executor: 'sequential' | 'parallel'; workers: number }[] = [{ executor: 'sequential', workers: 0 }];
  for (const w of [...new Set([1, 2, cpus])].sort((a, b) => a - b)) configs.push({ executor: 'parallel', workers: w });
  const ceiling: Ceiling | undefined = o.ceiling ? await measureCeiling(o.txs, o.runs, warmup) : undefined;
  const rows: Row[] = [];
  for (const workload of o.workloads) {
    // One thread per configuration, each with its own chain and heap (chainThread.ts), and the
    // configurations take turns block by block, each round in a rotated order. This VM's speed
    // drifts by ±20 % over tens of seconds: measured one after another, configurations met
    // different drift, and their ratios showed it (the inline hot spot, the same code as
    // sequential, once read 0.84x).
    progress(`${workload}: setting up ${configs.length} chains, each signing ${o.txs * (o.runs + warmup)} txs...`);
    const runs: Run[] = configs.map((cfg) => ({
      cfg, label: cfg.executor === 'sequential' ? 'sequential' : `parallel x${cfg.workers}`,
      chain: new RemoteChain({ txs: o.txs, blocks: o.runs + warmup, workload, executor: cfg.executor, workers: cfg.workers }),
      finalize: [], whole: [], phases: [], cpu: [], groups: 0, fallbacks: 0,
    }));
    try {
      await Promise.all(runs.map((r) => r.chain.ready));
      for (let round = 0; round < warmup + o.runs; round++) {
        const r = round - warmup + 1; // measured run r (1-based); warm-up while r <= 0
        for (let k = 0; k < runs.length; k++) {
          const run = runs[(k + round) % runs.length] as Run;
          const ran = await run.chain.run(1);
          run.groups = ran.groups;
          run.fallbacks = ran.fallbacks;
          if (r <= 0) continue;
          const tf = ran.finalize[0] as number;
          const tw = ran.whole[0] as number;
          run.finalize.push(tf);
          run.whole.push(tw);
          run.phases.push(ran.phases[0] as BlockPhases);
          run.cpu.push(ran.cpu[0]);
          progress(`${workload} ${run.label} run ${r}/${o.runs}: ${Math.round(o.txs / tf)} tx/s (finalize), ${Math.round(o.txs / tw)} tx/s (with commit)`);
        }
      }
    } finally {
      await Promise.all(runs.map((r) => r.chain.close()));
    }
    // The ratio pairs each block with the sequential block of the same round (run within
    // seconds of it) and takes the median of those: less exposed to drift than a ratio of two
    // medians, whose blocks may come from different minutes.
    const seq = runs[0] as Run;
    for (const run of runs) {
      const tps = o.txs / median(run.finalize);
      const ratios = run.finalize.map((t, r) => (seq.finalize[r] as number) / t);
      rows.push({
        workload, executor: run.cfg.executor, workers: run.cfg.workers, tps, blockTps: o.txs / median(run.whole), runs: run.finalize.length,
        ratio: median(ratios), ratioQuartiles: [quantile(ratios, 0.25), quantile(ratios, 0.75)],
        phases: { prepare: median(run.phases.map((p) => p.prepare)), txs: median(run.phases.map((p) => p.txs)), finish: median(run.phases.map((p) => p.finish)) },
        ...medianCpu(run.cpu),
        ...(run.cfg.executor === 'parallel' ? { groups: run.groups, fallbacks: run.fallbacks } : {}),
      });
    }
  }
  process.stdout.write(`\nexec: ${o.txs}-tx blocks, signatures pre-verified, median of ${o.runs} runs, ${cpus} CPUs\n`);
  // The quartiles of the per-round ratios say how far a single block's ratio strays on this run.
  process.stdout.write(`${table(['workload', 'executor', 'workers', 'finalize tx/s', 'x sequential', 'x seq p25-p75', 'with commit tx/s', 'groups'], rows.map((r) => [
    r.workload, r.executor, r.executor === 'sequential' ? '-' : String(r.workers), r.tps, r.ratio ?? 1,
    r.executor === 'sequential' || !r.ratioQuartiles ? '-' : r.ratioQuartiles.map((q) => q.toFixed(2)).join('-'),
    r.blockTps, r.groups === undefined ? '-' : String(r.groups),
  ]))}\n`);
  // Amdahl's share: what runs on one thread however many workers there are.
  process.stdout.write(`\nwhere a block's FinalizeBlock time goes (ms, median of each phase): prepare (begin-block, decodes, planning) and finish (end-block, results, change set sorted, framed and hashed) run on one thread; txs on every execution thread\n`);
  process.stdout.write(`${table(['workload', 'executor', 'workers', 'prepare ms', 'txs ms', 'finish ms', 'one-thread share'], rows.map((r) => {
    const { prepare, txs, finish } = r.phases;
    return [r.workload, r.executor, r.executor === 'sequential' ? '-' : String(r.workers), prepare.toFixed(1), txs.toFixed(1), finish.toFixed(1), `${(100 * (prepare + finish) / (prepare + txs + finish)).toFixed(0)} %`];
  }))}\n`);
  const split = rows.filter((r) => r.cpu !== undefined);
  if (split.length > 0) {
    process.stdout.write(`\nCPU while FinalizeBlock ran (ms, median of each; per thread from /proc schedstat): on a CPU ("run") and ready to run but waiting for one ("wait"); helpers: every other thread, mostly V8's garbage collection\n`);
    process.stdout.write(`${table(['workload', 'executor', 'workers', 'main run', 'main wait', 'workers run', 'workers wait', 'helpers run'], split.map((r) => {
      const c = r.cpu as BlockCpu;
      return [r.workload, r.executor, r.executor === 'sequential' ? '-' : String(r.workers), ...[c.mainRun, c.mainWait, c.workersRun, c.workersWait, c.helpersRun].map((v) => v.toFixed(1))];
    }))}\n`);
  }
  if (ceiling) {
    process.stdout.write(`two-thread ceiling: one thread alone ${Math.round(ceiling.soloTps).toLocaleString('en-US')} tx/s; two at once ${ceiling.pairTps.map((t) => Math.round(t).toLocaleString('en-US')).join(' + ')} tx/s = ${ceiling.speedup.toFixed(2)}x one thread (the most 2 threads can give on this machine, before any coordination cost)\n`);
  }
  const file = writeResult('exec', {
    suite: 'exec', cpus, txsPerBlock: o.txs,
    ...(ceiling ? { ceiling: { threads: 2, soloTps: Math.round(ceiling.soloTps), pairTps: ceiling.pairTps.map(Math.round), speedup: Number(ceiling.speedup.toFixed(3)) } } : {}),
    results: rows.map((r) => ({ workload: r.workload, executor: r.executor, workers: r.workers, tps: Math.round(r.tps), runs: r.runs, ratio: Number((r.ratio ?? 1).toFixed(3)),
      ...(r.ratioQuartiles ? { ratioQuartiles: r.ratioQuartiles.map((q) => Number(q.toFixed(3))) } : {}), tpsWithCommit: Math.round(r.blockTps),
      phasesMs: { prepare: round1(r.phases.prepare), txs: round1(r.phases.txs), finish: round1(r.phases.finish) },
      ...(r.cpu ? { cpuMs: Object.fromEntries(Object.entries(r.cpu).map(([k, v]) => [k, round1(v)])) } : {}), ...(r.groups !== undefined ? { groups: r.groups } : {}) })),
  });
  process.stdout.write(`results: ${file}\n`);
}

const round1 = (ms: number): number => Math.round(ms * 10) / 10;

/** Each part's median over the blocks, if every block has a split (none where /proc cannot be read). */
function medianCpu(cpu: readonly (BlockCpu | undefined)[]): { cpu?: BlockCpu } {
  if (cpu.length === 0 || cpu.some((c) => c === undefined)) return {};
  const all = cpu as BlockCpu[];
  const m = (k: keyof BlockCpu): number => median(all.map((c) => c[k]));
  return { cpu: { mainRun: m('mainRun'), mainWait: m('mainWait'), workersRun: m('workersRun'), workersWait: m('workersWait'), helpersRun: m('helpersRun') } };
}
