import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import secp256k1 from 'secp256k1';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { TxMsgData } from 'cosmjs-types/cosmos/base/abci/v1beta1/abci';
import { AuthInfo, TxBody, TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { SignMode } from 'cosmjs-types/cosmos/tx/signing/v1beta1/signing';
import { PubKey } from 'cosmjs-types/cosmos/crypto/secp256k1/keys';
import { QueryTotalSupplyRequest, QueryTotalSupplyResponse } from 'cosmjs-types/cosmos/bank/v1beta1/query';
import { SimulateRequest, SimulateResponse } from 'cosmjs-types/cosmos/tx/v1beta1/service';
import { MsgSwapExactIn, MsgSwapExactInResponse } from '@lanes/proto/lanes/amm/v1/tx';
import { QueryTwapRequest } from '@lanes/proto/lanes/amm/v1/query';
import { buildTx, protoTxSize, signDocHash, testKey, type DecodedTxCache, DEFAULT_PARAMS, FEE_COLLECTOR, PROPOSAL_RESULTS_BYTES, RESULTS_BUDGET_BYTES, StoreFault, UNKNOWN_RESULT_BYTES_PER_TX_BYTE, type BlockStats, type ProposalStats, type TestKey } from '@lanes/app';
import { InProcessChain } from './inprocess.ts';
import { createLanesApp, devnetGenesis, DEVNET_FUNDING } from './lanesApp.ts';
import { assertPhases } from './testing/blockStats.ts';

const alice = testKey('alice');
const bob = testKey('bob');
const carol = testKey('carol');

function send(from: TestKey, to: string, amount: bigint, denom = 'uatom') {
  return { typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: MsgSend.encode({ fromAddress: from.address, toAddress: to, amount: [{ denom, amount: amount.toString() }] }).finish() };
}

function chain() {
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address], { pools: false }));
  c.block([]);
  return c;
}

test('MsgSend moves tokens, charges the fee, bumps the sequence, returns TxMsgData', () => {
  const c = chain();
  const tx = buildTx(alice, [send(alice, bob.address, 1000n)], { chainId: c.chainId, accountNumber: 0n, sequence: 0n, fee: 500n });
  const check = c.checkTx(tx);
  assert.equal(check.code, 0, check.log);
  const [r] = c.block([tx]);
  assert.ok(r, 'the block returned a result for the tx');
  assert.equal(r.code, 0, r.log);
  assert.equal(c.balance(bob.address, 'uatom'), DEVNET_FUNDING + 1000n);
  assert.equal(c.balance(alice.address, 'uatom'), DEVNET_FUNDING - 1000n);
  assert.equal(c.balance(alice.address, 'ulane'), DEVNET_FUNDING - 500n);
  assert.equal(c.balance(FEE_COLLECTOR, 'ulane'), 500n);
  assert.equal(c.account(alice.address)?.sequence, 1n);
  const data = TxMsgData.decode(r.data);
  assert.deepEqual(data.msgResponses.map((m) => m.typeUrl), ['/cosmos.bank.v1beta1.MsgSendResponse']);
  assert.ok(r.gasUsed > 0n && r.gasUsed <= r.gasWanted, `gas used ${r.gasUsed} of ${r.gasWanted}: expected > 0 and <= gas wanted`);
  const types = r.events.map((e) => e.type);
  for (const t of ['tx', 'message', 'transfer', 'coin_spent', 'coin_received']) assert.ok(types.includes(t), `event ${t} missing`);
});

test('a tx\'s events: ante events first, then per Msg its message event and its own events, each ending with msg_index', () => {
  const c = chain();
  const tx = buildTx(alice, [send(alice, bob.address, 7n), send(alice, carol.address, 9n)], { chainId: c.chainId, accountNumber: 0n, sequence: 0n, fee: 500n });
  const [r] = c.block([tx]);
  assert.equal(r?.code, 0, r?.log);
  const shown = r.events.map((e) => `${e.type}: ${e.attributes.map((a) => `${a.key}=${a.value}${a.index ? '*' : ''}`).join(' ')}`);
  const msg = (i: number, to: string, amount: string) => [
    `message: action=/cosmos.bank.v1beta1.MsgSend* sender=${alice.address}* module=bank* msg_index=${i}`,
    `coin_spent: spender=${alice.address}* amount=${amount} msg_index=${i}`,
    `coin_received: receiver=${to}* amount=${amount} msg_index=${i}`,
    `transfer: recipient=${to}* sender=${alice.address}* amount=${amount} msg_index=${i}`,
  ];
  assert.deepEqual(shown, [
    `tx: fee=500ulane fee_payer=${alice.address}*`,
    `tx: acc_seq=${alice.address}/0*`,
    ...msg(0, bob.address, '7uatom'),
    ...msg(1, carol.address, '9uatom'),
  ]);
  // One response per Msg: the bytes one empty response shares (txMsgData) are not these.
  assert.deepEqual(TxMsgData.decode(r.data).msgResponses.map((m) => [m.typeUrl, m.value.length]), [
    ['/cosmos.bank.v1beta1.MsgSendResponse', 0], ['/cosmos.bank.v1beta1.MsgSendResponse', 0],
  ]);
});

test('a receiver without an account gets the next account number at end-block', () => {
  const c = chain();
  assert.equal(c.account(carol.address), null);
  const tx = buildTx(alice, [send(alice, carol.address, 5n)], { chainId: c.chainId, accountNumber: 0n, sequence: 0n });
  assert.equal(c.block([tx])[0]?.code, 0);
  const acc = c.account(carol.address);
  assert.ok(acc, 'the send created an account for carol');
  assert.equal(acc.accountNumber, 3n); // alice 0, bob 1, fee collector 2
  assert.equal(acc.sequence, 0n);
});

