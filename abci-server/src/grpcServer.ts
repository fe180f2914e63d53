// The gRPC binding of an AbciApp to CometBFT v0.38: service tendermint.abci.ABCI, 16 unary methods.
//
// CometBFT panics or exits when a handler returns a gRPC error status, so no handler here ever
// does. What happens when the app throws depends on the method (see `onError` in METHODS):
// - 'respond': CheckTx and Query answer with the Cosmos SDK panic error (sdk/111222) naming it.
// - 'default': a response that keeps the chain live (e.g. PrepareProposal proposes an empty
//   block, VerifyVoteExtension accepts) and an error log.
// - 'fatal': the state machine is broken (InitChain, FinalizeBlock, Commit, and Info and
//   ProcessProposal, where any default would be a wrong answer): log at fatal and exit(1). The
//   supervisor restarts the app and CometBFT replays from the last committed height.
import * as grpc from '@grpc/grpc-js';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import type { Logger } from 'pino';
import { encodeFinalizeBlockResponse, type FinalizeBlockResponse } from '@lanes/app';
import {
  RequestApplySnapshotChunk, RequestCheckTx, RequestCommit, RequestEcho, RequestExtendVote,
  RequestFinalizeBlock, RequestFlush, RequestInfo, RequestInitChain, RequestListSnapshots,
  RequestLoadSnapshotChunk, RequestOfferSnapshot, RequestPrepareProposal, RequestProcessProposal,
  RequestQuery, RequestVerifyVoteExtension, ResponseApplySnapshotChunk,
  ResponseApplySnapshotChunk_Result, ResponseCheckTx, ResponseCommit, ResponseEcho,
  ResponseExtendVote, ResponseFinalizeBlock, ResponseFlush, ResponseInfo, ResponseInitChain,
  ResponseListSnapshots, ResponseLoadSnapshotChunk, ResponseOfferSnapshot,
  ResponseOfferSnapshot_Result, ResponsePrepareProposal, ResponseProcessProposal, ResponseQuery,
  ResponseVerifyVoteExtension, ResponseVerifyVoteExtension_VerifyStatus,
} from 'cosmjs-types/tendermint/abci/types';
import type { AbciApp } from '@lanes/app';

export const ABCI_SERVICE = 'tendermint.abci.ABCI';

/** Cosmos SDK `ErrPanic`: what a Cosmos chain answers when a handler panics. */
export const PANIC_CODESPACE = 'sdk';
export const PANIC_CODE = 111222;

interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}
/** The response codecs also normalise a partial message, so an app may omit empty fields. */
interface ResponseCodec<T> extends Codec<T> {
  fromPartial(object: never): T;
}

type OnError = 'respond' | 'default' | 'fatal';

interface MethodSpec<Req, Res> {
  name: string;
  req: Codec<Req>;
  res: ResponseCodec<Res>;
  onError: OnError;
  /** Undefined for Echo and Flush, which the server answers itself. */
  call?: (app: AbciApp, req: Req) => Res | Promise<Res>;
  /** The answer when the app throws, for onError 'respond' and 'default'. */
  fallback?: (req: Req, err: unknown) => Res;
}

