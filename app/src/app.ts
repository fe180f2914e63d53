// LanesApp: the state machine behind the ABCI surface. Holds three views of state:
//   committed (SQLite + cache)  <- pending (InitChain writes not yet committed)
//                                 <- block (the FinalizeBlock being decided, until Commit)
//   checkState: an overlay for CheckTx, reset at every Commit, after which the txs still in the
//   mempool are rechecked on it (by CometBFT, or by the app itself: LanesAppOptions.recheck).
import type {
  RequestCheckTx, RequestFinalizeBlock, RequestInfo, RequestInitChain, RequestPrepareProposal, RequestProcessProposal, RequestQuery, RequestVerifyVoteExtension,
  ResponseApplySnapshotChunk, ResponseCheckTx, ResponseCommit, ResponseExtendVote,
  ResponseInfo, ResponseInitChain, ResponseListSnapshots, ResponseLoadSnapshotChunk, ResponseOfferSnapshot,
  ResponsePrepareProposal, ResponseProcessProposal, ResponseQuery, ResponseVerifyVoteExtension,
} from 'cosmjs-types/tendermint/abci/types';
import {
  CheckTxType, ExecTxResult, ResponseApplySnapshotChunk_Result, ResponseOfferSnapshot_Result, ResponseProcessProposal_ProposalStatus,
  ResponseVerifyVoteExtension_VerifyStatus,
} from 'cosmjs-types/tendermint/abci/types';
import { QueryAccountRequest, QueryAccountResponse } from 'cosmjs-types/cosmos/auth/v1beta1/query';
import { BaseAccount } from 'cosmjs-types/cosmos/auth/v1beta1/auth';
import { SimulateRequest, SimulateResponse } from 'cosmjs-types/cosmos/tx/v1beta1/service';
import type { Logger } from 'pino';
import type { AbciApp, FinalizeBlockResponse } from './abci.ts';
import { CommittedStore } from './store/sqlite.ts';
import { Overlay, RunsLayer, mergeWriteRuns, sortKeys, type Value } from './store/kv.ts';
import { plainContext, type BlockInfo, type Context } from './context.ts';
import { decodeRequest, type Module } from './module.ts';
import { CHECK_TX_MSG_GAS, SIMULATE_GAS_LIMIT, runTx, type ExecEnv } from './execute.ts';
import { executeSequential, foldBlock, type BlockExecution, type ExecutorKind } from './executor.ts';
import { Engine, FEE_COLLECTOR, type ModuleSet } from './engine.ts';
import { ParallelExecutor, type ParallelOptions } from './parallel/pool.ts';
import type { CheckedTx } from './parallel/protocol.ts';
import { decodeTx, fromPortable, txHashHex, type DecodedTx } from './tx.ts';
import { SigVerifier } from './sigverify.ts';
import { DecodedTxCache, txFingerprint } from './txcache.ts';
import { nextAppHash, nextAppHashPacked } from './apphash.ts';
import { packWrites } from './parallel/pack.ts';
import { encodedResultSize, fitResults, proposalTxs } from './results.ts';
import { Accounts, ChainIdItem, ParamsItem, createAccounts } from './auth.ts';
import { DEFAULT_PARAMS, normalizeParams, type Params } from './params.ts';
import { validateAddress } from './address.ts';
import { retainHeight, type BlockRetention } from './retention.ts';
import { TxMsgData } from 'cosmjs-types/cosmos/base/abci/v1beta1/abci';
import { ErrInvalidHeight, ErrInvalidRequest, ErrKeyNotFound, ErrMempoolIsFull, ErrNotSupported, ErrOutOfGas, ErrUnknownRequest, LanesError, isNodeFault, toAbciError } from './errors.ts';
import { APP_NAME, APP_PROTOCOL_VERSION, APP_VERSION } from './constants.ts';

export { FEE_COLLECTOR };

const SIMULATE_PATH = '/cosmos.tx.v1beta1.Service/Simulate';
/** The largest query request taken (64 KiB; a simulation's, this beyond max_tx_bytes). */
export const MAX_QUERY_REQUEST_BYTES = 65_536;

export interface AppGenesisState {
  params?: Partial<Params>;
  auth?: { accounts?: { address: string }[] };
  [module: string]: unknown;
}

export interface LanesAppOptions extends ModuleSet {
  /** SQLite file, or ':memory:' for tests and benchmarks (sequential executor only). */
  dbPath: string;
  logger?: Logger;
  /** Default sequential. `parallel` needs a database file and `parallel.entry`. */
  executor?: ExecutorKind;
  parallel?: Omit<ParallelOptions, 'dbPath' | 'cacheKeys'>;
  /**
   * Bound of the committed-state read cache, in keys, on the main thread and in each execution
   * worker's replica (default STATE_CACHE_KEYS).
   */
  stateCacheKeys?: number;
  /** Called after every FinalizeBlock (metrics). */
  onBlock?: (stats: BlockStats) => void;
  /** Called after every CheckTx with its latency and result (metrics). */
  onCheckTx?: (stats: CheckTxStats) => void;
  /** Called after every PrepareProposal (metrics). */
  onProposal?: (stats: ProposalStats) => void;
  /**
   * Shared signature cache (benchmarks run several apps over the same txs). CONTRACT: only apps
   * of one chain id share one; its keys do not name the chain, so a tx verified for one chain
   * would pass unchecked on another.
   */
  sigs?: SigVerifier;
  /**
   * CometBFT's `mempool.size`: CheckTx refuses new txs with sdk/20 "mempool is full" before the
   * mempool is, instead of accepting txs the full mempool would drop (see `admitted`).
   * Undefined: no such check.
   */
  mempoolSize?: number;
  /**
   * CometBFT's `mempool.max_txs_bytes`: as `mempoolSize`, for the bytes of the txs the mempool
   * holds (CometBFT refuses a tx that would take them past it, and drops an accepted one alike).
   * Undefined: no such check.
   */
  mempoolMaxBytes?: number;
  /**
   * Who re-runs the txs still in the mempool against the new state after each block (CheckTx's
   * state starts over at every Commit): 'cometbft' (CometBFT's `mempool.recheck = true`: it sends
   * each one as a RECHECK CheckTx, one gRPC round trip at a time, its mempool locked meanwhile)
   * or 'app' (`mempool.recheck = false`: the app re-runs them itself inside Commit, from its own
   * record of what it admitted; see `mempoolTxs`). Default 'cometbft'.
   */
  recheck?: RecheckBy;
  /** Gas a tx's Msgs may use in CheckTx before it is admitted on its ante alone (default CHECK_TX_MSG_GAS). */
  checkTxMsgGas?: number;
  /** Gas a simulation may use (default SIMULATE_GAS_LIMIT). */
  simulateGas?: number;
  /** Which blocks Commit lets CometBFT delete (node-local; default: keep every block). */
  retention?: BlockRetention;
  /**
   * CometBFT reaps its mempool for a proposal by bytes alone: the consensus `block.max_gas` is -1,
   * as Lanes' genesis sets it (the app enforces its own `params.max_block_gas`). With recheck
   * 'app', lets PrepareProposal tell when it was handed the whole mempool, and forget the txs
   * CometBFT no longer holds (see forgetUnreaped). Default false.
   */
  reapsByBytesOnly?: boolean;
}

export type RecheckBy = 'cometbft' | 'app';

export interface CheckTxStats {
  /** Wall time from the call to the answer, in ms (includes waiting for a signature batch). */
  ms: number;
  code: number;
  codespace: string;
  recheck: boolean;
}

export interface ProposalStats {
  /** Txs proposed. */
  txs: number;
  /** Txs left in the mempool so that the block's results stay under the gRPC limit. */
  deferred: number;
}

