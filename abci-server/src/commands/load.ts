// `lanes load`: the load generator (shared with `npm run bench -- e2e`). Without
// --rpc it starts its own node in a temporary home; with --rpc it loads an existing local node.
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { positiveNumber, rpcUrl, wholeNumber } from './numbers.ts';

interface LoadFlags {
  rpc?: string;
  duration: number;
  rate?: number;
  concurrency: number;
  accounts: number;
  maxTxs?: number;
  executor: 'sequential' | 'parallel';
  workers?: number;
  blockTime: number;
  json?: string;
  nodeLogs?: boolean;
}

export function register(program: Command): void {
  program.command('load')
    .description('generate load: pre-signed MsgSends from many accounts via broadcast_tx_sync, then check every tx\'s fate')
    .option('--rpc <url>', 'load this local node (funds fresh load accounts from test0); default: start a node in a temporary home', rpcUrl)
    .option('--duration <s>', 'seconds of sending', positiveNumber, 60)
    .option('--rate <tx/s>', 'target send rate (default: as fast as the node takes them)', positiveNumber)
    .option('--concurrency <n>', 'broadcasts in flight (one per account at most)', wholeNumber(1), 128)
    .option('--accounts <n>', 'sending accounts', wholeNumber(1), 2000)
    .option('--max-txs <n>', 'pre-signed txs at most (default rate × duration + 5 %, else 10,000 × duration)', wholeNumber(1))
    .addOption(new Option('--executor <kind>', 'own node: block executor').choices(['sequential', 'parallel']).default('parallel'))
    .option('--workers <n>', 'own node: parallel executor workers (default: the CPU count - 1; the main thread executes a share too)', wholeNumber(1))
    .option('--block-time <ms>', 'own node: block time', wholeNumber(1), 500)
    .option('--node-logs', 'own node: print its output')
    .option('--json <file>', 'also write the result as JSON')
    .action(async (o: LoadFlags) => {
      const { runLoad, loadTable } = await import('../load/load.ts');
      const ctl = new AbortController();
      const onSignal = () => {
        if (ctl.signal.aborted) process.exit(130);
        process.stderr.write('interrupted: stopping the load and the node (again to force)...\n');
        ctl.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const r = await runLoad({
          duration: o.duration,
          concurrency: o.concurrency,
          accounts: o.accounts,
          executor: o.executor,
          blockTimeMs: o.blockTime,
          signal: ctl.signal,
          ...(o.nodeLogs && { nodeOutput: process.stderr }),
          ...(o.rpc !== undefined && { rpc: o.rpc }),
          ...(o.rate !== undefined && { rate: o.rate }),
          ...(o.maxTxs !== undefined && { maxTxs: o.maxTxs }),
          ...(o.workers !== undefined && { workers: o.workers }),
        });
        process.stdout.write(`${loadTable(r)}\n`);
        if (o.json) writeFileSync(o.json, `${JSON.stringify(r, null, 2)}\n`);
        if (r.lost > 0) {
          process.stderr.write(`error: ${r.lost} txs accepted by CheckTx never committed\n`);
          process.exitCode = 1;
        }
      } catch (err) {
        if (ctl.signal.aborted) process.exit(130);
        throw err;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
