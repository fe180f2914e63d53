// An execution worker: a read-only replica of committed state (its own SQLite connection and
// cache, updated with each committed block's writes) on which it runs its share of a block's txs, in
// block order, with partition enforcement.
import { parentPort, workerData } from 'node:worker_threads';
import { ExecTxResult } from 'cosmjs-types/tendermint/abci/types';
import '../protoPerf.ts';
import { CommittedStore } from '../store/sqlite.ts';
import { Overlay } from '../store/kv.ts';
import { Engine, type ModuleSet } from '../engine.ts';
import { SigVerifier } from '../sigverify.ts';
import { runTx } from '../execute.ts';
import { AccessViolation } from '../context.ts';
import { packBytes, packWrites, unpackBytes, unpackWrites } from './pack.ts';
import type { BlockDone, BlockRequest, WorkerInit, WorkerReply, WorkerRequest } from './protocol.ts';

export function runWorker(createModules: () => ModuleSet): void {
  const port = parentPort;
  if (!port) throw new Error('runWorker must run in a worker thread');
  const init = workerData as WorkerInit;
  const engine = new Engine(createModules());
  const store = new CommittedStore(init.dbPath, { readonly: true });
  const sigs = new SigVerifier();
  const post = (m: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

  function execute(req: BlockRequest): void {
    const base = new Overlay(store);
    for (const [k, v] of unpackWrites(req.baseWrites)) {
      if (v === null) base.delete(k);
      else base.set(k, v);
    }
    const kv = new Overlay(base);
    for (const key of req.verified) sigs.remember(key);
    const env = engine.env({ height: req.height, timeSeconds: req.timeSeconds, chainId: req.chainId }, req.params, sigs);
    const txs = unpackBytes(req.txs, req.txOffsets);
    const results: Uint8Array[] = [];
    const codes = new Int32Array(txs.length);
    const fees: string[] = [];
    const newAccounts: (string[] | null)[] = [];
    for (const [i, tx] of txs.entries()) {
      const out = runTx(kv, tx, env, 'deliver', true);
      results.push(ExecTxResult.encode(out.result).finish());
      codes[i] = out.result.code;
      fees.push(out.fee === 0n ? '' : out.fee.toString());
      newAccounts.push(out.newAccounts.length ? out.newAccounts : null);
    }
    const packed = packBytes(results);
    const writes = packWrites(kv.writes);
    const done: BlockDone = {
      type: 'done', id: req.id, results: packed.buf, resultOffsets: packed.offsets, codes, fees, newAccounts, writes,
    };
    post(done, [packed.buf.buffer as ArrayBuffer, packed.offsets.buffer as ArrayBuffer, codes.buffer as ArrayBuffer, writes.buffer as ArrayBuffer]);
  }

  port.on('message', (msg: WorkerRequest) => {
    switch (msg.type) {
      case 'committed':
        store.applyCommitted(unpackWrites(msg.writes), { height: msg.height, appHash: msg.appHash });
        return;
      case 'close':
        store.close();
        port.close();
        return;
      case 'block':
        try {
          execute(msg);
        } catch (err) {
          if (err instanceof AccessViolation) post({ type: 'violation', id: msg.id, message: err.message });
          else post({ type: 'error', id: msg.id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        }
        return;
    }
  });
  post({ type: 'ready' });
}
