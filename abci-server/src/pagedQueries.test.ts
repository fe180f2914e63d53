// Paged queries over a store range larger than one SQLite read (RANGE_CHUNK_ROWS): the Pools,
// AllBalances and TotalSupply queries read from the page's start and decode only its items (CMap.page), and
// must still answer as the Cosmos SDK's pagination does, page after page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryAllBalancesRequest, QueryAllBalancesResponse, QueryTotalSupplyRequest, QueryTotalSupplyResponse } from 'cosmjs-types/cosmos/bank/v1beta1/query';
import { PageRequest } from 'cosmjs-types/cosmos/base/query/v1beta1/pagination';
import { QueryPoolRequest, QueryPoolResponse, QueryPoolsRequest, QueryPoolsResponse } from '@lanes/proto/lanes/amm/v1/query';
import { RANGE_CHUNK_ROWS, testKey } from '@lanes/app';
import { genesisPools, type GenesisPoolSpec } from '@lanes/amm';
import { InProcessChain } from './inprocess.ts';
import { devnetGenesis } from './lanesApp.ts';

const alice = testKey('paged-alice');
const POOLS = 2 * RANGE_CHUNK_ROWS + 37;

function chain(): InProcessChain {
  const g = devnetGenesis([alice.address], { pools: false });
  const specs = Array.from({ length: POOLS }, (_, i): GenesisPoolSpec => ({
    type: 'POOL_TYPE_CONSTANT_PRODUCT',
    reserves: [{ denom: 'uatom', amount: String(1_000_000 + i) }, { denom: 'uusdc', amount: '2000000' }],
    swap_fee: '0.003',
  }));
  const p = genesisPools(specs, alice.address);
  g.amm = p.amm;
  for (const b of p.balances) {
    const mine = g.bank.balances.find((x) => x.address === b.address);
    if (mine) mine.coins.push(...b.coins);
    else g.bank.balances.push(b);
  }
  const c = new InProcessChain(g);
  c.block([]);
  return c;
}

function pools(c: InProcessChain, p: Partial<PageRequest>): QueryPoolsResponse {
  const r = c.query('/lanes.amm.v1.Query/Pools', QueryPoolsRequest.encode({ pagination: PageRequest.fromPartial(p) }).finish());
  assert.equal(r.code, 0, r.log);
  return QueryPoolsResponse.decode(r.value);
}

function balances(c: InProcessChain, p: Partial<PageRequest>): QueryAllBalancesResponse {
  const r = c.query('/cosmos.bank.v1beta1.Query/AllBalances', QueryAllBalancesRequest.encode({ address: alice.address, resolveDenom: false, pagination: PageRequest.fromPartial(p) }).finish());
  assert.equal(r.code, 0, r.log);
  return QueryAllBalancesResponse.decode(r.value);
}

function supply(c: InProcessChain, p: Partial<PageRequest>): QueryTotalSupplyResponse {
  const r = c.query('/cosmos.bank.v1beta1.Query/TotalSupply', QueryTotalSupplyRequest.encode({ pagination: PageRequest.fromPartial(p) }).finish());
  assert.equal(r.code, 0, r.log);
  return QueryTotalSupplyResponse.decode(r.value);
}

