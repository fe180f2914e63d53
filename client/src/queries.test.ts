import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueryAllBalancesRequest, QueryAllBalancesResponse } from 'cosmjs-types/cosmos/bank/v1beta1/query';
import type { CometClient } from '@cosmjs/tendermint-rpc';
import { allBalances, lanesQueryClient } from './queries.ts';

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

describe('allBalances', () => {
  const page = (denoms: string[], next: string) => QueryAllBalancesResponse.encode({
    balances: denoms.map((denom) => ({ denom, amount: '1' })), pagination: { nextKey: Buffer.from(next), total: 0n },
  } as QueryAllBalancesResponse).finish();
  /** Answers each AllBalances page from `pages` by its key, at the height `heightOf` gives for the n-th call. */
  const node = (pages: Record<string, Uint8Array>, heightOf: (call: number) => number) => {
    const keys: string[] = [];
    return {
      keys,
      queryAbci: async (path: string, data: Uint8Array) => {
        assert.equal(path, '/cosmos.bank.v1beta1.Query/AllBalances');
        const req = QueryAllBalancesRequest.decode(data);
        assert.equal(req.pagination?.limit, 1000n, 'pages of 1,000');
        const key = Buffer.from(req.pagination?.key ?? []).toString();
        keys.push(key);
        return { value: pages[key] as Uint8Array, height: heightOf(keys.length) };
      },
    };
  };

  it('follows next_key to the last page, where CosmJS\'s bank.allBalances stops at the first', async () => {
    const n = node({ '': page(['amm/pool/1', 'amm/pool/2'], 'uatom'), uatom: page(['uatom', 'ulane'], '') }, () => 7);
    assert.deepEqual((await allBalances(n, 'lanes1xyz')).map((c) => c.denom), ['amm/pool/1', 'amm/pool/2', 'uatom', 'ulane']);
    assert.deepEqual(n.keys, ['', 'uatom']);
  });

  it('starts over when a block commits between pages, and gives up after three reads that each saw one', async () => {
    const pages = { '': page(['amm/pool/1'], 'uatom'), uatom: page(['uatom'], '') };
    const once = node(pages, (call) => (call === 1 ? 7 : 8)); // the first read's second page is a block later
    assert.deepEqual((await allBalances(once, 'lanes1xyz')).map((c) => c.denom), ['amm/pool/1', 'uatom']);
    assert.deepEqual(once.keys, ['', 'uatom', '', 'uatom']);
    const always = node(pages, (call) => call);
    await assert.rejects(allBalances(always, 'lanes1xyz'), /a block committed during each of 3 reads/);
    assert.equal(always.keys.length, 6);
  });
});