test('app hash is deterministic and changes with state', () => {
  const a = chain();
  const b = chain();
  assert.deepEqual(a.lastAppHash, b.lastAppHash);
  const tx = buildTx(alice, [send(alice, bob.address, 1n)], { chainId: a.chainId, accountNumber: 0n, sequence: 0n });
  a.block([tx]);
  b.block([tx]);
  assert.deepEqual(a.lastAppHash, b.lastAppHash);
  const tx2 = buildTx(alice, [send(alice, bob.address, 2n)], { chainId: a.chainId, accountNumber: 0n, sequence: 1n });
  const tx3 = buildTx(alice, [send(alice, bob.address, 3n)], { chainId: a.chainId, accountNumber: 0n, sequence: 1n });
  a.block([tx2]);
  b.block([tx3]);
  assert.notDeepEqual(a.lastAppHash, b.lastAppHash);
});

test('a failing Msg keeps the fee and the sequence bump but none of its writes', () => {
  const c = chain();
  const tx = buildTx(alice, [send(alice, bob.address, DEVNET_FUNDING + 1n)], { chainId: c.chainId, accountNumber: 0n, sequence: 0n, fee: 500n });
  const [r] = c.block([tx]);
  assert.equal(r?.codespace, 'sdk');
  assert.equal(r?.code, 5);
  assert.match(r?.log ?? '', /1000000000001uatom/);
  assert.equal(c.balance(alice.address, 'uatom'), DEVNET_FUNDING);
  assert.equal(c.balance(alice.address, 'ulane'), DEVNET_FUNDING - 500n);
  assert.equal(c.account(alice.address)?.sequence, 1n);
  // CheckTx rejects the same thing up front.
  const again = buildTx(alice, [send(alice, bob.address, DEVNET_FUNDING + 1n)], { chainId: c.chainId, accountNumber: 0n, sequence: 1n });
  assert.equal(c.checkTx(again).code, 5);
});

test('state survives a reopen of the SQLite file', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const db = join(mkdtempSync(join(tmpdir(), 'lanes-')), 'state.db');
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address], { pools: false }), db);
  c.block([buildTx(alice, [send(alice, bob.address, 7n)], { chainId: c.chainId, accountNumber: 0n, sequence: 0n })]);
  const hash = c.lastAppHash;
  await c.app.close();
  const d = new InProcessChain({}, db);
  assert.equal(d.height, 1n);
  assert.deepEqual(d.lastAppHash, hash);
  assert.equal(d.balance(bob.address, 'uatom'), DEVNET_FUNDING + 7n);
  d.block([buildTx(alice, [send(alice, bob.address, 1n)], { chainId: c.chainId, accountNumber: 0n, sequence: 1n })]);
  assert.equal(d.lastResults[0]?.code, 0, d.lastResults[0]?.log);
  await d.app.close();
});

test('after a restart, queries (and CheckTx and simulations) take the last committed block\'s time as the latest, as before it, not 0', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const db = join(mkdtempSync(join(tmpdir(), 'lanes-')), 'state.db');
  const c = new InProcessChain(devnetGenesis([alice.address]), db);
  const genesisTime = c.time;
  c.block([]);
  c.block([]);
  const latest = c.time;
  // A TWAP up to the latest block time: refused past it ("after the latest block time").
  const twapTo = (chain: InProcessChain, end: bigint) => chain.query('/lanes.amm.v1.Query/Twap', QueryTwapRequest.encode({
    poolId: 1n, baseDenom: 'uatom', quoteDenom: 'uusdc', startTime: { seconds: genesisTime, nanos: 0 }, endTime: { seconds: end, nanos: 0 },
  }).finish());
  assert.equal(twapTo(c, latest).code, 0, twapTo(c, latest).log);
  await c.app.close();
  const d = new InProcessChain({}, db);
  const r = twapTo(d, latest);
  assert.equal(r.code, 0, r.log);
  assert.match(twapTo(d, latest + 1n).log, new RegExp(`is after the latest block time ${latest}`));
  await d.app.close();
});

test('a node stopped between FinalizeBlock and Commit restarts at the height before, and the block CometBFT replays gives the same results and app hash', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const db = join(mkdtempSync(join(tmpdir(), 'lanes-')), 'state.db');
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address]), db);
  c.block([buildTx(alice, [send(alice, bob.address, 7n)], { chainId: c.chainId, accountNumber: 0n, sequence: 0n })]);
  const committed = c.lastAppHash;
  const swap = { typeUrl: '/lanes.amm.v1.MsgSwapExactIn', value: MsgSwapExactIn.encode({ sender: bob.address, routes: [{ poolId: 1n, tokenOutDenom: 'uusdc' }], tokenIn: { denom: 'uatom', amount: '1000' }, minAmountOut: '1' }).finish() };
  const req = c.nextRequest([
    buildTx(alice, [send(alice, carol.address, 3n)], { chainId: c.chainId, accountNumber: 0n, sequence: 1n }),
    buildTx(bob, [swap], { chainId: c.chainId, accountNumber: 1n, sequence: 0n }),
  ]);
  const first = c.app.finalizeBlock(req);
  assert.ok(!(first instanceof Promise), 'the sequential executor answers at once');
  assert.deepEqual(first.txResults.map((r) => r.code), [0, 0], first.txResults.map((r) => r.log).join('; '));
  await c.app.close(); // the process ends here: no Commit
  const d = new InProcessChain({}, db);
  const info = d.app.info({ version: '', blockVersion: 0n, p2pVersion: 0n, abciVersion: '' });
  assert.equal(info.lastBlockHeight, 1n, 'the block was not committed');
  assert.deepEqual(info.lastBlockAppHash, committed);
  // CometBFT's handshake replays the block it holds: the same request.
  const again = d.app.finalizeBlock(req);
  assert.ok(!(again instanceof Promise), 'the sequential executor answers at once');
  assert.deepEqual(again.appHash, first.appHash);
  assert.deepEqual(again.txResults, first.txResults);
  d.app.commit();
  assert.equal(d.app.info({ version: '', blockVersion: 0n, p2pVersion: 0n, abciVersion: '' }).lastBlockHeight, 2n);
  assert.equal(d.balance(carol.address, 'uatom'), 3n);
  await d.app.close();
});

