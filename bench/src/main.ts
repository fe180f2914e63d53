// npm run bench -- <suite> [--quick]: exec | checktx | e2e | gas
import { Command, CommanderError, Option } from 'commander';
import { errorText, positiveNumber, rpcUrl, wholeNumber } from '@lanes/abci-server';
import { WARMUP_TXS, execSuite } from './exec.ts';
import { e2eSuite } from './e2e.ts';
import { checktxSuite, type CheckTxClient } from './checktx.ts';
import { WORKLOADS, type Workload } from './workloads.ts';
import { GAS_WORKLOADS, MAX_GAS_TXS, gasSuite, type GasWorkload } from './gas.ts';

const program = new Command('bench').description('Lanes benchmarks: each prints a table and writes bench/results/<suite>.json').exitOverride();

program.command('exec')
  .description('FinalizeBlock throughput, sequential vs parallel executors')
  .option('--quick', 'short run (2 runs of 2,000-tx blocks)')
  .option('--txs <n>', 'txs per block', wholeNumber(1))
  .option('--runs <n>', 'measured blocks per configuration (default 9)', wholeNumber(1))
  .option('--warmup <n>', `unmeasured blocks per chain first (default: ${WARMUP_TXS.toLocaleString('en-US')} txs' worth, at least 3)`, wholeNumber(0))
  .addOption(new Option('--workload <w...>', 'workloads').choices([...WORKLOADS]))
  .option('--no-ceiling', 'skip the two-thread ceiling probe (two sequential executors at once)')
  .action(async (o: { quick?: boolean; txs?: number; runs?: number; warmup?: number; workload?: Workload[]; ceiling: boolean }) => {
    await execSuite({
      txs: o.txs ?? (o.quick ? 2000 : 10_000),
      // 9: single blocks here swing by ±40 % (GC, the VM's neighbours); a median of 5 still moved.
      runs: o.runs ?? (o.quick ? 2 : 9),
      ...(o.warmup !== undefined ? { warmup: o.warmup } : {}),
      workloads: o.workload ?? [...WORKLOADS],
      ceiling: o.ceiling,
    });
  });

program.command('checktx')
  .description('CheckTx throughput through the gRPC server with concurrent callers')
  .option('--quick', 'short run (2 runs of 4,000 txs)')
  .option('--txs <n>', 'txs per run', wholeNumber(1))
  .option('--runs <n>', 'runs', wholeNumber(1))
  .option('--concurrency <n>', 'concurrent CheckTx calls', wholeNumber(1), 256)
  .addOption(new Option('--client <kind>', 'the calling side: CometBFT\'s own ABCI gRPC client (Go), or a grpc-js client').choices(['cometbft', 'grpc-js']).default('cometbft'))
  .action(async (o: { quick?: boolean; txs?: number; runs?: number; concurrency: number; client: CheckTxClient }) => {
    await checktxSuite({ txs: o.txs ?? (o.quick ? 4000 : 20_000), runs: o.runs ?? (o.quick ? 2 : 5), concurrency: o.concurrency, client: o.client });
  });

program.command('e2e')
  .description('load generator against a real node (its own in a temporary home, or --rpc), every tx\'s fate checked')
  .option('--quick', 'short run (20 s of load)')
  .option('--duration <s>', 'seconds of load (default 60; --quick 20)', positiveNumber)
  .option('--rate <tx/s>', 'target send rate (default: as fast as the node takes them)', positiveNumber)
  .option('--concurrency <n>', 'broadcasts in flight', wholeNumber(1), 128)
  .option('--accounts <n>', 'sending accounts', wholeNumber(1), 2000)
  .option('--max-txs <n>', 'pre-signed txs at most (default rate × duration, else 10,000 × duration)', wholeNumber(1))
  .option('--rpc <url>', 'an existing local node (funds fresh load accounts from test0)', rpcUrl)
  .option('--workers <n>', 'own node: parallel executor workers (default: the CPU count - 1; the main thread executes a share too)', wholeNumber(1))
  .addOption(new Option('--executor <kind>', 'own node: block executor').choices(['sequential', 'parallel']).default('parallel'))
  .option('--block-time <ms>', 'own node: block time', wholeNumber(1), 500)
  .action(async (o: { quick?: boolean; duration?: number; rate?: number; concurrency: number; accounts: number; maxTxs?: number; rpc?: string; workers?: number; executor: 'sequential' | 'parallel'; blockTime: number }) => {
    await e2eSuite({
      quick: !!o.quick,
      duration: o.duration ?? (o.quick ? 20 : 60),
      concurrency: o.concurrency,
      accounts: o.accounts,
      executor: o.executor,
      blockTimeMs: o.blockTime,
      ...(o.rate !== undefined && { rate: o.rate }),
      ...(o.maxTxs !== undefined && { maxTxs: o.maxTxs }),
      ...(o.rpc !== undefined && { rpc: o.rpc }),
      ...(o.workers !== undefined && { workers: o.workers }),
    });
  });

program.command('gas')
  .description('block time per unit of gas by kind of tx, against transfers in the same run')
  .option('--quick', 'short run (2 blocks of 100 txs per workload)')
  .option('--txs <n>', `txs per block (default 400, at most ${MAX_GAS_TXS}: the accounts' huge balances must add up to under 2^256)`, wholeNumber(1, MAX_GAS_TXS))
  .option('--runs <n>', 'measured blocks per workload (default 9)', wholeNumber(1))
  .addOption(new Option('--workload <w...>', 'workloads (transfer, the baseline, always runs)').choices([...GAS_WORKLOADS]))
  .action(async (o: { quick?: boolean; txs?: number; runs?: number; workload?: GasWorkload[] }) => {
    await gasSuite({ txs: o.txs ?? (o.quick ? 100 : 400), runs: o.runs ?? (o.quick ? 2 : 9), workloads: o.workload ?? [...GAS_WORKLOADS] });
  });

// A suite that fails says why in one line, as the lanes CLI does (a stack only for what is not
// the user's to fix), instead of Node's dump of an uncaught error.
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode); // commander printed it
  const suite = program.args[0] ?? '';
  process.stderr.write(`error: bench ${suite} failed: ${errorText(err)}\n`);
  process.exit(1);
}
process.exit(0);
