// CPU time spent by the node's processes, the load generator and the whole machine over a load
// run, so that every e2e report says where the CPU went (and whether the machine was full), and
// the node processes' peak memory.
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
  /** Peak resident memory of each node process so far (VmHWM), in MB; 0 where unreadable. */
  cometbft_peak_rss_mb: number;
  app_peak_rss_mb: number;
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

/** A process's peak resident set (VmHWM of /proc/<pid>/status), in MB; 0 if unreadable. */
function peakRssMb(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
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

interface CpuSample {
  cometbft: number;
  app: number;
  /** This process, in µs (process.cpuUsage). */
  selfUs: number;
  machine: { busy: number; total: number };
}

/** CPU per tx over one span, without the memory figures. */
export type CpuLap = Omit<CpuReport, 'cometbft_peak_rss_mb' | 'app_peak_rss_mb'>;

export interface CpuMeter {
  /** CPU per tx from the start to now, and the node processes' peak memory. */
  stop(txs: number): CpuReport | undefined;
  /** CPU per tx since the previous `lap` (or the start): a progress line's interval. */
  lap(txs: number): CpuLap | undefined;
}

/**
 * Starts measuring: CometBFT's and the app's processes by pid, this process (the load
 * generator) through process.cpuUsage. Undefined where /proc cannot be read.
 */
export function cpuMeter(pids: { cometbft: number; app: number }): CpuMeter | undefined {
  const hz = ticksPerSecond();
  const sample = (): CpuSample | undefined => {
    const cometbft = processTicks(pids.cometbft);
    const app = processTicks(pids.app);
    const machine = machineTicks();
    if (cometbft === undefined || app === undefined || machine === undefined) return undefined;
    const u = process.cpuUsage();
    return { cometbft, app, machine, selfUs: u.user + u.system };
  };
  const report = (a: CpuSample, b: CpuSample, txs: number): CpuLap | undefined => {
    if (txs <= 0) return undefined;
    const perTx = (ticks: number) => Math.round((ticks * 1e6) / hz / txs);
    const total = b.machine.total - a.machine.total;
    return {
      cometbft_us_per_tx: perTx(b.cometbft - a.cometbft),
      app_us_per_tx: perTx(b.app - a.app),
      load_us_per_tx: Math.round((b.selfUs - a.selfUs) / txs),
      machine_busy_pct: total > 0 ? Math.round((100 * (b.machine.busy - a.machine.busy)) / total) : 0,
    };
  };
  const first = sample();
  if (first === undefined) return undefined;
  let last = first;
  return {
    stop(txs) {
      const now = sample();
      const r = now && report(first, now, txs);
      return r && { ...r, cometbft_peak_rss_mb: peakRssMb(pids.cometbft), app_peak_rss_mb: peakRssMb(pids.app) };
    },
    lap(txs) {
      const now = sample();
      if (!now) return undefined;
      const r = report(last, now, txs);
      last = now;
      return r;
    },
  };
}