test('with mempoolSize, CheckTx refuses new txs with sdk/20 while the mempool would be full, and counts what the recheck keeps', () => {
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address, carol.address], { pools: false }), ':memory:', undefined, { mempoolSize: 2 });
  c.block([]);
  const tx = (k: TestKey, n: number, seq: bigint) => buildTx(k, [send(k, bob.address, BigInt(n))], { chainId: c.chainId, accountNumber: BigInt(k === alice ? 0 : 2), sequence: seq });
  const a0 = tx(alice, 1, 0n);
  const a1 = tx(alice, 2, 1n);
  const c0 = tx(carol, 3, 0n);
  assert.equal(c.checkTx(a0).code, 0);
  const bad = c.checkTx(tx(carol, 4, 9n)); // a rejection takes no room
  assert.equal(bad.code, 32, bad.log);
  assert.equal(c.checkTx(a1).code, 0);
  const full = c.checkTx(c0);
  assert.deepEqual([full.codespace, full.code], ['sdk', 20]);
  assert.match(full.log, /2 txs in the mempool and 0 being checked, of 2; try again after the next block: mempool is full/);
  // Refused before any state was touched: carol's sequence 0 is still free.
  assert.equal(c.account(carol.address)?.sequence ?? 0n, 0n);
  // A block takes a0; CometBFT rechecks a1 (it stays): one slot is free again, then none.
  c.block([a0]);
  assert.equal(c.checkTx(a1, true).code, 0);
  assert.equal(c.checkTx(c0).code, 0);
  assert.equal(c.checkTx(tx(carol, 5, 1n)).code, 20);
  // An empty block after which nothing is rechecked (nothing stayed) frees every slot.
  c.block([]);
  assert.equal(c.checkTx(tx(carol, 6, 0n)).code, 0);
  assert.equal(c.checkTx(tx(alice, 7, 1n)).code, 0);
  assert.equal(c.checkTx(tx(alice, 8, 2n)).code, 20);
});

/** A chain with 6,000 funded senders and one signed transfer to bob from each: results over the gRPC budget. */
function sixThousandTransfers(tag: string): { c: InProcessChain; txs: Uint8Array[]; stats: BlockStats[]; proposals: ProposalStats[] } {
  const senders = Array.from({ length: 6000 }, (_, i) => testKey(`${tag}-${i}`));
  const stats: BlockStats[] = [];
  const proposals: ProposalStats[] = [];
  const c = new InProcessChain(devnetGenesis(senders.map((k) => k.address), { pools: false, params: { max_block_txs: 10_000 } }), undefined, undefined, {
    onBlock: (s) => stats.push(s), onProposal: (s) => proposals.push(s),
  });
  c.block([]);
  const txs = senders.map((s, i) => buildTx(s, [send(s, bob.address, 1n)], { chainId: c.chainId, accountNumber: BigInt(i), sequence: 0n }));
  return { c, txs, stats, proposals };
}

test('a proposal built here keeps its results under the gRPC budget: no block it proposes loses events', () => {
  const { c, txs, stats, proposals } = sixThousandTransfers('cap');
  const prepare = (list: Uint8Array[]): Uint8Array[] => c.app.prepareProposal({
    maxTxBytes: 1n << 30n, txs: list, localLastCommit: { round: 0, votes: [] }, misbehavior: [], height: c.height + 1n, time: { seconds: 0n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array(),
  }).txs;
  // Never checked here: sizes unknown, so the proposal assumes 8 result bytes per tx byte.
  const blind = prepare(txs);
  assert.equal(blind.length, Math.floor(PROPOSAL_RESULTS_BYTES / ((txs[0] as Uint8Array).length * UNKNOWN_RESULT_BYTES_PER_TX_BYTE + 4)));
  for (const tx of txs) assert.equal(c.checkTx(tx).code, 0);
  // Checked: CheckTx recorded each result's size (~730 bytes), so more fit, though not all 6,000.
  const first = prepare(txs);
  assert.ok(first.length > blind.length && first.length > 4000 && first.length < 6000, `${first.length} txs proposed`);
  assert.deepEqual(first, txs.slice(0, first.length), 'in mempool order');
  const rest = txs.slice(first.length);
  assert.deepEqual(prepare(rest), rest);
  for (const block of [first, rest]) {
    const results = c.block(block);
    assert.ok(results.every((r) => r.code === 0 && r.events.some((e) => e.type === 'transfer')), 'every tx kept its events');
  }
  assert.deepEqual(stats.map((s) => s.trimmed), [0, 0, 0]);
  stats.forEach(assertPhases);
  assert.equal(c.balance(bob.address, 'uatom'), 6000n);
  // onProposal (the metric lanes_proposal_txs_deferred_total) counts what each proposal left.
  assert.deepEqual(proposals, [
    { txs: blind.length, deferred: 6000 - blind.length },
    { txs: first.length, deferred: rest.length },
    { txs: rest.length, deferred: 0 },
  ]);
});

test('CheckTx runs a tx\'s Msgs up to checkTxMsgGas: past it, the tx is admitted on its ante (fee and sequence) and the block runs its Msgs in full', () => {
  const msgs = [send(alice, bob.address, 1n), send(alice, bob.address, 1n), send(alice, bob.address, 1n), send(alice, bob.address, DEVNET_FUNDING * 2n)];
  const opts = (chainId: string, sequence: bigint) => ({ chainId, accountNumber: 0n, sequence, gasLimit: 1_000_000n });
  // With the default budget the Msgs run to the failing fourth: rejected, nothing taken.
  const full = chain();
  const rejected = full.checkTx(buildTx(alice, msgs, opts(full.chainId, 0n)));
  assert.equal(`${rejected.codespace}/${rejected.code}`, 'sdk/5', rejected.log);
  // With a budget the first sends already spend, the fourth never runs in CheckTx.
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address], { pools: false }), undefined, undefined, { checkTxMsgGas: 30_000 });
  c.block([]);
  const tx = buildTx(alice, msgs, opts(c.chainId, 0n));
  const check = c.checkTx(tx);
  assert.equal(check.code, 0, check.log);
  assert.match(check.info, /^Msgs not run to the end in CheckTx: CheckTx's budget of 30000 gas for Msgs spent in location: /);
  assert.equal(check.log, check.info, 'in the log too: broadcast_tx_sync shows only that');
  // The check state took its sequence (and fee), not what the sends that ran moved: bob cannot
  // spend more than his committed balance.
  const overspend = c.checkTx(buildTx(bob, [send(bob, alice.address, DEVNET_FUNDING + 1n)], { chainId: c.chainId, accountNumber: 1n, sequence: 0n }));
  assert.equal(`${overspend.codespace}/${overspend.code}`, 'sdk/5', overspend.log);
  assert.match(overspend.log, new RegExp(`spendable balance ${DEVNET_FUNDING}uatom of ${bob.address} is smaller than ${DEVNET_FUNDING + 1n}uatom`));
  // The sender's next tx follows it.
  const next = buildTx(alice, [send(alice, bob.address, 5n)], opts(c.chainId, 1n));
  assert.equal(c.checkTx(next).code, 0);
  assert.equal(c.checkTx(buildTx(alice, [send(alice, bob.address, 5n)], opts(c.chainId, 0n))).code, 32, 'sequence 0 is taken');
  const before = c.balance(alice.address, 'ulane');
  const [r1, r2] = c.block([tx, next]);
  assert.equal(`${r1?.codespace}/${r1?.code}`, 'sdk/5', r1?.log); // the block ran all four: it fails there, and pays
  assert.equal(r2?.code, 0, r2?.log);
  assert.equal(c.balance(alice.address, 'ulane'), before - 2n * 2500n, 'both fees charged');
  assert.equal(c.balance(bob.address, 'uatom'), DEVNET_FUNDING + 5n, 'only the second tx moved tokens');
});