export interface BlockStats {
  height: bigint;
  txs: number;
  executor: ExecutorKind;
  /** Conflict groups (0 when not computed: sequential executor or a block under the threshold). */
  groups: number;
  largestGroup: number;
  /** Txs that ran on execution workers; the rest of a parallel block ran on the main thread. */
  workerTxs: number;
  /** Of those, the txs the workers decoded in the block, not having kept them from CheckTx. */
  workerDecodes: number;
  /** The block re-ran sequentially: a tx touched an undeclared partition, or a worker failed. */
  fallback: boolean;
  /** An execution worker exited, answered with an error or hung during the block (then fallback is set too). */
  workerFailed: boolean;
  /** Execution workers still running after the block (0 with the sequential executor). */
  workersAlive: number;
  /** Failed execution workers replaced at the Commit before this block (see ParallelExecutor.committed). */
  workersReplaced: number;
  /** Keys in the main thread's committed-state read cache after the block (bounded by stateCacheKeys). */
  stateCacheKeys: number;
  /** Tx results whose events were left out to fit the gRPC budget (RESULTS_BUDGET_BYTES). */
  trimmed: number;
  /** FinalizeBlock's time, prepareMs + txsMs + finishMs (node-local: read from the clock, never part of a result). */
  execMs: number;
  /**
   * Before the txs run: begin-block, finding the txs' decodes and hashes, and for a parallel
   * block planning it and handing it to the workers. One thread.
   */
  prepareMs: number;
  /**
   * Running the txs: the sequential loop, or, in a parallel block, every thread's share and
   * taking the workers' results (a fallback's sequential re-run included).
   */
  txsMs: number;
  /** After the txs: fees, end-block, fitting results to the gRPC budget, and the change set sorted, framed and hashed. One thread. */
  finishMs: number;
}

/** A FinalizeBlock's clock readings (BlockStats' phases): when it started, and when its txs started running. */
interface BlockTiming {
  readonly started: bigint;
  /** The call's number (LanesApp.finalizeCalls when it began). */
  readonly call: number;
  txsStarted?: bigint;
}

interface Decided {
  height: bigint;
  /** The block layer; read only to merge it with genesis writes (that block runs sequentially). */
  block: Overlay;
  /** The block's writes in key order (hashed at FinalizeBlock, persisted at Commit). */
  sorted: [string, Value | null][];
  /** `sorted` framed by packWrites: hashed at FinalizeBlock, sent to the replicas at Commit. */
  packed: Uint8Array;
  appHash: Uint8Array;
  /** The block's time, Unix seconds. */
  time: bigint;
}

export class LanesApp implements AbciApp {
  readonly store: CommittedStore;
  readonly sigs: SigVerifier;
  readonly engine: Engine;
  readonly parallel: ParallelExecutor | null;
  private readonly modules: readonly Module[];
  private readonly log: Logger | undefined;
  private readonly onBlock: ((s: BlockStats) => void) | undefined;
  private readonly onCheckTx: ((s: CheckTxStats) => void) | undefined;
  private readonly onProposal: ((s: ProposalStats) => void) | undefined;
  /**
   * The txs as CheckTx decoded them, found from their bytes, so rechecks and FinalizeBlock
   * (planning and execution on this thread) skip decoding and hashing; with each, the size of
   * its result there, so PrepareProposal can keep a block's results under the gRPC limit.
   * Decoding depends on the params too: the cache holds entries for `decodedParams` only. An
   * entry is dropped once its tx is in a block.
   */
  private readonly decodedCache = new DecodedTxCache();
  private decodedParams: Params | null = null;
  /** The tail of the CheckTx queue: state checks run one after another, in arrival order. */
  private checkQueue: Promise<void> = Promise.resolve();
  /** The last worker failure a CheckTx fell back from, so that each is logged once. */
  private lastCheckFailure: string | undefined;
  /** Failed execution workers replaced at Commits since the last block's stats. */
  private workersReplaced = 0;
  /**
   * Txs in CometBFT's mempool by this app's count: every tx CheckTx accepted since the last
   * Commit, plus every tx the recheck after it kept (CometBFT rechecks all that stay, before new
   * txs come in); with recheck 'app', every tx in `mempoolTxs` and `staleTxs`. CometBFT checks
   * that its mempool has room before CheckTx and again when the answer comes back, and in
   * between it drops an accepted tx if the mempool filled up: the client was told "accepted"
   * and the tx is gone. With `admitted + checking` held under the
   * size (and their bytes under `mempoolMaxBytes`), the mempool never fills while CheckTx calls
   * are out.
   */
  private admitted = 0;
  /** The bytes of the `admitted` txs, for `mempoolMaxBytes`. */
  private admittedBytes = 0;
  private readonly recheckBy: RecheckBy;
  private readonly retention: BlockRetention | undefined;
  private readonly reapsByBytesOnly: boolean;
  private readonly checkTxMsgGas: number;
  private readonly simulateGas: number;
  /** Bumped when CometBFT (re)connects with an empty mempool: CheckTx calls from before do not admit. */
  private cometConnection = 0;
  /**
   * With recheck 'app': what CometBFT's mempool holds, by this app's record. `mempoolTxs`: every
   * tx CheckTx admitted that no committed block has held yet, by hash, in the order admitted
   * (the order the check state took them in); Commit re-runs them in that order. `staleTxs`: those
   * whose ante that recheck found failing (a block took their sequence, say). CometBFT keeps them
   * all the same (without its recheck, only a block takes a tx out of its mempool), so they still
   * count against its size until a proposal includes them, and they then fail in that block.
   */
  private readonly mempoolTxs = new Map<string, { bytes: Uint8Array; signers: readonly string[] }>();
  private readonly staleTxs = new Map<string, number>(); // hash -> bytes
  /** How many of `mempoolTxs`' first entries were there at the last Commit (see forgetUnreaped). */
  private settled = 0;
  /** The hashes of the txs of the block FinalizeBlock ran last (Commit takes them out of `mempoolTxs`). */
  private finalizedTxHashes: readonly string[] = [];
  /** New-tx CheckTx calls answered later (waiting for the signature batch). */
  private checking = 0;
  /** The bytes of the `checking` txs. */
  private checkingBytes = 0;
  private readonly mempoolSize: number | undefined;
  private readonly mempoolMaxBytes: number | undefined;
  private pending: Overlay | null = null;
  /** InitChain's app hash, while its writes are still pending. */
  private genesisHash: Uint8Array | null = null;
  private decided: Decided | null = null;
  /**
   * FinalizeBlock calls so far. A call still waiting on an execution worker when CometBFT
   * restarts alone is overtaken: the new CometBFT sends that height again, which runs on the
   * main thread at once (the busy worker is skipped) and is committed, and blocks go on. The old
   * call then stops waiting for its worker (the worker's late reply is dropped by the next block
   * that waits on it, or at a Commit, which terminates a worker that never answers:
   * ExecWorker.blockReply, settleOwed) and answers nothing: its result, against state that has
   * moved on, must not become `decided`, as a Commit would persist it.
   */
  private finalizeCalls = 0;
  private checkState: Overlay;
  private lastBlockTime = 0n;
  private chainId = '';
  private params: Params | null = null;

