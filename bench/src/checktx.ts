// checktx: CheckTx throughput through the real gRPC server, signed txs (signatures NOT
// pre-verified), many concurrent callers in a separate process. Baseline in the same run: the
// sequential app, which checks signatures on the main thread.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { ResponseCheckTx } from 'cosmjs-types/tendermint/abci/types';
import { TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { defaultWorkers, signDocHash, verifySecp256k1, type AbciApp, type TestKey } from '@lanes/app';
import { startAbciGrpcServer } from '@lanes/abci-server';
import { InProcessChain } from '@lanes/abci-server/inprocess';
import { BENCH_CHAIN_ID, benchGenesis, blockTxs, makeAccounts } from './workloads.ts';
import { packTxFile } from './txfile.ts';
import { median, progress, table, writeResult } from './report.ts';

export type CheckTxClient = 'cometbft' | 'grpc-js';

export interface CheckTxOptions {
  txs: number;
  runs: number;
  concurrency: number;
  /** cometbft: CometBFT's own ABCI gRPC client (Go, bench/go/checktx), as a node calls; grpc-js: a Node client. */
  client: CheckTxClient;
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Builds the Go client (CometBFT's abci/client, pinned in bench/go/checktx/go.mod) into .tools/bin. */
function buildGoClient(): string {
  const out = join(repoRoot, '.tools', 'bin', 'lanes-checktx-client');
  progress('building the CometBFT ABCI gRPC client (go build, bench/go/checktx; first time about a minute)...');
  const r = spawnSync('go', ['build', '-o', out, '.'], {
    cwd: join(repoRoot, 'bench', 'go', 'checktx'), stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CGO_ENABLED: process.env['CGO_ENABLED'] ?? '0' },
  });
  if (r.error) throw new Error(`go build failed to start (is Go installed?): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`go build of bench/go/checktx exited with ${r.status}`);
  return out;
}

export async function checktxSuite(o: CheckTxOptions): Promise<void> {
  const cpus = availableParallelism();
  progress(`checktx: ${o.txs} signed txs per run, ${o.concurrency} concurrent gRPC callers in a separate process (${o.client} client), median of ${o.runs} runs`);
  const command = o.client === 'cometbft'
    ? [buildGoClient()]
    : [process.execPath, '--import', 'tsx', fileURLToPath(new URL('./checktxClient.ts', import.meta.url))];
  const acc = makeAccounts(o.txs);
  const genesis = benchGenesis(acc);
  progress(`signing ${o.txs * o.runs} txs...`);
  const runs = Array.from({ length: o.runs }, (_, r) => blockTxs('transfers', acc, r));
  const limits = await measureLimits(command, runs[0] ?? [], acc.senders, o.concurrency);
  const rows: { executor: string; workers: number; tps: number; runs: number }[] = [];
  for (const cfg of [{ executor: 'sequential' as const, workers: 0 }, { executor: 'parallel' as const, workers: defaultWorkers(cpus) }]) {
    const dir = mkdtempSync(join(tmpdir(), 'lanes-checktx-'));
    const chain = new InProcessChain(genesis, join(dir, 'state.db'), BENCH_CHAIN_ID, { executor: cfg.executor, workers: Math.max(1, cfg.workers) });
    await chain.app.ready();
    await chain.blockAsync([]);
    await chain.app.parallel?.sync();
    const server = await startAbciGrpcServer(chain.app, { address: '127.0.0.1:0', logger: pino({ level: 'warn' }) });
    const tps: number[] = [];
    for (const [r, txs] of runs.entries()) {
      const file = join(dir, `txs-${r}.bin`);
      writeFileSync(file, packTxFile(txs));
      // Async: the server answering the calls runs in this process.
      const res = await runClient(command, [`127.0.0.1:${server.port}`, file, String(o.concurrency)]);
      const out = JSON.parse(res.trim().split('\n').pop() ?? '{}') as { tps: number; failed: number; firstError: string };
      if (out.failed) throw new Error(`${out.failed} CheckTx calls failed, first: ${out.firstError}`);
      tps.push(out.tps);
      progress(`${cfg.executor}${cfg.workers ? ` x${cfg.workers}` : ''} run ${r + 1}/${o.runs}: ${Math.round(out.tps)} tx/s`);
    }
    await server.close();
    await chain.app.close();
    rmSync(dir, { recursive: true, force: true });
    rows.push({ executor: cfg.executor, workers: cfg.workers, tps: median(tps), runs: tps.length });
  }
  const base = rows[0]?.tps ?? 1;
  process.stdout.write(`\nchecktx: ${o.txs} signed txs per run, ${o.concurrency} concurrent callers (${o.client} client), median of ${o.runs} runs, ${cpus} CPUs\n`);
  process.stdout.write(`${table(['signature checks', 'workers', 'CheckTx tx/s', 'x main thread'], rows.map((r) => [
    r.executor === 'sequential' ? 'main thread' : 'worker pool', r.workers ? String(r.workers) : '-', r.tps, r.tps / base,
  ]))}\n`);
  process.stdout.write(`limits on this machine: the gRPC server answering CheckTx with no work at all ${fmt(limits.transportTps)} tx/s (same client, same concurrency); one thread verifies ${fmt(limits.verifyPerThread)} secp256k1 signatures/s\n`);
  const best = rows[rows.length - 1] as { tps: number };
  const file = writeResult('checktx', {
    suite: 'checktx', tps: Math.round(best.tps), concurrency: o.concurrency, client: o.client,
    baseline: { executor: 'sequential', tps: Math.round(base) }, ratio: Number((best.tps / base).toFixed(3)), runs: o.runs, txsPerRun: o.txs,
    limits: { transportTps: Math.round(limits.transportTps), verifyPerThread: Math.round(limits.verifyPerThread) },
  });
  process.stdout.write(`results: ${file}\n`);
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * What bounds CheckTx here, measured in the same run: the gRPC server and client alone (an app
 * whose CheckTx answers at once: no decoding, no signature, no state), and how many signatures
 * one thread verifies (the sign docs of these very txs, under their senders' keys).
 */
async function measureLimits(command: string[], txs: readonly Uint8Array[], senders: readonly TestKey[], concurrency: number): Promise<{ transportTps: number; verifyPerThread: number }> {
  progress('limits: the gRPC transport alone (CheckTx answered with no work)...');
  const answerAtOnce = ResponseCheckTx.fromPartial({ code: 0 });
  // Only CheckTx is ever called on this app.
  const bare = { checkTx: () => answerAtOnce } as unknown as AbciApp;
  const server = await startAbciGrpcServer(bare, { address: '127.0.0.1:0', logger: pino({ level: 'warn' }) });
  const dir = mkdtempSync(join(tmpdir(), 'lanes-checktx-'));
  const tps: number[] = [];
  try {
    const file = join(dir, 'txs.bin');
    writeFileSync(file, packTxFile(txs));
    for (let r = 0; r < 3; r++) {
      const out = JSON.parse((await runClient(command, [`127.0.0.1:${server.port}`, file, String(concurrency)])).trim().split('\n').pop() ?? '{}') as { tps: number; failed: number };
      if (out.failed) throw new Error(`${out.failed} CheckTx calls to the bare server failed`);
      tps.push(out.tps);
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  progress('limits: signature verifications per second on one thread...');
  // blockTxs signs tx i from sender i with account number i.
  const checks = txs.map((bytes, i) => {
    const raw = TxRaw.decode(bytes);
    return { hash: signDocHash(raw.bodyBytes, raw.authInfoBytes, BENCH_CHAIN_ID, BigInt(i)), pubkey: (senders[i] as TestKey).pubkey, sig: raw.signatures[0] as Uint8Array };
  });
  const rates: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    for (const c of checks) if (!verifySecp256k1(c.hash, c.pubkey, c.sig)) throw new Error('a bench signature does not verify');
    rates.push(checks.length / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  return { transportTps: median(tps), verifyPerThread: median(rates) };
}

function runClient(command: string[], args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0] as string, [...command.slice(1), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`checktx client exited with ${code}: ${err}`))));
  });
}
