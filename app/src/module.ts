// What a module plugs into the app: its Msgs (with stateless validation, signers and declared
// partitions), its queries, its genesis and its block hooks. The app core knows no module by name.
import type { Context } from './context.ts';
import { ErrInvalidRequest, LanesError, isNodeFault } from './errors.ts';
import type { ProtoShape } from './protoShape.ts';

export interface AnyMsg {
  typeUrl: string;
  value: Uint8Array;
}

export interface MsgHandler<M> {
  readonly typeUrl: string;
  /** The module that owns the Msg, for the `message.module` event attribute. */
  readonly module: string;
  /**
   * The Msg's protobuf fields (nested messages included): a field outside them is refused
   * before decoding (sdk/2), as the Cosmos SDK does, not signed and then ignored.
   */
  readonly shape: ProtoShape;
  decode(bytes: Uint8Array): M;
  /** Stateless checks: throws a LanesError naming the bad field and value. */
  validate(msg: M): void;
  /** Addresses that must sign, in order. */
  signers(msg: M): string[];
  /** Partitions the Msg writes, from its fields alone (see context.ts). */
  access(msg: M): string[];
  /** Executes against state; returns the Msg response as an Any for TxMsgData. */
  handle(ctx: Context, msg: M): AnyMsg;
}

export interface QueryHandler {
  readonly path: string;
  /** Decodes `data` with decodeRequest, so that bad bytes are the caller's error (sdk/18), not a bug. */
  handle(ctx: Context, data: Uint8Array): Uint8Array;
}

/** A query's request decoded, or ErrInvalidRequest (sdk/18) naming why it does not decode. */
export function decodeRequest<T>(codec: { decode(data: Uint8Array): T }, data: Uint8Array): T {
  try {
    return codec.decode(data);
  } catch (e) {
    if (e instanceof LanesError || isNodeFault(e)) throw e;
    throw ErrInvalidRequest.wrap(`cannot decode the request: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export interface Module {
  readonly name: string;
  readonly msgs: readonly MsgHandler<unknown>[];
  readonly queries: readonly QueryHandler[];
  /** Throws naming the bad entry; called before initGenesis touches state. */
  validateGenesis(state: unknown): void;
  initGenesis(ctx: Context, state: unknown): void;
  exportGenesis(ctx: Context): unknown;
  beginBlock?(ctx: Context): void;
  /** Runs after the block's fees are credited; accounts first credited in the block (here too) are numbered after it. */
  endBlock?(ctx: Context): void;
}

/** Erases a handler's Msg type so handlers of different Msgs fit in one list. */
export function defineMsg<M>(h: MsgHandler<M>): MsgHandler<unknown> {
  return h as MsgHandler<unknown>;
}