  constructor(opts: LanesAppOptions) {
    this.store = new CommittedStore(opts.dbPath, { cacheKeys: opts.stateCacheKeys });
    this.engine = new Engine(opts);
    this.modules = opts.modules;
    this.sigs = opts.sigs ?? new SigVerifier();
    this.log = opts.logger;
    this.onBlock = opts.onBlock;
    this.onCheckTx = opts.onCheckTx;
    this.onProposal = opts.onProposal;
    this.mempoolSize = opts.mempoolSize;
    this.mempoolMaxBytes = opts.mempoolMaxBytes;
    this.recheckBy = opts.recheck ?? 'cometbft';
    this.checkTxMsgGas = opts.checkTxMsgGas ?? CHECK_TX_MSG_GAS;
    this.simulateGas = opts.simulateGas ?? SIMULATE_GAS_LIMIT;
    this.retention = opts.retention;
    this.reapsByBytesOnly = opts.reapsByBytesOnly ?? false;
    this.engine.addQuery({ path: '/cosmos.auth.v1beta1.Query/Account', handle: (ctx, data) => this.queryAccount(ctx, data) });
    this.engine.addQuery({ path: SIMULATE_PATH, handle: (_ctx, data) => this.simulate(data) });
    this.checkState = new Overlay(this.store);
    // The last committed block's time, for CheckTx, simulations and queries until the next block.
    this.lastBlockTime = this.store.lastCommit().time ?? 0n;
    if (this.store.lastCommit().height > 0n) this.loadConstants(plainContext(new Overlay(this.store), this.blockInfo(0n), 'query'));
    if ((opts.executor ?? 'sequential') === 'parallel') {
      if (!opts.parallel) throw new Error('executor "parallel" needs parallel.workers and parallel.entry');
      // Workers open the file read-only, so it must exist with its tables before they start.
      this.parallel = new ParallelExecutor({ ...opts.parallel, dbPath: opts.dbPath, cacheKeys: opts.stateCacheKeys });
    } else {
      this.parallel = null;
    }
  }

  /** Resolves once the execution workers (if any) have started. */
  async ready(): Promise<void> {
    await this.parallel?.ready();
  }

  private loadConstants(ctx: Context): void {
    this.chainId = ChainIdItem.get(ctx) ?? '';
    const p = ParamsItem.get(ctx);
    if (!p) throw new Error('state has no params: the database is not a Lanes state');
    this.params = p;
  }

  private blockInfo(height: bigint, timeSeconds = this.lastBlockTime): BlockInfo {
    return { height, timeSeconds, chainId: this.chainId };
  }

  private env(block: BlockInfo): ExecEnv {
    if (!this.params) throw new Error('chain not initialised (InitChain has not run)');
    const env = this.engine.env(block, this.params, this.sigs); // a new object each call
    env.onInternalError = this.reportInternalError;
    return env;
  }

  /** A bug failed a tx in a block: its result says only "internal error", so the node's log says what. */
  private readonly reportInternalError = (err: unknown, txHash: string | undefined): void => {
    this.log?.error({ err, tx: txHash }, 'a tx failed on an internal error (a bug); its result says only "internal error"');
  };

  /** For CheckTx and the app's recheck: with the node's budget for Msgs (checkTxMsgGas). */
  private checkEnv(block: BlockInfo): ExecEnv {
    return { ...this.env(block), checkTxMsgGas: this.checkTxMsgGas };
  }

  // ---- ABCI: info and genesis ------------------------------------------------------------

  info(_req: RequestInfo): ResponseInfo {
    const last = this.store.lastCommit();
    return {
      data: APP_NAME,
      version: APP_VERSION,
      appVersion: APP_PROTOCOL_VERSION,
      lastBlockHeight: last.height,
      lastBlockAppHash: last.appHash,
    };
  }

  initChain(req: RequestInitChain): ResponseInitChain {
    if (this.store.lastCommit().height > 0n) throw new Error(`InitChain called but state is already at height ${this.store.lastCommit().height}`);
    const genesis = parseGenesis(req.appStateBytes);
    const params = normalizeParams(genesis.params);
    for (const m of this.modules) m.validateGenesis(genesis[m.name]);
    const pending = new Overlay(this.store);
    this.chainId = req.chainId;
    this.lastBlockTime = req.time.seconds;
    const ctx = plainContext(pending, this.blockInfo(req.initialHeight), 'block');
    ChainIdItem.set(ctx, req.chainId);
    ParamsItem.set(ctx, params);
    this.params = params;
    const listed = (genesis.auth?.accounts ?? []).map((a, i) => {
      validateAddress(a.address, `genesis auth.accounts[${i}].address`);
      return a.address;
    });
    createAccounts(ctx, [...listed, FEE_COLLECTOR]);
    for (const m of this.modules) m.initGenesis(ctx, genesis[m.name]);
    createAccounts(ctx, ctx.newAccounts);
    const appHash = nextAppHash(new Uint8Array(), pending.sortedWrites());
    this.genesisHash = appHash;
    this.pending = pending;
    this.checkState = new Overlay(pending);
    this.log?.info({ chainId: req.chainId, modules: this.modules.map((m) => m.name) }, 'genesis initialised');
    return { validators: [], appHash };
  }

  // ---- ABCI: mempool -----------------------------------------------------------------------

  /**
   * CheckTx against the check state. With execution workers, decoding and signature checks run
   * there, batched across concurrent calls; the state part then runs here in arrival order, so
   * a sender's txs apply to the check state in the order CometBFT sent them.
   */
  checkTx(req: RequestCheckTx): ResponseCheckTx | Promise<ResponseCheckTx> {
    const started = process.hrtime.bigint();
    const recheck = req.type === CheckTxType.RECHECK;
    const full = recheck ? undefined : this.mempoolFull(req.tx.length);
    if (full) {
      const res = checkFailure(toAbciError(ErrMempoolIsFull.wrap(`${full}; try again after the next block`)));
      this.reportCheck(res, started, false);
      return res;
    }
    if (!this.parallel || !this.params || recheck) {
      const res = this.checkTxHere(req, undefined);
      if (res.code === 0 && recheck) {
        // CometBFT's recheck keeps it: counted again after Commit.
        this.admitted++;
        this.admittedBytes += req.tx.length;
      }
      this.reportCheck(res, started, recheck);
      return res;
    }
    this.checking++;
    this.checkingBytes += req.tx.length;
    // Asked by a CometBFT that has since restarted (clientConnected): its mempool, and this
    // answer, are gone. Admitting the tx would keep its sequence taken here for a tx no mempool
    // holds, and the app's recheck would keep it valid: its sender could not send that sequence
    // again through this node.
    const connection = this.cometConnection;
    const restarted = (): ResponseCheckTx | undefined => (connection === this.cometConnection
      ? undefined
      : checkFailure(toAbciError(ErrMempoolIsFull.wrap('CometBFT restarted while this tx was being checked; send it again'))));
    const verified = this.parallel.check(req.tx, this.chainId, this.params);
    const done = this.checkQueue.then(() => verified).then(
      (v) => {
        if (v.error) return checkFailure(v.error);
        return restarted() ?? this.checkTxHere(req, this.absorbChecked(v));
      },
      // A worker failure must not reject CheckTx: do all the work here instead.
      (err: unknown) => {
        const late = restarted();
        if (late) return late;
        // Logged once per distinct failure: a worker that exited fails every batch after.
        const message = err instanceof Error ? err.message : String(err);
        if (message !== this.lastCheckFailure) {
          this.lastCheckFailure = message;
          this.log?.error({ err }, 'execution worker failed a CheckTx batch; checking on the main thread');
        }
        return this.checkTxHere(req, undefined);
      },
    );
    // The queue goes on after a call that threw (answered by the error below), or every later
    // CheckTx would take the error path.
    this.checkQueue = done.then(() => undefined, () => undefined);
    return done.then((res) => {
      this.checking--;
      this.checkingBytes -= req.tx.length;
      this.reportCheck(res, started, false);
      return res;
    }, (err: unknown) => {
      this.checking--;
      this.checkingBytes -= req.tx.length;
      throw err;
    });
  }

