// Unmodified CosmJS against a real CometBFT v0.38 node running the Lanes app.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { SigningStargateClient, StargateClient, GasPrice, coins } from '@cosmjs/stargate';
import { makeCosmoshubPath } from '@cosmjs/amino';
import { TEST_MNEMONIC } from '@lanes/client';
import { startTestNode, type TestNode } from './support/node.ts';

let node: TestNode;
let wallet: DirectSecp256k1HdWallet;
let client: SigningStargateClient;
let a0: string;
let a1: string;

before(async () => {
  node = await startTestNode();
  wallet = await DirectSecp256k1HdWallet.fromMnemonic(TEST_MNEMONIC, {
    prefix: 'lanes',
    hdPaths: [0, 1, 10].map((i) => makeCosmoshubPath(i)), // index 10 is not funded at genesis
  });
  const accs = await wallet.getAccounts();
  a0 = accs[0]?.address as string;
  a1 = accs[1]?.address as string;
  client = await SigningStargateClient.connectWithSigner(node.rpcUrl, wallet, {
    gasPrice: GasPrice.fromString('0.0025ulane'),
    broadcastPollIntervalMs: 300,
  });
});

after(async () => {
  client?.disconnect();
  await node?.stop();
});

test('chain id, balances and accounts through StargateClient', async () => {
  assert.equal(await client.getChainId(), 'lanes-devnet-1');
  const bal = await client.getBalance(a0, 'uatom');
  assert.deepEqual(bal, { denom: 'uatom', amount: '1000000000000' });
  assert.deepEqual(await client.getBalance(a0, 'unothing'), { denom: 'unothing', amount: '0' });
  const all = await client.getAllBalances(a1);
  assert.deepEqual(all.map((c) => c.denom), ['uatom', 'ueth', 'ulane', 'uusdc', 'uusdt']);
  const acc = await client.getAccount(a1);
  assert.ok(acc, 'a1 has an account');
  assert.equal(acc.address, a1);
  assert.equal(BigInt(acc.accountNumber), 1n);
  const fresh = (await wallet.getAccounts())[2]?.address as string;
  assert.equal(await client.getAccount(fresh), null);
});

test('send with fee "auto": simulate, broadcast, inclusion via CosmJS polling, msgResponses, getTx', async () => {
  const before0 = BigInt((await client.getBalance(a0, 'ulane')).amount);
  const before1 = BigInt((await client.getBalance(a1, 'uusdc')).amount);
  const res = await client.sendTokens(a0, a1, coins(12345, 'uusdc'), 'auto', 'hello lanes');
  assert.equal(res.code, 0, res.rawLog);
  assert.ok(res.height > 0, `committed at height ${res.height}, expected > 0`);
  assert.ok(res.gasUsed > 0n && res.gasUsed <= res.gasWanted, `gas used ${res.gasUsed} of ${res.gasWanted}: expected > 0 and <= gas wanted`);
  assert.equal(res.msgResponses.length, 1);
  assert.equal(res.msgResponses[0]?.typeUrl, '/cosmos.bank.v1beta1.MsgSendResponse');
  assert.equal(BigInt((await client.getBalance(a1, 'uusdc')).amount), before1 + 12345n);
  const feePaid = before0 - BigInt((await client.getBalance(a0, 'ulane')).amount);
  assert.ok(feePaid > 0n, 'a fee was paid');
  // fee = ceil(gasWanted * 0.0025)
  assert.equal(feePaid, (res.gasWanted * 25n + 9999n) / 10000n);
  const tx = await client.getTx(res.transactionHash);
  assert.ok(tx, 'the committed tx can be fetched');
  assert.equal(tx.height, res.height);
  assert.equal(tx.code, 0);
  const found = await client.searchTx(`transfer.recipient='${a1}'`);
  assert.ok(found.some((t) => t.hash === res.transactionHash), 'tx_search finds the transfer by event');
});

test('send with an explicit fee, and the sequence advances', async () => {
  const seqBefore = (await client.getSequence(a1)).sequence;
  const res = await client.sendTokens(a1, a0, coins(1, 'ueth'), { amount: coins(600, 'ulane'), gas: '200000' });
  assert.equal(res.code, 0, res.rawLog);
  assert.equal(res.gasWanted, 200000n);
  assert.equal(BigInt((await client.getSequence(a1)).sequence), BigInt(seqBefore) + 1n);
});

test('a new account appears once it receives funds', async () => {
  const fresh = (await wallet.getAccounts())[2]?.address as string;
  const res = await client.sendTokens(a0, fresh, coins(1_000_000, 'ulane'), 'auto');
  assert.equal(res.code, 0, res.rawLog);
  const acc = await client.getAccount(fresh);
  assert.ok(acc, 'the fresh address has an account after receiving funds');
  assert.equal(BigInt(acc.sequence), 0n);
  // And it can spend right away, with its pubkey registered on first use.
  const back = await client.sendTokens(fresh, a0, coins(1, 'ulane'), 'auto');
  assert.equal(back.code, 0, back.rawLog);
  assert.ok((await client.getAccount(fresh))?.pubkey, 'the fresh account has its pubkey registered');
});

test('a read-only StargateClient sees the same chain', async () => {
  const ro = await StargateClient.connect(node.rpcUrl);
  try {
    assert.ok((await ro.getHeight()) > 1, 'the read-only client sees a height above 1');
    assert.equal((await ro.getBalance(a0, 'uatom')).denom, 'uatom');
  } finally {
    ro.disconnect();
  }
});
