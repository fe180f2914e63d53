import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { createLanesRegistry, isMsgSendEncodeObject, lanesRegistryTypes, type MsgSendEncodeObject } from './messages.ts';

describe('lanes registry', () => {
  it('lists MsgSend with its cosmjs-types codec', () => {
    const entry = lanesRegistryTypes.find(([url]) => url === '/cosmos.bank.v1beta1.MsgSend');
    assert.ok(entry, 'MsgSend is in lanesRegistryTypes');
    assert.equal(entry[1], MsgSend);
  });

  it('has no duplicate type URLs, all in Cosmos or lanes.<module>.v1 form', () => {
    const urls = lanesRegistryTypes.map(([url]) => url);
    assert.equal(new Set(urls).size, urls.length);
    for (const url of urls) assert.match(url, /^\/(cosmos\.[a-z]+\.v1beta1|lanes\.[a-z]+\.v1)\.Msg[A-Z]\w*$/);
  });

  it('round-trips a MsgSend through the registry', () => {
    const registry = createLanesRegistry();
    const msg: MsgSendEncodeObject = {
      typeUrl: '/cosmos.bank.v1beta1.MsgSend',
      value: { fromAddress: 'lanes1a', toAddress: 'lanes1b', amount: [{ denom: 'ulane', amount: '5' }] },
    };
    assert.ok(isMsgSendEncodeObject(msg), 'a MsgSend encode object is recognised');
    const any = registry.encodeAsAny(msg);
    assert.equal(any.typeUrl, msg.typeUrl);
    assert.deepEqual(registry.decode(any), MsgSend.fromPartial(msg.value));
  });

  it('knows nothing the chain does not accept', () => {
    const registry = createLanesRegistry();
    assert.equal(registry.lookupType('/cosmos.staking.v1beta1.MsgDelegate'), undefined);
    for (const [url] of lanesRegistryTypes) assert.ok(registry.lookupType(url), `the registry knows ${url}`);
  });
});