test('Simulate runs up to the node\'s simulateGas (a query pays nothing): past it, out of gas naming the limit; the tx itself can still be sent', () => {
  const msgs = [send(alice, bob.address, 1n), send(alice, bob.address, 1n), send(alice, bob.address, 1n), send(alice, bob.address, 1n)];
  const simulate = (c: InProcessChain) => c.query('/cosmos.tx.v1beta1.Service/Simulate', SimulateRequest.encode({ txBytes: buildTx(alice, msgs, { chainId: c.chainId, accountNumber: 0n, sequence: 0n }) }).finish());
  const full = chain();
  const ok = simulate(full);
  assert.equal(ok.code, 0, ok.log);
  const used = SimulateResponse.decode(ok.value).gasInfo?.gasUsed ?? 0n;
  assert.ok(used > 30_000n, `four sends use ${used} gas`);
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address], { pools: false }), undefined, undefined, { simulateGas: 30_000 });
  c.block([]);
  const r = simulate(c);
  assert.equal(`${r.codespace}/${r.code}`, 'sdk/11', r.log);
  assert.match(r.log, /^out of gas in location: .*; gasWanted: 30000, gasUsed: \d+: out of gas: this node simulates up to 30000 gas; a tx that needs more can still be sent with its gas limit set by hand, up to 50000000$/);
  const [sent] = c.block([buildTx(alice, msgs, { chainId: c.chainId, accountNumber: 0n, sequence: 0n, gasLimit: used * 2n })]);
  assert.equal(sent?.code, 0, sent?.log);
});

test('Simulate of a tx as CosmJS sends it (an empty signature, no fee coin, gas limit 0) charges for the signature and fee coin the signed tx will carry: the estimate covers the block\'s gas', () => {
  const c = chain();
  const msg = send(alice, bob.address, 1n);
  const authInfoBytes = AuthInfo.encode(AuthInfo.fromPartial({
    signerInfos: [{ publicKey: { typeUrl: '/cosmos.crypto.secp256k1.PubKey', value: PubKey.encode({ key: alice.pubkey }).finish() }, modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } }, sequence: 0n }],
    fee: { amount: [], gasLimit: 0n },
  })).finish();
  const unsigned = TxRaw.encode({ bodyBytes: TxBody.encode(TxBody.fromPartial({ messages: [msg] })).finish(), authInfoBytes, signatures: [new Uint8Array()] }).finish();
  const r = c.query('/cosmos.tx.v1beta1.Service/Simulate', SimulateRequest.encode({ txBytes: unsigned }).finish());
  assert.equal(r.code, 0, r.log);
  const simulated = SimulateResponse.decode(r.value).gasInfo?.gasUsed ?? 0n;
  const signed = buildTx(alice, [msg], { chainId: c.chainId, accountNumber: 0n, sequence: 0n, fee: 500n });
  assert.ok(signed.length > unsigned.length + 64, `the signed tx (${signed.length} bytes) carries a 64-byte signature and a fee coin the simulated one (${unsigned.length}) lacks`);
  const [res] = c.block([signed]);
  assert.equal(res?.code, 0, res?.log);
  const used = res?.gasUsed ?? 0n;
  assert.ok(simulated >= used && simulated - used < 1000n, `simulated ${simulated} gas, the block used ${used}: the estimate covers it, by a little`);
});

