// Pre-signs load txs (MsgSend, TxRaw over SIGN_MODE_DIRECT) for a slice of the load accounts,
// in a worker thread: one packed buffer back, so 10^5 txs cost one transfer, not 10^5 clones.
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { buildTx, testKey } from '@lanes/app';

export interface SignJob {
  chainId: string;
  /** testKey seeds of the senders, with their account numbers and first sequences. */
  senders: { seed: string; accountNumber: string; sequence: string }[];
  /** Recipient address of each sender. */
  recipients: string[];
  txsPerAccount: number;
  gasLimit: string;
  denom: string;
}

export interface SignResult {
  /** Txs back to back, account-major: sender 0's sequences first. */
  data: Uint8Array;
  /** offsets[i]..offsets[i+1] is tx i (length txs + 1). */
  offsets: Uint32Array;
  /** sha256 of each tx (32 bytes each): CometBFT's tx hash. */
  hashes: Uint8Array;
}

/** A signing worker's messages: progress now and then, the result at the end. */
export type SignMessage = { type: 'progress'; signed: number } | { type: 'done'; result: SignResult } | { type: 'stopped' };

/** Txs between two progress reports of a signing worker. */
export const SIGN_PROGRESS_EVERY = 5000;

/**
 * Signs the slice; `progress(signed)` is called every SIGN_PROGRESS_EVERY txs. Returns null
 * as soon as `stopped()` says so (checked before each tx).
 */
export function signSlice(job: SignJob, progress?: (signed: number) => void, stopped?: () => boolean): SignResult | null {
  const total = job.senders.length * job.txsPerAccount;
  const parts: Uint8Array[] = [];
  const offsets = new Uint32Array(total + 1);
  const hashes = new Uint8Array(total * 32);
  const gasLimit = BigInt(job.gasLimit);
  let n = 0;
  let bytes = 0;
  for (const [a, s] of job.senders.entries()) {
    const key = testKey(s.seed);
    const value = MsgSend.encode({ fromAddress: key.address, toAddress: job.recipients[a] as string, amount: [{ denom: job.denom, amount: '1' }] }).finish();
    const msgs = [{ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value }];
    const accountNumber = BigInt(s.accountNumber);
    for (let j = 0; j < job.txsPerAccount; j++) {
      if (stopped?.()) return null;
      const tx = buildTx(key, msgs, { chainId: job.chainId, accountNumber, sequence: BigInt(s.sequence) + BigInt(j), gasLimit });
      parts.push(tx);
      hashes.set(createHash('sha256').update(tx).digest(), n * 32);
      bytes += tx.length;
      offsets[++n] = bytes;
      if (n % SIGN_PROGRESS_EVERY === 0) progress?.(n);
    }
  }
  const data = new Uint8Array(bytes);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return { data, offsets, hashes };
}

if (parentPort && (workerData as { lanesLoadSign?: boolean } | null)?.lanesLoadSign) {
  // Stopped through the shared flag, not Worker.terminate(): terminating a thread inside the
  // native secp256k1 call aborts the whole process.
  const port = parentPort;
  const { job, stop } = workerData as { job: SignJob; stop: Int32Array };
  const r = signSlice(job, (signed) => port.postMessage({ type: 'progress', signed } satisfies SignMessage), () => Atomics.load(stop, 0) !== 0);
  if (r) port.postMessage({ type: 'done', result: r } satisfies SignMessage, [r.data.buffer as ArrayBuffer, r.offsets.buffer as ArrayBuffer, r.hashes.buffer as ArrayBuffer]);
  else port.postMessage({ type: 'stopped' } satisfies SignMessage);
}
