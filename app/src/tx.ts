// Tx decoding and stateless checks (Cosmos SDK format, SIGN_MODE_DIRECT). Everything here
// depends only on the tx bytes and the params, so CheckTx and FinalizeBlock agree on it.
import { TxRaw, TxBody, AuthInfo } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { SignMode, signModeToJSON } from 'cosmjs-types/cosmos/tx/signing/v1beta1/signing';
import { PubKey } from 'cosmjs-types/cosmos/crypto/secp256k1/keys';
import {
  ErrInsufficientFee, ErrInvalidGasLimit, ErrInvalidPubKey, ErrInvalidRequest, ErrMemoTooLarge, ErrNoSignatures,
  ErrNotSupported, ErrTooManySignatures, ErrTxDecode, ErrTxTooLarge, ErrUnauthorized, ErrUnknownExtensionOptions,
  ErrUnknownRequest, LanesError, isNodeFault,
} from './errors.ts';
import type { MsgHandler } from './module.ts';
import { parseCoins } from './coins.ts';
import { FEE_DENOM } from './constants.ts';
import type { Params } from './params.ts';
import { mulDecCeil, parseDec } from './dec.ts';
import { accountPartition } from './auth.ts';
import { sha256Hex } from './sha256.ts';
import { viewReader } from './protoPerf.ts';
import { protoShape, rejectUnknownFields } from './protoShape.ts';
import './protoLimits.ts';
import { partitionKey } from './parallel/scheduler.ts';

export const SECP256K1_PUBKEY_TYPE = '/cosmos.crypto.secp256k1.PubKey';
const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

export interface DecodedMsg {
  typeUrl: string;
  handler: MsgHandler<unknown>;
  msg: unknown;
}

export interface SignerData {
  address: string;
  /** Compressed secp256k1 key from the signer info, if given. */
  pubkey: Uint8Array | undefined;
  sequence: bigint;
  signature: Uint8Array;
}

export interface DecodedTx {
  bytes: Uint8Array;
  /** sha256 of the tx bytes, upper-case hex as CometBFT prints it. */
  hashHex: string;
  bodyBytes: Uint8Array;
  authInfoBytes: Uint8Array;
  msgs: DecodedMsg[];
  signers: SignerData[];
  memo: string;
  timeoutHeight: bigint;
  gasLimit: number;
  /** Fee in FEE_DENOM (0 when the tx pays none, which only simulation allows). */
  fee: bigint;
  /** Partitions the tx declares it writes: every signer's account plus each Msg's access. */
  access: string[];
  /** partitionKey of each of `access`, for planning a parallel block. */
  accessKeys: number[];
}

export type RegistryLookup = (typeUrl: string) => MsgHandler<unknown> | undefined;

/** The min gas price as 18-decimal fixed point, parsed once per params object (not per tx). */
const gasPrices = new WeakMap<Params, bigint>();
function minGasPrice(params: Params): bigint {
  let p = gasPrices.get(params);
  if (p === undefined) {
    p = parseDec(params.min_gas_price);
    gasPrices.set(params, p);
  }
  return p;
}

/**
 * The tx hash as CometBFT shows it (upper-case hex SHA-256 of the tx bytes). Callers that
 * already hold it pass it on (decodeTx, runTx) rather than hash twice: a cache keyed by the
 * bytes object (a WeakMap, once) cost a table entry per tx and slowed full GCs.
 */
export function txHashHex(bytes: Uint8Array): string {
  return sha256Hex(bytes).toUpperCase();
}

/**
 * The memo's length in bytes as sent (TxBody field 2, the last one if repeated, as decoding takes
 * it): what the Cosmos SDK limits (Go's len of the string, which holds the bytes as they came).
 * Counting the decoded string instead would count each byte of invalid UTF-8 (CosmJS writes a
 * lone surrogate, from a memo cut through an emoji, as three such bytes) as the three bytes of a
 * replacement character. CONTRACT: `body` decoded as a TxBody (so this reads it without error).
 */
