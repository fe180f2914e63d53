import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SigVerifier } from '@lanes/app';
import { InProcessChain } from '@lanes/abci-server/inprocess';
import { BENCH_CHAIN_ID, benchGenesis, blockTxs, makeAccounts, type Workload } from './workloads.ts';
const n = Number(process.env.N ?? 10000);
const workload = (process.env.W ?? 'transfers') as Workload;
const executor = (process.env.E ?? 'sequential') as 'sequential' | 'parallel';
const acc = makeAccounts(n);
const genesis = benchGenesis(acc);
const sigs = new SigVerifier(4 * n * 8);
const blocks = Array.from({ length: 7 }, (_, r) => blockTxs(workload, acc, r));
const dir = mkdtempSync(join(tmpdir(), 'lanes-prof-'));
const chain = new InProcessChain(genesis, join(dir, 'state.db'), BENCH_CHAIN_ID, { executor, workers: Number(process.env.WK ?? 1), sigs });
await chain.app.ready();
await chain.blockAsync([]);
await chain.app.parallel?.sync();
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
const session = new Session();
if (process.env.HEAP) { session.connect(); await session.post('HeapProfiler.enable'); await session.post('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never); }
for (const txs of blocks) {
  await chain.app.preverify(txs);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  chain.height += 1n; chain.time += 1n;
  const res = await chain.app.finalizeBlock({ txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32), height: chain.height, time: { seconds: chain.time, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20) });
  const t1 = Number(process.hrtime.bigint() - t0) / 1e6;
  const cu = process.cpuUsage(c0); console.log(`cpu/wall ${((cu.user + cu.system) / 1000 / t1).toFixed(2)}`);
  chain.app.commit();
  await chain.app.parallel?.sync();
  const t2 = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.txResults.some((x) => x.code !== 0)) throw new Error('fail');
  console.log(`finalize ${t1.toFixed(1)} ms (${Math.round(n / t1 * 1000)} tx/s), with commit ${t2.toFixed(1)} ms`);
}
if (process.env.HEAP) { const r = await session.post('HeapProfiler.stopSampling'); writeFileSync('/tmp/prof/x.heapprofile', JSON.stringify((r as { profile: unknown }).profile)); }
chain.app.close();
process.exit(0);
