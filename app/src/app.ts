// LanesApp: the state machine behind the ABCI surface. Holds three views of state:
//   committed (SQLite + cache)  <- pending (InitChain writes not yet committed)
//                                 <- block (the FinalizeBlock being decided, until Commit)
//   checkState: an overlay for CheckTx, reset at every Commit; CometBFT rechecks the mempool.
import type {
  RequestCheckTx, RequestFinalizeBlock, RequestInfo, RequestInitChain, RequestPrepareProposal, RequestQuery,
  ResponseApplySnapshotChunk, ResponseCheckTx, ResponseCommit, ResponseExtendVote, ResponseFinalizeBlock,
  ResponseInfo, ResponseInitChain, ResponseListSnapshots, ResponseLoadSnapshotChunk, ResponseOfferSnapshot,
  ResponsePrepareProposal, ResponseProcessProposal, ResponseQuery, ResponseVerifyVoteExtension,
} from 'cosmjs-types/tendermint/abci/types';
import {
  CheckTxType, ResponseApplySnapshotChunk_Result, ResponseOfferSnapshot_Result, ResponseProcessProposal_ProposalStatus,
  ResponseVerifyVoteExtension_VerifyStatus,
} from 'cosmjs-types/tendermint/abci/types';
import { QueryAccountRequest, QueryAccountResponse } from 'cosmjs-types/cosmos/auth/v1beta1/query';
import { BaseAccount } from 'cosmjs-types/cosmos/auth/v1beta1/auth';
import { SimulateRequest, SimulateResponse } from 'cosmjs-types/cosmos/tx/v1beta1/service';
import type { Logger } from 'pino';
import type { AbciApp } from './abci.ts';
import { CommittedStore } from './store/sqlite.ts';
import { Overlay } from './store/kv.ts';
import { plainContext, type BlockInfo, type Context } from './context.ts';
import type { Module, MsgHandler, QueryHandler } from './module.ts';
import { runTx, type ExecEnv, type FeeBank } from './execute.ts';
import { executeBlock, foldBlock } from './executor.ts';
import { SigVerifier } from './sigverify.ts';
import { nextAppHash } from './apphash.ts';
import { Accounts, ChainIdItem, ParamsItem, createAccounts } from './auth.ts';
import { normalizeParams, type Params } from './params.ts';
import { validateAddress, moduleAddress } from './address.ts';
import { ErrInvalidRequest, ErrKeyNotFound, ErrUnknownRequest, LanesError, toAbciError } from './errors.ts';
import { APP_NAME, APP_PROTOCOL_VERSION, APP_VERSION } from './constants.ts';

export const FEE_COLLECTOR = moduleAddress('fee_collector');

export interface AppGenesisState {
  params?: Partial<Params>;
  auth?: { accounts?: { address: string }[] };
  [module: string]: unknown;
}

export interface LanesAppOptions {
  /** SQLite file, or ':memory:' for tests and benchmarks. */
  dbPath: string;
  modules: readonly Module[];
  feeBank: FeeBank;
  logger?: Logger;
}

interface Decided {
  height: bigint;
  block: Overlay;
  appHash: Uint8Array;
}

export class LanesApp implements AbciApp {
  readonly store: CommittedStore;
  readonly sigs = new SigVerifier();
  private readonly modules: readonly Module[];
  private readonly msgHandlers = new Map<string, MsgHandler<unknown>>();
  private readonly queryHandlers = new Map<string, QueryHandler>();
  private readonly feeBank: FeeBank;
  private readonly log: Logger | undefined;
  private pending: Overlay | null = null;
  private decided: Decided | null = null;
  private checkState: Overlay;
  private lastBlockTime = 0n;
  private chainId = '';
  private params: Params | null = null;

  constructor(opts: LanesAppOptions) {
    this.store = new CommittedStore(opts.dbPath);
    this.modules = opts.modules;
    this.feeBank = opts.feeBank;
    this.log = opts.logger;
    for (const m of opts.modules) {
      for (const h of m.msgs) {
        if (this.msgHandlers.has(h.typeUrl)) throw new Error(`Msg ${h.typeUrl} registered twice`);
        this.msgHandlers.set(h.typeUrl, h);
      }
      for (const q of m.queries) this.addQuery(q);
    }
    this.addQuery({ path: '/cosmos.auth.v1beta1.Query/Account', handle: (ctx, data) => this.queryAccount(ctx, data) });
    this.addQuery({ path: '/cosmos.tx.v1beta1.Service/Simulate', handle: (_ctx, data) => this.simulate(data) });
    this.checkState = new Overlay(this.store);
    if (this.store.lastCommit().height > 0n) this.loadConstants(plainContext(new Overlay(this.store), this.blockInfo(0n), 'query'));
  }

  private addQuery(q: QueryHandler): void {
    if (this.queryHandlers.has(q.path)) throw new Error(`query ${q.path} registered twice`);
    this.queryHandlers.set(q.path, q);
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
    return {
      block,
      params: this.params,
      lookup: (url) => this.msgHandlers.get(url),
      feeBank: this.feeBank,
      sigs: this.sigs,
      feeCollector: FEE_COLLECTOR,
    };
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
    this.pending = pending;
    this.checkState = new Overlay(pending);
    this.log?.info({ chainId: req.chainId, modules: this.modules.map((m) => m.name) }, 'genesis initialised');
    return { validators: [], appHash };
  }

  // ---- ABCI: mempool -----------------------------------------------------------------------

