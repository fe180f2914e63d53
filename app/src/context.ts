// The context a piece of state-machine code runs in: the KV layer it reads and writes, its gas
// meter, the events it emits and the partitions it touches.
//
// Partitions (ARCHITECTURE.md, "Parallel execution"): every collection maps each key to one
// partition (`account:<addr>`, `pool:<id>`, `market:<denom>`, ...). A tx context records the
// partitions it touches and, when given the tx's declared set, refuses any other — the parallel
// executor relies on that to know groups never share state. `CONST` data (params, per-block
// constants) is readable by every tx and writable only outside the tx phase: a tx that writes
// one fails (ErrInternal, a module bug), the same on every executor, and the chain goes on.
import type { Event, EventAttribute } from 'cosmjs-types/tendermint/abci/types';
import { ErrInternal } from './errors.ts';
import type { KV } from './store/kv.ts';
import type { GasMeter} from './gas.ts';
import { infiniteGasMeter } from './gas.ts';

export const CONST_PARTITION = 'const';

/**
 * Event attributes CometBFT's tx indexer indexes, as "type.key" (the `index` flag is not part
 * of consensus). What integrators search by — senders, recipients, actions, ids — and not
 * amounts or signatures, which would only cost the indexer time on every tx. Modules add
 * theirs with `indexEventAttributes`.
 */
const INDEXED = new Map<string, Set<string>>();

export function indexEventAttributes(...typeDotKeys: string[]): void {
  for (const k of typeDotKeys) {
    const dot = k.lastIndexOf('.');
    if (dot <= 0) throw new Error(`indexed attribute must be "type.key", got ${JSON.stringify(k)}`);
    const type = k.slice(0, dot);
    let keys = INDEXED.get(type);
    if (!keys) INDEXED.set(type, (keys = new Set()));
    keys.add(k.slice(dot + 1));
  }
}

indexEventAttributes(
  'message.action', 'message.sender', 'message.module',
  'transfer.sender', 'transfer.recipient', 'coin_spent.spender', 'coin_received.receiver',
  'coinbase.minter', 'burn.burner', 'tx.fee_payer', 'tx.acc_seq',
);

/** Thrown when a tx touches a partition it did not declare; the executor falls back to sequential. */
export class AccessViolation extends Error {
  override readonly name = 'AccessViolation';
  constructor(readonly partition: string, readonly write: boolean) {
    super(`${write ? 'write to' : 'read of'} undeclared partition ${partition}`);
  }
}

/**
 * What a tx runs for. 'check' and 'recheck': CheckTx (a failing tx changes nothing: the mempool
 * drops it); 'pending': a tx left in the mempool, rechecked by the app itself after a block
 * (LanesAppOptions.recheck 'app'): it stays in CometBFT's mempool whatever happens, so it runs as
 * the block will run it (a failing Msg keeps the fee and the sequence the ante took).
 */
export type ExecMode = 'check' | 'recheck' | 'pending' | 'simulate' | 'deliver' | 'query' | 'block';

export interface BlockInfo {
  height: bigint;
  /** Block time, whole seconds since the Unix epoch (from the header, never the wall clock). */
  timeSeconds: bigint;
  chainId: string;
}

/** `touched` of a recorder that does not record (one per tx otherwise, never filled). */
const NOT_RECORDED: Set<string> = new Set();

/** Up to this many declared partitions are checked by comparison, not through a Set. */
const SMALL_DECLARED = 8;

export class AccessRecorder {
  /** Partitions touched, when constructed with `record` (tests, tools): nothing on the hot path reads it. */
  readonly touched: Set<string>;
  /**
   * The first AccessViolation thrown, kept even if module code catches it: runTx throws it
   * again however the tx ends, so that a Msg that catches errors (and fails with its own, or
   * goes on) cannot turn an undeclared access into a result the sequential executor would not
   * give.
   */
  violation: AccessViolation | undefined = undefined;
  private readonly declaredSet: ReadonlySet<string> | undefined;
  /**
   * `declared` undefined: no limit. A list: refuse anything outside it. `record`: keep `touched`
   * (a Set insert per state access otherwise spent for nobody).
   */
  constructor(readonly declared?: readonly string[], readonly txPhase = true, readonly record = false) {
    // A tx declares a handful of partitions: comparing against each spares building a Set per
    // tx and hashing every partition string looked up in it.
    this.declaredSet = declared !== undefined && declared.length > SMALL_DECLARED ? new Set(declared) : undefined;
    this.touched = record ? new Set() : NOT_RECORDED;
  }

  touch(partition: string, write: boolean): void {
    if (partition === CONST_PARTITION) {
      // Not an AccessViolation: that would make the block re-run sequentially, where the same
      // write would throw again, out of FinalizeBlock, and stop the node.
      if (write && this.txPhase) throw ErrInternal.wrap('a tx wrote a per-block constant (params and the like are read-only while txs run)');
      return;
    }
    const d = this.declared;
    if (d !== undefined && !(this.declaredSet !== undefined ? this.declaredSet.has(partition) : d.includes(partition))) {
      const v = new AccessViolation(partition, write);
      this.violation ??= v;
      throw v;
    }
    if (this.record) this.touched.add(partition);
  }
}

export class Context {
  readonly events: Event[] = [];
  /** Addresses that received funds without an account: numbered at end-block in tx order. */
  readonly newAccounts: string[] = [];

  constructor(
    readonly kv: KV,
    readonly gas: GasMeter,
    readonly access: AccessRecorder,
    readonly block: BlockInfo,
    readonly mode: ExecMode,
  ) {}

  /**
   * Set while a tx's Msg runs (runTx): every event emitted then ends with a `msg_index`
   * attribute, the index of that Msg in the tx, as the Cosmos SDK adds it.
   */
  msgIndex: string | undefined = undefined;

  emit(type: string, attrs: Record<string, string>): void {
    const indexed = INDEXED.get(type);
    const msgIndex = this.msgIndex;
    // Sized up front: an empty array's first push reserves 16 slots, most of a small event's
    // bytes (a transfer's ~7 events took ~2.3 KB of the ~10.7 KB it allocated that way).
    let n = msgIndex === undefined ? 0 : 1;
    for (const _ in attrs) n++;
    const attributes = new Array<EventAttribute>(n);
    let at = 0;
    for (const key in attrs) attributes[at++] = { key, value: attrs[key] as string, index: indexed?.has(key) ?? false };
    if (msgIndex !== undefined) attributes[at] = { key: 'msg_index', value: msgIndex, index: false };
    this.events.push({ type, attributes });
  }

  /** A child context over a new KV layer (same block, mode, access rules and Msg index, fresh events). */
  child(kv: KV, gas: GasMeter = this.gas): Context {
    const c = new Context(kv, gas, this.access, this.block, this.mode);
    c.msgIndex = this.msgIndex;
    return c;
  }
}

/** A context for reads outside any tx: queries, genesis, block hooks. */
export function plainContext(kv: KV, block: BlockInfo, mode: ExecMode): Context {
  return new Context(kv, infiniteGasMeter(), new AccessRecorder(undefined, false), block, mode);
}
