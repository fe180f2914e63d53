// Messages between the main thread and execution workers.
import type { Params } from '../params.ts';
import type { PortableTx } from '../tx.ts';

export interface WorkerInit {
  /** Module URL exporting `createModules(): ModuleSet` (the app's wiring). */
  entry: string;
  /** The state database, opened read-only by the worker. */
  dbPath: string;
}

export interface BlockRequest {
  type: 'block';
  id: number;
  height: bigint;
  timeSeconds: bigint;
  chainId: string;
  params: Params;
  /** Packed writes made before the tx phase (begin-block), applied under the txs. */
  baseWrites: Uint8Array;
  /** Packed tx bytes (see pack.ts) and their block indices, ascending. */
  txs: Uint8Array;
  txOffsets: Uint32Array;
  /** The txs' hashes (upper-case hex), as the main thread computed them. */
  hashes: string[];
  /** Signature cache keys this node already verified for these txs. */
  verified: string[];
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
  /** Packed encoded ExecTxResult per tx, in the order sent. */
  results: Uint8Array;
  resultOffsets: Uint32Array;
  codes: Int32Array;
  fees: string[];
  newAccounts: (string[] | null)[];
  /**
   * The worker's writes in ascending key order: keys (cloned strings are cheaper than decoding
   * packed ones), packed values.
   */
  writeKeys: string[];
  writeValues: Uint8Array;
  writeOffsets: Uint32Array;
  writeDeleted: Uint8Array;
  /** How long the worker took (scheduling input only: where txs run never changes results). */
  execMs: number;
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

export type WorkerReply = { type: 'checked'; id: number; out: CheckedTx[] } | BlockDone | BlockViolation | WorkerFailure | { type: 'ready' } | { type: 'synced'; id: number };
