// The two-thread ceiling: how much two threads can do together on this machine, measured with
// the executor itself. Two threads each run the sequential executor on their own chain (own
// state database, own signed blocks): in every round one alone, then both at once. If each of the pair
// runs at a fraction f of the solo speed, two threads do 2f times the work of one: the most
// any 2-thread parallel executor can reach here before paying for its own coordination
// (conflict groups, merging, shipping writes), since it runs the same per-tx code.
import { RemoteChain } from './remoteChain.ts';
import { median, progress } from './report.ts';

export interface Ceiling {
  /** Txs per second of one thread alone (median of both threads' solo blocks). */
  soloTps: number;
  /** Txs per second of each thread while both run (median block of each). */
  pairTps: [number, number];
  /** Two threads' combined throughput over one thread's: (pair[0] + pair[1]) / solo. */
  speedup: number;
}

export async function measureCeiling(txs: number, runs: number, warmup: number): Promise<Ceiling> {
  progress(`ceiling: two threads, each with its own chain and ${txs}-tx transfer blocks (setting up, signing ${txs * (2 * runs + warmup)} txs per thread)...`);
  // Each thread: warm-up blocks, then per round one block alone and one paired.
  const init = { txs, blocks: 2 * runs + warmup, workload: 'transfers', executor: 'sequential', workers: 1 } as const;
  const a = new RemoteChain(init);
  const b = new RemoteChain(init);
  try {
    await Promise.all([a.ready, b.ready]);
    await a.run(warmup);
    await b.run(warmup);
    // Solo and paired blocks alternate round by round, so the VM's drift (±20 % over tens of
    // seconds here) meets both alike; measured as two phases, the probe once read 2.40x.
    const solo: number[] = [];
    const pairA: number[] = [];
    const pairB: number[] = [];
    for (let r = 0; r < runs; r++) {
      // Each alone; both threads' solo blocks pool into the one-thread figure (the same code).
      solo.push((await a.run(1)).finalize[0] as number, (await b.run(1)).finalize[0] as number);
      const [pa, pb] = await Promise.all([a.run(1), b.run(1)]);
      pairA.push(pa.finalize[0] as number);
      pairB.push(pb.finalize[0] as number);
      progress(`ceiling round ${r + 1}/${runs}: alone ${Math.round(txs / (solo.at(-2) as number))} and ${Math.round(txs / (solo.at(-1) as number))} tx/s, both at once ${Math.round(txs / (pairA.at(-1) as number))} + ${Math.round(txs / (pairB.at(-1) as number))} tx/s`);
    }
    const soloTps = txs / median(solo);
    const pair: [number, number] = [txs / median(pairA), txs / median(pairB)];
    return { soloTps, pairTps: pair, speedup: (pair[0] + pair[1]) / soloTps };
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}