function method<Req, Res>(spec: MethodSpec<Req, Res>): MethodSpec<unknown, unknown> {
  return spec as unknown as MethodSpec<unknown, unknown>;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function panicResponse(what: string, err: unknown) {
  return { code: PANIC_CODE, codespace: PANIC_CODESPACE, log: `panic in ${what}: ${describe(err)}` };
}

/**
 * A proposal when the app cannot make one: an empty block, which every validator accepts. The
 * mempool's txs as CometBFT reaped them could break the app's own rules (its tx count, gas and
 * which txs may be proposed: see the app's ProcessProposal), and every validator would reject
 * the block, costing the round; the txs wait for the next proposer.
 */
function defaultPrepare(): ResponsePrepareProposal {
  return ResponsePrepareProposal.fromPartial({ txs: [] });
}

const METHODS: readonly MethodSpec<unknown, unknown>[] = [
  method({ name: 'Echo', req: RequestEcho, res: ResponseEcho, onError: 'fatal' }),
  method({ name: 'Flush', req: RequestFlush, res: ResponseFlush, onError: 'fatal' }),
  method({
    name: 'Info', req: RequestInfo, res: ResponseInfo, onError: 'fatal',
    // A default Info (height 0) would make CometBFT replay the chain onto existing state.
    call: (app, r: RequestInfo) => app.info(r),
  }),
  method({
    name: 'CheckTx', req: RequestCheckTx, res: ResponseCheckTx, onError: 'respond',
    call: (app, r: RequestCheckTx) => app.checkTx(r),
    fallback: (_r, err) => ResponseCheckTx.fromPartial(panicResponse('CheckTx', err)),
  }),
  method({
    name: 'Query', req: RequestQuery, res: ResponseQuery, onError: 'respond',
    call: (app, r: RequestQuery) => app.query(r),
    fallback: (r, err) => ResponseQuery.fromPartial(panicResponse(`Query ${r.path}`, err)),
  }),
  method({
    name: 'Commit', req: RequestCommit, res: ResponseCommit, onError: 'fatal',
    call: (app) => app.commit(),
  }),
  method({
    name: 'InitChain', req: RequestInitChain, res: ResponseInitChain, onError: 'fatal',
    call: (app, r: RequestInitChain) => app.initChain(r),
  }),
  method({
    name: 'ListSnapshots', req: RequestListSnapshots, res: ResponseListSnapshots, onError: 'default',
    call: (app) => app.listSnapshots(),
    fallback: () => ResponseListSnapshots.fromPartial({}),
  }),
  method({
    name: 'OfferSnapshot', req: RequestOfferSnapshot, res: ResponseOfferSnapshot, onError: 'default',
    call: (app, r: RequestOfferSnapshot) => app.offerSnapshot(r),
    fallback: () => ResponseOfferSnapshot.fromPartial({ result: ResponseOfferSnapshot_Result.REJECT }),
  }),
  method({
    name: 'LoadSnapshotChunk', req: RequestLoadSnapshotChunk, res: ResponseLoadSnapshotChunk, onError: 'default',
    call: (app, r: RequestLoadSnapshotChunk) => app.loadSnapshotChunk(r),
    fallback: () => ResponseLoadSnapshotChunk.fromPartial({}),
  }),
  method({
    name: 'ApplySnapshotChunk', req: RequestApplySnapshotChunk, res: ResponseApplySnapshotChunk, onError: 'default',
    call: (app, r: RequestApplySnapshotChunk) => app.applySnapshotChunk(r),
    fallback: () => ResponseApplySnapshotChunk.fromPartial({ result: ResponseApplySnapshotChunk_Result.REJECT_SNAPSHOT }),
  }),
  method({
    name: 'PrepareProposal', req: RequestPrepareProposal, res: ResponsePrepareProposal, onError: 'default',
    call: (app, r: RequestPrepareProposal) => app.prepareProposal(r),
    fallback: () => defaultPrepare(),
  }),
  method({
    name: 'ProcessProposal', req: RequestProcessProposal, res: ResponseProcessProposal, onError: 'fatal',
    // REJECT under a bug would vote against honest proposals; ACCEPT would vote blind.
    call: (app, r: RequestProcessProposal) => app.processProposal(r),
  }),
  method({
    name: 'ExtendVote', req: RequestExtendVote, res: ResponseExtendVote, onError: 'default',
    call: (app, r: RequestExtendVote) => app.extendVote(r),
    fallback: () => ResponseExtendVote.fromPartial({}),
  }),
  method({
    name: 'VerifyVoteExtension', req: RequestVerifyVoteExtension, res: ResponseVerifyVoteExtension, onError: 'default',
    // Rejecting drops the sender's precommit (a liveness risk); ProcessProposal checks again.
    call: (app, r: RequestVerifyVoteExtension) => app.verifyVoteExtension(r),
    fallback: () => ResponseVerifyVoteExtension.fromPartial({ status: ResponseVerifyVoteExtension_VerifyStatus.ACCEPT }),
  }),
  method({
    name: 'FinalizeBlock', req: RequestFinalizeBlock, res: ResponseFinalizeBlock, onError: 'fatal',
    call: (app, r: RequestFinalizeBlock) => app.finalizeBlock(r),
  }),
];

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The typed service definition (requests and responses as cosmjs-types messages), for clients:
 * `new (grpc.makeGenericClientConstructor(abciServiceDefinition, 'ABCI'))(addr, creds)`.
 */
export const abciServiceDefinition: grpc.ServiceDefinition = Object.fromEntries(
  METHODS.map((m) => [m.name, {
    path: `/${ABCI_SERVICE}/${m.name}`,
    originalName: m.name,
    requestStream: false,
    responseStream: false,
    requestSerialize: (v: unknown) => toBuffer(m.req.encode(v).finish()),
    requestDeserialize: (b: Buffer) => m.req.decode(b),
    responseSerialize: (v: unknown) => toBuffer(m.res.encode(v).finish()),
    responseDeserialize: (b: Buffer) => m.res.decode(b),
  } satisfies grpc.MethodDefinition<unknown, unknown>]),
);

/**
 * The server's definition passes raw bytes: decoding and encoding happen inside the handler,
 * under its error policy, so a malformed message can never surface as a gRPC status.
 */
const rawServiceDefinition: grpc.ServiceDefinition = Object.fromEntries(
  METHODS.map((m) => [m.name, {
    path: `/${ABCI_SERVICE}/${m.name}`,
    originalName: m.name,
    requestStream: false,
    responseStream: false,
    requestSerialize: (v: Buffer) => v,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (v: Buffer) => v,
    responseDeserialize: (b: Buffer) => b,
  } satisfies grpc.MethodDefinition<Buffer, Buffer>]),
);

/**
 * Encodes a handler's response and answers the call. A module-level function, not a closure
 * made per call: tsx (esbuild keepNames) names each named closure as it is created, with an
 * Object.defineProperty of ~450 ns, on every CheckTx.
 */
function reply(m: MethodSpec<unknown, unknown>, callback: grpc.sendUnaryData<Buffer>, res: unknown): void {
  callback(null, toBuffer(m.name === 'FinalizeBlock'
    // Tx results arrive already encoded by the executors (in parallel, when it runs).
    ? encodeFinalizeBlockResponse(res as Partial<FinalizeBlockResponse>)
    : m.res.encode(m.res.fromPartial(res as never)).finish()));
}

export interface AbciGrpcServerOptions {
  /** host:port to listen on, e.g. '127.0.0.1:26658'; port 0 picks a free one. */
  address: string;
  logger: Logger;
  /**
   * Called after a consensus method threw and the error was logged at fatal. Default: exit(1).
   * CONTRACT: must not return control to CometBFT; the pending call is never answered.
   */
  onFatal?: (err: unknown, method: string) => void;
}

/**
 * HTTP/2 flow-control window the server grants CometBFT, per stream and per connection.
 *
 * At HTTP/2's default of 64 KiB, every 64 KiB of a request waits for a WINDOW_UPDATE from this
 * process, and under load the event loop sends it only between CheckTx calls. A block's
 * PrepareProposal, ProcessProposal and FinalizeBlock each carry its txs (up to the 3 MiB of
 * `block.max_bytes`), so each waited several times per block, with the mempool's CheckTx calls
 * sharing the same connection window. Measured under `lanes load` (three alternating pairs of
 * 30 s runs): 2,091-2,551 against 2,323-2,767 tx/s, inclusion p50 532-596 against 271-308 ms.
 * 16 MiB is grpc-go's own ceiling for its dynamic windows; the window is credit, not a buffer.
 */
export const FLOW_CONTROL_WINDOW_BYTES = 16 * 1024 * 1024;

/**
 * grpc-js 1.14 has no server option for the flow-control window (its client has
 * `grpc-node.flow_control_window`; grpc-node PR #3058 proposes the same for servers), so the
 * window is set on each HTTP/2 session grpc-js creates, reached through its `http2Servers`.
 * Returns false, changing nothing, when that field is not what this expects (another grpc-js).
 */
function widenFlowControlWindow(server: grpc.Server, bytes: number): boolean {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map)) return false;
  for (const h2 of servers.keys() as Iterable<Http2Server>) {
    h2.on('session', (session: ServerHttp2Session) => {
      session.setLocalWindowSize(bytes); // the connection's window
      session.settings({ initialWindowSize: bytes }); // each stream's
    });
  }
  return servers.size > 0;
}

