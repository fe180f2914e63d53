// The module registry a state machine runs with: every Msg handler and query by name, and the
// fee bank. Built the same way on the main thread and in each execution worker.
import type { FeeBank, ExecEnv } from './execute.ts';
import type { BlockInfo } from './context.ts';
import type { Module, MsgHandler, QueryHandler } from './module.ts';
import type { Params } from './params.ts';
import type { SigVerifier } from './sigverify.ts';
import { moduleAddress } from './address.ts';

export const FEE_COLLECTOR = moduleAddress('fee_collector');

export interface ModuleSet {
  modules: readonly Module[];
  feeBank: FeeBank;
}

export class Engine {
  readonly modules: readonly Module[];
  readonly feeBank: FeeBank;
  readonly queries = new Map<string, QueryHandler>();
  private readonly msgHandlers = new Map<string, MsgHandler<unknown>>();
  readonly lookup = (typeUrl: string): MsgHandler<unknown> | undefined => this.msgHandlers.get(typeUrl);

  constructor(set: ModuleSet) {
    this.modules = set.modules;
    this.feeBank = set.feeBank;
    for (const m of set.modules) {
      for (const h of m.msgs) {
        if (this.msgHandlers.has(h.typeUrl)) throw new Error(`Msg ${h.typeUrl} registered twice`);
        this.msgHandlers.set(h.typeUrl, h);
      }
      for (const q of m.queries) this.addQuery(q);
    }
  }

  addQuery(q: QueryHandler): void {
    if (this.queries.has(q.path)) throw new Error(`query ${q.path} registered twice`);
    this.queries.set(q.path, q);
  }

  env(block: BlockInfo, params: Params, sigs: SigVerifier): ExecEnv {
    return { block, params, lookup: this.lookup, feeBank: this.feeBank, sigs, feeCollector: FEE_COLLECTOR };
  }
}
