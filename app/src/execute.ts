// Running one tx: decode -> ante (accounts, sequences, signatures, fee) -> Msgs, each stage in
// its own KV layer so a failure discards exactly its own writes:
//   - decode or ante fails: nothing changes, no fee;
//   - a Msg fails: the fee and sequence increment stay, every Msg write is dropped.
// The same function serves CheckTx, simulation and FinalizeBlock (sequential or parallel).
import type { Event, ExecTxResult } from 'cosmjs-types/tendermint/abci/types';
import { TxMsgData } from 'cosmjs-types/cosmos/base/abci/v1beta1/abci';
import { PubKey } from 'cosmjs-types/cosmos/crypto/secp256k1/keys';
import type { Any } from 'cosmjs-types/google/protobuf/any';
import { AccessRecorder, AccessViolation, Context, type BlockInfo, type ExecMode } from './context.ts';
import { CheckBudgetSpent, GasCost, GasMeter } from './gas.ts';
import type { Overlay } from './store/kv.ts';
import { decodeTx, SECP256K1_PUBKEY_TYPE, type DecodedTx, type RegistryLookup } from './tx.ts';
import {
  ErrInvalidPubKey, ErrOutOfGas, ErrTxTimeoutHeight, ErrUnauthorized, ErrUnknownAddress, ErrWrongSequence, LanesError, isNodeFault, toAbciError,
} from './errors.ts';
import { Accounts } from './auth.ts';
import { addressFromPubkey } from './address.ts';
import { viewReader } from './protoPerf.ts';
import type { Params } from './params.ts';
import { SigVerifier, isSecp256k1PublicKey, signDocHash } from './sigverify.ts';
import { GLOBAL_PARTITION } from './parallel/scheduler.ts';
import { FEE_DENOM } from './constants.ts';

/** What the core needs from the bank module to charge fees. */
export interface FeeBank {
  /** Moves `amount` of FEE_DENOM out of `payer` (throws ErrInsufficientFunds); always reads and writes the balance. */
  deductFee(ctx: Context, payer: string, amount: bigint): void;
  /** Credits `amount` of FEE_DENOM to `addr` (end-block only). */
  creditFees(ctx: Context, addr: string, amount: bigint): void;
}

export interface ExecEnv {
  block: BlockInfo;
  params: Params;
  lookup: RegistryLookup;
  feeBank: FeeBank;
  sigs: SigVerifier;
  feeCollector: string;
  /** Gas a tx's Msgs may use in CheckTx (default CHECK_TX_MSG_GAS; see there). Node-local: blocks never read it. */
  checkTxMsgGas?: number;
  /** The same for rechecks, CometBFT's or the app's (default RECHECK_MSG_GAS). */
  recheckMsgGas?: number;
  /** Gas a simulation may use (default SIMULATE_GAS_LIMIT; see there). Node-local too. */
  simulateGas?: number;
  /**
   * Told of an exception that is not a LanesError (a bug) failing a tx in a block, whose result
   * then says only "internal error" (see toAbciError): node-local, for the node's log.
   */
  onInternalError?: (err: unknown, txHash: string | undefined) => void;
}

/**
 * Gas a tx's Msgs may use in CheckTx ('check'; rechecks: RECHECK_MSG_GAS). A tx that fails in
 * CheckTx pays nothing, so without a bound anyone could make a node run up to max_gas_per_tx
 * (50,000,000 gas: ~30 ms of stableswap math) per tx, for free and again with the same bytes.
 * Past the budget the Msgs stop, their writes and events are dropped, and the tx is admitted on
 * its ante alone (signatures, fee and sequence, taken in the check state), as the Cosmos SDK
 * admits every tx: should its Msgs fail in the block, it pays its fee there.
 * 1,000,000 gas is ~0.3–1 ms here, the same order as what any CheckTx costs anyway (gRPC,
 * decoding, a signature); a transfer's Msg uses ~13,000, a swap ~50,000 a constant-product hop,
 * ~80,000 to 100,000 a stableswap hop.
 */