test(`Pools and AllBalances over ${POOLS} pools: next_key pages visit everything once and in order; offset, count_total and reverse as in the Cosmos SDK`, () => {
  const c = chain();
  const ids = Array.from({ length: POOLS }, (_, i) => BigInt(i + 1));

  const seen: bigint[] = [];
  let key: Uint8Array | undefined;
  for (let page = 0; page < POOLS; page++) {
    const r = pools(c, { limit: 23n, ...(key && { key }) });
    seen.push(...r.pools.map((p) => p.id));
    if (r.pagination?.nextKey.length === 0) break;
    key = r.pagination?.nextKey;
  }
  assert.deepEqual(seen, ids);
  // Each pool as the Pool query has it.
  for (const id of [1n, BigInt(RANGE_CHUNK_ROWS), BigInt(POOLS)]) {
    const one = QueryPoolResponse.decode(c.query('/lanes.amm.v1.Query/Pool', QueryPoolRequest.encode({ poolId: id }).finish()).value);
    assert.deepEqual(pools(c, { offset: id - 1n, limit: 1n }).pools, [one.pool]);
  }
  const first = pools(c, { limit: 5n, countTotal: true });
  assert.equal(first.pagination?.total, BigInt(POOLS));
  assert.deepEqual(Buffer.from(first.pagination?.nextKey ?? []), Buffer.from([0, 0, 0, 0, 0, 0, 0, 6]), 'next_key: the next id, 8 bytes big-endian');
  assert.deepEqual(pools(c, { offset: BigInt(POOLS - 3), limit: 10n }).pools.map((p) => p.id), ids.slice(-3));
  const back = pools(c, { reverse: true, limit: 4n });
  assert.deepEqual(back.pools.map((p) => p.id), ids.slice(-4).reverse());
  assert.deepEqual(pools(c, { reverse: true, limit: 2n, key: back.pagination?.nextKey ?? new Uint8Array() }).pools.map((p) => p.id), ids.slice(-6, -4).reverse());
  assert.equal(pools(c, { limit: 1000n }).pools.length, POOLS);

  // alice holds the devnet denoms and every pool's LP shares.
  const everything = balances(c, { limit: 1000n }).balances;
  assert.equal(everything.length, POOLS + 5);
  const denoms = everything.map((b) => b.denom);
  assert.deepEqual(denoms, [...denoms].sort(), 'by denom');
  const paged: string[] = [];
  key = undefined;
  for (let page = 0; page < POOLS; page++) {
    const r = balances(c, { limit: 50n, ...(key && { key }) });
    paged.push(...r.balances.map((b) => `${b.amount}${b.denom}`));
    if (r.pagination?.nextKey.length === 0) break;
    key = r.pagination?.nextKey;
  }
  assert.deepEqual(paged, everything.map((b) => `${b.amount}${b.denom}`));
  assert.equal(balances(c, { limit: 1n, countTotal: true }).pagination?.total, BigInt(POOLS + 5));
  assert.deepEqual(balances(c, { reverse: true, limit: 2n }).balances, everything.slice(-2).reverse());
});

test(`TotalSupply over ${POOLS} pools' share denoms: the store keeps supplies in denom order, so next_key pages (the denom's bytes) visit every denom once, in order`, () => {
  const c = chain();
  const all = supply(c, { limit: 1000n }).supply;
  assert.equal(all.length, POOLS + 5);
  const denoms = all.map((x) => x.denom);
  // String order, as the Cosmos SDK lists supplies: amm/pool/10 before amm/pool/2.
  assert.deepEqual(denoms, [...denoms].sort());
  assert.ok(denoms.indexOf('amm/pool/10') < denoms.indexOf('amm/pool/2'), 'amm/pool/10 sorts before amm/pool/2');
  const paged: string[] = [];
  let key: Uint8Array | undefined;
  for (let page = 0; page < POOLS; page++) {
    const r = supply(c, { limit: 41n, ...(key && { key }) });
    paged.push(...r.supply.map((x) => `${x.amount}${x.denom}`));
    if (r.pagination?.nextKey.length === 0) break;
    key = r.pagination?.nextKey;
    assert.equal(Buffer.from(key ?? []).toString('latin1'), denoms[paged.length], 'next_key names the next denom');
  }
  assert.deepEqual(paged, all.map((x) => `${x.amount}${x.denom}`));
  // A key between denoms starts at the next one; the supply of a share is what was minted for it.
  assert.equal(supply(c, { limit: 1n, key: Buffer.from('amm/pool/1~') }).supply[0]?.denom, 'amm/pool/2');
  const byBalance = new Map(balances(c, { limit: 1000n }).balances.map((b) => [b.denom, BigInt(b.amount)]));
  for (const x of all) if (x.denom.startsWith('amm/pool/')) assert.ok(BigInt(x.amount) > (byBalance.get(x.denom) ?? 0n), `${x.denom}: supply ${x.amount} covers alice's shares and the locked ones`);
  assert.equal(supply(c, { limit: 1n, countTotal: true }).pagination?.total, BigInt(POOLS + 5));
  assert.deepEqual(supply(c, { reverse: true, limit: 2n }).supply, all.slice(-2).reverse());
});
