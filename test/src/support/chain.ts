// CosmJS helpers for integration tests: devnet wallets and clients, raw tx building with
// CosmJS's own signer (so what we test is exactly what integrators send).
import { DirectSecp256k1HdWallet, makeAuthInfoBytes, makeSignDoc, encodePubkey, Registry, type EncodeObject } from '@cosmjs/proto-signing';
import { SigningStargateClient, GasPrice, defaultRegistryTypes } from '@cosmjs/stargate';
import { makeCosmoshubPath } from '@cosmjs/amino';
import { encodeSecp256k1Pubkey } from '@cosmjs/amino';
import { TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { TEST_MNEMONIC } from '@lanes/client';

export async function devnetWallet(indices: number[]): Promise<DirectSecp256k1HdWallet> {
  return DirectSecp256k1HdWallet.fromMnemonic(TEST_MNEMONIC, { prefix: 'lanes', hdPaths: indices.map((i) => makeCosmoshubPath(i)) });
}

export async function signingClient(rpcUrl: string, wallet: DirectSecp256k1HdWallet): Promise<SigningStargateClient> {
  return SigningStargateClient.connectWithSigner(rpcUrl, wallet, { gasPrice: GasPrice.fromString('0.0025ulane'), broadcastPollIntervalMs: 300 });
}

export const registry = new Registry(defaultRegistryTypes);

export function msgSend(from: string, to: string, amount: { denom: string; amount: string }[]): EncodeObject {
  return { typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: { fromAddress: from, toAddress: to, amount } };
}

export interface RawTxOptions {
  chainId: string;
  accountNumber: number;
  sequence: number;
  fee?: { denom: string; amount: string }[];
  gas?: number;
  memo?: string;
}

/** Signs with CosmJS's DirectSecp256k1HdWallet.signDirect, returning TxRaw bytes. */
export async function signRaw(wallet: DirectSecp256k1HdWallet, signer: string, msgs: EncodeObject[], o: RawTxOptions): Promise<Uint8Array> {
  const account = (await wallet.getAccounts()).find((a) => a.address === signer);
  if (!account) throw new Error(`wallet has no ${signer}`);
  const bodyBytes = registry.encode({ typeUrl: '/cosmos.tx.v1beta1.TxBody', value: { messages: msgs, memo: o.memo ?? '' } });
  const pubkey = encodePubkey(encodeSecp256k1Pubkey(account.pubkey));
  const gas = o.gas ?? 200_000;
  const authInfoBytes = makeAuthInfoBytes([{ pubkey, sequence: o.sequence }], o.fee ?? [{ denom: 'ulane', amount: String(Math.ceil(gas * 0.0025)) }], gas, undefined, undefined);
  const signDoc = makeSignDoc(bodyBytes, authInfoBytes, o.chainId, o.accountNumber);
  const { signed, signature } = await wallet.signDirect(signer, signDoc);
  return TxRaw.encode({ bodyBytes: signed.bodyBytes, authInfoBytes: signed.authInfoBytes, signatures: [Buffer.from(signature.signature, 'base64')] }).finish();
}