export const CHECK_TX_MSG_GAS = 1_000_000;

/**
 * The blocks after the latest that a new tx's timeout height must leave, for CheckTx to admit it
 * (0: no timeout, always admitted). A tx that times out in the mempool fails its ante in the
 * block that finally carries it, so it pays no fee; yet with the app rechecking the mempool (the
 * nodes' default: mempool.recheck false, no mempool TTL) CometBFT 0.38 removes a tx from its
 * mempool only by including it, so until then it holds a mempool slot, and then block space.
 * Without a margin, timeouts one block ahead let a sender fill mempools for nothing, again and
 * again with one sequence number. With it, a tx gets this many blocks to be included, and paid
 * for, before it can time out. A policy of CheckTx only: blocks take any timeout height not yet
 * passed.
 */
export const CHECK_TX_MIN_TIMEOUT_BLOCKS = 10n;

/**
 * The same budget for rechecks ('recheck', 'pending'): after every block each tx still in the
 * mempool runs again, one after another on the main thread, up to 10,000 of them. 200,000 gas
 * (~0.15 ms) still covers a transfer or a swap of two or three hops in full; a tx past it keeps
 * its place on its ante, as in CheckTx.
 */
export const RECHECK_MSG_GAS = 200_000;

/**
 * Gas a simulation may use (the Simulate query, behind CosmJS's `fee: 'auto'`), where a tx's own
 * limit would be max_gas_per_tx (50,000,000: ~40 ms of stableswap math). A query pays nothing and
 * runs on the thread that runs blocks, so without a bound anyone could hold a node for that long
 * per query. 10,000,000 is over 100 stableswap hops; a tx that needs more runs out of gas in
 * simulation (sdk/11, its log naming this limit) and can still be sent with a gas limit set by
 * hand, up to max_gas_per_tx.
 */
export const SIMULATE_GAS_LIMIT = 10_000_000;

export interface TxOutcome {
  result: ExecTxResult;
  /** Fee charged, folded into the fee collector at end-block. */
  fee: bigint;
  newAccounts: string[];
  /** The decoded tx, when decoding succeeded. */
  tx?: DecodedTx;
  /** Where a failing tx failed: decoding, the ante (signatures, sequence, fee) or its Msgs. */
  failedIn?: 'decode' | 'ante' | 'msgs';
  /** CheckTx modes: the Msgs spent their budget (CHECK_TX_MSG_GAS) and were not run to the end. */
  msgsUnchecked?: boolean;
}

/** Gas a simulation adds for what its tx lacks: a 64-byte signature per signer and a fee coin. */
const SIMULATION_EXTRA_BYTES_PER_SIGNER = 64 + 2;
const SIMULATION_EXTRA_BYTES = 24;

/**
 * A failing Msg's result names it, as the Cosmos SDK's does ("failed to execute message; message
 * index: 3: ..."), so that the sender of a tx of many Msgs knows which. Out of gas is the tx's,
 * not a Msg's (the SDK's log has no index either).
 */
function msgFailed(r: ExecTxResult, msgIndex: string | undefined): ExecTxResult {
  if (msgIndex === undefined || (r.codespace === ErrOutOfGas.codespace && r.code === ErrOutOfGas.code)) return r;
  return { ...r, log: `failed to execute message; message index: ${msgIndex}: ${r.log}` };
}

/** `inBlock`: the tx's env and hash when it runs in a block (its result's log is then redacted, and the node told). */
function failed(err: unknown, gasWanted: number, gasUsed: number, events: Event[], inBlock?: { env: ExecEnv; hash: string | undefined }): ExecTxResult {
  if (inBlock && !(err instanceof LanesError)) inBlock.env.onInternalError?.(err, inBlock.hash);
  const { codespace, code, log } = toAbciError(err, inBlock !== undefined);
  return { code, codespace, log, data: new Uint8Array(), info: '', gasWanted: BigInt(gasWanted), gasUsed: BigInt(gasUsed), events };
}

