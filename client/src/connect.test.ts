import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Secp256k1, Secp256k1Signature, sha256 } from '@cosmjs/crypto';
import { decodeTxRaw, makeAuthInfoBytes, makeSignBytes, makeSignDoc, decodePubkey } from '@cosmjs/proto-signing';
import { calculateFee, GasPrice, SigningStargateClient } from '@cosmjs/stargate';
import { SignMode } from 'cosmjs-types/cosmos/tx/signing/v1beta1/signing';
import { TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { lanesClientOptions } from './connect.ts';
import { DEVNET_CHAIN_ID, devnetWallet } from './devnet.ts';
import type { MsgSendEncodeObject } from './messages.ts';

describe('signing with the Lanes client options (offline)', () => {
  it('produces a SIGN_MODE_DIRECT TxRaw with a MsgSend, a secp256k1 pubkey and a valid low-S signature', async () => {
    const wallet = await devnetWallet();
    const [from, to] = await wallet.getAccounts();
    assert.ok(from && to, 'the devnet wallet has at least two accounts');
    const client = await SigningStargateClient.offline(wallet, lanesClientOptions());
    const msg: MsgSendEncodeObject = {
      typeUrl: '/cosmos.bank.v1beta1.MsgSend',
      value: { fromAddress: from.address, toAddress: to.address, amount: [{ denom: 'ulane', amount: '1500000' }] },
    };
    const fee = calculateFee(200_000, GasPrice.fromString('0.0025ulane'));
    assert.deepEqual(fee.amount, [{ denom: 'ulane', amount: '500' }]);
    const raw = await client.sign(from.address, [msg], fee, 'hi', { accountNumber: 3, sequence: 7, chainId: DEVNET_CHAIN_ID });
    const bytes = TxRaw.encode(raw).finish();

    const tx = decodeTxRaw(bytes);
    assert.equal(tx.body.memo, 'hi');
    assert.equal(tx.body.messages[0]?.typeUrl, '/cosmos.bank.v1beta1.MsgSend');
    const signer = tx.authInfo.signerInfos[0];
    assert.ok(signer, 'the tx has a signer info');
    assert.equal(signer.modeInfo?.single?.mode, SignMode.SIGN_MODE_DIRECT);
    assert.equal(signer.sequence, 7n);
    assert.equal(signer.publicKey?.typeUrl, '/cosmos.crypto.secp256k1.PubKey');
    const pubkey = decodePubkey(signer.publicKey!);
    assert.equal(pubkey.type, 'tendermint/PubKeySecp256k1');

    // Rebuild the sign bytes the chain will verify against and check the signature.
    const authInfoBytes = makeAuthInfoBytes(
      [{ pubkey: signer.publicKey!, sequence: 7 }],
      fee.amount,
      Number(fee.gas),
      undefined,
      undefined,
      SignMode.SIGN_MODE_DIRECT,
    );
    assert.deepEqual(authInfoBytes, raw.authInfoBytes);
    const signBytes = makeSignBytes(makeSignDoc(raw.bodyBytes, raw.authInfoBytes, DEVNET_CHAIN_ID, 3));
    const sig = raw.signatures[0];
    assert.ok(sig, 'the tx has a signature');
    assert.equal(sig.length, 64);
    const ok = await Secp256k1.verifySignature(Secp256k1Signature.fromFixedLength(sig), sha256(signBytes), from.pubkey);
    assert.ok(ok, 'the signature verifies against the sign bytes and the sender pubkey');
  });
});
