// Typed events: the swap event, written out by hand for speed, must carry exactly the
// attributes the generic path (proto3 JSON of each field through ts-proto's toJSON) gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Context } from '@lanes/app';
import { EventSwap } from '@lanes/proto/lanes/amm/v1/events';
import { emitSwap, typedAttributes } from './events.ts';

function emitted(e: EventSwap): { type: string; attrs: Record<string, string> }[] {
  const out: { type: string; attrs: Record<string, string> }[] = [];
  const ctx = { emit: (type: string, attrs: Record<string, string>) => out.push({ type, attrs: { ...attrs } }) } as unknown as Context;
  emitSwap(ctx, e);
  return out;
}

test('emitSwap writes the same attributes, in the same order, as the generic typed-event path (property)', () => {
  // Strings with what JSON must escape, non-ASCII and empty ones (which toJSON leaves out).
  const str = fc.oneof(fc.constantFrom('', 'uatom', 'a"b\\c', 'line\nbreak', '\u0000\u001f', 'é🦀', 'amm/pool/1'), fc.string({ unit: 'grapheme', maxLength: 12 }));
  const coin = fc.record({ denom: str, amount: fc.oneof(str, fc.bigInt({ min: 0n, max: 1n << 256n }).map(String)) });
  const ev = fc.record({
    poolId: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 0xffffffffffffffffn })),
    sender: str,
    tokenIn: fc.option(coin, { nil: undefined }),
    tokenOut: fc.option(coin, { nil: undefined }),
    reserves: fc.array(coin, { maxLength: 3 }),
  });
  fc.assert(fc.property(ev, (e) => {
    // Fields in the order the keeper writes them, which is the attributes' order.
    const msg: EventSwap = { poolId: e.poolId, sender: e.sender, tokenIn: e.tokenIn, tokenOut: e.tokenOut, reserves: e.reserves };
    const got = emitted(msg);
    assert.equal(got.length, 1);
    assert.equal(got[0]?.type, 'lanes.amm.v1.EventSwap');
    const want = typedAttributes(EventSwap, msg);
    assert.deepEqual(Object.entries(got[0]?.attrs ?? {}), Object.entries(want));
    // And every value is JSON an indexer can read back into the event.
    const back = EventSwap.fromJSON(Object.fromEntries(Object.entries(got[0]?.attrs ?? {}).map(([k, v]) => [k, JSON.parse(v)])));
    assert.deepEqual(back, EventSwap.fromPartial(msg));
  }), { numRuns: 500 });
});

test('emitSwap: a real hop\'s event, pinned', () => {
  const [e] = emitted({
    poolId: 7n, sender: 'lanes1abc', tokenIn: { denom: 'uatom', amount: '1000' }, tokenOut: { denom: 'uusdc', amount: '4985' },
    reserves: [{ denom: 'uatom', amount: '1000001000' }, { denom: 'uusdc', amount: '4999995015' }],
  });
  assert.deepEqual(e?.attrs, {
    pool_id: '"7"',
    sender: '"lanes1abc"',
    token_in: '{"denom":"uatom","amount":"1000"}',
    token_out: '{"denom":"uusdc","amount":"4985"}',
    reserves: '[{"denom":"uatom","amount":"1000001000"},{"denom":"uusdc","amount":"4999995015"}]',
  });
});