/**
 * Executes one tx on `parent`, journaling its writes there: a failure reverts exactly what
 * must not persist (see above); in 'check' and 'recheck' modes a failing tx leaves `parent`
 * as it was (in 'pending' mode, as in a block, a failing Msg keeps the ante's writes). `enforce` (parallel executor): the tx may touch only the partitions it declares,
 * else AccessViolation propagates and `parent` must be discarded by the caller. `hashHex`, if
 * the caller has it: txHashHex(bytes), used when the tx still needs decoding.
 */
export function runTx(parent: Overlay, bytes: Uint8Array, env: ExecEnv, mode: ExecMode, enforce = false, decoded?: DecodedTx, hashHex?: string): TxOutcome {
  // In a block, a fault of this node (isNodeFault: out of stack or heap, a failed state read) is
  // never the tx's result: it propagates (a worker's makes the block re-run on the main thread;
  // the main thread's stops the node), since another thread or validator could have gone on.
  const inBlock = mode === 'deliver';
  let tx: DecodedTx;
  if (decoded) {
    tx = decoded; // CONTRACT: decodeTx(bytes) with the same params and registry
  } else {
    try {
      tx = decodeTx(bytes, env.params, env.lookup, mode === 'simulate', hashHex);
    } catch (err) {
      if (inBlock && isNodeFault(err)) throw err;
      return { result: failed(err, 0, 0, [], inBlock ? { env, hash: hashHex } : undefined), fee: 0n, newAccounts: [], failedIn: 'decode' };
    }
  }
  const declared = enforce && !tx.access.includes(GLOBAL_PARTITION) ? tx.access : undefined;
  const access = new AccessRecorder(declared);
  const gas = new GasMeter(mode === 'simulate' ? Math.min(tx.gasLimit, env.simulateGas ?? SIMULATE_GAS_LIMIT) : tx.gasLimit);
  const ctx = new Context(parent, gas, access, env.block, mode);
  parent.begin();
  let out: TxOutcome;
  try {
    out = runStages(parent, tx, env, mode, ctx, inBlock);
  } finally {
    parent.end();
  }
  // An undeclared access that module code caught (failing with an error of its own, or going
  // on) still makes the block re-run sequentially, where nothing is refused.
  if (access.violation) throw access.violation;
  return out;
}

