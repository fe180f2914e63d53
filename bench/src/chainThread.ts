// One thread of the ceiling probe (ceiling.ts): its own chain (own state database, sequential
// executor), its own signed blocks, and on request it executes a number of them and reports
// each block's FinalizeBlock time.
import { parentPort, workerData } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SigVerifier } from '@lanes/app';
import { InProcessChain } from '@lanes/abci-server/inprocess';
import { BENCH_CHAIN_ID, benchGenesis, blockTxs, makeAccounts, timedFinalize } from './workloads.ts';

export interface CeilingThreadInit {
  txs: number;
  blocks: number;
}
export type CeilingRequest = { type: 'run'; count: number } | { type: 'close' };
export type CeilingReply = { type: 'ready' } | { type: 'ran'; seconds: number[] };

const port = parentPort;
if (!port) throw new Error('ceilingThread runs in a worker thread');
const init = workerData as CeilingThreadInit;
const acc = makeAccounts(init.txs);
const blocks = Array.from({ length: init.blocks }, (_, r) => blockTxs('transfers', acc, r));
const dir = mkdtempSync(join(tmpdir(), 'lanes-ceiling-'));
const chain = new InProcessChain(benchGenesis(acc), join(dir, 'state.db'), BENCH_CHAIN_ID, {
  executor: 'sequential', workers: 1, sigs: new SigVerifier(4 * init.txs * init.blocks),
});
await chain.app.ready();
await chain.blockAsync([]);
let next = 0;

port.on('message', (m: CeilingRequest) => {
  if (m.type === 'close') {
    chain.app.close();
    rmSync(dir, { recursive: true, force: true });
    port.close();
    return;
  }
  void (async () => {
    const times: number[] = [];
    for (let i = 0; i < m.count; i++) {
      const txs = blocks[next++];
      if (!txs) throw new Error(`ceiling thread: only ${init.blocks} blocks were signed`);
      times.push((await timedFinalize(chain, txs, 'ceiling thread')).seconds);
      chain.app.commit();
    }
    port.postMessage({ type: 'ran', seconds: times } satisfies CeilingReply);
  })();
});
port.postMessage({ type: 'ready' } satisfies CeilingReply);