  checkTx(req: RequestCheckTx): ResponseCheckTx {
    const mode = req.type === CheckTxType.RECHECK ? 'recheck' : 'check';
    try {
      const block = this.blockInfo(this.store.lastCommit().height + 1n);
      const { result } = runTx(this.checkState, req.tx, this.env(block), mode);
      return {
        code: result.code, codespace: result.codespace, log: result.log, info: '', data: result.data,
        gasWanted: result.gasWanted, gasUsed: result.gasUsed, events: [],
      };
    } catch (err) {
      const e = toAbciError(err);
      return { ...e, info: '', data: new Uint8Array(), gasWanted: 0n, gasUsed: 0n, events: [] };
    }
  }

  // ---- ABCI: consensus ---------------------------------------------------------------------

  prepareProposal(req: RequestPrepareProposal): ResponsePrepareProposal {
    // Keep CometBFT's order; drop what would overflow the block.
    const txs: Uint8Array[] = [];
    let bytes = 0n;
    for (const tx of req.txs) {
      if (bytes + BigInt(tx.length) > req.maxTxBytes) break;
      bytes += BigInt(tx.length);
      txs.push(tx);
    }
    return { txs };
  }

  processProposal(): ResponseProcessProposal {
    // Invalid txs are reported per tx in FinalizeBlock; nothing here makes a block unacceptable yet.
    return { status: ResponseProcessProposal_ProposalStatus.ACCEPT };
  }

  extendVote(): ResponseExtendVote {
    return { voteExtension: new Uint8Array() };
  }

  verifyVoteExtension(): ResponseVerifyVoteExtension {
    return { status: ResponseVerifyVoteExtension_VerifyStatus.ACCEPT };
  }

  finalizeBlock(req: RequestFinalizeBlock): ResponseFinalizeBlock {
    const started = process.hrtime.bigint();
    const base = this.pending ?? this.store;
    const blockKV = new Overlay(base);
    const info = this.blockInfo(req.height, req.time.seconds);
    const env = this.env(info);
    const hookCtx = plainContext(blockKV, info, 'block');
    for (const m of this.modules) m.beginBlock?.(hookCtx);
    const outcomes = executeBlock(blockKV, req.txs, env);
    foldBlock(hookCtx, outcomes, env);
    for (const m of this.modules) m.endBlock?.(hookCtx);
    const prevHash = this.decidedOrCommittedHash();
    const appHash = nextAppHash(prevHash, blockKV.sortedWrites());
    this.decided = { height: req.height, block: blockKV, appHash };
    this.lastBlockTime = req.time.seconds;
    if (this.log && (req.txs.length > 0 || req.height % 100n === 0n)) {
      const ok = outcomes.filter((o) => o.result.code === 0).length;
      this.log.info({ height: Number(req.height), txs: req.txs.length, ok, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'block executed');
    }
    return {
      events: hookCtx.events,
      txResults: outcomes.map((o) => o.result),
      validatorUpdates: [],
      appHash,
    };
  }

  private decidedOrCommittedHash(): Uint8Array {
    if (this.pending) {
      // First block after genesis: chain from the genesis hash.
      return nextAppHash(new Uint8Array(), this.pending.sortedWrites());
    }
    return this.store.lastCommit().appHash;
  }

  commit(): ResponseCommit {
    const d = this.decided;
    if (!d) throw new Error('Commit without FinalizeBlock');
    const writes = this.pending ? mergeLayers(this.pending, d.block) : d.block.sortedWrites();
    this.store.commit(writes, { height: d.height, appHash: d.appHash });
    this.pending = null;
    this.decided = null;
    this.checkState = new Overlay(this.store);
    return { retainHeight: 0n };
  }

  // ---- ABCI: queries -----------------------------------------------------------------------

  query(req: RequestQuery): ResponseQuery {
    const height = this.store.lastCommit().height;
    const base = { index: 0n, key: req.data, value: new Uint8Array(), height, codespace: '', info: '', log: '' };
    try {
      if (req.height !== 0n && req.height !== height) {
        throw ErrInvalidRequest.wrap(`only the latest height ${height} can be queried, not ${req.height}`);
      }
      const handler = this.queryHandlers.get(req.path);
      if (!handler) throw ErrUnknownRequest.wrap(`unknown query path ${JSON.stringify(req.path.slice(0, 200))}`);
      const ctx = plainContext(new Overlay(this.store), this.blockInfo(height), 'query');
      return { ...base, code: 0, value: handler.handle(ctx, req.data) };
    } catch (err) {
      const e = toAbciError(err);
      return { ...base, code: e.code, codespace: e.codespace, log: e.log };
    }
  }

  private queryAccount(ctx: Context, data: Uint8Array): Uint8Array {
    const req = QueryAccountRequest.decode(data);
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
    const req = SimulateRequest.decode(data);
    if (req.txBytes.length === 0) throw ErrInvalidRequest.wrap('simulate: tx_bytes is empty (the deprecated `tx` field is not supported)');
    const block = this.blockInfo(this.store.lastCommit().height + 1n);
    const scratch = new Overlay(this.checkState);
    const { result } = runTx(scratch, req.txBytes, this.env(block), 'simulate');
    if (result.code !== 0) throw new LanesError(result.codespace, result.code, result.log);
    return SimulateResponse.encode({
      gasInfo: { gasWanted: result.gasWanted, gasUsed: result.gasUsed },
      result: { data: new Uint8Array(), log: '', events: result.events, msgResponses: [] },
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

  close(): void {
    this.store.close();
  }
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

function mergeLayers(lower: Overlay, upper: Overlay): [string, Uint8Array | null][] {
  const merged = new Map(lower.writes);
  for (const [k, v] of upper.writes) merged.set(k, v);
  return [...merged.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
