// The size of a block's results. CometBFT's gRPC ABCI client keeps grpc-go's default 4 MiB
// receive limit, so a FinalizeBlock response must fit under it:
//   - a proposer built here caps its block by the results its txs are expected to produce
//     (proposalTxs: the size each tx's result had when CheckTx ran it);
//   - whatever a block holds (another proposer's, or one whose txs grew between CheckTx and the
//     block), FinalizeBlock sheds the events of the last txs until the results fit (fitResults).
import { ExecTxResult } from 'cosmjs-types/tendermint/abci/types';
import { BinaryReader, BinaryWriter } from 'cosmjs-types/binary';
import type { BlockExecution } from './executor.ts';

/** What a block's tx results may take of the 4 MiB response (each counted with 4 bytes of framing). */
export const RESULTS_BUDGET_BYTES = 3.5 * 1024 * 1024;

/**
 * Keeps a block's results under RESULTS_BUDGET_BYTES, whatever the block holds. Events and logs
 * are not part of consensus (the results hash covers code, data and gas only): if the results
 * are over budget, the events of the last txs are left out, and their logs cut to LOG_KEEP
 * characters, until they fit. Should that not do (a proposer's block of many tiny failing txs,
 * each log quoting its bytes: ~130 bytes of result a tx, over 4 MiB past ~30,000 txs, where
 * every node would fail the block alike and the chain halt), the last txs' logs and infos go
 * too. Deterministic, so every node indexes the same. Returns how many results were trimmed.
 */
export function fitResults(exec: Pick<BlockExecution, 'encoded'>): number {
  let total = 0;
  for (const e of exec.encoded) total += e.length + 4;
  const trimmed = new Set<number>();
  for (const shed of [slimResult, bareResult]) {
    for (let i = exec.encoded.length - 1; i >= 0 && total > RESULTS_BUDGET_BYTES; i--) {
      const full = exec.encoded[i] as Uint8Array;
      const less = shed(full);
      if (!less) continue;
      total -= full.length - less.length;
      exec.encoded[i] = less;
      trimmed.add(i);
    }
  }
  return trimmed.size;
}

/**
 * What a proposal built here may spend of RESULTS_BUDGET_BYTES: the rest absorbs results that
 * come out a little larger in the block than at CheckTx (amounts with more digits, say).
 */
export const PROPOSAL_RESULTS_BYTES = RESULTS_BUDGET_BYTES - 256 * 1024;

/**
 * Expected result bytes of a tx CheckTx never ran here (or forgot): its size in bytes times
 * this. Measured: a transfer's result is 2.4x its tx, a swap's 5.2x; a tx whose Msgs emit more
 * than 8 bytes of events per byte of tx is rare, and the trimming still catches it.
 */
export const UNKNOWN_RESULT_BYTES_PER_TX_BYTE = 8;

/**
 * The encoded length of a result, which CheckTx records per tx for proposalTxs. Encoded with the
 * same writer FinalizeBlock uses (~2.6 µs for a transfer's result here).
 */
export function encodedResultSize(r: ExecTxResult): number {
  return ExecTxResult.encode(r).finish().length;
}

/**
 * How many of `txs`, in order, a proposal takes so that their results are expected to fit
 * PROPOSAL_RESULTS_BYTES. `expected(i)`: tx i's result size as CheckTx found it, or undefined
 * (then UNKNOWN_RESULT_BYTES_PER_TX_BYTE is assumed); only asked for when the unknown-size
 * estimate of all of `txs` would not fit. The first tx is always taken, so that no tx, however
 * large its result, can hold up the mempool behind it; its events are then trimmed.
 */
export function proposalTxs(txs: readonly Uint8Array[], expected: (i: number) => number | undefined): number {
  let guess = 0;
  for (const tx of txs) guess += tx.length * UNKNOWN_RESULT_BYTES_PER_TX_BYTE + 4;
  if (guess <= PROPOSAL_RESULTS_BYTES) return txs.length;
  let total = 0;
  for (let i = 0; i < txs.length; i++) {
    const size = (expected(i) ?? (txs[i] as Uint8Array).length * UNKNOWN_RESULT_BYTES_PER_TX_BYTE) + 4;
    if (i > 0 && total + size > PROPOSAL_RESULTS_BYTES) return i;
    total += size;
  }
  return txs.length;
}

