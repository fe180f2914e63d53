// Bank through the whole chain: random blocks of sends (valid and invalid) between five accounts,
// checked after every block against a reference model of balances and sequences, and for supply
// conservation (sum of balances per denom == SupplyOf) with no balance ever negative.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { QueryAllBalancesRequest, QueryAllBalancesResponse, QuerySupplyOfRequest, QuerySupplyOfResponse } from 'cosmjs-types/cosmos/bank/v1beta1/query';
import { FEE_COLLECTOR, MAX_AMOUNT, buildTx, testKey, type AppGenesisState, type TestKey } from '@lanes/app';
import { InProcessChain } from '../../../abci-server/src/inprocess.ts';
import { MSG_SEND_TYPE_URL } from './msgServer.ts';

const KEYS: TestKey[] = ['k0', 'k1', 'k2', 'k3', 'k4'].map((s) => testKey(`bank-keeper-test/${s}`));
/** Never in genesis: receiving creates its account at end-block. */
const FRESH = testKey('bank-keeper-test/fresh').address;
const DENOMS = ['ulane', 'uatom'] as const;
const FEE = 500n; // gas 200000 at 0.0025
const HOLDERS = [...KEYS.map((k) => k.address), FRESH, FEE_COLLECTOR];

interface Send {
  from: number;
  /** 0..4: a test account; 5: the fresh address. */
  to: number;
  denom: (typeof DENOMS)[number];
  amount: string;
  /** Sign with the expected sequence plus this (0 = right). */
  seqOffset: bigint;
}

