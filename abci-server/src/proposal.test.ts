// A proposal this node builds passes its own ProcessProposal, and that of a node that saw none of
// its txs, whatever CometBFT hands it: what PrepareProposal leaves in and what ProcessProposal
// refuses are two codings of one set of rules (the tx count, bytes and gas limits; a tx no node
// can run; a tx twice), and a proposer whose blocks the other validators reject loses its rounds. Random mixes of valid txs, txs that fail
// for state, txs no node can run and repeats, some admitted by CheckTx first (with the app's
// recheck, which reorders the proposal), under limits tight enough that every one of them binds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { buildTx, protoTxSize, testKey, type TestKey } from '@lanes/app';
import { InProcessChain } from './inprocess.ts';
import { devnetGenesis } from './lanesApp.ts';

const signers = [testKey('alice'), testKey('bob'), testKey('carol')];
const PARAMS = { max_block_txs: 4, max_gas_per_tx: 400_000, max_block_gas: 1_000_000 };

function send(from: TestKey, amount: bigint) {
  return { typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: MsgSend.encode({ fromAddress: from.address, toAddress: (signers[2] as TestKey).address, amount: [{ denom: 'uatom', amount: amount.toString() }] }).finish() };
}

// Txs to draw from. Those no node can run: junk, an empty tx, a zero amount, a gas limit over
// max_gas_per_tx, a memo over max_memo_characters (256). The rest run, or fail for state (a sequence already used or not yet due).
const runnable: Uint8Array[] = [];
for (const [k, key] of signers.entries()) {
  for (const sequence of [0n, 1n, 2n]) {
    for (const gasLimit of [100_000n, 300_000n, 400_000n]) {
      for (const memo of ['', 'm'.repeat(250)]) runnable.push(buildTx(key, [send(key, 1n + gasLimit / 100_000n)], { chainId: 'lanes-devnet-1', accountNumber: BigInt(k), sequence, gasLimit, memo }));
    }
  }
}
const alice = signers[0] as TestKey;
const unrunnable: Uint8Array[] = [
  Uint8Array.of(1, 2, 3),
  new Uint8Array(),
  buildTx(alice, [send(alice, 0n)], { chainId: 'lanes-devnet-1', accountNumber: 0n, sequence: 0n }),
  buildTx(alice, [send(alice, 1n)], { chainId: 'lanes-devnet-1', accountNumber: 0n, sequence: 0n, gasLimit: 400_001n }),
  buildTx(alice, [send(alice, 1n)], { chainId: 'lanes-devnet-1', accountNumber: 0n, sequence: 0n, memo: 'm'.repeat(257) }),
];
const pool = [...runnable, ...unrunnable];
const key = (tx: Uint8Array) => Buffer.from(tx).toString('hex');
const bad = new Set(unrunnable.map(key));

const draw = fc.record({
  txs: fc.array(fc.nat(pool.length - 1), { maxLength: 14 }),
  checked: fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }),
  maxTxBytes: fc.constantFrom(300, 1_000, 2_500, 1 << 20),
  recheck: fc.constantFrom('app' as const, 'cometbft' as const),
});

test('a proposal built here passes ProcessProposal here, whatever the mempool hands over (fast-check)', () => {
  fc.assert(fc.property(draw, ({ txs: picks, checked, maxTxBytes, recheck }) => {
    const c = new InProcessChain(devnetGenesis(signers.map((s) => s.address), { pools: false, params: PARAMS }), undefined, undefined, { recheck, reapsByBytesOnly: true });
    c.block([]);
    const given = picks.map((i) => pool[i] as Uint8Array);
    given.forEach((tx, i) => {
      if (checked[i]) c.checkTx(tx); // admitted or refused: it fills the caches and the record either way
    });
    const head = { height: c.height + 1n, time: { seconds: 0n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array() };
    const { txs } = c.app.prepareProposal({ ...head, maxTxBytes: BigInt(maxTxBytes), txs: given, localLastCommit: { round: 0, votes: [] }, misbehavior: [] });
    const status = c.app.processProposal({ ...head, txs, proposedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array() }).status;
    assert.equal(status, 1, `ProcessProposal rejected [${txs.map((t) => pool.findIndex((p) => key(p) === key(t))).join(', ')}] built from [${picks.join(', ')}]`);
    // The verdict is the rules', not this node's caches: a node that saw none of the txs agrees.
    const fresh = new InProcessChain(devnetGenesis(signers.map((x) => x.address), { pools: false, params: PARAMS }));
    fresh.block([]);
    assert.equal(fresh.app.processProposal({ ...head, txs, proposedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array() }).status, 1, 'a node without the caches rejected it');
    // What it holds: txs it was given, each once, none that cannot run, within the limits.
    const offered = new Set(given.map(key));
    assert.ok(txs.every((t) => offered.has(key(t))), 'only txs it was given');
    assert.equal(new Set(txs.map(key)).size, txs.length, 'no tx twice');
    assert.ok(!txs.some((t) => bad.has(key(t))), 'no tx that cannot run');
    assert.ok(txs.length <= PARAMS.max_block_txs, `${txs.length} txs`);
    assert.ok(txs.reduce((n, t) => n + protoTxSize(t.length), 0) <= maxTxBytes, 'within max_tx_bytes');
    // Not empty-handed: it leaves out a runnable tx only for a limit (the first that fits goes in).
    const first = given.find((t) => !bad.has(key(t)));
    if (first && protoTxSize(first.length) <= maxTxBytes) assert.ok(txs.length > 0, 'a runnable tx that fits goes in');
  }), { numRuns: 300 });
});
