// exec: FinalizeBlock throughput of large blocks, signatures already verified (as CheckTx
// leaves them), sequential vs parallel at 1, 2 and N workers, in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SigVerifier, type LanesApp } from '@lanes/app';
import { InProcessChain } from '@lanes/abci-server/inprocess';
import { BENCH_CHAIN_ID, benchGenesis, blockTxs, makeAccounts, timedFinalize, type Workload } from './workloads.ts';
import { median, progress, seconds, table, writeResult } from './report.ts';
import { measureCeiling, type Ceiling } from './ceiling.ts';

export interface ExecOptions {
  quick: boolean;
  txs: number;
  runs: number;
  workloads: Workload[];
  /** Also measure the two-thread ceiling of this machine (ceiling.ts). */
  ceiling: boolean;
}

interface Row {
  workload: Workload;
  executor: 'sequential' | 'parallel';
  workers: number;
  tps: number;
  blockTps: number;
  runs: number;
  ratio?: number;
  groups?: number;
  fallbacks?: number;
}

export async function execSuite(o: ExecOptions): Promise<void> {
  const cpus = availableParallelism();
  progress(`exec: ${o.txs} txs per block, median of ${o.runs} runs after 1 warm-up block, ${cpus} CPUs`);
  progress('deriving keys...');
  const acc = makeAccounts(o.txs);
  const genesis = benchGenesis(acc);
  const sigs = new SigVerifier(4 * o.txs * (o.runs + 1));
  const configs: { executor: 'sequential' | 'parallel'; workers: number }[] = [{ executor: 'sequential', workers: 0 }];
  for (const w of [...new Set([1, 2, cpus])].sort((a, b) => a - b)) configs.push({ executor: 'parallel', workers: w });
  // First, while this process holds nothing else: the dead chains of the workloads below leave
  // garbage whose collection would slow the probe's lone thread.
  const ceiling: Ceiling | undefined = o.ceiling ? await measureCeiling(o.txs, o.runs) : undefined;
  const rows: Row[] = [];
  for (const workload of o.workloads) {
    progress(`${workload}: signing ${o.txs * (o.runs + 1)} txs...`);
    const blocks = Array.from({ length: o.runs + 1 }, (_, r) => blockTxs(workload, acc, r));
    let seqTps = 0;
    for (const cfg of configs) {
      const label = cfg.executor === 'sequential' ? 'sequential' : `parallel x${cfg.workers}`;
      const dir = mkdtempSync(join(tmpdir(), 'lanes-bench-'));
      const chain = new InProcessChain(genesis, join(dir, 'state.db'), BENCH_CHAIN_ID, {
        executor: cfg.executor, workers: Math.max(1, cfg.workers), sigs,
        onBlock: (s) => { groups = s.groups; if (s.fallback) fallbacks++; },
      });
      let groups = 0;
      let fallbacks = 0;
      await chain.app.ready();
      await chain.blockAsync([]); // commit genesis, so workers see it
      await settle(chain.app);
      const finalize: number[] = [];
      const whole: number[] = [];
      for (const [r, txs] of blocks.entries()) {
        const { started, seconds: tf } = await timedFinalize(chain, txs, `${workload}/${label}`);
        chain.app.commit();
        await settle(chain.app);
        const tw = seconds(started);
        if (r === 0) continue; // warm-up
        finalize.push(tf);
        whole.push(tw);
        progress(`${workload} ${label} run ${r}/${o.runs}: ${Math.round(o.txs / tf)} tx/s (finalize), ${Math.round(o.txs / tw)} tx/s (with commit)`);
      }
      await chain.app.parallel?.close(); // its workers gone before the next configuration starts
      chain.app.close();
      rmSync(dir, { recursive: true, force: true });
      // The next configuration must not pay for collecting this one's chain.
      collectGarbage();
      const tps = o.txs / median(finalize);
      if (cfg.executor === 'sequential') seqTps = tps;
      rows.push({
        workload, executor: cfg.executor, workers: cfg.workers, tps, blockTps: o.txs / median(whole), runs: finalize.length,
        ratio: tps / seqTps, ...(cfg.executor === 'parallel' ? { groups, fallbacks } : {}),
      });
    }
  }
  process.stdout.write(`\nexec: ${o.txs}-tx blocks, signatures pre-verified, median of ${o.runs} runs, ${cpus} CPUs\n`);
  process.stdout.write(`${table(['workload', 'executor', 'workers', 'finalize tx/s', 'x sequential', 'with commit tx/s', 'groups'], rows.map((r) => [
    r.workload, r.executor, r.executor === 'sequential' ? '-' : String(r.workers), r.tps, r.ratio ?? 1, r.blockTps, r.groups === undefined ? '-' : String(r.groups),
  ]))}\n`);
  if (ceiling) {
    process.stdout.write(`two-thread ceiling: one thread alone ${Math.round(ceiling.soloTps).toLocaleString('en-US')} tx/s; two at once ${ceiling.pairTps.map((t) => Math.round(t).toLocaleString('en-US')).join(' + ')} tx/s = ${ceiling.speedup.toFixed(2)}x one thread (the most 2 threads can give on this machine, before any coordination cost)\n`);
  }
  const file = writeResult('exec', {
    suite: 'exec', cpus, txsPerBlock: o.txs,
    ...(ceiling ? { ceiling: { threads: 2, soloTps: Math.round(ceiling.soloTps), pairTps: ceiling.pairTps.map(Math.round), speedup: Number(ceiling.speedup.toFixed(3)) } } : {}),
    results: rows.map((r) => ({ workload: r.workload, executor: r.executor, workers: r.workers, tps: Math.round(r.tps), runs: r.runs, ratio: Number((r.ratio ?? 1).toFixed(3)), tpsWithCommit: Math.round(r.blockTps), ...(r.groups !== undefined ? { groups: r.groups } : {}) })),
  });
  process.stdout.write(`results: ${file}\n`);
}

/** A full GC now (V8's own, exposed for this bench only, the first time it is needed). */
let gc: (() => void) | undefined;
function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
  gc();
}

/** Waits until the execution workers applied the last commit (their replicas are current). */
async function settle(app: LanesApp): Promise<void> {
  await app.parallel?.sync();
}
