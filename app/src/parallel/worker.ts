// An execution worker: a read-only replica of committed state (its own SQLite connection and
// cache, updated with each committed block's writes) on which it runs its share of a block's txs, in
// block order, with partition enforcement.
import { parentPort, workerData } from 'node:worker_threads';
import { readlinkSync } from 'node:fs';
import { viewReader } from '../protoPerf.ts';
import { CommittedStore } from '../store/sqlite.ts';
import { Overlay, sortKeys } from '../store/kv.ts';
import { Engine, type ModuleSet } from '../engine.ts';
import { SigVerifier, signDocHash, verifySecp256k1 } from '../sigverify.ts';
import { decodeTx, toPortable } from '../tx.ts';
import { DecodedTxCache } from '../txcache.ts';
import type { Params } from '../params.ts';
import { Accounts } from '../auth.ts';
import { toAbciError } from '../errors.ts';
import { PubKey } from 'cosmjs-types/cosmos/crypto/secp256k1/keys';
import { runTx } from '../execute.ts';
import { ResultBuffer } from '../executor.ts';
import { AccessViolation, plainContext } from '../context.ts';
import { unpackBytes, unpackWrites } from './pack.ts';
import { CLAIM_OPEN, CLAIM_TAKEN, type BlockDone, type BlockReply, type BlockRequest, type CheckRequest, type CheckedTx, type WorkerInit, type WorkerReply, type WorkerRequest } from './protocol.ts';