export interface AbciGrpcServer {
  port: number;
  /** Stops accepting calls, lets in-flight ones finish (5 s at most), then closes. */
  close(): Promise<void>;
}

export async function startAbciGrpcServer(app: AbciApp, opts: AbciGrpcServerOptions): Promise<AbciGrpcServer> {
  const { logger } = opts;
  const onFatal = opts.onFatal ?? (() => process.exit(1));
  const server = new grpc.Server({
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
    // Channelz (gRPC's introspection service) is not served here: skip its per-call bookkeeping.
    'grpc.enable_channelz': 0,
  });

  const handlers: grpc.UntypedServiceImplementation = {};
  for (const m of METHODS) {
    const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
      let req: unknown;
      // Promise.resolve().then: a synchronous throw takes the same path as a rejection, and
      // concurrent calls (CheckTx from many broadcasts) each stay in flight independently.
      Promise.resolve()
        .then(() => {
          req = m.req.decode(call.request);
          if (m.name === 'Echo') {
            app.clientConnected?.();
            return ResponseEcho.fromPartial({ message: (req as RequestEcho).message });
          }
          if (m.name === 'Flush') return ResponseFlush.fromPartial({});
          return m.call!(app, req);
        })
        .then((res) => reply(m, callback, res))
        .catch((err: unknown) => {
          if (m.onError !== 'fatal' && m.fallback && req !== undefined) {
            logger.error({ err, method: m.name }, `ABCI ${m.name} failed; answering with a safe default`);
            try {
              reply(m, callback, m.fallback(req, err));
              return;
            } catch (err2) {
              err = err2;
            }
          }
          logger.fatal({ err, method: m.name }, `ABCI ${m.name} failed: the state machine cannot continue; exiting`);
          onFatal(err, m.name);
        });
    };
    handlers[m.name] = handler as grpc.UntypedHandleCall;
  }
  server.addService(rawServiceDefinition, handlers);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(opts.address, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  // Before CometBFT connects: the window applies to sessions opened from here on.
  if (!widenFlowControlWindow(server, FLOW_CONTROL_WINDOW_BYTES)) {
    logger.warn('could not widen the HTTP/2 flow-control window (grpc-js internals changed?): large ABCI requests will be slower');
  }
  logger.info({ address: opts.address, port }, 'ABCI gRPC server listening');

  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 5000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return closing;
    },
  };
}