  /**
   * CometBFT (re)started (AbciApp.clientConnected): its mempool is empty, whatever this app
   * admitted before is gone from it. With the app's recheck, forget it all, and the check state
   * with it: otherwise those txs' sequences would stay taken here (the app's recheck keeps them
   * valid), and their senders could not send them again.
   */
  clientConnected(): void {
    // With CometBFT's recheck the next Commit, and its recheck of the (empty) mempool, set the
    // check state right anyway; and a tool that connects on its own (the checktx benchmark's
    // client) keeps what it sent.
    if (this.recheckBy !== 'app') return;
    if (this.admitted === 0 && this.mempoolTxs.size === 0 && this.staleTxs.size === 0 && this.checking === 0) return;
    this.log?.info({ forgotten: this.admitted }, 'CometBFT connected with an empty mempool: CheckTx starts over from the committed state');
    this.cometConnection++;
    this.mempoolTxs.clear();
    this.staleTxs.clear();
    this.settled = 0;
    this.admitted = 0;
    this.admittedBytes = 0;
    this.checkState = new Overlay(this.pending ?? this.store);
  }

  /**
   * Why CometBFT's mempool has no room for one more tx of `bytes`, counting the CheckTx calls
   * still out as taken (CometBFT's own test: `size` txs, or `max_txs_bytes` passed); undefined
   * if it has.
   */
  private mempoolFull(bytes: number): string | undefined {
    if (this.mempoolSize !== undefined && this.admitted + this.checking >= this.mempoolSize) {
      return `${this.admitted} txs in the mempool and ${this.checking} being checked, of ${this.mempoolSize}`;
    }
    if (this.mempoolMaxBytes !== undefined && this.admittedBytes + this.checkingBytes + bytes > this.mempoolMaxBytes) {
      return `${this.admittedBytes} bytes of txs in the mempool and ${this.checkingBytes} being checked; ${bytes} more would pass its ${this.mempoolMaxBytes}`;
    }
    return undefined;
  }

  /** Counts a tx CheckTx accepted as new (CometBFT now holds it), and records it for the app's recheck. */
  private admit(tx: DecodedTx): void {
    this.admitted++;
    this.admittedBytes += tx.bytes.length;
    if (this.recheckBy === 'app') this.mempoolTxs.set(tx.hashHex, { bytes: tx.bytes, signers: tx.signers.map((s) => s.address) });
  }

  /**
   * The app's recheck (recheck 'app'), at Commit on the new check state: drops the block's txs
   * from the record and re-runs the rest in the order admitted, each as the block that includes
   * it will run it ('pending' mode), since CometBFT keeps every one of them. A tx whose Msgs now
   * fail stays: its fee and sequence are taken here as they will be there, so its sender's next
   * tx must follow it. A tx whose ante fails (its sequence used by a tx this node never saw, say)
   * can change nothing in a block either: it moves to `staleTxs`. Each re-run counts in the
   * CheckTx metrics as a recheck.
   */
  private recheckMempool(blockTxHashes: readonly string[]): void {
    for (const h of blockTxHashes) {
      this.mempoolTxs.delete(h);
      this.staleTxs.delete(h);
    }
    const env = this.checkEnv(this.blockInfo(this.store.lastCommit().height + 1n));
    for (const [h, { bytes }] of this.mempoolTxs) {
      const started = process.hrtime.bigint();
      let res: ResponseCheckTx;
      try {
        const { result, tx, failedIn, msgsUnchecked } = runTx(this.checkState, bytes, env, 'pending', false, this.cachedDecode(bytes, env.params));
        if (tx && result.code === 0) this.rememberDecoded(tx, env.params, msgsUnchecked ? undefined : encodedResultSize(result));
        if (failedIn === 'decode' || failedIn === 'ante') {
          if (tx) this.decodedCache.take(tx.bytes);
          this.mempoolTxs.delete(h); // deleting the current entry does not disturb a Map's iteration
          this.staleTxs.set(h, bytes.length);
        }
        res = checkFailure({ codespace: result.codespace, code: result.code, log: result.log });
      } catch (err) {
        res = checkFailure(toAbciError(err));
        this.mempoolTxs.delete(h);
        this.staleTxs.set(h, bytes.length);
      }
      this.reportCheck(res, started, true);
    }
    this.settled = this.mempoolTxs.size;
    this.admitted = this.mempoolTxs.size + this.staleTxs.size;
    this.admittedBytes = 0;
    for (const tx of this.mempoolTxs.values()) this.admittedBytes += tx.bytes.length;
    for (const n of this.staleTxs.values()) this.admittedBytes += n;
  }

  /** Takes in what a worker's CheckTx batch learned of a tx: its verified signatures and the decoded tx. */
  private absorbChecked(c: CheckedTx): DecodedTx | undefined {
    for (const k of c.keys) this.sigs.remember(k);
    return c.tx ? fromPortable(c.tx, this.engine.lookup) : undefined;
  }

  private reportCheck(res: ResponseCheckTx, started: bigint, recheck: boolean): void {
    this.onCheckTx?.({ ms: Number(process.hrtime.bigint() - started) / 1e6, code: res.code, codespace: res.codespace, recheck });
  }

  private checkTxHere(req: RequestCheckTx, decoded: DecodedTx | undefined): ResponseCheckTx {
    const mode = req.type === CheckTxType.RECHECK ? 'recheck' : 'check';
    try {
      const block = this.blockInfo(this.store.lastCommit().height + 1n);
      const env = this.checkEnv(block);
      const { result, tx, msgsUnchecked } = runTx(this.checkState, req.tx, env, mode, false, decoded ?? this.cachedDecode(req.tx, env.params));
      if (tx && result.code === 0) {
        // A result whose Msgs did not run says nothing of the block's: the proposal estimates it.
        this.rememberDecoded(tx, env.params, msgsUnchecked ? undefined : encodedResultSize(result));
        if (mode === 'check') this.admit(tx); // a new tx, now in CometBFT's mempool
      } else if (tx) {
        this.decodedCache.take(tx.bytes);
      }
      // No data: the Msg responses of a check run are not the tx's result (as in the Cosmos SDK).
      return {
        code: result.code, codespace: result.codespace, log: result.log, info: result.info, data: new Uint8Array(),
        gasWanted: result.gasWanted, gasUsed: result.gasUsed, events: [],
      };
    } catch (err) {
      return checkFailure(toAbciError(err));
    }
  }

  // ---- ABCI: consensus ---------------------------------------------------------------------

  prepareProposal(req: RequestPrepareProposal): ResponsePrepareProposal {
    // CometBFT's order (with the app's recheck: the order admitted, stale txs last); stop before
    // the first tx that would overflow the block's bytes (counted as CometBFT counts them:
    // protoTxSize), its tx count, its gas or the results' size (skipping one would fail its
    // sender's later txs). Left out: what ProcessProposal would reject the block for, a tx no
    // node can run and a tx already in (CometBFT 0.38's mempool hands over neither).
    const txs: Uint8Array[] = [];
    const inBlock = new Set<string>(); // tx hashes
    let bytes = 0n;
    let gas = 0;
    const maxTxs = this.params?.max_block_txs ?? Number.MAX_SAFE_INTEGER;
    const maxGas = this.params?.max_block_gas ?? Number.MAX_SAFE_INTEGER;
    const params = this.params;
    for (const tx of this.proposalOrder(req)) {
      const size = BigInt(protoTxSize(tx.length));
      if (txs.length >= maxTxs || bytes + size > req.maxTxBytes) break;
      const decoded = params ? this.proposedTx(tx, params, null) : undefined;
      if (decoded instanceof Error) {
        // ProcessProposal would reject the block. CheckTx admits no such tx, so this is one it
        // admitted under other params or code; it has no signer whose later txs would suffer.
        this.log?.warn({ height: Number(req.height), tx: txHashHex(tx), err: decoded.message }, 'leaving out of the proposal a tx that cannot run on any node');
        continue;
      }
      if (decoded && inBlock.has(decoded.hashHex)) continue;
      const g = decoded?.gasLimit ?? 0;
      if (gas + g > maxGas) break;
      bytes += size;
      gas += g;
      txs.push(tx);
      if (decoded) inBlock.add(decoded.hashHex);
    }
    const fit = proposalTxs(txs, (i) => this.decodedCache.get(txs[i] as Uint8Array)?.resultBytes);
    const deferred = txs.length - fit;
    if (deferred > 0) {
      this.log?.debug({ height: Number(req.height), txs: fit, deferred }, 'proposal cut to keep its results under the gRPC limit');
      txs.length = fit;
    }
    this.onProposal?.({ txs: fit, deferred });
    return { txs };
  }

