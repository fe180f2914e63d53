// Per-thread CPU time of this process, from Linux's /proc/self/task/<tid>/schedstat: for each
// thread, the ns it spent on a CPU and the ns it spent ready to run but waiting for one. The exec
// suite reads it around each FinalizeBlock to show whether a parallel block's threads were
// short of work or short of CPUs. Where /proc cannot be read (not Linux), the readers answer
// undefined and the suite leaves the table out.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ThreadTimes {
  runNs: number;
  waitNs: number;
}

/** Every thread of this process by id, or undefined where /proc/self/task cannot be read. */
export function threadTimes(): Map<number, ThreadTimes> | undefined {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  const out = new Map<number, ThreadTimes>();
  for (const tid of tids) {
    let line: string;
    try {
      line = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8');
    } catch {
      continue; // the thread exited meanwhile, or the kernel keeps no schedstat
    }
    const [run, wait] = line.trim().split(' ').map(Number);
    if (Number.isFinite(run) && Number.isFinite(wait)) out.set(Number(tid), { runNs: run as number, waitNs: wait as number });
  }
  return out.size > 0 ? out : undefined;
}

/** The calling thread's id (as in /proc/self/task), or undefined. */
export function currentThreadId(): number | undefined {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}

/** What each kind of thread did between two readings, in ms. */
export interface BlockCpu {
  /** The thread running the chain (FinalizeBlock's main thread): on a CPU, and waiting for one. */
  mainRun: number;
  mainWait: number;
  /** The chain's execution workers (ParallelExecutor.workerThreadIds). */
  workersRun: number;
  workersWait: number;
  /** Every other thread of the process: V8's garbage-collection helpers, libuv's pool, the bench's main thread and the other chains' threads (idle meanwhile). */
  helpersRun: number;
}

/**
 * Splits the CPU time between two threadTimes readings by kind of thread: `self` (the chain's
 * main thread), `workers` (its execution workers) and every other thread. A thread missing from
 * `before` started in between and counts from zero; one missing from `after` is left out.
 */
export function blockCpu(before: ReadonlyMap<number, ThreadTimes>, after: ReadonlyMap<number, ThreadTimes>, self: number, workers: ReadonlySet<number>): BlockCpu {
  const cpu: BlockCpu = { mainRun: 0, mainWait: 0, workersRun: 0, workersWait: 0, helpersRun: 0 };
  for (const [tid, t] of after) {
    const b = before.get(tid) ?? { runNs: 0, waitNs: 0 };
    const run = (t.runNs - b.runNs) / 1e6;
    const wait = (t.waitNs - b.waitNs) / 1e6;
    if (tid === self) {
      cpu.mainRun += run;
      cpu.mainWait += wait;
    } else if (workers.has(tid)) {
      cpu.workersRun += run;
      cpu.workersWait += wait;
    } else {
      cpu.helpersRun += run;
    }
  }
  return cpu;
}
