import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GasPrice } from '@cosmjs/stargate';
// client must not depend on @lanes/app at runtime (browsers); this test guards against drift.
import * as app from '../../app/src/constants.ts';
import * as client from './constants.ts';
import { lanesClientOptions } from './connect.ts';

describe('constants', () => {
  it('match the chain (app/src/constants.ts)', () => {
    assert.equal(client.BECH32_PREFIX, app.BECH32_PREFIX);
    assert.equal(client.DEVNET_CHAIN_ID, app.DEVNET_CHAIN_ID);
    assert.equal(client.FEE_DENOM, app.FEE_DENOM);
    assert.equal(client.DEVNET_GAS_PRICE, `${app.DEVNET_MIN_GAS_PRICE}${app.FEE_DENOM}`);
  });

  it('connect options default to the devnet gas price, Lanes registry and a short poll', () => {
    const o = lanesClientOptions();
    assert.equal(o.gasPrice?.toString(), GasPrice.fromString('0.0025ulane').toString());
    assert.equal(o.broadcastPollIntervalMs, 500);
    assert.ok(o.registry?.lookupType('/cosmos.bank.v1beta1.MsgSend'), 'the registry knows MsgSend');
    assert.equal(lanesClientOptions({ gasPrice: '0.01ulane' }).gasPrice?.toString(), '0.01ulane');
  });
});
