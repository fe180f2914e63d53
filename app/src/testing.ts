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
  /** Appended to the encoded TxBody, signed: unknown fields (see nestedGroups). */
  bodyExtra?: Uint8Array;
  /** Appended to the encoded AuthInfo, signed: e.g. one more signer info (see nestedModeInfoSigner). */
  authInfoExtra?: Uint8Array;
}

export function buildTx(key: TestKey, msgs: AnyMsg[], o: BuildTxOptions): Uint8Array {
  const gasLimit = o.gasLimit ?? 200_000n;
  const fee = o.fee ?? (gasLimit * 25n + 9999n) / 10000n;
  const body = TxBody.encode(TxBody.fromPartial({ messages: msgs, memo: o.memo ?? '', timeoutHeight: o.timeoutHeight ?? 0n })).finish();
  const bodyBytes = o.bodyExtra ? Buffer.concat([body, o.bodyExtra]) : body;
  let authInfoBytes = AuthInfo.encode(AuthInfo.fromPartial({
    signerInfos: [{
      ...(o.omitPubkey ? {} : { publicKey: { typeUrl: SECP256K1_PUBKEY_TYPE, value: PubKey.encode({ key: key.pubkey }).finish() } }),
      modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } },
      sequence: o.sequence,
    }],
    fee: { amount: fee > 0n ? [{ denom: o.feeDenom ?? FEE_DENOM, amount: fee.toString() }] : [], gasLimit },
  })).finish();
  if (o.authInfoExtra) authInfoBytes = Buffer.concat([authInfoBytes, o.authInfoExtra]);
  const hash = signDocHash(bodyBytes, authInfoBytes, o.chainId, o.accountNumber);
  const { signature } = secp256k1.ecdsaSign(hash, key.privkey);
  return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [signature] }).finish();
}

/** Protobuf varint. */
export function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

/** Field `field` (wire type 3, a group) holding groups nested `depth` deep in all: 2·depth tag bytes for fields up to 15. */
export function nestedGroups(field: number, depth: number): Uint8Array {
  const open = varint((field << 3) | 3);
  const close = varint((field << 3) | 4);
  return Uint8Array.from([...Array.from({ length: depth }, () => open).flat(), ...Array.from({ length: depth }, () => close).flat()]);
}

/**
 * AuthInfo field 1 (signer_infos), one SignerInfo whose mode_info nests ModeInfo.multi `depth`
 * levels deep: ModeInfo{multi(2): Multi{mode_infos(2): ModeInfo}}, built outside-in in linear time.
 */
export function nestedModeInfoSigner(depth: number): Uint8Array {
  const modeInfoSize = [0];
  const multiSize = [0];
  for (let i = 1; i <= depth; i++) {
    const prev = modeInfoSize[i - 1] as number;
    const m = 1 + varint(prev).length + prev;
    multiSize.push(m);
    modeInfoSize.push(1 + varint(m).length + m);
  }
  const nested: number[] = [];
  for (let i = depth; i >= 1; i--) nested.push(0x12, ...varint(multiSize[i] as number), 0x12, ...varint(modeInfoSize[i - 1] as number));
  const wrap = (field: number, inner: Uint8Array) => Buffer.concat([Uint8Array.from([...varint((field << 3) | 2), ...varint(inner.length)]), inner]);
  return wrap(1, wrap(2, Uint8Array.from(nested))); // AuthInfo.signer_infos(1) { SignerInfo.mode_info(2) }
}