  /**
   * The reaped txs in the order to propose them: as CometBFT hands them over, or, with the app's
   * recheck, in the order admitted (`inAdmissionOrder`) with the stale ones last (`staleLast`),
   * after forgetting what CometBFT no longer holds (`forgetUnreaped`).
   */
  private proposalOrder(req: RequestPrepareProposal): readonly Uint8Array[] {
    if (this.recheckBy !== 'app' || (this.mempoolTxs.size === 0 && this.staleTxs.size === 0)) return req.txs;
    const hashes = req.txs.map((b) => this.decodedCache.get(b)?.tx.hashHex ?? txHashHex(b));
    this.forgetUnreaped(req, hashes);
    return this.staleLast(this.inAdmissionOrder(hashes), hashes).map((i) => req.txs[i] as Uint8Array);
  }

  /**
   * With the app's recheck, when CometBFT handed over its whole mempool, the txs the record has
   * held since before the last Commit that are not among the reaped ones have left CometBFT's
   * mempool without a block (`/unsafe_flush_mempool`), and are forgotten. Otherwise they would
   * stay in the record for good: rechecked into the check state at every Commit, so their
   * senders' new txs would be refused as out of sequence, and held back in every proposal behind
   * txs that never come.
   *
   * The whole mempool was handed over when the reaped txs leave room in `max_tx_bytes` for
   * another of the largest size CheckTx admits: CometBFT stops reaping only at a tx that would
   * not fit, or one past the consensus `max_gas`, which is why `reapsByBytesOnly` must say that
   * it is -1. A tx the record took in before the last Commit is in CometBFT's mempool by the
   * next reap, `timeout_commit` later: CometBFT's gRPC client adds it from the CheckTx call's
   * callback (on the calling goroutine, or within microseconds on the client's dispatch
   * goroutine), and it locks its mempool for Commit only when no call is out. One admitted since
   * the last Commit may land after the reap, and stays. Were a settled tx ever still on its way
   * at the reap, forgetting it would lose nothing: CometBFT proposes it later, in its own place,
   * and its sender's next tx goes stale and last in the same block.
   */
  private forgetUnreaped(req: RequestPrepareProposal, hashes: readonly string[]): void {
    if (!this.reapsByBytesOnly || (this.settled === 0 && this.staleTxs.size === 0)) return;
    let reapedBytes = 0;
    for (const tx of req.txs) reapedBytes += protoTxSize(tx.length);
    if (BigInt(reapedBytes + protoTxSize(this.params?.max_tx_bytes ?? DEFAULT_PARAMS.max_tx_bytes)) > req.maxTxBytes) return;
    const reaped = new Set(hashes);
    let forgotten = 0;
    let i = 0;
    for (const [h, { bytes }] of this.mempoolTxs) {
      if (i++ >= this.settled) break;
      if (reaped.has(h)) continue;
      this.mempoolTxs.delete(h); // deleting the current entry does not disturb a Map's iteration
      this.admittedBytes -= bytes.length;
      forgotten++;
    }
    this.settled -= forgotten;
    for (const [h, n] of this.staleTxs) {
      if (reaped.has(h)) continue;
      this.staleTxs.delete(h);
      this.admittedBytes -= n;
      forgotten++;
    }
    if (forgotten === 0) return;
    this.admitted -= forgotten;
    this.log?.warn({ height: Number(req.height), forgotten }, 'txs this node admitted left CometBFT\'s mempool without a block (an /unsafe_flush_mempool?); '
      + 'forgotten, so that their senders can send again');
  }

  /**
   * With the app's recheck, the txs it admitted go in the order it admitted them, each in the
   * place of one of them, and every other tx keeps its place. That is the order its check state
   * took them in, and the order CometBFT's mempool usually holds them in, but not always:
   * CometBFT 0.38's gRPC client adds a tx to its mempool on the goroutine that made the CheckTx
   * call, after the call returns, so two calls out at once (a sender's sequences n and n+1 sent
   * with broadcast_tx_async, or relayed by two peers) can land in either order. In the other,
   * n+1 would fail in the block for its sequence, although CheckTx accepted it. For the same
   * reason CometBFT can hand over n+1 without n (n is further back in its mempool than the
   * block's room): such a tx is left out, to wait for the block after n's, as is any tx sharing
   * a signer with a tx admitted before it that is not in the proposal.
   * Takes the reaped txs' hashes; answers places in the reaped txs.
   */
  private inAdmissionOrder(hashes: readonly string[]): number[] {
    const all = hashes.map((_, i) => i);
    if (this.mempoolTxs.size === 0) return all;
    const slot = new Map<string, number>(); // hash -> place in txs, of the txs in the record
    for (let i = 0; i < hashes.length; i++) {
      const h = hashes[i] as string;
      if (this.mempoolTxs.has(h)) slot.set(h, i);
    }
    if (slot.size === 0) return all;
    const kept: number[] = []; // places in txs, in the order admitted
    const waiting = new Set<string>(); // signers with a tx admitted earlier that is not here
    let changed = false;
    for (const [h, { signers }] of this.mempoolTxs) {
      const i = slot.get(h);
      if (i === undefined || signers.some((a) => waiting.has(a))) {
        for (const a of signers) waiting.add(a);
        changed ||= i !== undefined;
        continue;
      }
      changed ||= kept.length > 0 && i < (kept.at(-1) as number);
      kept.push(i);
    }
    if (!changed) return all;
    const places = [...slot.values()].sort((a, b) => a - b);
    const out: number[] = [];
    let next = 0; // into kept; the record's places take kept's txs in turn, the rest go empty
    let p = 0; // into places
    for (let i = 0; i < hashes.length; i++) {
      if (places[p] === i) {
        p++;
        if (next < kept.length) out.push(kept[next++] as number);
      } else {
        out.push(i);
      }
    }
    return out;
  }

  /**
   * With the app's recheck, the txs it found stale go after all the others. A stale tx fails,
   * paying nothing (unless what made it stale changed since: a signer that could not pay the fee
   * may have been paid), and only a block takes it out of CometBFT's mempool; last, it fills
   * room the valid txs left, so txs that lost a race for their sequence on another node (or that
   * someone sent to several nodes on purpose) never crowd valid ones out of a full block. Moving
   * one changes no other tx's outcome as this node sees them: it writes nothing but, where it
   * passes after all, its own signer's fee and sequence, and a later tx of its sender is stale
   * too (its sequence follows the stale one's). Proposer-side only; any order passes
   * ProcessProposal. Takes and answers places in the reaped txs.
   */
  private staleLast(order: number[], hashes: readonly string[]): number[] {
    if (this.staleTxs.size === 0) return order;
    const fresh: number[] = [];
    const stale: number[] = [];
    for (const i of order) (this.staleTxs.has(hashes[i] as string) ? stale : fresh).push(i);
    return stale.length === 0 ? order : fresh.concat(stale);
  }