const sendArb: fc.Arbitrary<Send> = fc.record({
  from: fc.integer({ min: 0, max: 4 }),
  to: fc.integer({ min: 0, max: 5 }),
  denom: fc.constantFrom(...DENOMS),
  amount: fc.oneof(
    { weight: 8, arbitrary: fc.bigInt({ min: 1n, max: 1500n }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom('0', '-5', (10n ** 80n).toString(), MAX_AMOUNT.toString()) },
  ),
  seqOffset: fc.oneof({ weight: 9, arbitrary: fc.constant(0n) }, { weight: 1, arbitrary: fc.constantFrom(-1n, 1n, 3n) }),
});

const genesisArb = fc.array(fc.record({ ulane: fc.bigInt({ min: 0n, max: 3000n }), uatom: fc.bigInt({ min: 0n, max: 2000n }) }), { minLength: 5, maxLength: 5 });
const blocksArb = fc.array(fc.array(sendArb, { maxLength: 6 }), { minLength: 1, maxLength: 5 });

function genesis(funds: { ulane: bigint; uatom: bigint }[]): AppGenesisState {
  return {
    auth: { accounts: KEYS.map((k) => ({ address: k.address })) },
    bank: {
      balances: KEYS.map((k, i) => ({
        address: k.address,
        coins: DENOMS.filter((d) => (funds[i]?.[d] ?? 0n) > 0n).map((d) => ({ denom: d, amount: String(funds[i]?.[d]) })),
      })).filter((b) => b.coins.length > 0), // genesis refuses an empty coin list
    },
  };
}

function supplyOf(c: InProcessChain, denom: string): bigint {
  const r = c.query('/cosmos.bank.v1beta1.Query/SupplyOf', QuerySupplyOfRequest.encode({ denom }).finish());
  assert.equal(r.code, 0, r.log);
  return BigInt(QuerySupplyOfResponse.decode(r.value).amount?.amount ?? 'missing');
}

class Model {
  readonly bal = new Map<string, bigint>();
  readonly seq = KEYS.map(() => 0n);
  get(addr: string, denom: string): bigint {
    return this.bal.get(`${addr}/${denom}`) ?? 0n;
  }
  add(addr: string, denom: string, d: bigint): void {
    this.bal.set(`${addr}/${denom}`, this.get(addr, denom) + d);
  }
  /** Applies one tx as the chain must; returns the expected code. */
  apply(s: Send): number {
    const from = (KEYS[s.from] as TestKey).address;
    const to = s.to === 5 ? FRESH : (KEYS[s.to] as TestKey).address;
    if (!/^[0-9]+$/.test(s.amount) || BigInt(s.amount) === 0n || BigInt(s.amount) > MAX_AMOUNT) return 10;
    if (s.seqOffset !== 0n) return 32;
    if (this.get(from, 'ulane') < FEE) return 5; // the ante cannot pay the fee: nothing happens
    this.add(from, 'ulane', -FEE);
    this.add(FEE_COLLECTOR, 'ulane', FEE);
    this.seq[s.from] = (this.seq[s.from] as bigint) + 1n;
    const amount = BigInt(s.amount);
    if (this.get(from, s.denom) < amount) return 5; // the Msg fails after the ante: fee kept
    this.add(from, s.denom, -amount);
    this.add(to, s.denom, amount);
    return 0;
  }
}

test('random sends: balances follow the model, sum of balances == SupplyOf, nothing negative (property)', () => {
  fc.assert(fc.property(genesisArb, blocksArb, (funds, blocks) => {
    const c = new InProcessChain(genesis(funds));
    c.block([]); // genesis becomes queryable at the first commit
    const model = new Model();
    KEYS.forEach((k, i) => DENOMS.forEach((d) => model.add(k.address, d, funds[i]?.[d] ?? 0n)));
    const accountNumbers = KEYS.map((k) => c.account(k.address)?.accountNumber);
    assert.deepEqual(accountNumbers, [0n, 1n, 2n, 3n, 4n]);
    const initialSupply = DENOMS.map((d) => supplyOf(c, d));

    for (const sends of blocks) {
      const want: number[] = [];
      const txs = sends.map((s) => {
        const key = KEYS[s.from] as TestKey;
        const to = s.to === 5 ? FRESH : (KEYS[s.to] as TestKey).address;
        const sequence = (model.seq[s.from] as bigint) + s.seqOffset;
        const tx = buildTx(key, [{
          typeUrl: MSG_SEND_TYPE_URL,
          value: MsgSend.encode({ fromAddress: key.address, toAddress: to, amount: [{ denom: s.denom, amount: s.amount }] }).finish(),
        }], { chainId: c.chainId, accountNumber: BigInt(s.from), sequence: sequence < 0n ? 0n : sequence, fee: FEE });
        // A "past" sequence of an account still at 0 is signed at 0: it is then the right one.
        const effective = sequence < 0n ? { ...s, seqOffset: 0n } : s;
        want.push(model.apply(effective));
        return tx;
      });
      const results = c.block(txs);
      assert.deepEqual(results.map((r) => r.code), want, results.map((r) => r.log).join('\n'));
      for (const r of results) if (r.code !== 0) assert.equal(r.codespace, 'sdk');

      for (const [i, d] of DENOMS.entries()) {
        let sum = 0n;
        for (const a of HOLDERS) {
          const v = c.balance(a, d);
          assert.ok(v >= 0n, `${a} holds ${v}${d}`);
          assert.equal(v, model.get(a, d), `balance of ${a} in ${d}`);
          sum += v;
        }
        const supply = supplyOf(c, d);
        assert.equal(sum, supply, `sum of ${d} balances vs SupplyOf`);
        assert.equal(supply, initialSupply[i], `supply of ${d} is constant (sends neither mint nor burn)`);
      }
      KEYS.forEach((k, i) => assert.equal(c.account(k.address)?.sequence, model.seq[i], `sequence of account ${i}`));
    }
    void c.app.close();
  }), { numRuns: 100 });
});

test('a send of a whole balance passes and leaves no zero balance behind; one unit more fails (sdk/5) naming both amounts', () => {
  const [a, b] = KEYS as [TestKey, TestKey];
  const c = new InProcessChain(genesis([{ ulane: 3000n, uatom: 1000n }, { ulane: 3000n, uatom: 0n }]));
  c.block([]);
  const send = (amount: bigint, sequence: bigint) => buildTx(a, [{
    typeUrl: MSG_SEND_TYPE_URL,
    value: MsgSend.encode({ fromAddress: a.address, toAddress: b.address, amount: [{ denom: 'uatom', amount: amount.toString() }] }).finish(),
  }], { chainId: c.chainId, accountNumber: 0n, sequence, fee: FEE });
  const [all] = c.block([send(1000n, 0n)]);
  assert.equal(all?.code, 0, all?.log);
  assert.equal(c.balance(a.address, 'uatom'), 0n);
  assert.equal(c.balance(b.address, 'uatom'), 1000n);
  // As the Cosmos SDK: a balance that reaches 0 is deleted, not stored as 0.
  const r = c.query('/cosmos.bank.v1beta1.Query/AllBalances', QueryAllBalancesRequest.encode({ address: a.address, resolveDenom: false }).finish());
  assert.equal(r.code, 0, r.log);
  assert.deepEqual(QueryAllBalancesResponse.decode(r.value).balances, [{ denom: 'ulane', amount: String(3000n - FEE) }]);
  const [more] = c.block([buildTx(b, [{
    typeUrl: MSG_SEND_TYPE_URL,
    value: MsgSend.encode({ fromAddress: b.address, toAddress: a.address, amount: [{ denom: 'uatom', amount: '1001' }] }).finish(),
  }], { chainId: c.chainId, accountNumber: 1n, sequence: 0n, fee: FEE })]);
  assert.equal(`${more?.codespace}/${more?.code}`, 'sdk/5', more?.log);
  assert.match(more?.log ?? '', new RegExp(`spendable balance 1000uatom of ${b.address} is smaller than 1001uatom`));
  void c.app.close();
});

test('genesis whose total supply of a denom exceeds 2^256-1 is rejected', () => {
  const [a, b] = KEYS as [TestKey, TestKey];
  const g: AppGenesisState = {
    auth: { accounts: [{ address: a.address }, { address: b.address }] },
    bank: { balances: [a, b].map((k) => ({ address: k.address, coins: [{ denom: 'uatom', amount: MAX_AMOUNT.toString() }] })) },
  };
  assert.throws(() => new InProcessChain(g).block([]), /256 bits|supply/);
});