export function runWorker(createModules: () => ModuleSet): void {
  const port = parentPort;
  if (!port) throw new Error('runWorker must run in a worker thread');
  const init = workerData as WorkerInit;
  const engine = new Engine(createModules());
  const store = new CommittedStore(init.dbPath, { readonly: true, cacheKeys: init.cacheKeys });
  const sigs = new SigVerifier();
  const post = (m: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  const reply = (m: BlockReply, transfer: ArrayBuffer[] = []) => {
    init.replies.postMessage(m, transfer);
    Atomics.add(init.signal, 0, 1);
    Atomics.notify(init.signal, 0);
  };
  // Decoded txs kept from CheckTx batches for the block that includes them (as on the main
  // thread). Params arrive cloned with every request: the cache is valid for one params value
  // (as JSON).
  const decodedCache = new DecodedTxCache();
  let decodedParams = '';
  const paramsKey = (p: Params): string => JSON.stringify(p, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

  function execute(req: BlockRequest): void {
    // Every chunk already went to the main thread while this worker was busy: nothing to run.
    if (Atomics.compareExchange(req.claim, 0, CLAIM_OPEN, CLAIM_TAKEN) !== CLAIM_OPEN) return;
    const cacheValid = decodedCache.size > 0 && paramsKey(req.params) === decodedParams;
    const base = new Overlay(store);
    for (const [k, v] of unpackWrites(req.baseWrites)) {
      if (v === null) base.delete(k);
      else base.set(k, v);
    }
    const kv = new Overlay(base);
    for (const key of req.verified) sigs.remember(key);
    const env = {
      ...engine.env({ height: req.height, timeSeconds: req.timeSeconds, chainId: req.chainId }, req.params, sigs),
      // No logger on this thread: one line to the app's stderr, which the launcher passes on.
      onInternalError: (err: unknown, txHash: string | undefined) => {
        // One line, escaped as JSON: an exception's text may quote a tx's bytes (newlines, terminal escapes).
        process.stderr.write(`execution worker: tx ${txHash ?? '?'} at height ${req.height} failed on an internal error (a bug); its result says only "internal error": ${JSON.stringify(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
      },
    };
    let decodes = 0;
    const ran: number[] = [];
    const results = new ResultBuffer(Math.ceil(req.order.length / 2));
    const codes: number[] = [];
    const fees: string[] = [];
    const newAccounts: (string[] | null)[] = [];
    const chunks = req.chunkStart.length - 1;
    try {
      const stopAt = chunks - req.leaveLast;
      // The next chunk while more than leaveLast are unclaimed, else none (`chunks`); a chunk
      // claimed in a race past that point is still run.
      const claim = (): number => (Atomics.load(req.next, 0) < stopAt ? Atomics.add(req.next, 0, 1) : chunks);
      for (let c = claim(); c < chunks; c = claim()) {
        for (let p = req.chunkStart[c] as number; p < (req.chunkStart[c + 1] as number); p++) {
          const i = req.order[p] as number;
          const bytes = req.txs.subarray(req.txOffsets[i], req.txOffsets[i + 1]);
          // A tx this worker did not decode in CheckTx is decoded (and hashed) by runTx.
          const decoded = cacheValid ? decodedCache.take(bytes)?.tx : undefined;
          if (decoded === undefined) decodes++;
          const out = runTx(kv, bytes, env, 'deliver', true, decoded);
          ran.push(i);
          results.add(out.result);
          codes.push(out.result.code);
          fees.push(out.fee === 0n ? '' : out.fee.toString());
          newAccounts.push(out.newAccounts.length ? out.newAccounts : null);
        }
      }
    } catch (err) {
      if (err instanceof AccessViolation) Atomics.store(req.next, 0, chunks); // the others stop too
      throw err;
    }
    const packed = results.frame();
    // Sorted here, in parallel with the other threads: the main thread merges sorted runs.
    const writeKeys = sortKeys([...kv.writes.keys()]);
    const writeValues = new Array<string | null>(writeKeys.length);
    for (let j = 0; j < writeKeys.length; j++) writeValues[j] = kv.writes.get(writeKeys[j] as string) as string | null;
    const indices = Int32Array.from(ran);
    const codesOut = Int32Array.from(codes);
    const done: BlockDone = {
      type: 'done', id: req.id, indices, results: packed.buf, resultOffsets: packed.offsets, codes: codesOut, fees, newAccounts, decodes,
      writeKeys, writeValues,
    };
    reply(done, [indices.buffer, packed.buf.buffer, packed.offsets.buffer, codesOut.buffer].map((b) => b as ArrayBuffer));
  }

  function check(req: CheckRequest): void {
    const ctx = plainContext(new Overlay(store), { height: store.lastCommit().height + 1n, timeSeconds: 0n, chainId: req.chainId }, 'query');
    const out: CheckedTx[] = [];
    const pk = paramsKey(req.params);
    if (pk !== decodedParams) {
      decodedCache.clear();
      decodedParams = pk;
    }
    for (const view of unpackBytes(req.txs, req.txOffsets)) {
      // A copy per tx: the decoded tx is read in place (decodeTx) and cached here, and must not
      // keep the whole batch alive; posted back, it is one buffer to clone, not one per field.
      const bytes = view.slice();
      let tx;
      try {
        tx = decodeTx(bytes, req.params, engine.lookup);
      } catch (err) {
        out.push({ error: toAbciError(err), keys: [] });
        continue;
      }
      const keys: string[] = [];
      for (const [i, s] of tx.signers.entries()) {
        // Committed accounts suffice: numbers never change, and a key is set once. Anything
        // this replica cannot settle is left to the main thread's check.
        const acc = Accounts.get(ctx, s.address);
        if (!acc) continue;
        // Committed sequences only grow: a tx signed for an earlier one is refused whatever its
        // signatures (sdk/32), so none is checked. Free to send, junk of that kind would
        // otherwise cost up to tx_sig_limit verifications a tx.
        if (s.sequence < acc.sequence) break;
        const stored = acc.pubKey ? PubKey.decode(viewReader(acc.pubKey.value)).key : undefined;
        if (stored && s.pubkey && Buffer.compare(stored, s.pubkey) !== 0) continue;
        const pubkey = stored ?? s.pubkey;
        if (!pubkey) continue;
        const key = SigVerifier.key(tx.hashHex, i, acc.accountNumber, pubkey);
        // Verified here before (the same bytes sent again): not again.
        if (sigs.has(key)) {
          keys.push(key);
          continue;
        }
        // The first signature that fails ends the checks here: the main thread refuses the tx
        // at that signer or before, never needing the ones after it.
        if (!verifySecp256k1(signDocHash(tx.bodyBytes, tx.authInfoBytes, req.chainId, acc.accountNumber), pubkey, s.signature)) break;
        keys.push(key);
        sigs.remember(key); // so a block this worker runs need not send the key back
      }
      // Kept for the block only when every signature checked out: a tx with a junk signature,
      // free to send, would otherwise push honest txs' decodes out of the bounded cache. (A
      // signed tx the main thread then refuses, a wrong sequence say, is still kept: flooding the
      // cache that way costs a signature each, and finding a twin of a given tx's fingerprint ~2^32.)
      if (keys.length === tx.signers.length) decodedCache.set({ tx });
      out.push({ tx: toPortable(tx), keys });
    }
    post({ type: 'checked', id: req.id, out });
  }

  port.on('message', (msg: WorkerRequest) => {
    switch (msg.type) {
      case 'check':
        try {
          check(msg);
        } catch (err) {
          post({ type: 'error', id: msg.id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        }
        return;
      case 'committed':
        store.applyCommitted(unpackWrites(msg.writes), { height: msg.height, appHash: msg.appHash });
        return;
      case 'sync':
        post({ type: 'synced', id: msg.id });
        return;
      case 'close':
        store.close();
        port.close();
        return;
      case 'block':
        try {
          execute(msg);
        } catch (err) {
          if (err instanceof AccessViolation) reply({ type: 'violation', id: msg.id, message: err.message });
          else reply({ type: 'error', id: msg.id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        }
        return;
    }
  });
  post({ type: 'ready', osThreadId: osThreadId() });
}

/** This thread's id as the OS knows it (Linux: /proc/self/task/<id>), for tools that measure CPU per thread; undefined elsewhere. */
function osThreadId(): number | undefined {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}