const LOG_KEEP = 120;

/**
 * An encoded ExecTxResult without its events (field 7) and with its log cut to LOG_KEEP
 * characters; null if it has neither to shed. Works on the wire form, field by field, so a
 * block's worth of results is never decoded: the input is canonical (ExecTxResult.encode,
 * fields in number order), so dropping fields yields exactly what encoding the slim result
 * would.
 */
export function slimResult(bytes: Uint8Array): Uint8Array | null {
  return slimEventsOnly(bytes) ?? slimFieldByField(bytes);
}

/**
 * The common case of slimResult, without a part per field: the log fits, so the result is its
 * bytes with the events cut out (canonical order makes them one run of field 7). Undefined where
 * it does not apply (a log longer than LOG_KEEP bytes, events not in one run): the field-by-field
 * path then decides. Measured on 10k-transfer blocks, whose results exceed the budget by half:
 * 5,404 results slimmed in 11–20 ms field by field; this way 6.5–8.5 ms in a microbenchmark
 * (a hand-written varint reader did 4.2–4.5, not worth a second protobuf reader; only blocks
 * over the budget get here, and proposals built here stay under it).
 */
function slimEventsOnly(bytes: Uint8Array): Uint8Array | null | undefined {
  const r = new BinaryReader(bytes);
  let evStart = -1;
  let evEnd = -1;
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 3 && (tag & 7) === 2) {
      const len = r.uint32();
      if (len > LOG_KEEP) return undefined;
      r.skip(len);
    } else {
      r.skipType(tag & 7);
    }
    if (field === 7) {
      if (evStart < 0) evStart = start;
      else if (evEnd !== start) return undefined; // not one run: not canonical
      evEnd = r.pos;
    }
  }
  if (evStart < 0) return null;
  const out = new Uint8Array(bytes.length - (evEnd - evStart));
  out.set(bytes.subarray(0, evStart), 0);
  out.set(bytes.subarray(evEnd), evStart);
  return out;
}

/**
 * An encoded ExecTxResult with only what the results hash covers (code, data, gas wanted and
 * used) and its codespace: no log, info or events. Null if it has nothing else.
 */
export function bareResult(bytes: Uint8Array): Uint8Array | null {
  return editFields(bytes, (field) => (field === 3 || field === 4 || field === 7 ? null : undefined));
}

/** slimResult field by field: events (7) left out, a log (3) longer than LOG_KEEP cut. */
function slimFieldByField(bytes: Uint8Array): Uint8Array | null {
  return editFields(bytes, (field, tag, body) => {
    if (field === 7) return null;
    if (field !== 3) return undefined;
    const log = new BinaryReader(body).string();
    return log.length > LOG_KEEP ? BinaryWriter.create().uint32(tag).string(`${log.slice(0, LOG_KEEP - 3)}...`).finish() : undefined;
  });
}

/**
 * An encoded message rewritten field by field, in order: `edit` is given each field's number,
 * its tag and its bytes after the tag, and answers undefined to keep the field as it is, null to
 * leave it out, or the bytes (tag included) to put instead. Null if nothing changed.
 */
function editFields(bytes: Uint8Array, edit: (field: number, tag: number, body: Uint8Array) => Uint8Array | null | undefined): Uint8Array | null {
  const r = new BinaryReader(bytes);
  const parts: Uint8Array[] = [];
  let size = 0;
  let changed = false;
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.uint32();
    const bodyStart = r.pos;
    r.skipType(tag & 7);
    const out = edit(tag >>> 3, tag, bytes.subarray(bodyStart, r.pos));
    if (out !== undefined) changed = true;
    const part = out === undefined ? bytes.subarray(start, r.pos) : out;
    if (part) {
      parts.push(part);
      size += part.length;
    }
  }
  if (!changed) return null;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