test('Simulate answers the Msg responses, as the Cosmos SDK does: a swap\'s amount out before sending it', () => {
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address]));
  c.block([]);
  const swap = MsgSwapExactIn.fromPartial({ sender: bob.address, routes: [{ poolId: 1n, tokenOutDenom: 'uusdc' }], tokenIn: { denom: 'uatom', amount: '1000000' }, minAmountOut: '1' });
  const msgs = [send(bob, alice.address, 5n), { typeUrl: '/lanes.amm.v1.MsgSwapExactIn', value: MsgSwapExactIn.encode(swap).finish() }];
  const tx = buildTx(bob, msgs, { chainId: c.chainId, accountNumber: 1n, sequence: 0n, gasLimit: 400_000n });
  const r = c.query('/cosmos.tx.v1beta1.Service/Simulate', SimulateRequest.encode({ txBytes: tx }).finish());
  assert.equal(r.code, 0, r.log);
  const sim = SimulateResponse.decode(r.value).result;
  assert.deepEqual(sim?.msgResponses.map((m) => m.typeUrl), ['/cosmos.bank.v1beta1.MsgSendResponse', '/lanes.amm.v1.MsgSwapExactInResponse']);
  const simulated = MsgSwapExactInResponse.decode(sim?.msgResponses[1]?.value ?? new Uint8Array()).amountOut;
  const [res] = c.block([tx]);
  assert.equal(res?.code, 0, res?.log);
  assert.deepEqual(sim?.data, res?.data, 'data: the TxMsgData the block returns');
  assert.equal(simulated, MsgSwapExactInResponse.decode(TxMsgData.decode(res?.data ?? new Uint8Array()).msgResponses[1]?.value ?? new Uint8Array()).amountOut);
  assert.ok(BigInt(simulated) > 0n, simulated);
});

test('a failing Msg\'s log names its index, as the Cosmos SDK\'s does; running out of gas is the tx\'s, without one', () => {
  const c = chain();
  const msgs = [send(alice, bob.address, 1n), send(alice, bob.address, 1n), send(alice, bob.address, DEVNET_FUNDING * 2n)];
  const [failedMsg] = c.block([buildTx(alice, msgs, { chainId: c.chainId, accountNumber: 0n, sequence: 0n, gasLimit: 400_000n })]);
  assert.equal(`${failedMsg?.codespace}/${failedMsg?.code}`, 'sdk/5');
  assert.match(failedMsg?.log ?? '', /^failed to execute message; message index: 2: spendable balance \d+uatom of lanes1\w+ is smaller than \d+uatom: insufficient funds$/);
  const [outOfGas] = c.block([buildTx(alice, msgs.slice(0, 2), { chainId: c.chainId, accountNumber: 0n, sequence: 1n, gasLimit: 40_000n })]);
  assert.equal(`${outOfGas?.codespace}/${outOfGas?.code}`, 'sdk/11');
  assert.match(outOfGas?.log ?? '', /^out of gas in location: balances\//, 'in a Msg (a transfer), not the ante');
});

test('TotalSupply lists denoms in order, as the Cosmos SDK does', () => {
  const c = chain();
  const r = c.query('/cosmos.bank.v1beta1.Query/TotalSupply', QueryTotalSupplyRequest.encode({}).finish());
  assert.equal(r.code, 0, r.log);
  const denoms = QueryTotalSupplyResponse.decode(r.value).supply.map((x) => x.denom);
  assert.ok(denoms.length >= 5, denoms.join(','));
  assert.deepEqual(denoms, [...denoms].sort());
});

test('tx bytes round-trip through TxRaw', () => {
  const tx = buildTx(alice, [send(alice, bob.address, 1n)], { chainId: 'x', accountNumber: 0n, sequence: 0n });
  assert.equal(TxRaw.decode(tx).signatures[0]?.length, 64);
});

test('a tx whose second Msg fails keeps none of the first Msg\'s writes, events or new accounts: its result has the ante\'s events only', () => {
  const c = chain();
  assert.equal(c.account(carol.address), null);
  const tx = buildTx(alice, [send(alice, carol.address, 5n), send(alice, bob.address, DEVNET_FUNDING + 1n)], { chainId: c.chainId, accountNumber: 0n, sequence: 0n, fee: 500n });
  const [r] = c.block([tx]);
  assert.equal(`${r?.codespace}/${r?.code}`, 'sdk/5', r?.log);
  assert.match(r?.log ?? '', /^failed to execute message; message index: 1: /);
  assert.deepEqual(r?.events.map((e) => `${e.type}: ${e.attributes.map((a) => `${a.key}=${a.value}`).join(' ')}`), [
    `tx: fee=500ulane fee_payer=${alice.address}`,
    `tx: acc_seq=${alice.address}/0`,
  ], 'no message, coin_spent, coin_received or transfer event of the first Msg');
  assert.equal(c.balance(carol.address, 'uatom'), 0n);
  assert.equal(c.account(carol.address), null, 'the first Msg\'s receiver got no account: its send was undone');
  assert.equal(c.balance(alice.address, 'uatom'), DEVNET_FUNDING);
  assert.equal(c.account(alice.address)?.sequence, 1n);
  // The next account number is still the one carol would have taken.
  assert.equal(c.block([buildTx(alice, [send(alice, carol.address, 5n)], { chainId: c.chainId, accountNumber: 0n, sequence: 1n })])[0]?.code, 0);
  assert.equal(c.account(carol.address)?.accountNumber, 3n);
});

test('a tx of two signers: the first signer pays the whole fee, each signer\'s sequence is bumped', () => {
  const c = chain();
  const signers = [{ key: alice, accountNumber: 0n }, { key: bob, accountNumber: 1n }];
  const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: [send(alice, carol.address, 5n), send(bob, carol.address, 7n)] })).finish();
  const authInfoBytes = AuthInfo.encode(AuthInfo.fromPartial({
    signerInfos: signers.map(({ key }) => ({ publicKey: { typeUrl: '/cosmos.crypto.secp256k1.PubKey', value: PubKey.encode({ key: key.pubkey }).finish() }, modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } }, sequence: 0n })),
    fee: { amount: [{ denom: 'ulane', amount: '1000' }], gasLimit: 400_000n },
  })).finish();
  const signatures = signers.map(({ key, accountNumber }) => secp256k1.ecdsaSign(signDocHash(bodyBytes, authInfoBytes, c.chainId, accountNumber), key.privkey).signature);
  const tx = TxRaw.encode({ bodyBytes, authInfoBytes, signatures }).finish();
  assert.equal(c.checkTx(tx).code, 0);
  const [r] = c.block([tx]);
  assert.equal(r?.code, 0, r?.log);
  assert.ok(r?.events.some((e) => e.type === 'tx' && e.attributes.some((a) => a.key === 'fee_payer' && a.value === alice.address)), 'fee_payer is the first signer');
  assert.equal(c.balance(alice.address, 'ulane'), DEVNET_FUNDING - 1000n);
  assert.equal(c.balance(bob.address, 'ulane'), DEVNET_FUNDING);
  assert.equal(c.balance(carol.address, 'uatom'), 12n);
  assert.deepEqual([c.account(alice.address)?.sequence, c.account(bob.address)?.sequence], [1n, 1n]);
});