/** The ante and the Msgs of a decoded tx, each stage journaled in `parent` (see runTx). */
function runStages(parent: Overlay, tx: DecodedTx, env: ExecEnv, mode: ExecMode, ctx: Context, inBlock: boolean): TxOutcome {
  const gas = ctx.gas;
  const blockTx = inBlock ? { env, hash: tx.hashHex } : undefined;
  try {
    runAnte(ctx, tx, env, mode);
  } catch (err) {
    if (err instanceof AccessViolation || (inBlock && isNodeFault(err))) throw err;
    parent.revertTo(0);
    return { result: failed(err, tx.gasLimit, gas.consumedToLimit(), [], blockTx), fee: 0n, newAccounts: [], tx, failedIn: 'ante' };
  }
  const afterAnte = parent.mark();
  const anteEvents = ctx.events.length;
  const anteAccounts = ctx.newAccounts.length;
  const responses: Any[] = [];
  const checking = mode === 'check' || mode === 'recheck' || mode === 'pending';
  if (checking) {
    const budget = mode === 'check' ? env.checkTxMsgGas ?? CHECK_TX_MSG_GAS : env.recheckMsgGas ?? RECHECK_MSG_GAS;
    gas.capAt(gas.consumed() + budget, `CheckTx's budget of ${budget} gas for Msgs`);
  }
  try {
    for (const [i, m] of tx.msgs.entries()) {
      const msgIndex = String(i);
      ctx.emit('message', { action: m.typeUrl, sender: tx.signers[0]?.address ?? '', module: m.handler.module, msg_index: msgIndex });
      ctx.msgIndex = msgIndex; // the Msg's own events end with msg_index
      responses.push(m.handler.handle(ctx, m.msg));
      ctx.msgIndex = undefined;
    }
  } catch (err) {
    if (err instanceof AccessViolation || (inBlock && isNodeFault(err))) throw err;
    if (err instanceof CheckBudgetSpent) {
      // Admitted on its ante: the block runs its Msgs in full, charging the fee either way.
      parent.revertTo(afterAnte);
      ctx.events.length = anteEvents;
      ctx.newAccounts.length = anteAccounts;
      // In `log` too: CometBFT's broadcast_tx_sync shows a CheckTx's log, not its info.
      const note = `Msgs not run to the end in CheckTx: ${err.message}`;
      return {
        result: { code: 0, codespace: '', log: note, info: note, data: new Uint8Array(), gasWanted: BigInt(tx.gasLimit), gasUsed: BigInt(gas.consumedToLimit()), events: ctx.events },
        fee: tx.fee, newAccounts: ctx.newAccounts, tx, msgsUnchecked: true,
      };
    }
    const at = ctx.msgIndex; // the failing Msg's (unset if it failed before its handler ran)
    if (mode === 'check' || mode === 'recheck') {
      parent.revertTo(0);
      return { result: msgFailed(failed(err, tx.gasLimit, gas.consumedToLimit(), [], blockTx), at), fee: 0n, newAccounts: [], tx, failedIn: 'msgs' };
    }
    parent.revertTo(afterAnte);
    ctx.events.length = anteEvents;
    ctx.newAccounts.length = anteAccounts;
    return { result: msgFailed(failed(err, tx.gasLimit, gas.consumedToLimit(), ctx.events, blockTx), at), fee: tx.fee, newAccounts: ctx.newAccounts, tx, failedIn: 'msgs' };
  }
  const data = txMsgData(responses);
  return {
    result: {
      code: 0, codespace: '', log: '', info: '', data,
      gasWanted: BigInt(tx.gasLimit), gasUsed: BigInt(gas.consumed()),
      events: ctx.events,
    },
    fee: tx.fee,
    newAccounts: ctx.newAccounts,
    tx,
  };
}

/**
 * TxMsgData of a tx's Msg responses. A tx of one Msg whose response is empty (a transfer's)
 * encodes to the same bytes every time: those are kept per response type and shared, never
 * written to (results are copied as they are encoded).
 */
const ONE_EMPTY_RESPONSE = new Map<string, Uint8Array>();
function txMsgData(responses: Any[]): Uint8Array {
  const only = responses.length === 1 ? responses[0] as Any : undefined;
  if (only === undefined || only.value.length > 0) return TxMsgData.encode({ data: [], msgResponses: responses }).finish();
  let data = ONE_EMPTY_RESPONSE.get(only.typeUrl);
  if (data === undefined) {
    data = TxMsgData.encode({ data: [], msgResponses: [only] }).finish();
    ONE_EMPTY_RESPONSE.set(only.typeUrl, data);
  }
  return data;
}

