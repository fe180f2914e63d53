// Building signed txs without CosmJS, for tests and benchmarks that need thousands of them.
// Produces exactly what CosmJS produces (TxRaw over SIGN_MODE_DIRECT); integration tests use
// CosmJS itself.
import secp256k1 from 'secp256k1';
import { createHash } from 'node:crypto';
import { AuthInfo, TxBody, TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { SignMode } from 'cosmjs-types/cosmos/tx/signing/v1beta1/signing';
import { PubKey } from 'cosmjs-types/cosmos/crypto/secp256k1/keys';
import { addressFromPubkey } from './address.ts';
import { signDocHash } from './sigverify.ts';
import { SECP256K1_PUBKEY_TYPE } from './tx.ts';
import { FEE_DENOM } from './constants.ts';
import type { AnyMsg } from './module.ts';

export interface TestKey {
  privkey: Uint8Array;
  pubkey: Uint8Array;
  address: string;
}

/** A deterministic key from a seed string (never for real funds). */
export function testKey(seed: string): TestKey {
  let privkey = createHash('sha256').update(`lanes-test-key/${seed}`).digest();
  while (!secp256k1.privateKeyVerify(privkey)) privkey = createHash('sha256').update(privkey).digest();
  const pubkey = secp256k1.publicKeyCreate(privkey, true);
  return { privkey: new Uint8Array(privkey), pubkey, address: addressFromPubkey(pubkey) };
}

export interface BuildTxOptions {
  chainId: string;
  accountNumber: bigint;
  sequence: bigint;
  gasLimit?: bigint;
  /** Fee in FEE_DENOM; default: gasLimit * 0.0025 rounded up. */
  fee?: bigint;
  feeDenom?: string;
  memo?: string;
  timeoutHeight?: bigint;
  /** Omit the public key from the signer info. */
  omitPubkey?: boolean;
}

export function buildTx(key: TestKey, msgs: AnyMsg[], o: BuildTxOptions): Uint8Array {
  const gasLimit = o.gasLimit ?? 200_000n;
  const fee = o.fee ?? (gasLimit * 25n + 9999n) / 10000n;
  const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: msgs, memo: o.memo ?? '', timeoutHeight: o.timeoutHeight ?? 0n })).finish();
  const authInfoBytes = AuthInfo.encode(AuthInfo.fromPartial({
    signerInfos: [{
      ...(o.omitPubkey ? {} : { publicKey: { typeUrl: SECP256K1_PUBKEY_TYPE, value: PubKey.encode({ key: key.pubkey }).finish() } }),
      modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } },
      sequence: o.sequence,
    }],
    fee: { amount: fee > 0n ? [{ denom: o.feeDenom ?? FEE_DENOM, amount: fee.toString() }] : [], gasLimit },
  })).finish();
  const hash = signDocHash(bodyBytes, authInfoBytes, o.chainId, o.accountNumber);
  const { signature } = secp256k1.ecdsaSign(hash, key.privkey);
  return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [signature] }).finish();
}