test('Commit refuses a decided block other than the next height (a guard: persisting it would corrupt the state, so the node stops instead)', () => {
  const c = chain();
  c.app.finalizeBlock(c.nextRequest([])); // height 2
  c.app.finalizeBlock(c.nextRequest([])); // height 3, with no Commit of 2 between
  assert.throws(() => c.app.commit(), /Commit of block 3, where the next block is 2/);
  assert.equal(c.app.info({ version: '', blockVersion: 0n, p2pVersion: 0n, abciVersion: '' }).lastBlockHeight, 1n, 'nothing committed');
});

test('a chain whose genesis sets initial_height 5 commits its first block at 5, then 6 (Commit\'s guard takes the first block\'s height from genesis)', () => {
  const app = createLanesApp({ dbPath: ':memory:' });
  const info = () => app.info({ version: '', blockVersion: 0n, p2pVersion: 0n, abciVersion: '' });
  app.initChain({
    time: { seconds: 1_700_000_000n, nanos: 0 }, chainId: 'lanes-test-1', validators: [], initialHeight: 5n,
    appStateBytes: Buffer.from(JSON.stringify(devnetGenesis([alice.address], { pools: false }))),
  });
  const request = (height: bigint) => ({
    txs: [], decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32),
    height, time: { seconds: 1_700_000_000n + height, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20),
  });
  for (const height of [5n, 6n]) {
    app.finalizeBlock(request(height));
    app.commit();
    assert.equal(info().lastBlockHeight, height);
  }
  app.finalizeBlock(request(8n));
  assert.throws(() => app.commit(), /Commit of block 8, where the next block is 7/);
  void app.close();
});

test('proposals hold at most params.max_block_txs txs: PrepareProposal trims, ProcessProposal rejects more', () => {
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address], { pools: false, params: { max_block_txs: 3 } }));
  c.block([]);
  const txs = [0n, 1n, 2n, 3n, 4n].map((sequence) => buildTx(alice, [send(alice, bob.address, 1n)], { chainId: c.chainId, accountNumber: 0n, sequence }));
  const prepared = c.app.prepareProposal({ maxTxBytes: 1n << 30n, txs, localLastCommit: { round: 0, votes: [] }, misbehavior: [], height: 2n, time: { seconds: 0n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array() });
  assert.deepEqual(prepared.txs, txs.slice(0, 3));
  const base = { proposedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(), height: 2n, time: { seconds: 0n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array() };
  assert.equal(c.app.processProposal({ ...base, txs: txs.slice(0, 3) }).status, 1); // ACCEPT
  assert.equal(c.app.processProposal({ ...base, txs: txs.slice(0, 4) }).status, 2); // REJECT
  assert.equal(DEFAULT_PARAMS.max_block_txs, 10_000);
  // Bounded, so that a block of that many tiny failing txs keeps its results under 4 MiB.
  assert.doesNotThrow(() => new InProcessChain(devnetGenesis([alice.address], { pools: false, params: { max_block_txs: 100_000 } })));
  assert.throws(() => new InProcessChain(devnetGenesis([alice.address], { pools: false, params: { max_block_txs: 100_001 } })), /params.max_block_txs 100001 is over 100000/);
});

