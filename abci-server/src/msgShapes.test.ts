// Every Msg the node registers declares its protobuf fields (MsgHandler.shape), and a field outside
// them is refused. These tests hold each declaration to the generated codec: a sample of each Msg
// with every field set (typed as the generated interface, so a field added to the .proto and
// regenerated fails to compile here until the sample, and so the shape, has it) must use exactly
// the fields its shape declares, with the same wire types, nested messages included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryReader } from 'cosmjs-types/binary';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { PoolType } from '@lanes/proto/lanes/amm/v1/amm';
import { MsgAddLiquidity, MsgCreatePool, MsgRemoveLiquidity, MsgSwapExactIn, MsgSwapExactOut } from '@lanes/proto/lanes/amm/v1/tx';
import { LanesError, rejectUnknownFields, testKey, varint, type ProtoShape } from '@lanes/app';
import { createModules } from './lanesApp.ts';

const a = testKey('shapes-a').address;
const b = testKey('shapes-b').address;
const coins = [{ denom: 'uatom', amount: '5' }, { denom: 'uusdc', amount: '7' }];

const msgSend: MsgSend = { fromAddress: a, toAddress: b, amount: coins };
const createPool: MsgCreatePool = { creator: a, poolType: PoolType.POOL_TYPE_STABLESWAP, initialLiquidity: coins, swapFee: '0.003', amplification: 100n };
const addLiquidity: MsgAddLiquidity = { sender: a, poolId: 3n, maxAmountsIn: coins, minSharesOut: '1' };
const removeLiquidity: MsgRemoveLiquidity = { sender: a, poolId: 3n, shares: '10', minAmountsOut: coins };
const swapExactIn: MsgSwapExactIn = { sender: a, routes: [{ poolId: 1n, tokenOutDenom: 'uusdc' }, { poolId: 2n, tokenOutDenom: 'ulane' }], tokenIn: coins[0], minAmountOut: '1' };
const swapExactOut: MsgSwapExactOut = { sender: a, routes: [{ poolId: 1n, tokenInDenom: 'uusdc' }], tokenOut: coins[1], maxAmountIn: '9' };

/** Each registered Msg's sample, every field set to a value its encoder writes. */
const SAMPLES: Record<string, Uint8Array> = {
  '/cosmos.bank.v1beta1.MsgSend': MsgSend.encode(msgSend).finish(),
  '/lanes.amm.v1.MsgCreatePool': MsgCreatePool.encode(createPool).finish(),
  '/lanes.amm.v1.MsgAddLiquidity': MsgAddLiquidity.encode(addLiquidity).finish(),
  '/lanes.amm.v1.MsgRemoveLiquidity': MsgRemoveLiquidity.encode(removeLiquidity).finish(),
  '/lanes.amm.v1.MsgSwapExactIn': MsgSwapExactIn.encode(swapExactIn).finish(),
  '/lanes.amm.v1.MsgSwapExactOut': MsgSwapExactOut.encode(swapExactOut).finish(),
};

/** Every `Message.field:wireType` a shape declares, nested shapes included. */
function declared(s: ProtoShape, out = new Set<string>()): Set<string> {
  for (const [field, [wire, nested]] of s.fields) {
    out.add(`${s.name}.${field}:${wire}`);
    if (nested) declared(nested, out);
  }
  return out;
}

/** Every `Message.field:wireType` the bytes hold, read with the shape's nesting. */
function used(bytes: Uint8Array, s: ProtoShape, out = new Set<string>()): Set<string> {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    out.add(`${s.name}.${field}:${wire}`);
    const nested = s.fields.get(field)?.[1];
    if (nested && wire === 2) used(r.bytes(), nested, out);
    else r.skipType(wire);
  }
  return out;
}

const handlers = createModules().modules.flatMap((m) => m.msgs);

test('every registered Msg has a sample here', () => {
  assert.deepEqual(handlers.map((h) => h.typeUrl).sort(), Object.keys(SAMPLES).sort());
});

test("each Msg's shape declares exactly the fields its generated codec writes, with their wire types", () => {
  for (const h of handlers) {
    const sample = SAMPLES[h.typeUrl];
    assert.ok(sample, h.typeUrl);
    assert.deepEqual([...used(sample, h.shape)].sort(), [...declared(h.shape)].sort(), h.typeUrl);
    assert.doesNotThrow(() => rejectUnknownFields(sample, h.shape), h.typeUrl);
    // The handler decodes what passes the check, and the sample round-trips.
    assert.deepEqual(h.decode(sample), h.decode(Uint8Array.from(sample)), h.typeUrl);
  }
});

test("a field one past each Msg's last is refused naming the Msg; a non-critical one passes", () => {
  for (const h of handlers) {
    const sample = SAMPLES[h.typeUrl] as Uint8Array;
    const next = Math.max(...h.shape.fields.keys()) + 1;
    const extra = Uint8Array.from([...varint(next << 3), 0x01]);
    assert.throws(() => rejectUnknownFields(Buffer.concat([sample, extra]), h.shape), (e) => {
      assert.ok(e instanceof LanesError, String(e));
      assert.equal(e.codespace, 'sdk');
      assert.equal(e.code, 2);
      assert.match(e.message, new RegExp(`unknown field ${next} in ${h.shape.name.replaceAll('.', '\\.')}`));
      return true;
    }, h.typeUrl);
    assert.doesNotThrow(() => rejectUnknownFields(Buffer.concat([sample, Uint8Array.from([...varint(1025 << 3), 0x01])]), h.shape), h.typeUrl);
  }
});
