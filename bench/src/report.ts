// Shared benchmark plumbing: medians, progress on stderr, tables on stdout, JSON results.
import { mkdirSync, writeFileSync } from 'node:fs';
export { table } from '@lanes/abci-server';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/results, or LANES_BENCH_RESULTS (tests write their short runs elsewhere). */
export const RESULTS_DIR = process.env['LANES_BENCH_RESULTS'] || join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/**
 * The p-quantile of `xs` (0 <= p <= 1), linearly interpolated between the two nearest order
 * statistics (position (n - 1)p, the default of R and NumPy): p = 0.5 is the median.
 */
export function quantile(xs: readonly number[], p: number): number {
  if (xs.length === 0 || !(p >= 0 && p <= 1)) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * p;
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, s.length - 1);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (at - lo);
}

export function progress(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

export function writeResult(suite: string, data: object): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${suite}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

export function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