test('ProcessProposal rejects a proposal that holds the same tx twice (its repeat fails, and CometBFT indexes that failure under the tx\'s hash); distinct txs alike in length and last bytes pass', () => {
  const c = chain();
  const opts = (sequence: bigint) => ({ chainId: c.chainId, accountNumber: 0n, sequence });
  const t0 = buildTx(alice, [send(alice, bob.address, 1n)], { ...opts(0n), memo: 'abcd' });
  const t1 = buildTx(alice, [send(alice, bob.address, 2n)], opts(1n));
  const twin = Uint8Array.from(t0); // the same length and last bytes (the cache's fingerprint), another tx
  twin[Buffer.from(t0).indexOf('abcd')] = 0x7a; // memo 'zbcd': it decodes, its signature fails
  const base = { proposedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(), height: 2n, time: { seconds: 0n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array() };
  const status = (txs: Uint8Array[]) => c.app.processProposal({ ...base, txs }).status;
  assert.equal(status([t0, t1, twin]), 1); // ACCEPT
  assert.equal(status([t0, t1, Uint8Array.from(t0)]), 2); // REJECT: t0 again, in bytes of its own
  c.checkTx(t0); // its hash from CheckTx's decode
  assert.equal(status([t1, t0, twin, t1.slice()]), 2);
  assert.equal(status([twin, t0]), 1);
  assert.equal(status([]), 1);
});

test('vote extensions: this chain makes none, and refuses a validator\'s that is not empty (no one adds bytes to every precommit)', () => {
  const c = chain();
  assert.equal(c.app.extendVote().voteExtension.length, 0);
  const verify = (voteExtension: Uint8Array) => c.app.verifyVoteExtension({ hash: new Uint8Array(32), validatorAddress: new Uint8Array(20), height: 2n, voteExtension }).status;
  assert.equal(verify(new Uint8Array()), 1); // ACCEPT
  assert.equal(verify(Uint8Array.of(0)), 2); // REJECT
  assert.equal(verify(new Uint8Array(1 << 20)), 2);
});

test('proposals ask for at most params.max_block_gas: PrepareProposal stops before the tx that would pass it, ProcessProposal rejects more', () => {
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address], { pools: false, params: { max_gas_per_tx: 400_000, max_block_gas: 1_000_000 } }));
  c.block([]);
  const opts = (sequence: bigint, gasLimit: bigint) => ({ chainId: c.chainId, accountNumber: 0n, sequence, gasLimit });
  // 300k + 300k + 300k + 100k: the fourth tx fits exactly.
  const txs = [300_000n, 300_000n, 300_000n, 100_000n, 1n].map((g, i) => buildTx(alice, [send(alice, bob.address, 1n)], opts(BigInt(i), g)));
  c.checkTx(txs[0] as Uint8Array); // one decode cached by CheckTx, the others decoded in the proposal
  const base = { height: 2n, time: { seconds: 0n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array() };
  const prepare = (block: Uint8Array[]) => c.app.prepareProposal({ ...base, maxTxBytes: 1n << 30n, txs: block, localLastCommit: { round: 0, votes: [] }, misbehavior: [] });
  const prepared = prepare(txs);
  assert.deepEqual(prepared.txs, txs.slice(0, 4), 'stops before the 1-gas tx: 1,000,000 reached');
  // It stops there, even where a smaller tx after the one that would pass the limit still fits
  // (950,000, the 100k tx would make 1,050,000, the 50k one after it 1,000,000): skipping one of
  // alice's txs would make her next fail in the block for its sequence.
  const cut = [300_000n, 300_000n, 300_000n, 50_000n, 100_000n, 50_000n].map((g, i) => buildTx(alice, [send(alice, bob.address, 1n)], opts(BigInt(i), g)));
  assert.deepEqual(prepare(cut).txs, cut.slice(0, 4), 'stops before the 100k tx, and leaves out the 50k one after it too');
  const process = (block: Uint8Array[]) => c.app.processProposal({ ...base, txs: block, proposedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array() }).status;
  assert.equal(process(prepared.txs), 1); // ACCEPT
  assert.equal(process(txs), 2); // REJECT: 1,000,001
  assert.equal(process([txs[0]!, txs[1]!, txs[2]!, txs[4]!]), 1); // 900,001
  // The block executes as proposed.
  assert.deepEqual(c.block(prepared.txs).map((r) => r.code), [0, 0, 0, 0]);
  assert.throws(() => new InProcessChain(devnetGenesis([alice.address], { params: { max_gas_per_tx: 400_000, max_block_gas: 399_999 } })), /params.max_block_gas 399999 is below params.max_gas_per_tx 400000/);
});

test('ProcessProposal rejects a proposal holding a tx that cannot run on any node (it does not decode, or fails a check of the tx alone), and PrepareProposal leaves such a tx out; a tx that fails for state passes', () => {
  const lines: string[] = [];
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address], { pools: false, params: { max_gas_per_tx: 400_000 } }), undefined, undefined, {
    logger: pino({ level: 'warn' }, { write: (l: string) => lines.push(l) }),
  });
  c.block([]);
  const opts = (sequence: bigint, gasLimit = 200_000n) => ({ chainId: c.chainId, accountNumber: 0n, sequence, gasLimit });
  const ok = [0n, 1n].map((q) => buildTx(alice, [send(alice, bob.address, 1n)], opts(q))) as [Uint8Array, Uint8Array];
  const unrunnable: [string, Uint8Array, RegExp][] = [
    ['bytes that are no tx', Uint8Array.of(1, 2, 3), /cannot decode TxRaw/],
    ['an empty tx', new Uint8Array(), /empty tx/],
    ['a zero amount', buildTx(alice, [send(alice, bob.address, 0n)], opts(2n)), /0uatom/],
    ['an unknown Msg', buildTx(alice, [{ typeUrl: '/lanes.nothing.v1.MsgNothing', value: new Uint8Array() }], opts(2n)), /unknown message type "\/lanes.nothing.v1.MsgNothing"/],
    ['a gas limit over max_gas_per_tx', buildTx(alice, [send(alice, bob.address, 1n)], opts(2n, 400_001n)), /400001/],
  ];
  // Fail in the block for state, on some node or other: passed.
  const stale = buildTx(alice, [send(alice, bob.address, 5n)], opts(0n)); // another tx for sequence 0
  const broke = buildTx(bob, [send(bob, alice.address, DEVNET_FUNDING * 2n)], { ...opts(0n), accountNumber: 1n });
  const forged = Uint8Array.from(buildTx(alice, [send(alice, bob.address, 3n)], opts(2n)));
  forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1; // the signature's last byte
  const base = { proposedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(), height: 2n, time: { seconds: 0n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array() };
  // As from gRPC: each tx a view of one large request buffer.
  const status = (txs: Uint8Array[]) => {
    const request = new Uint8Array(1 << 20);
    let at = 0;
    const views = txs.map((t) => {
      request.set(t, at);
      at += t.length;
      return request.subarray(at - t.length, at);
    });
    return c.app.processProposal({ ...base, txs: views }).status;
  };
  const cache = (c.app as unknown as { decodedCache: DecodedTxCache }).decodedCache;
  for (const [what, tx] of unrunnable) assert.equal(status([ok[0], tx, ok[1]]), 2, what); // REJECT
  assert.equal(cache.size, 0, 'a rejected proposal caches none of its decodes');
  assert.equal(status([...ok, stale, broke, forged]), 1); // ACCEPT
  assert.equal(cache.size, 5, 'an accepted one caches those CheckTx did not leave, for the block');
  assert.equal(cache.get(ok[0])?.tx.bytes.buffer.byteLength, ok[0].length, 'from a copy of the tx, not a view keeping the request alive');
  for (const [what, tx, log] of unrunnable) {
    lines.length = 0;
    assert.equal(status([ok[0], tx, ok[1]]), 2, what); // REJECT
    const line = JSON.parse(lines.find((l) => l.includes('cannot run on any node')) ?? '{}') as { index?: number; err?: string };
    assert.equal(line.index, 1, `${what}: the log names the tx's place`);
    assert.match(line.err ?? '', log, `${what}: the log says why`);
  }
  const prepared = c.app.prepareProposal({
    maxTxBytes: 1n << 30n, txs: [ok[0], ...unrunnable.map(([, tx]) => tx), ok[1], stale], localLastCommit: { round: 0, votes: [] }, misbehavior: [], height: 2n, time: { seconds: 0n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array(),
  });
  assert.deepEqual(prepared.txs, [ok[0], ok[1], stale]);
  assert.equal(status(prepared.txs), 1);
  // The block runs the txs ProcessProposal decoded (none went through CheckTx here) as any other.
  assert.deepEqual(c.block([...ok, stale, broke, forged]).map((r) => `${r.codespace}/${r.code}`), ['/0', '/0', 'sdk/32', 'sdk/5', 'sdk/4']);
  assert.equal(c.balance(bob.address, 'uatom'), DEVNET_FUNDING + 2n);
});

