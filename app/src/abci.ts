// The ABCI 2.0 surface of the app, in cosmjs-types messages (tendermint.abci, CometBFT v0.38).
// abci-server binds it to gRPC; tests and benchmarks call it directly. No gRPC or HTTP here.
//
// CONTRACT: CheckTx and Query never throw: every failure is a response with code/codespace/log.
// The consensus methods (InitChain, FinalizeBlock, Commit) report per-tx failures in their
// results; if one throws, the state machine is broken and the caller must stop the process
// (CometBFT then replays from the last committed height on restart).
import type {
  RequestApplySnapshotChunk, RequestCheckTx, RequestExtendVote, RequestFinalizeBlock, RequestInfo,
  RequestInitChain, RequestLoadSnapshotChunk, RequestOfferSnapshot, RequestPrepareProposal,
  RequestProcessProposal, RequestQuery, RequestVerifyVoteExtension, ResponseApplySnapshotChunk,
  ResponseCheckTx, ResponseCommit, ResponseExtendVote, ResponseFinalizeBlock, ResponseInfo,
  ResponseInitChain, ResponseListSnapshots, ResponseLoadSnapshotChunk, ResponseOfferSnapshot,
  ResponsePrepareProposal, ResponseProcessProposal, ResponseQuery, ResponseVerifyVoteExtension,
} from 'cosmjs-types/tendermint/abci/types';
import { ResponseFinalizeBlock as FinalizeBlockCodec } from 'cosmjs-types/tendermint/abci/types';

export type MaybePromise<T> = T | Promise<T>;

export interface AbciApp {
  info(req: RequestInfo): MaybePromise<ResponseInfo>;
  initChain(req: RequestInitChain): MaybePromise<ResponseInitChain>;
  query(req: RequestQuery): MaybePromise<ResponseQuery>;
  checkTx(req: RequestCheckTx): MaybePromise<ResponseCheckTx>;
  prepareProposal(req: RequestPrepareProposal): MaybePromise<ResponsePrepareProposal>;
  processProposal(req: RequestProcessProposal): MaybePromise<ResponseProcessProposal>;
  extendVote(req: RequestExtendVote): MaybePromise<ResponseExtendVote>;
  verifyVoteExtension(req: RequestVerifyVoteExtension): MaybePromise<ResponseVerifyVoteExtension>;
  finalizeBlock(req: RequestFinalizeBlock): MaybePromise<FinalizeBlockResponse>;
  commit(): MaybePromise<ResponseCommit>;
  listSnapshots(): MaybePromise<ResponseListSnapshots>;
  offerSnapshot(req: RequestOfferSnapshot): MaybePromise<ResponseOfferSnapshot>;
  loadSnapshotChunk(req: RequestLoadSnapshotChunk): MaybePromise<ResponseLoadSnapshotChunk>;
  applySnapshotChunk(req: RequestApplySnapshotChunk): MaybePromise<ResponseApplySnapshotChunk>;
  /**
   * An ABCI client of CometBFT connected: CometBFT 0.38 sends Echo on each of its connections
   * when it starts (and at no other time), with an empty mempool, since it keeps none across
   * restarts. The server answers Echo itself and tells the app through this.
   */
  clientConnected?(): void;
  /** Releases the database. */
  close(): void;
}

/**
 * A FinalizeBlock response whose tx results are also available already encoded (the executors
 * encode them where they run, in parallel when the parallel executor runs); `txResults`
 * decodes them lazily for in-process callers.
 */
export type FinalizeBlockResponse = ResponseFinalizeBlock & { encodedTxResults?: readonly Uint8Array[] };

/** Encodes a FinalizeBlock response (fields may be partial), reusing pre-encoded tx results (field 2). */
export function encodeFinalizeBlockResponse(res: Partial<FinalizeBlockResponse>): Uint8Array {
  const pre = res.encodedTxResults;
  const w = FinalizeBlockCodec.encode(FinalizeBlockCodec.fromPartial({
    events: res.events ?? [],
    txResults: pre ? [] : (res.txResults ?? []),
    validatorUpdates: res.validatorUpdates ?? [],
    appHash: res.appHash ?? new Uint8Array(),
    ...(res.consensusParamUpdates ? { consensusParamUpdates: res.consensusParamUpdates } : {}),
  }));
  if (pre) for (const r of pre) w.uint32(18).bytes(r);
  return w.finish();
}