  processProposal(req: RequestProcessProposal): ResponseProcessProposal {
    // Txs that fail for state are reported per tx in FinalizeBlock (an honest proposer includes
    // txs gone stale on purpose). Refused: a block over its limits, one that holds the same tx
    // twice, and one holding a tx that cannot run on any node.
    const params = this.params;
    if (!params) return { status: ResponseProcessProposal_ProposalStatus.ACCEPT };
    const maxTxs = params.max_block_txs;
    if (req.txs.length > maxTxs) {
      this.log?.warn({ height: Number(req.height), txs: req.txs.length, maxTxs }, 'rejecting a proposal over params.max_block_txs');
      return { status: ResponseProcessProposal_ProposalStatus.REJECT };
    }
    const twice = this.repeatedTx(req.txs);
    if (twice !== undefined) {
      this.log?.warn({ height: Number(req.height), tx: twice }, 'rejecting a proposal that holds the same tx twice');
      return { status: ResponseProcessProposal_ProposalStatus.REJECT };
    }
    let gas = 0;
    const fresh: DecodedTx[] = []; // cached for the block only if it is accepted
    for (let i = 0; i < req.txs.length; i++) {
      const tx = this.proposedTx(req.txs[i] as Uint8Array, params, fresh);
      if (tx instanceof Error) {
        this.log?.warn({ height: Number(req.height), index: i, tx: txHashHex(req.txs[i] as Uint8Array), err: tx.message }, 'rejecting a proposal holding a tx that cannot run on any node');
        return { status: ResponseProcessProposal_ProposalStatus.REJECT };
      }
      gas += tx.gasLimit;
    }
    if (gas > params.max_block_gas) {
      this.log?.warn({ height: Number(req.height), txs: req.txs.length, gas, maxGas: params.max_block_gas }, 'rejecting a proposal over params.max_block_gas');
      return { status: ResponseProcessProposal_ProposalStatus.REJECT };
    }
    for (const tx of fresh) this.rememberDecoded(tx, params);
    return { status: ResponseProcessProposal_ProposalStatus.ACCEPT };
  }

  /**
   * The hash of a tx `txs` holds twice, if any. No honest proposer repeats one (CometBFT's
   * mempool holds a tx once), and the repeat would fail for its sequence, and its failed result,
   * indexed by CometBFT under the same hash, would hide the success from anyone looking the tx
   * up (`/tx`, CosmJS's getTx): its sender, told it failed, might sign and pay again. Only txs
   * whose fingerprints (length and last bytes) repeat are hashed, so an honest block costs a
   * pass over its txs, and one made to collide a hash per tx.
   */
  private repeatedTx(txs: readonly Uint8Array[]): string | undefined {
    const seen = new Map<number, number>();
    let collided: number[] | undefined;
    for (let i = 0; i < txs.length; i++) {
      const f = txFingerprint(txs[i] as Uint8Array);
      const first = seen.get(f);
      if (first === undefined) {
        seen.set(f, i);
      } else {
        collided ??= [];
        collided.push(first, i);
      }
    }
    if (!collided) return undefined;
    const hashes = new Set<string>();
    for (const i of new Set(collided)) {
      const bytes = txs[i] as Uint8Array;
      const hash = this.decodedCache.get(bytes)?.tx.hashHex ?? txHashHex(bytes);
      if (hashes.has(hash)) return hash;
      hashes.add(hash);
    }
    return undefined;
  }