test('PrepareProposal stops before the tx that would pass req.max_tx_bytes, counted as CometBFT counts it (each tx a length-delimited field), though a smaller one after it would fit', () => {
  const c = chain();
  const opts = (sequence: bigint, memo = '') => ({ chainId: c.chainId, accountNumber: 0n, sequence, memo });
  const [a0, a1, big, small] = [opts(0n), opts(1n), opts(2n, 'x'.repeat(200)), opts(3n)].map((o) => buildTx(alice, [send(alice, bob.address, 1n)], o)) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const txs = [a0, a1, big, small];
  const prepare = (maxTxBytes: number) => c.app.prepareProposal({
    maxTxBytes: BigInt(maxTxBytes), txs, localLastCommit: { round: 0, votes: [] }, misbehavior: [], height: 2n, time: { seconds: 0n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array(),
  }).txs;
  // CometBFT refuses an answer whose txs' proto sizes (tag, length, bytes) pass max_tx_bytes.
  const size = (t: Uint8Array) => protoTxSize(t.length);
  assert.equal(size(big), big.length + 3, 'over 127 bytes: a tag and a 2-byte length');
  // The length's varint grows a byte at 2^7 and 2^14, as CometBFT counts it (proto.Size).
  assert.deepEqual([0, 127, 128, 16_383, 16_384, 131_072].map(protoTxSize), [2, 129, 131, 16_386, 16_388, 131_076]);
  const two = size(a0) + size(a1);
  assert.deepEqual(prepare(two), [a0, a1], 'two txs fill the bytes exactly');
  assert.deepEqual(prepare(a0.length + a1.length), [a0], 'their raw bytes alone would not make room for both');
  assert.deepEqual(prepare(two + size(small)), [a0, a1], 'the big tx does not fit: the proposal ends there, without the small one after it');
  assert.deepEqual(prepare(two + size(big)), [a0, a1, big]);
  assert.deepEqual(prepare(two + size(big) + size(small)), txs);
  // What skipping the big tx would have proposed: alice's sequence 3 without her 2.
  assert.deepEqual(c.block([a0, a1, small]).map((r) => `${r.codespace}/${r.code}`), ['/0', '/0', 'sdk/32']);
});

test('a block whose results exceed the gRPC budget keeps code, data and gas but sheds the last txs\' events', () => {
  const { c, txs, stats } = sixThousandTransfers('budget');
  const res = c.app.finalizeBlock(c.nextRequest(txs));
  assert.ok(!(res instanceof Promise), 'finalizeBlock answered synchronously');
  c.app.commit();
  const sizes = (res.encodedTxResults ?? []).map((b) => b.length + 4);
  assert.ok(sizes.reduce((a, b) => a + b, 0) <= RESULTS_BUDGET_BYTES, 'results fit the budget');
  const results = res.txResults;
  assert.ok(results.every((r) => r.code === 0 && r.gasUsed > 0n && r.data.length > 0), 'every tx executed');
  assert.ok((results[0]?.events.length ?? 0) > 0, 'early txs keep their events');
  assert.equal(results[results.length - 1]?.events.length, 0, 'the last tx lost its events');
  const trimmed = results.filter((r) => r.events.length === 0).length;
  assert.ok(trimmed > 0, 'some txs had their events shed');
  assert.deepEqual(stats.map((s) => s.trimmed), [0, trimmed], 'onBlock (the metric lanes_results_trimmed_total) counts them');
  assert.equal(c.balance(bob.address, 'uatom'), 6000n); // bob is not funded in this genesis
});

test('a state read that fails in a block (disk, database) stops the block on this node instead of failing the tx that read; CheckTx refuses the tx and queries answer an error', () => {
  const c = chain();
  // A first block pays a fee, so the fee collector's balance is in the store's read cache. Then
  // alice's balance of a denom never written is the only key not there: the Msg reads it from the
  // database (no new account, and the fee collector's balance at end-block comes from the cache).
  assert.equal(c.block([buildTx(alice, [send(alice, bob.address, 1n)], { chainId: c.chainId, accountNumber: 0n, sequence: 0n })])[0]?.code, 0);
  const tx = buildTx(alice, [send(alice, bob.address, 5n, 'unever')], { chainId: c.chainId, accountNumber: 0n, sequence: 1n });
  // From here the database under the committed store fails every read: a closed connection
  // stands in for an I/O error or a corrupt page. Keys already in the read cache still answer.
  (c.app as unknown as { store: { db: { close(): void } } }).store.db.close();
  assert.throws(() => c.block([tx]), (e: unknown) => {
    // Thrown by FinalizeBlock, before Commit (whose own failure would be no StoreFault): had the
    // read failed the tx, its "internal error" would be in the block's results on this node only.
    assert.ok(e instanceof StoreFault, `a StoreFault, got ${String(e)}`);
    assert.match(e.message, /^reading state failed: The database connection is not open/);
    return true;
  });
  const checked = c.checkTx(tx);
  assert.deepEqual([checked.codespace, checked.code], ['sdk', 111222], checked.log);
  assert.match(checked.log, /reading state failed/);
  assert.throws(() => c.balance(carol.address, 'uatom'), /balance query failed: reading state failed/);
});
