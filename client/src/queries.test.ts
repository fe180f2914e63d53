import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueryAllBalancesRequest, QueryAllBalancesResponse } from 'cosmjs-types/cosmos/bank/v1beta1/query';
import type { CometClient } from '@cosmjs/tendermint-rpc';
import { lanesQueryClient } from './queries.ts';

/** A CometClient that answers abci_query from a table and records each path. */
function fakeComet(answers: Record<string, Uint8Array>, paths: string[], requests: Uint8Array[] = []): CometClient {
  const fake = {
    abciQuery: async (params: { path: string; data: Uint8Array }) => {
      paths.push(params.path);
      requests.push(params.data);
      const value = answers[params.path];
      if (!value) return { code: 6, codespace: 'sdk', log: `unknown query path ${params.path}`, height: 5, value: new Uint8Array() };
      return { code: 0, codespace: '', log: '', height: 5, key: new Uint8Array(), value, index: 0 };
    },
    disconnect: () => {},
  };
  return fake as unknown as CometClient;
}

describe('lanesQueryClient', () => {
  it('queries bank balances on the Cosmos ABCI path the chain serves', async () => {
    const paths: string[] = [];
    const requests: Uint8Array[] = [];
    const value = QueryAllBalancesResponse.encode({ balances: [{ denom: 'ulane', amount: '42' }], resolveDenom: false } as QueryAllBalancesResponse).finish();
    const q = lanesQueryClient(fakeComet({ '/cosmos.bank.v1beta1.Query/AllBalances': value }, paths, requests));
    assert.deepEqual(await q.bank.allBalances('lanes1xyz'), [{ denom: 'ulane', amount: '42' }]);
    assert.deepEqual(paths, ['/cosmos.bank.v1beta1.Query/AllBalances']);
    assert.equal(typeof q.auth.account, 'function');
    assert.equal(typeof q.tx.simulate, 'function');
    assert.equal(QueryAllBalancesRequest.decode(requests[0] ?? new Uint8Array()).address, 'lanes1xyz');
  });

  it('surfaces a failed query with its code and log', async () => {
    const q = lanesQueryClient(fakeComet({}, []));
    await assert.rejects(q.bank.balance('lanes1xyz', 'ulane'), /Query failed with \(6\): unknown query path \/cosmos.bank.v1beta1.Query\/Balance/);
  });
});
