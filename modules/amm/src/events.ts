// Typed events, Cosmos style: the type is the proto message's full name and every attribute value
// is the field's proto3 JSON (strings quoted, uint64 as a quoted decimal, coins as objects), so an
// indexer can decode them with the generated codecs' fromJSON.
import { indexEventAttributes, type Context } from '@lanes/app';

// Indexed for tx_search: by pool and by trader.
indexEventAttributes(
  'lanes.amm.v1.EventSwap.pool_id', 'lanes.amm.v1.EventSwap.sender',
  'lanes.amm.v1.EventPoolCreated.pool_id', 'lanes.amm.v1.EventPoolCreated.creator',
  'lanes.amm.v1.EventLiquidityAdded.pool_id', 'lanes.amm.v1.EventLiquidityAdded.sender',
  'lanes.amm.v1.EventLiquidityRemoved.pool_id', 'lanes.amm.v1.EventLiquidityRemoved.sender',
);
import { EventLiquidityAdded, EventLiquidityRemoved, EventPoolCreated, EventSwap } from '@lanes/proto/lanes/amm/v1/events';

interface JsonCodec<T> {
  toJSON(m: T): unknown;
}

function emitTyped<T extends object>(ctx: Context, type: string, codec: JsonCodec<T>, msg: T): void {
  const json = codec.toJSON(msg) as Record<string, unknown>;
  const attrs: Record<string, string> = {};
  // ts-proto's toJSON omits default values; typed events list every field.
  for (const key of Object.keys(msg)) attrs[snake(key)] = JSON.stringify(json[key] ?? defaultJson((msg as Record<string, unknown>)[key]));
  ctx.emit(type, attrs);
}

function snake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function defaultJson(v: unknown): unknown {
  if (Array.isArray(v)) return [];
  if (typeof v === 'bigint') return v.toString();
  return v ?? null;
}

export function emitPoolCreated(ctx: Context, e: EventPoolCreated): void {
  emitTyped(ctx, 'lanes.amm.v1.EventPoolCreated', EventPoolCreated, e);
}

export function emitSwap(ctx: Context, e: EventSwap): void {
  emitTyped(ctx, 'lanes.amm.v1.EventSwap', EventSwap, e);
}

export function emitLiquidityAdded(ctx: Context, e: EventLiquidityAdded): void {
  emitTyped(ctx, 'lanes.amm.v1.EventLiquidityAdded', EventLiquidityAdded, e);
}

export function emitLiquidityRemoved(ctx: Context, e: EventLiquidityRemoved): void {
  emitTyped(ctx, 'lanes.amm.v1.EventLiquidityRemoved', EventLiquidityRemoved, e);
}
