// Bad input over the real RPC: CheckTx rejects each with a stable (codespace, code) and a log
// naming the bad value; nothing moves; the node keeps producing blocks; the next valid tx works.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { BroadcastTxError, defaultRegistryTypes, type SigningStargateClient } from '@cosmjs/stargate';
import { Registry, makeSignDoc, type DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { startTestNode, TEST_CHAIN_ID, type TestNode } from './support/node.ts';
import { devnetWallet, msgSend, signRaw, signingClient } from './support/chain.ts';

let node: TestNode;
let wallet: DirectSecp256k1HdWallet;
let client: SigningStargateClient;
let a0: string;
let a1: string;

before(async () => {
  node = await startTestNode();
  wallet = await devnetWallet([0, 1]);
  [a0, a1] = (await wallet.getAccounts()).map((a) => a.address) as [string, string];
  client = await signingClient(node.rpcUrl, wallet);
});

after(async () => {
  client?.disconnect();
  await node?.stop();
});

async function expectReject(tx: Uint8Array, codespace: string, code: number, logHas: string | RegExp): Promise<void> {
  try {
    await client.broadcastTxSync(tx);
  } catch (e) {
    if (e instanceof BroadcastTxError) {
      assert.equal(`${e.codespace}/${e.code}`, `${codespace}/${code}`, e.log);
      if (typeof logHas === 'string') assert.ok(e.log?.includes(logHas), `log ${JSON.stringify(e.log)} should mention ${logHas}`);
      else assert.match(e.log ?? '', logHas);
      return;
    }
    throw e;
  }
  assert.fail(`tx was accepted, expected ${codespace}/${code}`);
}

const FAKE_MSG = '/lanes.fake.v1.MsgSteal';

/**
 * A tx carrying a Msg of a type URL the chain does not know, signed with CosmJS's signDirect.
 * CosmJS's default registry cannot encode an unregistered type, so the body is encoded with a
 * registry that knows FAKE_MSG (with MsgSend's codec), then signed as signRaw does.
 */
async function signUnknownMsg(seq: number): Promise<Uint8Array> {
  const fakeRegistry = new Registry([...defaultRegistryTypes, [FAKE_MSG, MsgSend]]);
  const bodyBytes = fakeRegistry.encode({
    typeUrl: '/cosmos.tx.v1beta1.TxBody',
    value: { messages: [{ typeUrl: FAKE_MSG, value: MsgSend.fromPartial({ fromAddress: a0, toAddress: a1, amount: [{ denom: 'uatom', amount: '5' }] }) }], memo: '' },
  });
  // signRaw signs the same Msgs the same way: take its auth info, swap in this body, sign again.
  const ref = TxRaw.decode(await signRaw(wallet, a0, [msgSend(a0, a1, [{ denom: 'uatom', amount: '5' }])], { chainId: TEST_CHAIN_ID, accountNumber: 0, sequence: seq }));
  const { signed, signature } = await wallet.signDirect(a0, makeSignDoc(bodyBytes, ref.authInfoBytes, TEST_CHAIN_ID, 0));
  return TxRaw.encode({ bodyBytes: signed.bodyBytes, authInfoBytes: signed.authInfoBytes, signatures: [Buffer.from(signature.signature, 'base64')] }).finish();
}

const good = (seq: number, extra: Partial<Parameters<typeof signRaw>[3]> = {}, amount = [{ denom: 'uatom', amount: '5' }], to = () => a1) =>
  signRaw(wallet, a0, [msgSend(a0, to(), amount)], { chainId: TEST_CHAIN_ID, accountNumber: 0, sequence: seq, ...extra });

test('each bad tx is rejected in CheckTx with its (codespace, code) and the bad value in the log', async () => {
  const balancesBefore = await client.getAllBalances(a0);
  const valid = await good(0);

  await expectReject(Buffer.from('this is not a transaction'), 'sdk', 2, 'decode');
  await expectReject(valid.subarray(0, Math.floor(valid.length / 2)), 'sdk', 2, 'decode');
  await expectReject(await signUnknownMsg(0), 'sdk', 6, `unknown message type "${FAKE_MSG}" at index 0`);
  await expectReject(await good(0, { chainId: 'other-chain-7' }), 'sdk', 4, TEST_CHAIN_ID);
  const raw = TxRaw.decode(valid);
  const flipped = Uint8Array.from(raw.signatures[0] as Uint8Array);
  flipped[5] = (flipped[5] ?? 0) ^ 0xff;
  await expectReject(TxRaw.encode({ ...raw, signatures: [flipped] }).finish(), 'sdk', 4, 'signature verification failed');
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const sig = raw.signatures[0] as Uint8Array;
  const s = BigInt('0x' + Buffer.from(sig.subarray(32)).toString('hex'));
  const highS = Buffer.concat([sig.subarray(0, 32), Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex')]);
  await expectReject(TxRaw.encode({ ...raw, signatures: [highS] }).finish(), 'sdk', 4, 'lower-S');
  await expectReject(TxRaw.encode({ ...raw, signatures: [] }).finish(), 'sdk', 15, 'signature');
  // In the Cosmos SDK's words, which clients parse to re-sign with the expected sequence.
  await expectReject(await good(3), 'sdk', 32, /^account sequence mismatch, expected 0, got 3: incorrect account sequence$/);
  await expectReject(await good(0, { fee: [{ denom: 'ulane', amount: '499' }] }), 'sdk', 13, 'got: 499ulane required: 500ulane');
  await expectReject(await good(0, { fee: [{ denom: 'uatom', amount: '500' }] }), 'sdk', 13, 'uatom');
  await expectReject(await good(0, {}, [{ denom: 'uatom', amount: '999999999999999' }]), 'sdk', 5, '999999999999999uatom');
  await expectReject(await good(0, {}, undefined, () => 'lanes1notanaddress'), 'sdk', 7, 'lanes1notanaddress');
  await expectReject(await good(0, {}, undefined, () => 'cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu'), 'sdk', 7, 'cosmos');
  await expectReject(await good(0, {}, [{ denom: 'uatom', amount: '0' }]), 'sdk', 10, '0uatom');
  await expectReject(await good(0, {}, [{ denom: 'uatom', amount: '-5' }]), 'sdk', 10, '-5');
  await expectReject(await good(0, {}, [{ denom: 'uatom', amount: '1' + '0'.repeat(80) }]), 'sdk', 10, 'exceeds 256 bits');
  await expectReject(await good(0, {}, [{ denom: 'uatom', amount: '1' }, { denom: 'uatom', amount: '2' }]), 'sdk', 10, 'duplicate denomination uatom');
  await expectReject(await good(0, { memo: 'x'.repeat(300) }), 'sdk', 12, '300');
  const big = await good(0, { memo: '' });
  const padded = TxRaw.encode({ ...TxRaw.decode(big), signatures: [TxRaw.decode(big).signatures[0] as Uint8Array, new Uint8Array(140_000)] }).finish();
  await expectReject(padded, 'sdk', 21, `${padded.length} bytes`);

  // Nothing moved.
  assert.deepEqual(await client.getAllBalances(a0), balancesBefore);

  // The chain goes on and the next valid tx (sequence 0) commits.
  const h = await client.getHeight();
  const res = await client.signAndBroadcast(a0, [msgSend(a0, a1, [{ denom: 'uatom', amount: '5' }])], 'auto');
  assert.equal(res.code, 0, res.rawLog);
  assert.ok(res.height > h, `committed at height ${res.height}, expected after ${h}`);

  // Replaying the committed bytes is refused (CometBFT's cache or our sequence check, sdk/32).
  const tx = await client.getTx(res.transactionHash);
  assert.ok(tx, 'the committed tx can be fetched');
  await assert.rejects(client.broadcastTxSync(tx.tx), (e: Error) => {
    if (e instanceof BroadcastTxError) return e.codespace === 'sdk' && e.code === 32;
    return /already exists in cache/.test(e.message);
  });
});
