// e2e: the load generator against a real single-validator node (its own, or --rpc), then every
// tx's fate checked. Writes bench/results/e2e.json:
// {"suite":"e2e","tps","sent","committed","lost","p50_ms","p95_ms","seconds", ...extra}.
import { runLoad, loadTable, type LoadOptions } from '@lanes/abci-server';
import { progress, writeResult } from './report.ts';

export interface E2eOptions extends Omit<LoadOptions, 'log' | 'signal'> {
  quick: boolean;
}

export async function e2eSuite(o: E2eOptions): Promise<void> {
  const ctl = new AbortController();
  const onSignal = () => {
    if (ctl.signal.aborted) process.exit(130);
    progress('interrupted: stopping the load and the node (again to force)...');
    ctl.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const r = await runLoad({ ...o, log: (l) => progress(`e2e: ${l}`), signal: ctl.signal });
    process.stdout.write(`\ne2e${o.quick ? ' (quick)' : ''}: ${o.duration} s of load\n${loadTable(r)}\n`);
    const file = writeResult('e2e', { ...r, quick: o.quick, cmd: `npm run bench -- e2e${process.argv.slice(3).map((a) => ` ${a}`).join('')}` });
    process.stdout.write(`\nwrote ${file}\n`);
    if (r.lost > 0) process.stdout.write(`WARNING: ${r.lost} txs accepted by CheckTx never committed\n`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