function memoWireBytes(body: Uint8Array): number {
  // Steps through the fields as cosmjs-types' TxBody.decode reads them, which goes by the field
  // number alone: messages (1), memo (2), timeout_timestamp (5) and the extension options (1023,
  // 2047) as length-delimited, timeout_height (3) and unordered (4) as varints, whatever wire
  // type the tag says; anything else skipped by its wire type.
  const r = viewReader(body);
  let memo = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 || field === 2 || field === 5 || field === 1023 || field === 2047) {
      const n = r.uint32();
      r.skip(n);
      if (field === 2) memo = n;
    } else if (field === 3 || field === 4) {
      r.skip();
    } else {
      r.skipType(tag & 7);
    }
  }
  return memo;
}

// Every message a decoder reads with the envelope's own reader has a shape: those decoders read a
// field to its own length even past the end of the message holding it, so a field overrunning its
// message would be read one way by them and another by a scan (the memo's count, this check).
// Scanned in its own bounds, such a field is refused as undecodable.
// AuthInfo and all in it are strict (the SDK decodes them so); TxBody, its Anys and the Msgs in
// them take non-critical fields.
const ANY = protoShape('Any', [[1, 2], [2, 2]]);
const STRICT_ANY = protoShape('Any', [[1, 2], [2, 2]], true);
const COIN = protoShape('Coin', [[1, 2], [2, 2]], true);
const MODE_INFO = protoShape('ModeInfo', [[1, 2, protoShape('ModeInfo.Single', [[1, 0]], true)], [2, 2]], true);
const AUTH_INFO = protoShape('AuthInfo', [
  [1, 2, protoShape('SignerInfo', [[1, 2, STRICT_ANY], [2, 2, MODE_INFO], [3, 0]], true)],
  [2, 2, protoShape('Fee', [[1, 2, COIN], [2, 0], [3, 2], [4, 2]], true)],
  [3, 2],
], true);
const PUB_KEY = protoShape('cosmos.crypto.secp256k1.PubKey', [[1, 2]], true);
const TX_BODY = protoShape('TxBody', [[1, 2, ANY], [2, 2], [3, 0], [4, 0], [5, 2], [1023, 2, ANY], [2047, 2, ANY]]);

function decodeOrThrow<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof LanesError || isNodeFault(e)) throw e;
    throw ErrTxDecode.wrap(`cannot decode ${what}: ${(e as Error).message}`);
  }
}

/**
 * Decodes and checks a tx without reading state. `simulate` relaxes what a simulation cannot
 * have (signatures, fee, gas limit, sign mode) but checks everything else the same way.
 * `hashHex`, if the caller has it: txHashHex(bytes).
 *
 * The envelope (TxRaw, body, auth info, keys) is read in place: the tx's bytes fields are views
 * of `bytes`, which must not change afterwards. cosmjs-types' readers would copy each level
 * first: four allocations per tx, and as many buffers for a structured clone of the result
 * (CheckTx on a worker) to copy again.
 */
