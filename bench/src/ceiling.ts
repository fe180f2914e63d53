// The two-thread ceiling: how much two threads can do together on this machine, measured with
// the executor itself. Two threads each run the sequential executor on their own chain (own
// state database, own signed blocks): first one alone, then both at once. If each of the pair
// runs at a fraction f of the solo speed, two threads do 2f times the work of one: the most
// any 2-thread parallel executor can reach here before paying for its own coordination
// (conflict groups, merging, shipping writes), since it runs the same per-tx code.
import { RemoteChain } from './remoteChain.ts';
import { median, progress } from './report.ts';

export interface Ceiling {
  /** Txs per second of one thread alone (median block; the mean of both threads alone). */
  soloTps: number;
  /** Txs per second of each thread while both run (median block of each). */
  pairTps: [number, number];
  /** Two threads' combined throughput over one thread's: (pair[0] + pair[1]) / solo. */
  speedup: number;
}

export async function measureCeiling(txs: number, runs: number): Promise<Ceiling> {
  progress(`ceiling: two threads, each with its own chain and ${txs}-tx transfer blocks (setting up, signing ${txs * (2 * runs + 1)} txs per thread)...`);
  // Each thread: a warm-up block, `runs` alone, `runs` paired.
  const init = { txs, blocks: 2 * runs + 1, workload: 'transfers', executor: 'sequential', workers: 1 } as const;
  const a = new RemoteChain(init);
  const b = new RemoteChain(init);
  try {
    await Promise.all([a.ready, b.ready]);
    await a.run(1);
    await b.run(1);
    // Each alone (their mean is the one-thread figure: the same code moves between runs here).
    const soloA = txs / median((await a.run(runs)).finalize);
    const soloB = txs / median((await b.run(runs)).finalize);
    const soloTps = (soloA + soloB) / 2;
    progress(`ceiling: one thread alone ${Math.round(soloA)} and ${Math.round(soloB)} tx/s; now both at once...`);
    const [pa, pb] = await Promise.all([a.run(runs), b.run(runs)]);
    const pair: [number, number] = [txs / median(pa.finalize), txs / median(pb.finalize)];
    return { soloTps, pairTps: pair, speedup: (pair[0] + pair[1]) / soloTps };
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}
