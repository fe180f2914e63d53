import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EncodeObject } from '@cosmjs/proto-signing';
import {
  isMsgAddLiquidityEncodeObject, isMsgCreatePoolEncodeObject, isMsgRemoveLiquidityEncodeObject, isMsgSwapExactInEncodeObject,
  isMsgSwapExactOutEncodeObject, MsgSwapExactIn, MsgSwapExactInResponse, type MsgAddLiquidityEncodeObject,
  type MsgSwapExactInEncodeObject, type MsgSwapExactOutEncodeObject,
} from './index.ts';
import { createLanesRegistry } from './messages.ts';

const sender = 'lanes1sender';

describe('AMM encode objects', () => {
  it('each Msg has a type guard that recognises it and nothing else', () => {
    const guards = [
      ['/lanes.amm.v1.MsgCreatePool', isMsgCreatePoolEncodeObject],
      ['/lanes.amm.v1.MsgAddLiquidity', isMsgAddLiquidityEncodeObject],
      ['/lanes.amm.v1.MsgRemoveLiquidity', isMsgRemoveLiquidityEncodeObject],
      ['/lanes.amm.v1.MsgSwapExactIn', isMsgSwapExactInEncodeObject],
      ['/lanes.amm.v1.MsgSwapExactOut', isMsgSwapExactOutEncodeObject],
    ] as const;
    for (const [url, guard] of guards) {
      for (const [other] of guards) assert.equal(guard({ typeUrl: other, value: {} } as EncodeObject), other === url, `${guard.name} on ${other}`);
    }
  });

  it('the slippage limits the chain requires are required by the types (checked by tsc)', () => {
    // @ts-expect-error min_amount_out unset is refused by the chain (sdk/10): the type requires it
    const noMin: MsgSwapExactInEncodeObject = { typeUrl: '/lanes.amm.v1.MsgSwapExactIn', value: { sender } };
    // @ts-expect-error min_shares_out likewise
    const noShares: MsgAddLiquidityEncodeObject = { typeUrl: '/lanes.amm.v1.MsgAddLiquidity', value: { sender, poolId: 1n } };
    // @ts-expect-error max_amount_in likewise
    const noMax: MsgSwapExactOutEncodeObject = { typeUrl: '/lanes.amm.v1.MsgSwapExactOut', value: { sender } };
    // "0" sets no limit on purpose.
    const none: MsgSwapExactInEncodeObject = { typeUrl: '/lanes.amm.v1.MsgSwapExactIn', value: { sender, minAmountOut: '0' } };
    const registry = createLanesRegistry();
    for (const m of [noMin, noShares, noMax]) assert.ok(registry.encodeAsAny(m).value instanceof Uint8Array, 'the registry still encodes it: only the type refuses it');
    assert.equal(MsgSwapExactIn.decode(registry.encodeAsAny(none).value).minAmountOut, '0');
  });

  it('exports the Msg response decoders', () => {
    const bytes = MsgSwapExactInResponse.encode({ amountOut: '42' }).finish();
    assert.equal(MsgSwapExactInResponse.decode(bytes).amountOut, '42');
  });
});