export function decodeTx(bytes: Uint8Array, params: Params, lookup: RegistryLookup, simulate = false, hashHex?: string): DecodedTx {
  if (bytes.length === 0) throw ErrTxDecode.wrap('empty tx');
  if (bytes.length > params.max_tx_bytes) throw ErrTxTooLarge.wrap(`tx is ${bytes.length} bytes, the limit is ${params.max_tx_bytes}`);
  const raw = decodeOrThrow('TxRaw', () => TxRaw.decode(viewReader(bytes)));
  // One encoding per tx: unknown, repeated or reordered TxRaw fields would let a relayer change
  // a tx's hash without touching what was signed.
  if (Buffer.compare(TxRaw.encode(raw).finish(), bytes) !== 0) throw ErrTxDecode.wrap('TxRaw is not in canonical encoding (unknown or out-of-order fields)');
  if (raw.bodyBytes.length === 0) throw ErrTxDecode.wrap('tx has no body');
  if (raw.authInfoBytes.length === 0) throw ErrTxDecode.wrap('tx has no auth info');
  const body = decodeOrThrow('TxBody', () => TxBody.decode(viewReader(raw.bodyBytes)));
  const authInfo = decodeOrThrow('AuthInfo', () => AuthInfo.decode(viewReader(raw.authInfoBytes)));
  decodeOrThrow('TxBody', () => rejectUnknownFields(raw.bodyBytes, TX_BODY));
  decodeOrThrow('AuthInfo', () => rejectUnknownFields(raw.authInfoBytes, AUTH_INFO));

  // Body
  if (body.messages.length === 0) throw ErrInvalidRequest.wrap('tx has no messages');
  if (body.messages.length > params.max_msgs_per_tx) throw ErrInvalidRequest.wrap(`tx has ${body.messages.length} messages, the limit is ${params.max_msgs_per_tx}`);
  const memoBytes = body.memo === '' ? 0 : decodeOrThrow('TxBody', () => memoWireBytes(raw.bodyBytes));
  if (memoBytes > params.max_memo_characters) {
    throw ErrMemoTooLarge.wrap(`maximum number of characters is ${params.max_memo_characters} but received ${memoBytes} characters`);
  }
  if (body.extensionOptions.length > 0 || body.nonCriticalExtensionOptions.length > 0) {
    throw ErrUnknownExtensionOptions.wrap(`unsupported extension option ${body.extensionOptions[0]?.typeUrl ?? body.nonCriticalExtensionOptions[0]?.typeUrl}`);
  }
  // Signed, and not enforced here: refused rather than ignored.
  if (body.unordered) throw ErrNotSupported.wrap('unordered txs are not supported: set a sequence and leave unordered false');
  if (body.timeoutTimestamp) throw ErrNotSupported.wrap('timeout_timestamp is not supported: use timeout_height');
  if (authInfo.tip) throw ErrNotSupported.wrap('tips are not supported: the fee is paid in ulane by the first signer');
  const msgs: DecodedMsg[] = [];
  const signerAddrs: string[] = [];
  const access = new Set<string>();
  for (const [i, any] of body.messages.entries()) {
    const handler = lookup(any.typeUrl);
    if (!handler) throw ErrUnknownRequest.wrap(`unknown message type ${JSON.stringify(any.typeUrl.slice(0, 200))} at index ${i}`);
    const msg = decodeOrThrow(`message ${i} (${any.typeUrl})`, () => {
      rejectUnknownFields(any.value, handler.shape);
      return handler.decode(any.value);
    });
    handler.validate(msg);
    for (const s of handler.signers(msg)) if (!signerAddrs.includes(s)) signerAddrs.push(s);
    for (const p of handler.access(msg)) access.add(p);
    msgs.push({ typeUrl: any.typeUrl, handler, msg });
  }
  for (const s of signerAddrs) access.add(accountPartition(s));

  // Fee and gas
  const fee = authInfo.fee;
  if (!fee) throw ErrInsufficientFee.wrap('tx has no fee');
  if (fee.payer !== '') throw ErrNotSupported.wrap(`fee payer ${JSON.stringify(fee.payer.slice(0, 100))}: fee payers are not supported (the first signer pays)`);
  if (fee.granter !== '') throw ErrNotSupported.wrap(`fee granter ${JSON.stringify(fee.granter.slice(0, 100))}: fee grants are not supported (the first signer pays)`);
  const feeCoins = parseCoins(fee.amount, { allowEmpty: true });
  for (const c of feeCoins) {
    if (c.denom !== FEE_DENOM) throw ErrInsufficientFee.wrap(`fee denom ${c.denom} is not accepted, fees are paid in ${FEE_DENOM}`);
  }
  const feeAmount = feeCoins[0]?.amount ?? 0n;
  let gasLimit: number;
  if (simulate) {
    gasLimit = params.max_gas_per_tx;
  } else {
    if (fee.gasLimit === 0n) throw ErrInvalidGasLimit.wrap('gas limit is 0');
    if (fee.gasLimit > BigInt(params.max_gas_per_tx)) throw ErrInvalidGasLimit.wrap(`gas limit ${fee.gasLimit} exceeds the per-tx maximum ${params.max_gas_per_tx}`);
    gasLimit = Number(fee.gasLimit);
    const required = mulDecCeil(fee.gasLimit, minGasPrice(params));
    if (feeAmount < required) {
      throw ErrInsufficientFee.wrap(`insufficient fees; got: ${feeAmount}${FEE_DENOM} required: ${required}${FEE_DENOM} (gas ${fee.gasLimit} at ${params.min_gas_price}${FEE_DENOM})`);
    }
  }

  // Signers
  if (signerAddrs.length > params.tx_sig_limit) throw ErrTooManySignatures.wrap(`${signerAddrs.length} signers, the limit is ${params.tx_sig_limit}`);
  if (authInfo.signerInfos.length !== signerAddrs.length) {
    throw ErrUnauthorized.wrap(`wrong number of signer infos; expected ${signerAddrs.length}, got ${authInfo.signerInfos.length}`);
  }
  if (raw.signatures.length === 0) throw ErrNoSignatures.wrap(`expected ${signerAddrs.length} signature(s)`);
  if (raw.signatures.length !== signerAddrs.length) {
    throw ErrUnauthorized.wrap(`wrong number of signatures; expected ${signerAddrs.length}, got ${raw.signatures.length}`);
  }
  const signers: SignerData[] = [];
  for (const [i, info] of authInfo.signerInfos.entries()) {
    const address = signerAddrs[i] as string;
    if (!simulate) {
      const mode = info.modeInfo?.single?.mode;
      if (mode !== SignMode.SIGN_MODE_DIRECT) {
        // Amino JSON (Ledger, Keplr's amino signer, CosmJS's Secp256k1HdWallet) and multisig are not accepted (yet).
        const what = mode === undefined ? 'multisig (mode_info.multi)' : `sign mode ${signModeToJSON(mode)}`;
        throw ErrNotSupported.wrap(`signer ${address}: ${what} is not supported: sign with SIGN_MODE_DIRECT (in CosmJS a DirectSecp256k1HdWallet or another OfflineDirectSigner)`);
      }
    }
    let pubkey: Uint8Array | undefined;
    if (info.publicKey) {
      if (info.publicKey.typeUrl !== SECP256K1_PUBKEY_TYPE) throw ErrInvalidPubKey.wrap(`signer ${address}: unsupported key type ${JSON.stringify(info.publicKey.typeUrl)}`);
      const keyBytes = info.publicKey.value;
      pubkey = decodeOrThrow(`public key of ${address}`, () => {
        rejectUnknownFields(keyBytes, PUB_KEY);
        return PubKey.decode(viewReader(keyBytes));
      }).key;
      if (pubkey.length !== 33) throw ErrInvalidPubKey.wrap(`signer ${address}: public key must be 33-byte compressed secp256k1, got ${pubkey.length} bytes`);
      if (pubkey[0] !== 2 && pubkey[0] !== 3) throw ErrInvalidPubKey.wrap(`signer ${address}: public key must be compressed secp256k1 (first byte 0x02 or 0x03), got first byte 0x${(pubkey[0] as number).toString(16).padStart(2, '0')}`);
    }
    const signature = raw.signatures[i] as Uint8Array;
    if (!simulate) checkSignatureShape(address, signature);
    signers.push({ address, pubkey, sequence: info.sequence, signature });
  }

  const sorted = [...access].sort();
  return {
    bytes,
    hashHex: hashHex ?? txHashHex(bytes),
    bodyBytes: raw.bodyBytes,
    authInfoBytes: raw.authInfoBytes,
    msgs,
    signers,
    memo: body.memo,
    timeoutHeight: body.timeoutHeight,
    gasLimit,
    fee: feeAmount,
    access: sorted,
    accessKeys: sorted.map(partitionKey),
  };
}

