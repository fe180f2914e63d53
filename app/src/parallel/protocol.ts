// Messages between the main thread and execution workers.
import type { MessagePort } from 'node:worker_threads';
import type { Params } from '../params.ts';
import type { PortableTx } from '../tx.ts';

export interface WorkerInit {
  /** Module URL exporting `createModules(): ModuleSet` (the app's wiring). */
  entry: string;
  /** The state database, opened read-only by the worker. */
  dbPath: string;
  /** Bound of the replica's read cache, in keys (default STATE_CACHE_KEYS). */
  cacheKeys?: number | undefined;
  /**
   * Where the worker answers block requests (BlockReply): the main thread takes the replies
   * with receiveMessageOnPort, not through its event loop.
   */
  replies: MessagePort;
  /** Shared counter the worker bumps (Atomics.add, then Atomics.notify) after each BlockReply. */
  signal: Int32Array;
}

/** States of a block request's `claim` word. */
export const CLAIM_OPEN = 0;
/** The worker started on the block: it will reply. */
export const CLAIM_TAKEN = 1;
/** The main thread found every chunk taken before the worker started: the worker skips it, without a reply. */
export const CLAIM_SKIPPED = 2;

export interface BlockRequest {
  type: 'block';
  id: number;
  height: bigint;
  timeSeconds: bigint;
  chainId: string;
  params: Params;
  /** Packed writes made before the tx phase (begin-block), applied under the txs. */
  baseWrites: Uint8Array;
  /** Every tx of the block, packed (see pack.ts) in shared memory: all threads read the same. */
  txs: Uint8Array;
  txOffsets: Uint32Array;
  /**
   * Work chunks (scheduler.ts chunkGroups), in shared memory: chunk c is the tx indices
   * order[chunkStart[c]] .. order[chunkStart[c + 1] - 1], ascending.
   */
  order: Int32Array;
  chunkStart: Int32Array;
  /**
   * Shared counter: every thread (main and workers) takes the next chunk with Atomics.add until
   * none are left. A thread that hits a violation sets it past the end, so the others stop.
   */
  next: Int32Array;
  /**
   * Chunks left to the main thread: the worker claims no chunk once no more than this many are
   * unclaimed, so that it sorts and sends its writes while the main thread runs the last ones
   * instead of the main thread waiting for them (0: the worker may take every chunk).
   */
  leaveLast: number;
  /** Signature cache keys this node verified for these txs, less those this worker verified itself. */
  verified: string[];
  /** Shared word, CLAIM_OPEN until the worker (CLAIM_TAKEN) or the main thread (CLAIM_SKIPPED) sets it. */
  claim: Int32Array;
}

export interface CommittedRequest {
  type: 'committed';
  /** Packed writes of the committed block. */
  writes: Uint8Array;
  height: bigint;
  appHash: Uint8Array;
}

/** Decode and verify signatures for CheckTx (stateless work plus committed account lookups). */
export interface CheckRequest {
  type: 'check';
  id: number;
  chainId: string;
  params: Params;
  txs: Uint8Array;
  txOffsets: Uint32Array;
}

export interface CheckedTx {
  /** The decoded tx (handlers stripped), when it decoded and passed stateless checks. */
  tx?: PortableTx;
  /** Its rejection otherwise. */
  error?: { codespace: string; code: number; log: string };
  /** Signature cache keys verified here. */
  keys: string[];
}

export type WorkerRequest = BlockRequest | CommittedRequest | CheckRequest | { type: 'sync'; id: number } | { type: 'close' };

export interface BlockDone {
  type: 'done';
  id: number;
  /** The block indices of the txs this worker ran, in the order it ran them. */
  indices: Int32Array;
  /** Packed encoded ExecTxResult per tx, in `indices` order (as are codes, fees, newAccounts). */
  results: Uint8Array;
  resultOffsets: Uint32Array;
  codes: Int32Array;
  fees: string[];
  newAccounts: (string[] | null)[];
  /** Txs of `indices` the worker decoded in the block: not in its cache from CheckTx. */
  decodes: number;
  /**
   * The worker's writes in ascending key order, keys and values (null: deleted) as cloned
   * strings, which are cheaper than decoding packed ones.
   */
  writeKeys: string[];
  writeValues: (string | null)[];
}

export interface BlockViolation {
  type: 'violation';
  id: number;
  message: string;
}

export interface WorkerFailure {
  type: 'error';
  id: number;
  message: string;
}

/** What a worker answers a block request with, on its `replies` port. */
export type BlockReply = BlockDone | BlockViolation | WorkerFailure;

export type WorkerReply = { type: 'checked'; id: number; out: CheckedTx[] } | WorkerFailure | { type: 'ready'; osThreadId: number | undefined } | { type: 'synced'; id: number };