function runAnte(ctx: Context, tx: DecodedTx, env: ExecEnv, mode: ExecMode): void {
  const simulate = mode === 'simulate';
  let sizeBytes = tx.bytes.length;
  if (simulate) sizeBytes += SIMULATION_EXTRA_BYTES + SIMULATION_EXTRA_BYTES_PER_SIGNER * tx.signers.length;
  ctx.gas.consume(GasCost.txSizePerByte * sizeBytes, 'txSize');
  if (tx.timeoutHeight > 0n && ctx.block.height > tx.timeoutHeight) {
    throw ErrTxTimeoutHeight.wrap(`block height ${ctx.block.height} is past the tx's timeout height ${tx.timeoutHeight}`);
  }
  if (mode === 'check' && tx.timeoutHeight > 0n) {
    const latest = ctx.block.height - 1n;
    const left = tx.timeoutHeight - latest;
    if (left < CHECK_TX_MIN_TIMEOUT_BLOCKS) {
      throw ErrTxTimeoutHeight.wrap(`timeout height ${tx.timeoutHeight} leaves ${left} block${left === 1n ? '' : 's'} after the latest, ${latest}; `
        + `the mempool takes a tx with a timeout height only if it leaves at least ${CHECK_TX_MIN_TIMEOUT_BLOCKS}, at every node it passes through `
        + `(set it to ${latest + 2n * CHECK_TX_MIN_TIMEOUT_BLOCKS} or more, leaving room for the blocks before it arrives, or 0 for none)`);
    }
  }
  for (const [i, s] of tx.signers.entries()) {
    const acc = Accounts.get(ctx, s.address);
    if (!acc) throw ErrUnknownAddress.wrap(`account ${s.address} does not exist (an account is created when it first receives funds)`);
    const stored = acc.pubKey ? PubKey.decode(viewReader(acc.pubKey.value)).key : undefined;
    if (stored && s.pubkey && Buffer.compare(stored, s.pubkey) !== 0) {
      throw ErrInvalidPubKey.wrap(`public key in the tx does not match the key registered for ${s.address}`);
    }
    const pubkey = stored ?? s.pubkey;
    if (!pubkey) throw ErrInvalidPubKey.wrap(`account ${s.address} has no public key yet: include it in the signer info`);
    if (!stored && addressFromPubkey(pubkey) !== s.address) {
      throw ErrInvalidPubKey.wrap(`public key belongs to ${addressFromPubkey(pubkey)}, not to signer ${s.address}`);
    }
    // The Cosmos SDK's words exactly: clients parse "expected N" from them to re-sign.
    if (s.sequence !== acc.sequence) throw ErrWrongSequence.wrap(`account sequence mismatch, expected ${acc.sequence}, got ${s.sequence}`);
    ctx.gas.consume(GasCost.sigVerifySecp256k1, 'sigVerify');
    if (!simulate) {
      const key = SigVerifier.key(tx.hashHex, i, acc.accountNumber, pubkey);
      // The sign doc as an inline argument, not a named const: tsx (esbuild keepNames) names
      // every named closure with Object.defineProperty as it is created, ~450 ns per tx here.
      if (!env.sigs.verify(key, () => signDocHash(tx.bodyBytes, tx.authInfoBytes, ctx.block.chainId, acc.accountNumber), pubkey, s.signature)) {
        // Checked only here, on the way out: a valid signature proves the key a point already.
        if (!isSecp256k1PublicKey(pubkey)) throw ErrInvalidPubKey.wrap(`signer ${s.address}: public key ${Buffer.from(pubkey).toString('hex')} is not a point on secp256k1`);
        throw ErrUnauthorized.wrap(`signature verification failed; please verify account number (${acc.accountNumber}) and chain-id (${ctx.block.chainId})`);
      }
    }
    Accounts.set(ctx, s.address, {
      ...acc,
      pubKey: acc.pubKey ?? { typeUrl: SECP256K1_PUBKEY_TYPE, value: PubKey.encode({ key: pubkey }).finish() },
      sequence: acc.sequence + 1n,
    });
  }
  const payer = tx.signers[0]?.address as string;
  env.feeBank.deductFee(ctx, payer, tx.fee);
  // The fee shows as tx.fee/fee_payer; the fee's own coin_spent/coin_received/transfer and the
  // tx.signature event are left out: every byte of a block's results must fit CometBFT's 4 MiB
  // gRPC receive limit, and these repeat what the tx already says.
  ctx.emit('tx', { fee: tx.fee > 0n ? `${tx.fee}${FEE_DENOM}` : '', fee_payer: payer });
  for (const s of tx.signers) ctx.emit('tx', { acc_seq: `${s.address}/${s.sequence}` });
}
