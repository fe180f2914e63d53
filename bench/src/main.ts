// npm run bench -- <suite> [--quick]: exec | checktx | e2e | all
import { Command, Option } from 'commander';
import { execSuite } from './exec.ts';
import { WORKLOADS, type Workload } from './workloads.ts';

const program = new Command('bench').description('Lanes benchmarks: each prints a table and writes bench/results/<suite>.json');

program.command('exec')
  .description('FinalizeBlock throughput, sequential vs parallel executors')
  .option('--quick', 'short run (2 runs of 2,000-tx blocks)')
  .option('--txs <n>', 'txs per block', (v) => Number(v))
  .option('--runs <n>', 'measured blocks per configuration', (v) => Number(v))
  .addOption(new Option('--workload <w...>', 'workloads').choices([...WORKLOADS]))
  .action(async (o: { quick?: boolean; txs?: number; runs?: number; workload?: Workload[] }) => {
    await execSuite({
      quick: !!o.quick,
      txs: o.txs ?? (o.quick ? 2000 : 10_000),
      runs: o.runs ?? (o.quick ? 2 : 5),
      workloads: o.workload ?? [...WORKLOADS],
    });
  });

await program.parseAsync(process.argv);
process.exit(0);