  /**
   * A proposed tx's decode: CheckTx's where it left one, else decoded here, from a copy of its
   * bytes (they are a view of the whole request, which a cached decode would keep alive), and
   * cached for the block (FinalizeBlock takes it, instead of decoding it again), or put in
   * `fresh` for the caller to cache once it accepts the block. The error where the tx cannot
   * run on any node: its bytes do not decode, or it fails a check of the tx alone (decodeTx: its
   * size, its Msgs' fields, its fee's gas limit...). A pure function of the bytes and the params,
   * as the Cosmos SDK's ProcessProposal decodes, so every validator finds the same. A node fault
   * (out of memory) is thrown: it says nothing of the tx.
   */
  private proposedTx(bytes: Uint8Array, params: Params, fresh: DecodedTx[] | null): DecodedTx | Error {
    const cached = this.cachedDecode(bytes, params);
    if (cached) return cached;
    try {
      const tx = decodeTx(bytes.slice(), params, this.engine.lookup, false);
      if (fresh) fresh.push(tx);
      else this.rememberDecoded(tx, params);
      return tx;
    } catch (err) {
      if (isNodeFault(err)) throw err;
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  extendVote(): ResponseExtendVote {
    return { voteExtension: new Uint8Array() };
  }

  /**
   * Lanes' validators extend no vote yet (genesis enables extensions for the oracle to come):
   * one that is not empty is not from these rules, and is refused, so that no validator can add
   * up to CometBFT's 1 MiB to each of its precommits, which every node stores and hands to the
   * next proposer. A module that extends votes changes this, in an upgrade of every node at once.
   */
  verifyVoteExtension(req: RequestVerifyVoteExtension): ResponseVerifyVoteExtension {
    if (req.voteExtension.length > 0) {
      this.log?.warn({ height: Number(req.height), validator: Buffer.from(req.validatorAddress).toString('hex'), bytes: req.voteExtension.length }, 'rejecting a vote extension: this chain extends no votes');
      return { status: ResponseVerifyVoteExtension_VerifyStatus.REJECT };
    }
    return { status: ResponseVerifyVoteExtension_VerifyStatus.ACCEPT };
  }

  finalizeBlock(req: RequestFinalizeBlock): FinalizeBlockResponse | Promise<FinalizeBlockResponse> {
    const started = process.hrtime.bigint();
    const call = ++this.finalizeCalls;
    const blockKV = new Overlay(this.pending ?? this.store);
    const info = this.blockInfo(req.height, req.time.seconds);
    const env = this.env(info);
    const hookCtx = plainContext(blockKV, info, 'block');
    for (const m of this.modules) m.beginBlock?.(hookCtx);
    const stats: BlockStats = { height: req.height, txs: req.txs.length, executor: 'sequential', groups: 0, largestGroup: 0, workerTxs: 0, workerDecodes: 0, fallback: false, workerFailed: false, workersAlive: 0, workersReplaced: this.workersReplaced, stateCacheKeys: 0, trimmed: 0, execMs: 0, prepareMs: 0, txsMs: 0, finishMs: 0 };
    this.workersReplaced = 0;
    const hashes = new Array<string>(req.txs.length);
    const decoded = new Array<DecodedTx | undefined>(req.txs.length);
    const cacheValid = this.decodedParams === env.params;
    for (let i = 0; i < req.txs.length; i++) {
      const bytes = req.txs[i] as Uint8Array;
      // Taken: in a block now, CheckTx will not see it again.
      const tx = cacheValid ? this.decodedCache.take(bytes)?.tx : undefined;
      decoded[i] = tx;
      hashes[i] = tx ? tx.hashHex : txHashHex(bytes);
    }
    this.finalizedTxHashes = hashes;
    // When the txs start running (BlockStats.txsMs): a fallback's re-run counts from the parallel start.
    const timing: BlockTiming = { started, call };
    const sequential = (): BlockExecution => {
      timing.txsStarted ??= process.hrtime.bigint();
      return executeSequential(blockKV, req.txs, env, decoded, hashes);
    };
    // Genesis writes are not in the workers' replicas until the first commit.
    if (!this.parallel || this.pending) return this.finishBlock(req, blockKV, hookCtx, env, sequential(), stats, timing);
    const parallel = this.parallel;
    const access = req.txs.map((tx, i) => {
      try {
        return (decoded[i] ??= decodeTx(tx, env.params, env.lookup, false, hashes[i])).accessKeys;
      } catch (err) {
        // As the sequential executor would on this thread: see runTx.
        if (isNodeFault(err)) throw err;
        return null; // undecodable: touches no state
      }
    });
    const plan = parallel.plan(access);
    stats.groups = plan.groups.length;
    stats.largestGroup = plan.groups.reduce((m, g) => Math.max(m, g.length), 0);
    if (!plan.chunks) return this.finishBlock(req, blockKV, hookCtx, env, sequential(), stats, timing);
    stats.executor = 'parallel';
    const onTxsStart = (): void => {
      timing.txsStarted = process.hrtime.bigint();
    };
    const abandoned = (): boolean => timing.call !== this.finalizeCalls;
    return parallel.execute(blockKV, req.txs, env, plan.chunks, hashes, (i) => this.sigs.keysFor(hashes[i] as string), decoded, onTxsStart, abandoned).then((out) => {
      if (abandoned()) return this.overtaken(req); // no re-run for an answer nobody waits for
      if ('fallback' in out) {
        // The sequential re-run is the reference result, so either way this costs speed, never
        // consensus. A tx that touched an undeclared partition does so on every validator; a
        // worker that exited, failed or hung (a bug, out of memory) is this node's own trouble,
        // and the node goes on instead of stopping (a worker that exited takes no more chunks).
        const height = Number(req.height);
        if (out.fallback === 'violation') this.log?.warn({ height, violation: out.reason }, 'undeclared partition access; block re-executed sequentially');
        else this.log?.error({ height, err: out.reason }, 'an execution worker failed during the block; block re-executed sequentially');
        stats.fallback = true;
        stats.workerFailed = out.fallback === 'worker';
        return this.finishBlock(req, blockKV, hookCtx, env, sequential(), stats, timing);
      }
      stats.workerTxs = out.workerTxs ?? 0;
      stats.workerDecodes = out.workerDecodes ?? 0;
      return this.finishBlock(req, blockKV, hookCtx, env, out, stats, timing);
    });
  }

  /** `resultBytes`: encodedResultSize of the tx's result in CheckTx, where it ran there. */
  private rememberDecoded(tx: DecodedTx, params: Params, resultBytes?: number): void {
    if (this.decodedParams !== params) {
      this.decodedCache.clear();
      this.decodedParams = params;
    }
    this.decodedCache.set({ tx, resultBytes });
  }

  /** The tx as CheckTx decoded it under these params, if it still has it. */
  private cachedDecode(bytes: Uint8Array, params: Params): DecodedTx | undefined {
    return this.decodedParams === params ? this.decodedCache.get(bytes)?.tx : undefined;
  }

  /**
   * Primes the caches CheckTx fills for these txs (decoded txs, signatures) the way CheckTx
   * fills them on this node: with execution workers, decoding and signature checks run there
   * (and the workers keep their decoded txs too), then the state part runs here on the worker's
   * decoded tx; without workers, all of it here. The check state is left as it was. For
   * benchmarks and tools.
   */
  async preverify(txs: readonly Uint8Array[]): Promise<void> {
    const block = this.blockInfo(this.store.lastCommit().height + 1n);
    const env = this.env(block);
    const parallel = this.parallel && this.params && !this.pending ? this.parallel : undefined;
    const checked = parallel ? await Promise.all(txs.map((tx) => parallel.check(tx, this.chainId, env.params))) : [];
    const scratch = new Overlay(this.checkState);
    for (const [i, tx] of txs.entries()) {
      const c = checked[i];
      const { result, tx: decoded } = runTx(scratch, tx, env, 'check', false, c && this.absorbChecked(c));
      if (decoded && result.code === 0) this.rememberDecoded(decoded, env.params, encodedResultSize(result));
    }
  }

  private finishBlock(
    req: RequestFinalizeBlock, blockKV: Overlay, hookCtx: Context, env: ExecEnv, exec: BlockExecution, stats: BlockStats, timing: BlockTiming,
  ): FinalizeBlockResponse {
    const txsEnded = process.hrtime.bigint();
    // After a parallel block the workers' writes are runs beside the block layer: end-block
    // reads them through a RunsLayer and writes a layer of its own above them.
    const workerRuns = exec.workerRuns ?? [];
    let endKV = blockKV;
    let endCtx = hookCtx;
    if (workerRuns.length > 0) {
      endKV = new Overlay(new RunsLayer(blockKV, workerRuns));
      endCtx = hookCtx.child(endKV);
      endCtx.newAccounts.push(...hookCtx.newAccounts);
    }
    foldBlock(endCtx, exec, env, () => {
      for (const m of this.modules) m.endBlock?.(endCtx);
    });
    if (endCtx !== hookCtx) hookCtx.events.push(...endCtx.events);
    const trimmed = fitResults(exec);
    stats.trimmed = trimmed;
    if (trimmed > 0) this.log?.warn({ height: Number(req.height), trimmed }, 'block results over the gRPC size budget: events of the last txs left out');
    const sorted = endKV === blockKV
      ? blockKV.sortedWrites(exec.presorted)
      : mergeWriteRuns([blockKV.sortedRun(exec.presorted), ...workerRuns, endKV.sortedRun()]);
    const packed = packWrites(sorted);
    const appHash = nextAppHashPacked(this.decidedOrCommittedHash(), packed);
    this.decided = { height: req.height, block: blockKV, sorted, packed, appHash, time: req.time.seconds };
    this.lastBlockTime = req.time.seconds;
    const ended = process.hrtime.bigint();
    const ms = (from: bigint, to: bigint): number => Number(to - from) / 1e6;
    const txsStarted = timing.txsStarted ?? txsEnded;
    stats.execMs = ms(timing.started, ended);
    stats.prepareMs = ms(timing.started, txsStarted);
    stats.txsMs = ms(txsStarted, txsEnded);
    stats.finishMs = ms(txsEnded, ended);
    stats.workersAlive = this.parallel?.liveWorkers() ?? 0;
    stats.stateCacheKeys = this.store.cachedKeys();
    this.onBlock?.(stats);
    if (this.log && (req.txs.length > 0 || req.height % 100n === 0n)) {
      const ok = exec.codes.filter((c) => c === 0).length;
      this.log.info({ height: Number(req.height), txs: req.txs.length, ok, executor: stats.executor, groups: stats.groups, ms: stats.execMs }, 'block executed');
    }
    const res: FinalizeBlockResponse = { events: hookCtx.events, txResults: [], validatorUpdates: [], appHash, encodedTxResults: exec.encoded };
    let decoded: ExecTxResult[] | undefined;
    Object.defineProperty(res, 'txResults', {
      enumerable: true,
      get: () => (decoded ??= exec.encoded.map((b) => ExecTxResult.decode(b))),
    });
    return res;
  }

  /** The answer of a FinalizeBlock overtaken by a later one (see finalizeCalls): the CometBFT that asked is gone. */
  private overtaken(req: RequestFinalizeBlock): FinalizeBlockResponse {
    this.log?.warn({ height: Number(req.height) }, 'a FinalizeBlock overtaken by a later one (CometBFT restarted and sent its height again) finished late; its result is dropped');
    return { events: [], txResults: [], validatorUpdates: [], appHash: new Uint8Array() };
  }

  private decidedOrCommittedHash(): Uint8Array {
    // First block after genesis: chain from the genesis hash.
    if (this.pending && this.genesisHash) return this.genesisHash;
    return this.store.lastCommit().appHash;
  }

  commit(): ResponseCommit {
    const d = this.decided;
    if (!d) throw new Error('Commit without FinalizeBlock');
    // A guard: committing any other height would corrupt the state (fatal: the node stops).
    const expected = this.pending ? d.height : this.store.lastCommit().height + 1n;
    if (d.height !== expected) throw new Error(`Commit of block ${d.height}, where the next block is ${expected}`);
    const writes = this.pending ? mergeLayers(this.pending, d.block) : d.sorted;
    this.store.commit(writes, { height: d.height, appHash: d.appHash, time: d.time });
    const { replaced, terminated } = this.parallel?.committed(this.pending ? packWrites(writes) : d.packed, d.height, d.appHash) ?? { replaced: [], terminated: [] };
    for (const why of terminated) this.log?.error({ height: Number(d.height), err: why }, 'an execution worker hung on a block CometBFT sent again; terminated');
    if (replaced.length > 0) {
      this.workersReplaced += replaced.length;
      this.log?.warn({ height: Number(d.height), workers: replaced }, 'failed execution worker replaced; the new one reads committed state from the database');
    }
    this.pending = null;
    this.genesisHash = null;
    this.decided = null;
    this.checkState = new Overlay(this.store);
    if (this.recheckBy === 'app') {
      // CometBFT holds its mempool locked through Commit, so no CheckTx is out meanwhile.
      this.recheckMempool(this.finalizedTxHashes);
    } else {
      this.admitted = 0; // CometBFT's recheck, which follows, counts what stays
      this.admittedBytes = 0;
    }
    this.finalizedTxHashes = [];
    return { retainHeight: this.retention ? retainHeight(d.height, this.retention) : 0n };
  }

  // ---- ABCI: queries -----------------------------------------------------------------------

  query(req: RequestQuery): ResponseQuery {
    const last = this.store.lastCommit();
    const height = last.height;
    const base = { index: 0n, key: req.data, value: new Uint8Array(), height, codespace: '', info: '', log: '' };
    try {
      // As the Cosmos SDK: until the first block commits, state is not what genesis says (its
      // writes commit with block 1), so nothing is answered from it.
      if (height === 0n) throw ErrInvalidHeight.wrap('this node is not ready: no block has been committed yet; please wait for the first block');
      if (req.height !== 0n && req.height !== height) {
        throw ErrInvalidRequest.wrap(`only the latest height ${height} can be queried, not ${req.height}`);
      }
      if (req.prove) {
        throw ErrNotSupported.wrap('proofs are not supported: the app hash chains each block\'s writes, it is not a Merkle root, so no proof of a value can be given; query without prove');
      }
      const handler = this.engine.queries.get(req.path);
      if (!handler) throw ErrUnknownRequest.wrap(`unknown query path ${JSON.stringify(req.path.slice(0, 200))}`);
      // Requests are decoded in full before anything checks them: none needs more than a few
      // hundred bytes, bar a simulated tx.
      const max = req.path === SIMULATE_PATH ? (this.params?.max_tx_bytes ?? 0) + MAX_QUERY_REQUEST_BYTES : MAX_QUERY_REQUEST_BYTES;
      if (req.data.length > max) throw ErrInvalidRequest.wrap(`query request of ${req.data.length} bytes exceeds ${max}`);
      // The committed block's time, as its state: FinalizeBlock sets the next block's time
      // before that block's state commits.
      const ctx = plainContext(new Overlay(this.store.queryView()), this.blockInfo(height, last.time ?? this.lastBlockTime), 'query');
      return { ...base, code: 0, value: handler.handle(ctx, req.data) };
    } catch (err) {
      const e = toAbciError(err);
      return { ...base, code: e.code, codespace: e.codespace, log: e.log };
    }
  }

  private queryAccount(ctx: Context, data: Uint8Array): Uint8Array {
    const req = decodeRequest(QueryAccountRequest, data);
    validateAddress(req.address);
    const acc = Accounts.get(ctx, req.address);
    if (!acc) {
      // CosmJS's getAccount maps exactly this gRPC-style status to `null`.
      throw new LanesError(ErrKeyNotFound.codespace, ErrKeyNotFound.code, `rpc error: code = NotFound desc = account ${req.address} not found: key not found`);
    }
    return QueryAccountResponse.encode({ account: { typeUrl: '/cosmos.auth.v1beta1.BaseAccount', value: BaseAccount.encode(acc).finish() } }).finish();
  }

  /** Runs the tx against a throwaway copy of the check state; charges the gas a signed tx would. */
  private simulate(data: Uint8Array): Uint8Array {
    const req = decodeRequest(SimulateRequest, data);
    if (req.txBytes.length === 0) throw ErrInvalidRequest.wrap('simulate: tx_bytes is empty (the deprecated `tx` field is not supported)');
    // A second past the last block: the tx runs as the first of the next block, which pays for
    // bringing a pool's TWAP up to date (two stableswap solves on a stable pool), so the
    // estimate covers it wherever the tx lands.
    const block = this.blockInfo(this.store.lastCommit().height + 1n, this.lastBlockTime + 1n);
    const scratch = new Overlay(this.checkState);
    const { result } = runTx(scratch, req.txBytes, { ...this.env(block), simulateGas: this.simulateGas }, 'simulate');
    if (result.code === ErrOutOfGas.code && result.codespace === ErrOutOfGas.codespace && this.simulateGas < (this.params?.max_gas_per_tx ?? 0)) {
      throw new LanesError(result.codespace, result.code, `${result.log}: this node simulates up to ${this.simulateGas} gas; `
        + `a tx that needs more can still be sent with its gas limit set by hand, up to ${this.params?.max_gas_per_tx}`);
    }
    if (result.code !== 0) throw new LanesError(result.codespace, result.code, result.log);
    // As the Cosmos SDK answers: the Msg responses (a swap's amount out, say) in `msg_responses`,
    // and `data` the TxMsgData they came in.
    return SimulateResponse.encode({
      gasInfo: { gasWanted: result.gasWanted, gasUsed: result.gasUsed },
      result: { data: result.data, log: '', events: result.events, msgResponses: TxMsgData.decode(result.data).msgResponses },
    }).finish();
  }

  // ---- ABCI: state sync (not offered yet) -----------------------------------------------------

  listSnapshots(): ResponseListSnapshots {
    return { snapshots: [] };
  }

  offerSnapshot(): ResponseOfferSnapshot {
    return { result: ResponseOfferSnapshot_Result.REJECT };
  }

  loadSnapshotChunk(): ResponseLoadSnapshotChunk {
    return { chunk: new Uint8Array() };
  }

  applySnapshotChunk(): ResponseApplySnapshotChunk {
    return { result: ResponseApplySnapshotChunk_Result.ABORT, refetchChunks: [], rejectSenders: [] };
  }

  /**
   * Stops the execution workers, then closes the state database: at once without workers (the
   * promise is then already settled), after they have exited with them.
   */
  close(): Promise<void> {
    if (!this.parallel) {
      this.store.close();
      return Promise.resolve();
    }
    return this.parallel.close().then(() => this.store.close());
  }
}

function checkFailure(e: { codespace: string; code: number; log: string }): ResponseCheckTx {
  return { ...e, info: '', data: new Uint8Array(), gasWanted: 0n, gasUsed: 0n, events: [] };
}

function parseGenesis(bytes: Uint8Array): AppGenesisState {
  if (bytes.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new Error(`genesis app_state is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('genesis app_state must be a JSON object');
  return parsed as AppGenesisState;
}

function mergeLayers(lower: Overlay, upper: Overlay): [string, Value | null][] {
  const merged = new Map(lower.writes);
  for (const [k, v] of upper.writes) merged.set(k, v);
  return sortKeys([...merged.keys()]).map((k) => [k, merged.get(k) as Value | null]);
}

/**
 * What a tx of `n` bytes counts against a block's `max_tx_bytes` (CometBFT's
 * ComputeProtoSizeForTxs): a length-delimited field. CometBFT reaps its mempool by it, and
 * refuses a PrepareProposal answer whose txs sum past it (Txs.Validate), losing the round.
 */
export function protoTxSize(n: number): number {
  let varint = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 128)) varint++;
  return 1 + varint + n;
}