/** 64-byte (r||s) with s in the lower half of the curve order: one valid encoding per signature. */
export function checkSignatureShape(address: string, sig: Uint8Array): void {
  if (sig.length !== 64) throw ErrUnauthorized.wrap(`signature of ${address} must be 64 bytes (r||s), got ${sig.length}`);
  const s = BigInt('0x' + Buffer.from(sig.subarray(32)).toString('hex'));
  if (s > SECP256K1_HALF_N) throw ErrUnauthorized.wrap(`signature of ${address} is not in lower-S form`);
}

/** A DecodedTx without its Msg handlers (functions), as it crosses between threads. */
export type PortableTx = Omit<DecodedTx, 'msgs'> & { msgs: { typeUrl: string; msg: unknown }[] };

export function toPortable(tx: DecodedTx): PortableTx {
  return { ...tx, msgs: tx.msgs.map((m) => ({ typeUrl: m.typeUrl, msg: m.msg })) };
}

/** Re-attaches handlers to a tx decoded in another thread (same registry, same params). */
export function fromPortable(tx: PortableTx, lookup: RegistryLookup): DecodedTx {
  return {
    ...tx,
    msgs: tx.msgs.map((m) => {
      const handler = lookup(m.typeUrl);
      if (!handler) throw new Error(`no handler for ${m.typeUrl} on this thread`);
      return { typeUrl: m.typeUrl, handler, msg: m.msg };
    }),
  };
}
