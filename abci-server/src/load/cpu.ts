// CPU time spent by the node's processes, the load generator and the whole machine over a load
// run, so that every e2e report says where the CPU went (and whether the machine was full).
// Read from Linux's /proc: a process's utime + stime (all its threads) and the machine's busy
// and idle time, in clock ticks. Elsewhere `cpuMeter` returns undefined and reports leave CPU out.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export interface CpuReport {
  /** CPU time per tx, in µs, of each process measured. */
  cometbft_us_per_tx: number;
  app_us_per_tx: number;
  load_us_per_tx: number;
  /** Share of all CPUs busy (any process), in percent. */
  machine_busy_pct: number;
}

/** Clock ticks per second of /proc's times (USER_HZ): getconf's answer, else Linux's 100. */
function ticksPerSecond(): number {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return r.status === 0 && Number.isInteger(n) && n > 0 ? n : 100;
}

/** utime + stime of a process, in ticks; undefined if it cannot be read (gone, not Linux). */
function processTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, so split after its closing paren):
    // state is field 3, utime 14 and stime 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** The machine's busy and total ticks (all CPUs, from /proc/stat's `cpu` line). */
function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith('cpu '));
    if (!line) return undefined;
    // user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return Number.isFinite(total) ? { busy: total - idle, total } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts measuring: CometBFT's and the app's processes by pid, this process (the load
 * generator) through process.cpuUsage. `stop(txs)` gives each one's CPU per tx over the span.
 * Undefined where /proc cannot be read.
 */
export function cpuMeter(pids: { cometbft: number; app: number }): { stop(txs: number): CpuReport | undefined } | undefined {
  const c0 = processTicks(pids.cometbft);
  const a0 = processTicks(pids.app);
  const m0 = machineTicks();
  if (c0 === undefined || a0 === undefined || m0 === undefined) return undefined;
  const hz = ticksPerSecond();
  const self0 = process.cpuUsage();
  return {
    stop(txs) {
      const c1 = processTicks(pids.cometbft);
      const a1 = processTicks(pids.app);
      const m1 = machineTicks();
      if (c1 === undefined || a1 === undefined || m1 === undefined || txs <= 0) return undefined;
      const self = process.cpuUsage(self0);
      const perTx = (ticks: number) => Math.round((ticks * 1e6) / hz / txs);
      const total = m1.total - m0.total;
      return {
        cometbft_us_per_tx: perTx(c1 - c0),
        app_us_per_tx: perTx(a1 - a0),
        load_us_per_tx: Math.round((self.user + self.system) / txs),
        machine_busy_pct: total > 0 ? Math.round((100 * (m1.busy - m0.busy)) / total) : 0,
      };
    },
  };
}
