// Bad input, end to end through the ABCI surface: every way a tx can be wrong gets a stable
// (codespace, code) and a log naming the bad value, in CheckTx and in a block alike; nothing
// changes but what the design keeps (the fee and sequence when a Msg fails after the ante);
// the chain goes on; and supply is conserved throughout. Bad queries, likewise, get their codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import secp256k1 from 'secp256k1';
import { fromBech32, toBech32 } from '@cosmjs/encoding';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { QueryAllBalancesRequest, QueryAllBalancesResponse, QuerySupplyOfRequest, QuerySupplyOfResponse, QueryTotalSupplyRequest } from 'cosmjs-types/cosmos/bank/v1beta1/query';
import { QueryAccountRequest } from 'cosmjs-types/cosmos/auth/v1beta1/query';
import { SimulateRequest } from 'cosmjs-types/cosmos/tx/v1beta1/service';
import { AuthInfo, TxBody, TxRaw, type SignerInfo } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { SignMode } from 'cosmjs-types/cosmos/tx/signing/v1beta1/signing';
import { PubKey } from 'cosmjs-types/cosmos/crypto/secp256k1/keys';
import type { ExecTxResult } from 'cosmjs-types/tendermint/abci/types';
import { PoolType } from '@lanes/proto/lanes/amm/v1/amm';
import { MsgAddLiquidity, MsgCreatePool, MsgRemoveLiquidity, MsgSwapExactIn, MsgSwapExactOut } from '@lanes/proto/lanes/amm/v1/tx';
import {
  QueryEstimateSwapExactInRequest, QueryEstimateSwapExactOutRequest, QueryPoolRequest, QueryPoolsRequest, QuerySpotPriceRequest, QueryTwapHistoryRequest, QueryTwapRequest,
} from '@lanes/proto/lanes/amm/v1/query';
import {
  CHECK_TX_MIN_TIMEOUT_BLOCKS, FEE_COLLECTOR, MAX_GROUP_DEPTH, MAX_QUERY_REQUEST_BYTES, MAX_MODE_INFO_DEPTH, addressFromPubkey, buildTx, nestedGroups, nestedModeInfoSigner, signDocHash, testKey, varint,
  type AnyMsg, type BuildTxOptions, type TestKey,
} from '@lanes/app';
import { LOCKED_SHARES_ADDRESS, PROTOCOL_ADDRESS } from '@lanes/amm';
import { InProcessChain, TEST_CHAIN_ID } from './inprocess.ts';
import { DEVNET_DENOMS, DEVNET_FUNDING, devnetGenesis } from './lanesApp.ts';

const alice = testKey('alice');
const bob = testKey('bob');
const carol = testKey('carol'); // never funded: has no account
const poor = testKey('poor'); // 100ulane only
const exact = testKey('exact'); // 500ulane and 10uatom: pays a fee of its whole ulane balance
/** A compressed key whose x (5) is on no point of secp256k1, and the account it names (funded at genesis). */
const OFF_CURVE = Uint8Array.from([2, ...new Uint8Array(31), 5]);
const offCurve = addressFromPubkey(OFF_CURVE);

const SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141n;
const MAX_TX_BYTES = 131_072;
const MSG_SEND = '/cosmos.bank.v1beta1.MsgSend';
const PUBKEY_TYPE = '/cosmos.crypto.secp256k1.PubKey';

type WireCoin = { denom: string; amount: string };

function sendMsg(from: string, to: string, amount: WireCoin[]): AnyMsg {
  return { typeUrl: MSG_SEND, value: MsgSend.encode({ fromAddress: from, toAddress: to, amount }).finish() };
}
const uatom = (n: bigint | string): WireCoin[] => [{ denom: 'uatom', amount: n.toString() }];
const wc = (amount: bigint | string, denom: string): WireCoin => ({ denom, amount: amount.toString() });

// AMM Msgs from alice (this chain has no pools: every case below is refused before a pool is read).
const createPoolMsg = (m: Partial<MsgCreatePool>): AnyMsg => ({ typeUrl: '/lanes.amm.v1.MsgCreatePool', value: MsgCreatePool.encode(MsgCreatePool.fromPartial({ creator: alice.address, poolType: PoolType.POOL_TYPE_CONSTANT_PRODUCT, initialLiquidity: [wc(5000n, 'uatom'), wc(5000n, 'ueth')], swapFee: '0.003', ...m })).finish() });
const addLiqMsg = (m: Partial<MsgAddLiquidity>): AnyMsg => ({ typeUrl: '/lanes.amm.v1.MsgAddLiquidity', value: MsgAddLiquidity.encode(MsgAddLiquidity.fromPartial({ sender: alice.address, poolId: 1n, maxAmountsIn: [wc(5n, 'uatom'), wc(5n, 'uusdc')], minSharesOut: '1', ...m })).finish() });
const removeLiqMsg = (m: Partial<MsgRemoveLiquidity>): AnyMsg => ({ typeUrl: '/lanes.amm.v1.MsgRemoveLiquidity', value: MsgRemoveLiquidity.encode(MsgRemoveLiquidity.fromPartial({ sender: alice.address, poolId: 1n, shares: '5', ...m })).finish() });
const swapInMsg = (m: Partial<MsgSwapExactIn>): AnyMsg => ({ typeUrl: '/lanes.amm.v1.MsgSwapExactIn', value: MsgSwapExactIn.encode(MsgSwapExactIn.fromPartial({ sender: alice.address, routes: [{ poolId: 1n, tokenOutDenom: 'uusdc' }], tokenIn: wc(5n, 'uatom'), minAmountOut: '1', ...m })).finish() });
const swapOutMsg = (m: Partial<MsgSwapExactOut>): AnyMsg => ({ typeUrl: '/lanes.amm.v1.MsgSwapExactOut', value: MsgSwapExactOut.encode(MsgSwapExactOut.fromPartial({ sender: alice.address, routes: [{ poolId: 1n, tokenInDenom: 'uatom' }], tokenOut: wc(5n, 'uusdc'), maxAmountIn: '10', ...m })).finish() });

// ---- hand-crafted txs ------------------------------------------------------------------------

interface RawParts {
  msgs: AnyMsg[];
  memo?: string;
  /** Appended to the encoded TxBody (an unknown, signed field). */
  bodyPadding?: Uint8Array;
  sequence: bigint;
  gasLimit?: bigint;
  fee?: WireCoin[];
  pubkey?: Uint8Array | null;
  /** Type URL of the signer info's public key Any; default the secp256k1 one. */
  pubkeyTypeUrl?: string;
  /** Appended to the encoded PubKey (inside the signer info's Any). */
  pubkeyExtra?: Uint8Array;
  feePayer?: string;
  feeGranter?: string;
  extensionOptions?: AnyMsg[];
  nonCriticalExtensionOptions?: AnyMsg[];
}

function authInfoBytes(p: RawParts): Uint8Array {
  const pk = p.pubkey === undefined ? alice.pubkey : p.pubkey;
  return AuthInfo.encode(AuthInfo.fromPartial({
    signerInfos: [{
      ...(pk === null ? {} : { publicKey: { typeUrl: p.pubkeyTypeUrl ?? PUBKEY_TYPE, value: Buffer.concat([PubKey.encode({ key: pk }).finish(), p.pubkeyExtra ?? new Uint8Array()]) } }),
      modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } },
      sequence: p.sequence,
    }],
    fee: { amount: p.fee ?? [{ denom: 'ulane', amount: '500' }], gasLimit: p.gasLimit ?? 200_000n, payer: p.feePayer ?? '', granter: p.feeGranter ?? '' },
  })).finish();
}

function bodyBytes(p: RawParts): Uint8Array {
  const body = TxBody.encode(TxBody.fromPartial({
    messages: p.msgs, memo: p.memo ?? '', extensionOptions: p.extensionOptions ?? [], nonCriticalExtensionOptions: p.nonCriticalExtensionOptions ?? [],
  })).finish();
  return p.bodyPadding ? Buffer.concat([body, p.bodyPadding]) : body;
}

/** A TxRaw over hand-made body and auth info, signed by `key` (or with the given signatures). */
function rawTx(key: TestKey, p: RawParts, o: { chainId?: string; accountNumber: bigint; signatures?: Uint8Array[] }): Uint8Array {
  const body = bodyBytes(p);
  const auth = authInfoBytes({ ...p, pubkey: p.pubkey === undefined ? key.pubkey : p.pubkey });
  const sigs = o.signatures ?? [secp256k1.ecdsaSign(signDocHash(body, auth, o.chainId ?? TEST_CHAIN_ID, o.accountNumber), key.privkey).signature];
  return TxRaw.encode({ bodyBytes: body, authInfoBytes: auth, signatures: sigs }).finish();
}

/** A length-delimited field `field` holding `len` zero bytes. */
function lenField(field: number, len: number): Uint8Array {
  return Uint8Array.from([...varint((field << 3) | 2), ...varint(len), ...new Uint8Array(len)]);
}

function mutateTxRaw(tx: Uint8Array, f: (raw: TxRaw) => TxRaw): Uint8Array {
  return TxRaw.encode(f(TxRaw.decode(tx))).finish();
}

// ---- the chain ---------------------------------------------------------------------------------

function newChain(): InProcessChain {
  const g = devnetGenesis([alice.address, bob.address], { pools: false });
  g.auth?.accounts?.push({ address: poor.address });
  g.bank.balances.push({ address: poor.address, coins: [{ denom: 'ulane', amount: '100' }] });
  g.auth?.accounts?.push({ address: offCurve });
  g.bank.balances.push({ address: offCurve, coins: [{ denom: 'ulane', amount: '1000' }] });
  g.auth?.accounts?.push({ address: exact.address });
  g.bank.balances.push({ address: exact.address, coins: [{ denom: 'uatom', amount: '10' }, { denom: 'ulane', amount: '500' }] });
  const c = new InProcessChain(g);
  c.block([]);
  return c;
}

const HOLDERS = [alice.address, bob.address, carol.address, poor.address, exact.address, offCurve, FEE_COLLECTOR];
type Snapshot = Map<string, bigint>;

function snapshot(c: InProcessChain): Snapshot {
  const m = new Map<string, bigint>();
  for (const a of HOLDERS) for (const d of DEVNET_DENOMS) m.set(`${a}/${d}`, c.balance(a, d));
  return m;
}

function supplyOf(c: InProcessChain, denom: string): bigint {
  const r = c.query('/cosmos.bank.v1beta1.Query/SupplyOf', QuerySupplyOfRequest.encode({ denom }).finish());
  assert.equal(r.code, 0, r.log);
  return BigInt(QuerySupplyOfResponse.decode(r.value).amount?.amount ?? 'missing');
}

function assertSupplyConserved(c: InProcessChain): void {
  for (const d of DEVNET_DENOMS) {
    let sum = 0n;
    for (const a of HOLDERS) {
      const v = c.balance(a, d);
      assert.ok(v >= 0n, `${a} holds ${v}${d}`);
      sum += v;
    }
    assert.equal(sum, supplyOf(c, d), `supply of ${d}`);
  }
}

function seqOf(c: InProcessChain, k: TestKey): bigint {
  const acc = c.account(k.address);
  assert.ok(acc, `${k.address} has an account`);
  return acc.sequence;
}

function accNum(c: InProcessChain, k: TestKey): bigint {
  return c.account(k.address)?.accountNumber ?? 0n;
}

function opts(c: InProcessChain, k: TestKey, o: Partial<BuildTxOptions> = {}): BuildTxOptions {
  return { chainId: c.chainId, accountNumber: accNum(c, k), sequence: seqOf(c, k), ...o };
}

/** alice -> bob 1uatom at alice's current sequence: the tx that must work after every bad one. */
function validTx(c: InProcessChain, o: Partial<BuildTxOptions> = {}): Uint8Array {
  return buildTx(alice, [sendMsg(alice.address, bob.address, uatom(1n))], opts(c, alice, o));
}

/** `msg` with `extra` appended to its encoded value. */
function withExtra(msg: AnyMsg, extra: Uint8Array): AnyMsg {
  return { typeUrl: msg.typeUrl, value: Buffer.concat([msg.value, extra]) };
}

/** The valid send of validTx (1uatom alice -> bob), its MsgSend followed by `extra`. */
function sendWith(c: InProcessChain, extra: Uint8Array): Uint8Array {
  return buildTx(alice, [withExtra(sendMsg(alice.address, bob.address, uatom(1n)), extra)], opts(c, alice, {}));
}

// ---- the table ------------------------------------------------------------------------------------

interface Built {
  tx: Uint8Array;
  /** Substrings the log must contain: the bad value. */
  log: string[];
}

interface Case {
  name: string;
  /** Expected (codespace, code) of CheckTx; ['', 0] means accepted. */
  check: readonly [string, number];
  /** The same in a block, when it differs by design; default: `check`. */
  block?: readonly [string, number];
  /**
   * What a block keeps: nothing ('none'), the fee and a sequence bump ('fee': a Msg failed after
   * the ante), or everything ('ok'). Default: 'none' for a rejected tx, 'ok' for an accepted one.
   */
  keeps?: 'none' | 'fee' | 'ok';
  /** Payer, fee and uatom moved alice -> bob when keeps is 'fee' or 'ok'. */
  payer?: TestKey;
  fee?: bigint;
  moved?: bigint;
  /** Prepares state first (may run blocks); then builds the tx. */
  build(c: InProcessChain, ctx: { lastCommitted: Uint8Array }): Built;
}

const sdk = (code: number) => ['sdk', code] as const;
const amm = (code: number) => ['amm', code] as const;
/** Signers over the tx_sig_limit of 7 (never funded: refused before any account is read). */
const manySigners = (n: number) => Array.from({ length: n }, (_, i) => testKey(`bad-input/signer-${i}`));
const OK = ['', 0] as const;

const cases: Case[] = [
  {
    name: 'garbage bytes',
    check: sdk(2),
    build: () => ({ tx: Buffer.from('hello world, not a tx'), log: ['cannot decode TxRaw', 'invalid wire type'] }),
  },
  {
    name: 'empty tx',
    check: sdk(2),
    build: () => ({ tx: new Uint8Array(), log: ['empty tx'] }),
  },
  {
    name: 'truncated protobuf (valid tx cut in half)',
    check: sdk(2),
    build: (c) => {
      const tx = validTx(c);
      return { tx: tx.subarray(0, Math.floor(tx.length / 2)), log: ['cannot decode TxRaw'] };
    },
  },
  {
    name: 'TxRaw without auth info',
    check: sdk(2),
    build: (c) => ({ tx: mutateTxRaw(validTx(c), (r) => ({ ...r, authInfoBytes: new Uint8Array() })), log: ['tx has no auth info'] }),
  },
  {
    name: 'oversized tx (a signed, padded body over max_tx_bytes)',
    check: sdk(21),
    build: (c) => {
      const tx = rawTx(alice, {
        msgs: [sendMsg(alice.address, bob.address, uatom(1n))], bodyPadding: lenField(1025, MAX_TX_BYTES),
        sequence: seqOf(c, alice), gasLimit: 2_000_000n, fee: [{ denom: 'ulane', amount: '5000' }],
      }, { accountNumber: accNum(c, alice) });
      assert.ok(tx.length > MAX_TX_BYTES, `tx is ${tx.length} bytes, expected more than ${MAX_TX_BYTES}`);
      return { tx, log: [`tx is ${tx.length} bytes, the limit is ${MAX_TX_BYTES}`] };
    },
  },
  {
    name: 'oversized tx: max_tx_bytes + 1',
    check: sdk(21),
    build: (c) => {
      const tx = exactSizeTx(c, MAX_TX_BYTES + 1);
      return { tx, log: [`tx is ${MAX_TX_BYTES + 1} bytes`] };
    },
  },
  {
    name: 'a tx of exactly max_tx_bytes is accepted',
    check: OK, payer: alice, fee: 5000n, moved: 1n,
    build: (c) => ({ tx: exactSizeTx(c, MAX_TX_BYTES), log: [] }),
  },
  {
    name: 'oversized memo is also "tx too large" once over max_tx_bytes (size is checked first)',
    check: sdk(21),
    build: (c) => {
      const tx = validTx(c, { memo: 'm'.repeat(MAX_TX_BYTES) });
      return { tx, log: [`tx is ${tx.length} bytes`] };
    },
  },
  {
    name: 'unknown Msg type URL',
    check: sdk(6),
    build: (c) => ({
      tx: buildTx(alice, [{ typeUrl: '/cosmos.bank.v1beta1.MsgMultiSend', value: new Uint8Array([1, 2, 3]) }], opts(c, alice)),
      log: ['unknown message type "/cosmos.bank.v1beta1.MsgMultiSend" at index 0'],
    }),
  },
  {
    name: 'Msg bytes that do not decode as the type URL says',
    check: sdk(2),
    build: (c) => ({ tx: buildTx(alice, [{ typeUrl: MSG_SEND, value: Buffer.from('\xff\xff\xff', 'latin1') }], opts(c, alice)), log: [`cannot decode message 0 (${MSG_SEND})`] }),
  },
  {
    name: 'too many Msgs (65 > max_msgs_per_tx 64)',
    check: sdk(18),
    build: (c) => ({ tx: buildTx(alice, Array.from({ length: 65 }, () => sendMsg(alice.address, bob.address, uatom(1n))), opts(c, alice, { gasLimit: 5_000_000n })), log: ['tx has 65 messages, the limit is 64'] }),
  },
  {
    name: 'exactly max_msgs_per_tx (64) Msgs is accepted',
    check: OK, payer: alice, fee: 12_500n, moved: 64n,
    build: (c) => ({ tx: buildTx(alice, Array.from({ length: 64 }, () => sendMsg(alice.address, bob.address, uatom(1n))), opts(c, alice, { gasLimit: 5_000_000n })), log: [] }),
  },
  {
    // An empty body is "tx has no body" (sdk/2): a memo makes the body non-empty.
    name: 'a body with a memo and no Msgs',
    check: sdk(18),
    build: (c) => ({ tx: rawTx(alice, { msgs: [], memo: 'no msgs here', sequence: seqOf(c, alice) }, { accountNumber: accNum(c, alice) }), log: ['tx has no messages'] }),
  },
  {
    name: 'an extension option in the body',
    check: sdk(31),
    build: (c) => ({
      tx: rawTx(alice, { msgs: [sendMsg(alice.address, bob.address, uatom(1n))], sequence: seqOf(c, alice), extensionOptions: [{ typeUrl: '/lanes.fake.v1.ExtCritical', value: new Uint8Array([8, 1]) }] }, { accountNumber: accNum(c, alice) }),
      log: ['unsupported extension option /lanes.fake.v1.ExtCritical'],
    }),
  },
  {
    name: 'a non-critical extension option in the body',
    check: sdk(31),
    build: (c) => ({
      tx: rawTx(alice, { msgs: [sendMsg(alice.address, bob.address, uatom(1n))], sequence: seqOf(c, alice), nonCriticalExtensionOptions: [{ typeUrl: '/lanes.fake.v1.ExtNonCritical', value: new Uint8Array() }] }, { accountNumber: accNum(c, alice) }),
      log: ['unsupported extension option /lanes.fake.v1.ExtNonCritical'],
    }),
  },
  {
    name: 'fee payer set (bob pays alice\'s fee)',
    check: sdk(37),
    build: (c) => ({
      tx: rawTx(alice, { msgs: [sendMsg(alice.address, bob.address, uatom(1n))], sequence: seqOf(c, alice), feePayer: bob.address }, { accountNumber: accNum(c, alice) }),
      log: [`fee payer "${bob.address}": fee payers are not supported`],
    }),
  },
  {
    name: 'fee granter set',
    check: sdk(37),
    build: (c) => ({
      tx: rawTx(alice, { msgs: [sendMsg(alice.address, bob.address, uatom(1n))], sequence: seqOf(c, alice), feeGranter: bob.address }, { accountNumber: accNum(c, alice) }),
      log: [`fee granter "${bob.address}": fee grants are not supported`],
    }),
  },
  {
    name: 'too many signers (8 > tx_sig_limit 7)',
    check: sdk(14),
    build: (c) => ({ tx: buildTx(alice, manySigners(8).map((k) => sendMsg(k.address, bob.address, uatom(1n))), opts(c, alice, { gasLimit: 1_000_000n })), log: ['8 signers, the limit is 7'] }),
  },
  {
    // The boundary: 7 signers pass the limit and fail on the one signer info given.
    name: 'exactly tx_sig_limit (7) signers pass the signature limit',
    check: sdk(4),
    build: (c) => ({ tx: buildTx(alice, manySigners(7).map((k) => sendMsg(k.address, bob.address, uatom(1n))), opts(c, alice, { gasLimit: 1_000_000n })), log: ['wrong number of signer infos; expected 7, got 1'] }),
  },
  {
    name: 'signer public key of an unsupported type (ed25519)',
    check: sdk(8),
    build: (c) => ({
      tx: rawTx(alice, { msgs: [sendMsg(alice.address, bob.address, uatom(1n))], sequence: seqOf(c, alice), pubkeyTypeUrl: '/cosmos.crypto.ed25519.PubKey' }, { accountNumber: accNum(c, alice) }),
      log: [`signer ${alice.address}: unsupported key type "/cosmos.crypto.ed25519.PubKey"`],
    }),
  },
  {
    name: 'signer public key uncompressed (65 bytes)',
    check: sdk(8),
    build: (c) => ({
      tx: rawTx(alice, { msgs: [sendMsg(alice.address, bob.address, uatom(1n))], sequence: seqOf(c, alice), pubkey: secp256k1.publicKeyConvert(alice.pubkey, false) }, { accountNumber: accNum(c, alice) }),
      log: [`signer ${alice.address}: public key must be 33-byte compressed secp256k1, got 65 bytes`],
    }),
  },
  {
    name: 'signer public key of 33 bytes with a prefix that is not 02 or 03',
    check: sdk(8),
    build: (c) => ({
      tx: rawTx(alice, { msgs: [sendMsg(alice.address, bob.address, uatom(1n))], sequence: seqOf(c, alice), pubkey: Uint8Array.from([0x05, ...alice.pubkey.subarray(1)]) }, { accountNumber: accNum(c, alice) }),
      log: [`signer ${alice.address}: public key must be compressed secp256k1 (first byte 0x02 or 0x03), got first byte 0x05`],
    }),
  },
  {
    name: 'wrong chain id (signed for another chain)',
    check: sdk(4),
    build: (c) => ({ tx: validTx(c, { chainId: 'other-chain-7' }), log: ['signature verification failed', `chain-id (${TEST_CHAIN_ID})`] }),
  },
  {
    name: 'wrong account number in the sign doc',
    check: sdk(4),
    build: (c) => ({ tx: validTx(c, { accountNumber: 99n }), log: ['signature verification failed', `account number (${accNum(c, alice)})`] }),
  },
  {
    name: 'bad signature (a byte of r flipped)',
    check: sdk(4),
    build: (c) => ({
      tx: mutateTxRaw(validTx(c), (r) => {
        const sig = new Uint8Array(r.signatures[0] as Uint8Array);
        sig[5] = (sig[5] as number) ^ 0x01;
        return { ...r, signatures: [sig] };
      }),
      log: ['signature verification failed', `chain-id (${TEST_CHAIN_ID})`],
    }),
  },
  {
    name: 'high-S signature (s replaced by n - s)',
    check: sdk(4),
    build: (c) => ({
      tx: mutateTxRaw(validTx(c), (r) => {
        const sig = r.signatures[0] as Uint8Array;
        const s = BigInt('0x' + Buffer.from(sig.subarray(32)).toString('hex'));
        const high = Buffer.from((SECP256K1_N - s).toString(16).padStart(64, '0'), 'hex');
        return { ...r, signatures: [Uint8Array.from([...sig.subarray(0, 32), ...high])] };
      }),
      log: [`signature of ${alice.address} is not in lower-S form`],
    }),
  },
  {
    // s = floor(n / 2) is still lower-S (the Cosmos SDK refuses only s > n/2): the shape passes,
    // and the signature is then checked, and fails.
    name: 'a signature whose s is exactly half the curve order is in lower-S form (then fails verification)',
    check: sdk(4),
    build: (c) => ({
      tx: mutateTxRaw(validTx(c), (r) => {
        const half = Buffer.from((SECP256K1_N / 2n).toString(16).padStart(64, '0'), 'hex');
        return { ...r, signatures: [Uint8Array.from([...(r.signatures[0] as Uint8Array).subarray(0, 32), ...half])] };
      }),
      log: ['signature verification failed'],
    }),
  },
  {
    name: 'signed in amino JSON (SIGN_MODE_LEGACY_AMINO_JSON): not supported, named',
    check: sdk(37),
    build: (c) => ({
      tx: mutateTxRaw(validTx(c), (r) => {
        const auth = AuthInfo.decode(r.authInfoBytes);
        const info = { ...(auth.signerInfos[0] as SignerInfo), modeInfo: { single: { mode: SignMode.SIGN_MODE_LEGACY_AMINO_JSON } } };
        return { ...r, authInfoBytes: AuthInfo.encode({ ...auth, signerInfos: [info] }).finish() };
      }),
      log: [`signer ${alice.address}: sign mode SIGN_MODE_LEGACY_AMINO_JSON is not supported: sign with SIGN_MODE_DIRECT`],
    }),
  },
  {
    name: 'multisig signer info (mode_info.multi): not supported',
    check: sdk(37),
    build: (c) => ({
      tx: mutateTxRaw(validTx(c), (r) => {
        const auth = AuthInfo.decode(r.authInfoBytes);
        const info = { ...(auth.signerInfos[0] as SignerInfo), modeInfo: { multi: { bitarray: { extraBitsStored: 0, elems: new Uint8Array([0x80]) }, modeInfos: [{ single: { mode: SignMode.SIGN_MODE_DIRECT } }] } } };
        return { ...r, authInfoBytes: AuthInfo.encode({ ...auth, signerInfos: [info] }).finish() };
      }),
      log: [`signer ${alice.address}: multisig (mode_info.multi) is not supported`],
    }),
  },
  {
    name: 'signature of 63 bytes',
    check: sdk(4),
    build: (c) => ({ tx: mutateTxRaw(validTx(c), (r) => ({ ...r, signatures: [(r.signatures[0] as Uint8Array).subarray(0, 63)] })), log: ['must be 64 bytes (r||s), got 63'] }),
  },
  {
    name: 'missing signature (signer info present, no signatures)',
    check: sdk(15),
    build: (c) => ({ tx: mutateTxRaw(validTx(c), (r) => ({ ...r, signatures: [] })), log: ['expected 1 signature(s)'] }),
  },
  {
    name: 'no signer info',
    check: sdk(4),
    build: (c) => ({
      tx: mutateTxRaw(validTx(c), (r) => ({ ...r, authInfoBytes: AuthInfo.encode({ ...AuthInfo.decode(r.authInfoBytes), signerInfos: [] }).finish() })),
      log: ['wrong number of signer infos; expected 1, got 0'],
    }),
  },
  {
    name: 'two signer infos for one signer',
    check: sdk(4),
    build: (c) => ({
      tx: mutateTxRaw(validTx(c), (r) => {
        const auth = AuthInfo.decode(r.authInfoBytes);
        return { ...r, authInfoBytes: AuthInfo.encode({ ...auth, signerInfos: [...auth.signerInfos, ...auth.signerInfos] }).finish() };
      }),
      log: ['wrong number of signer infos; expected 1, got 2'],
    }),
  },
  {
    // Unsigned bytes: an extra signature would give the same signed tx another hash.
    name: 'a second signature appended for one signer',
    check: sdk(4),
    build: (c) => ({
      tx: mutateTxRaw(validTx(c), (r) => ({ ...r, signatures: [r.signatures[0] as Uint8Array, r.signatures[0] as Uint8Array] })),
      log: ['wrong number of signatures; expected 1, got 2'],
    }),
  },
  {
    name: 'wrong sequence (future)',
    check: sdk(32),
    build: (c) => {
      const s = seqOf(c, alice);
      return { tx: validTx(c, { sequence: s + 5n }), log: [`account sequence mismatch, expected ${s}, got ${s + 5n}: incorrect account sequence`] };
    },
  },
  {
    name: 'stale sequence (past)',
    check: sdk(32),
    build: (c) => {
      const s = seqOf(c, alice);
      assert.ok(s > 0n, `alice's sequence is ${s}, expected > 0 to go one below it`);
      return { tx: validTx(c, { sequence: s - 1n }), log: [`expected ${s}, got ${s - 1n}`] };
    },
  },
  {
    name: 'replay of a committed tx (exact bytes)',
    check: sdk(32),
    build: (c, ctx) => {
      const s = seqOf(c, alice);
      return { tx: ctx.lastCommitted, log: [`expected ${s}, got ${s - 1n}`] };
    },
  },
  {
    name: 'fee one below the minimum (gas 200000 needs 500ulane, 499 given)',
    check: sdk(13),
    build: (c) => ({ tx: validTx(c, { gasLimit: 200_000n, fee: 499n }), log: ['got: 499ulane required: 500ulane'] }),
  },
  {
    name: 'fee exactly the minimum (500ulane) is accepted',
    check: OK, payer: alice, fee: 500n, moved: 1n,
    build: (c) => ({ tx: validTx(c, { gasLimit: 200_000n, fee: 500n }), log: [] }),
  },
  {
    // 200001 × 0.0025 = 500.0025: the minimum rounds up, in the protocol's favour.
    name: 'gas 200001 needs ceil(500.0025) = 501ulane: 500 is refused',
    check: sdk(13),
    build: (c) => ({ tx: validTx(c, { gasLimit: 200_001n, fee: 500n }), log: ['got: 500ulane required: 501ulane'] }),
  },
  {
    name: 'gas 200001 with 501ulane is accepted',
    check: OK, payer: alice, fee: 501n, moved: 1n,
    build: (c) => ({ tx: validTx(c, { gasLimit: 200_001n, fee: 501n }), log: [] }),
  },
  {
    // exact sends itself 1uatom (no net move) and pays all it has in ulane as the fee.
    name: 'a fee of the payer\'s whole ulane balance is accepted',
    check: OK, payer: exact, fee: 500n,
    build: (c) => {
      assert.equal(c.balance(exact.address, 'ulane'), 500n);
      return { tx: buildTx(exact, [sendMsg(exact.address, exact.address, uatom(1n))], opts(c, exact, { gasLimit: 200_000n, fee: 500n })), log: [] };
    },
  },
  {
    name: 'fee in the wrong denom (uatom)',
    check: sdk(13),
    build: (c) => ({ tx: validTx(c, { fee: 500n, feeDenom: 'uatom' }), log: ['fee denom uatom is not accepted'] }),
  },
  {
    name: 'fee with a negative amount string',
    check: sdk(10),
    build: (c) => ({ tx: rawTx(alice, { msgs: [sendMsg(alice.address, bob.address, uatom(1n))], sequence: seqOf(c, alice), fee: [{ denom: 'ulane', amount: '-500' }] }, { accountNumber: accNum(c, alice) }), log: ['"-500"'] }),
  },
  {
    name: 'no fee at all',
    check: sdk(13),
    build: (c) => ({ tx: rawTx(alice, { msgs: [sendMsg(alice.address, bob.address, uatom(1n))], sequence: seqOf(c, alice), fee: [] }, { accountNumber: accNum(c, alice) }), log: ['got: 0ulane required: 500ulane'] }),
  },
  {
    name: 'insufficient funds for the fee (100ulane paying 500)',
    check: sdk(5),
    build: (c) => ({ tx: buildTx(poor, [sendMsg(poor.address, bob.address, [{ denom: 'ulane', amount: '1' }])], opts(c, poor, { fee: 500n })), log: [`balance 100ulane of ${poor.address} cannot pay the fee 500ulane`] }),
  },
  {
    name: 'insufficient funds for the amount (in a block: fee charged, sequence bumped)',
    check: sdk(5), keeps: 'fee', payer: alice, fee: 500n,
    build: (c) => ({ tx: buildTx(alice, [sendMsg(alice.address, bob.address, uatom(10n ** 15n))], opts(c, alice, { fee: 500n })), log: [`is smaller than ${10n ** 15n}uatom`, alice.address] }),
  },
  {
    name: 'the second Msg fails: the first Msg\'s transfer is rolled back too, the fee is kept',
    check: sdk(5), keeps: 'fee', payer: alice, fee: 1000n,
    build: (c) => ({
      tx: buildTx(alice, [sendMsg(alice.address, bob.address, uatom(7n)), sendMsg(alice.address, bob.address, uatom(10n ** 15n))], opts(c, alice, { fee: 1000n, gasLimit: 400_000n })),
      log: ['failed to execute message; message index: 1: ', `${10n ** 15n}uatom`],
    }),
  },
  {
    name: 'malformed bech32 to_address',
    check: sdk(7),
    build: (c) => ({ tx: buildTx(alice, [sendMsg(alice.address, 'lanes1notanaddress', uatom(1n))], opts(c, alice)), log: ['invalid to address "lanes1notanaddress"'] }),
  },
  {
    name: 'to_address with a bad checksum',
    check: sdk(7),
    build: (c) => {
      const last = bob.address.at(-1) === 'q' ? 'p' : 'q';
      const bad = bob.address.slice(0, -1) + last;
      return { tx: buildTx(alice, [sendMsg(alice.address, bad, uatom(1n))], opts(c, alice)), log: [bad] };
    },
  },
  {
    name: 'to_address with the wrong prefix (cosmos1...)',
    check: sdk(7),
    build: (c) => {
      const cosmos = toBech32('cosmos', fromBech32(bob.address, 90).data, 90);
      return { tx: buildTx(alice, [sendMsg(alice.address, cosmos, uatom(1n))], opts(c, alice)), log: [cosmos, 'prefix cosmos, expected lanes'] };
    },
  },
  {
    name: 'upper-case to_address',
    check: sdk(7),
    build: (c) => {
      const upper = bob.address.toUpperCase();
      return { tx: buildTx(alice, [sendMsg(alice.address, upper, uatom(1n))], opts(c, alice)), log: [upper, 'not in canonical lower case'] };
    },
  },
  {
    name: 'empty to_address',
    check: sdk(7),
    build: (c) => ({ tx: buildTx(alice, [sendMsg(alice.address, '', uatom(1n))], opts(c, alice)), log: ['empty to address'] }),
  },
  {
    name: 'zero amount',
    check: sdk(10),
    build: (c) => ({ tx: buildTx(alice, [sendMsg(alice.address, bob.address, uatom('0'))], opts(c, alice)), log: ['0uatom: amount must be positive'] }),
  },
  {
    name: 'negative amount string "-5"',
    check: sdk(10),
    build: (c) => ({ tx: buildTx(alice, [sendMsg(alice.address, bob.address, uatom('-5'))], opts(c, alice)), log: ['"-5"'] }),
  },
  {
    name: 'absurd amount 10^80',
    check: sdk(10),
    build: (c) => ({ tx: buildTx(alice, [sendMsg(alice.address, bob.address, uatom(10n ** 80n))], opts(c, alice)), log: [(10n ** 80n).toString()] }),
  },
  {
    name: 'amount 2^256 (one above the Int bound)',
    check: sdk(10),
    build: (c) => ({ tx: buildTx(alice, [sendMsg(alice.address, bob.address, uatom(2n ** 256n))], opts(c, alice)), log: [`${2n ** 256n} exceeds 256 bits`] }),
  },
  {
    name: 'amount 2^256-1 passes validation and fails on funds (fee kept)',
    check: sdk(5), keeps: 'fee', payer: alice, fee: 500n,
    build: (c) => ({ tx: buildTx(alice, [sendMsg(alice.address, bob.address, uatom(2n ** 256n - 1n))], opts(c, alice)), log: [`${2n ** 256n - 1n}uatom`] }),
  },
  {
    name: 'duplicate denoms in one coin list',
    check: sdk(10),
    build: (c) => ({ tx: buildTx(alice, [sendMsg(alice.address, bob.address, [...uatom(1n), ...uatom(2n)])], opts(c, alice)), log: ['duplicate denomination uatom'] }),
  },
  {
    name: 'invalid denom',
    check: sdk(10),
    build: (c) => ({ tx: buildTx(alice, [sendMsg(alice.address, bob.address, [{ denom: 'u$', amount: '1' }])], opts(c, alice)), log: ['invalid denom "u$"'] }),
  },
  {
    name: 'malformed bech32 from_address',
    check: sdk(7),
    build: (c) => ({ tx: buildTx(alice, [sendMsg('lanes1notanaddress', bob.address, uatom(1n))], opts(c, alice)), log: ['invalid from address "lanes1notanaddress"'] }),
  },
  {
    name: 'empty amount list',
    check: sdk(10),
    build: (c) => ({ tx: buildTx(alice, [sendMsg(alice.address, bob.address, [])], opts(c, alice)), log: ['amount is empty: a send moves at least one coin'] }),
  },
  // AMM Msgs: stateless validation refuses these before the ante, so a block charges nothing.
  {
    name: 'amm: add liquidity to pool_id 0',
    check: amm(25),
    build: (c) => ({ tx: buildTx(alice, [addLiqMsg({ poolId: 0n })], opts(c, alice)), log: ['pool_id 0: pool ids start at 1'] }),
  },
  {
    name: 'amm: remove liquidity from pool_id 0',
    check: amm(25),
    build: (c) => ({ tx: buildTx(alice, [removeLiqMsg({ poolId: 0n })], opts(c, alice)), log: ['pool_id 0: pool ids start at 1'] }),
  },
  {
    name: 'amm: swap exact in through pool_id 0',
    check: amm(25),
    build: (c) => ({ tx: buildTx(alice, [swapInMsg({ routes: [{ poolId: 0n, tokenOutDenom: 'uusdc' }] })], opts(c, alice)), log: ['pool_id 0: pool ids start at 1'] }),
  },
  {
    name: 'amm: swap exact out through pool_id 0 (second hop)',
    check: amm(25),
    build: (c) => ({ tx: buildTx(alice, [swapOutMsg({ routes: [{ poolId: 1n, tokenInDenom: 'uatom' }, { poolId: 0n, tokenInDenom: 'uusdc' }], tokenOut: wc(5n, 'uusdt') })], opts(c, alice)), log: ['pool_id 0: pool ids start at 1'] }),
  },
  {
    name: 'amm: swap exact in with an invalid route denom',
    check: sdk(10),
    build: (c) => ({ tx: buildTx(alice, [swapInMsg({ routes: [{ poolId: 1n, tokenOutDenom: 'u$' }] })], opts(c, alice)), log: ['invalid denom "u$"'] }),
  },
  {
    name: 'amm: swap exact out with an invalid route denom',
    check: sdk(10),
    build: (c) => ({ tx: buildTx(alice, [swapOutMsg({ routes: [{ poolId: 1n, tokenInDenom: 'u$' }] })], opts(c, alice)), log: ['invalid denom "u$"'] }),
  },
  {
    name: 'amm: swap exact out with an empty route',
    check: amm(7),
    build: (c) => ({ tx: buildTx(alice, [swapOutMsg({ routes: [] })], opts(c, alice)), log: ['routes is empty'] }),
  },
  {
    name: 'amm: remove liquidity of 0 shares',
    check: sdk(10),
    build: (c) => ({ tx: buildTx(alice, [removeLiqMsg({ shares: '0' })], opts(c, alice)), log: ['shares 0: must be positive'] }),
  },
  {
    name: 'amm: min_shares_out malformed ("1.5")',
    check: sdk(10),
    build: (c) => ({ tx: buildTx(alice, [addLiqMsg({ minSharesOut: '1.5' })], opts(c, alice)), log: ['invalid min_shares_out "1.5"'] }),
  },
  {
    name: 'amm: min_amount_out malformed ("-1")',
    check: sdk(10),
    build: (c) => ({ tx: buildTx(alice, [swapInMsg({ minAmountOut: '-1' })], opts(c, alice)), log: ['invalid min_amount_out "-1"'] }),
  },
  {
    name: 'amm: max_amount_in malformed ("ten")',
    check: sdk(10),
    build: (c) => ({ tx: buildTx(alice, [swapOutMsg({ maxAmountIn: 'ten' })], opts(c, alice)), log: ['invalid max_amount_in "ten"'] }),
  },
  {
    // Unset, a limit would read as none: a forgotten or misspelt field must not make a swap anyone can sandwich.
    name: 'amm: min_amount_out empty (unset)',
    check: sdk(10),
    build: (c) => ({ tx: buildTx(alice, [swapInMsg({ minAmountOut: '' })], opts(c, alice)), log: ['min_amount_out is empty', '"0" for no limit'] }),
  },
  {
    name: 'amm: min_shares_out empty (unset)',
    check: sdk(10),
    build: (c) => ({ tx: buildTx(alice, [addLiqMsg({ minSharesOut: '' })], opts(c, alice)), log: ['min_shares_out is empty', '"0" for no limit'] }),
  },
  {
    name: 'amm: max_amount_in empty',
    check: sdk(10),
    build: (c) => ({ tx: buildTx(alice, [swapOutMsg({ maxAmountIn: '' })], opts(c, alice)), log: ['invalid max_amount_in ""'] }),
  },
  {
    name: 'amm: create pool with a malformed swap_fee ("3%")',
    check: amm(5),
    build: (c) => ({ tx: buildTx(alice, [createPoolMsg({ swapFee: '3%' })], opts(c, alice)), log: ['invalid swap_fee "3%"'] }),
  },
  {
    // Read from the Msg alone, so refused before the ante: no fee.
    name: 'amm: swap exact in whose hop has token in = token out',
    check: amm(24),
    build: (c) => ({ tx: buildTx(alice, [swapInMsg({ routes: [{ poolId: 1n, tokenOutDenom: 'uatom' }], tokenIn: wc(5n, 'uatom') })], opts(c, alice)), log: ['pool 1: token in and out are both uatom'] }),
  },
  {
    name: 'amm: swap exact out whose hop has token in = token out',
    check: amm(24),
    build: (c) => ({ tx: buildTx(alice, [swapOutMsg({ routes: [{ poolId: 1n, tokenInDenom: 'uusdc' }], tokenOut: wc(5n, 'uusdc') })], opts(c, alice)), log: ['pool 1: token in and out are both uusdc'] }),
  },
  {
    // The second hop takes in what the first paid out (uusdc) and pays out uusdc again.
    name: 'amm: swap exact in whose second hop has token in = token out',
    check: amm(24),
    build: (c) => ({ tx: buildTx(alice, [swapInMsg({ routes: [{ poolId: 1n, tokenOutDenom: 'uusdc' }, { poolId: 2n, tokenOutDenom: 'uusdc' }], tokenIn: wc(5n, 'uatom') })], opts(c, alice)), log: ['pool 2: token in and out are both uusdc'] }),
  },
  {
    // The first hop pays out what the second takes in (uusdc), and the second pays out token_out, uusdc.
    name: 'amm: swap exact out whose second hop has token in = token out',
    check: amm(24),
    build: (c) => ({ tx: buildTx(alice, [swapOutMsg({ routes: [{ poolId: 1n, tokenInDenom: 'uatom' }, { poolId: 2n, tokenInDenom: 'uusdc' }], tokenOut: wc(5n, 'uusdc') })], opts(c, alice)), log: ['pool 2: token in and out are both uusdc'] }),
  },
  {
    name: 'gas limit 0',
    check: sdk(41),
    build: (c) => ({ tx: validTx(c, { gasLimit: 0n, fee: 500n }), log: ['gas limit is 0'] }),
  },
  {
    name: 'gas limit above max_gas_per_tx',
    check: sdk(41),
    build: (c) => ({ tx: validTx(c, { gasLimit: 50_000_001n }), log: ['gas limit 50000001 exceeds the per-tx maximum 50000000'] }),
  },
  {
    // By design (as in the Cosmos SDK) a tx that runs out of gas in the ante, before the fee is
    // deducted, leaves no trace in a block either: no fee, no sequence bump.
    name: 'out of gas in the ante (gas limit 1000, enough fee)',
    check: sdk(11),
    build: (c) => ({ tx: validTx(c, { gasLimit: 1000n, fee: 3n }), log: ['out of gas in location: txSize; gasWanted: 1000'] }),
  },
  {
    name: 'out of gas in the Msg (limit one below what it uses): the block keeps the fee',
    check: sdk(11), keeps: 'fee', payer: alice, fee: 500n,
    build: (c) => {
      // Measure the exact gas of the same tx at the same sequence (CheckTx), then reset the check
      // state with an empty block. Gas limits 200000 and `used - 1` have the same varint length,
      // so the tx has the same size and the ante costs the same.
      const probe = validTx(c, { gasLimit: 200_000n, fee: 500n });
      const r = c.checkTx(probe);
      assert.equal(r.code, 0, r.log);
      const used = r.gasUsed;
      assert.ok(used > 16_384n && used < 200_000n, `gas used ${used}`);
      c.block([]);
      const tx = validTx(c, { gasLimit: used - 1n, fee: 500n });
      assert.equal(tx.length, probe.length);
      return { tx, log: [`gasWanted: ${used - 1n}, gasUsed: ${used}`, 'balances/write'] };
    },
  },
  {
    name: 'memo too long (257 characters)',
    check: sdk(12),
    build: (c) => ({ tx: validTx(c, { memo: 'x'.repeat(257) }), log: ['maximum number of characters is 256 but received 257 characters'] }),
  },
  {
    name: 'memo of exactly 256 characters is accepted',
    check: OK, payer: alice, fee: 500n, moved: 1n,
    build: (c) => ({ tx: validTx(c, { memo: 'x'.repeat(256) }), log: [] }),
  },
  {
    // The memo's bytes as sent are counted, as the Cosmos SDK does: not the 600 of the 200
    // replacement characters they decode to.
    name: 'memo of 200 bytes of invalid UTF-8 (lone continuation bytes) is accepted',
    check: OK, payer: alice, fee: 500n, moved: 1n,
    build: (c) => ({
      tx: rawTx(alice, {
        msgs: [sendMsg(alice.address, bob.address, uatom(1n))], sequence: seqOf(c, alice),
        bodyPadding: Uint8Array.from([...varint((2 << 3) | 2), ...varint(200), ...new Uint8Array(200).fill(0x80)]),
      }, { accountNumber: accNum(c, alice) }),
      log: [],
    }),
  },
  {
    name: 'memo of 257 bytes of invalid UTF-8',
    check: sdk(12),
    build: (c) => ({
      tx: rawTx(alice, {
        msgs: [sendMsg(alice.address, bob.address, uatom(1n))], sequence: seqOf(c, alice),
        bodyPadding: Uint8Array.from([...varint((2 << 3) | 2), ...varint(257), ...new Uint8Array(257).fill(0xed)]),
      }, { accountNumber: accNum(c, alice) }),
      log: ['maximum number of characters is 256 but received 257 characters'],
    }),
  },
  {
    name: 'timeout_height in the past',
    check: sdk(30),
    build: (c) => ({ tx: validTx(c, { timeoutHeight: c.height }), log: [`block height ${c.height + 1n} is past the tx's timeout height ${c.height}`] }),
  },
  {
    // Admitted, it could time out in the mempool and fail in a block without paying its fee.
    name: 'timeout_height equal to the next height: refused by CheckTx (too close to pass through the mempool), taken by a block',
    check: sdk(30), block: OK, keeps: 'ok', payer: alice, fee: 500n, moved: 1n,
    build: (c) => ({
      tx: validTx(c, { timeoutHeight: c.height + 1n }),
      log: [`timeout height ${c.height + 1n} leaves 1 block after the latest, ${c.height}; the mempool takes a tx with a timeout height only if it leaves at least ${CHECK_TX_MIN_TIMEOUT_BLOCKS}, at every node it passes through (set it to ${c.height + 2n * CHECK_TX_MIN_TIMEOUT_BLOCKS} or more, leaving room for the blocks before it arrives, or 0 for none)`],
    }),
  },
  {
    name: `timeout_height ${CHECK_TX_MIN_TIMEOUT_BLOCKS - 1n} blocks after the latest: refused by CheckTx, taken by a block`,
    check: sdk(30), block: OK, keeps: 'ok', payer: alice, fee: 500n, moved: 1n,
    build: (c) => ({ tx: validTx(c, { timeoutHeight: c.height + CHECK_TX_MIN_TIMEOUT_BLOCKS - 1n }), log: [`leaves ${CHECK_TX_MIN_TIMEOUT_BLOCKS - 1n} blocks after the latest, ${c.height};`] }),
  },
  {
    name: `timeout_height ${CHECK_TX_MIN_TIMEOUT_BLOCKS} blocks after the latest is accepted`,
    check: OK, payer: alice, fee: 500n, moved: 1n,
    build: (c) => ({ tx: validTx(c, { timeoutHeight: c.height + CHECK_TX_MIN_TIMEOUT_BLOCKS }), log: [] }),
  },
  // Fields the envelope's protobuf does not define, or that this chain does not enforce: signed,
  // so no relayer could add them, but the signer may expect them honoured. Refused, as the Cosmos
  // SDK refuses unknown critical fields.
  {
    name: 'unknown field 6 in TxBody',
    check: sdk(2),
    build: (c) => ({ tx: validTx(c, { bodyExtra: Uint8Array.of(0x30, 0x01) }), log: ['unknown field 6 in TxBody'] }),
  },
  {
    name: 'unknown non-critical field 1025 in TxBody (bit 11 set) is accepted, as in the Cosmos SDK',
    check: OK, payer: alice, fee: 500n, moved: 1n,
    build: (c) => ({ tx: validTx(c, { bodyExtra: Uint8Array.from([...varint(1025 << 3), 0x01]) }), log: [] }),
  },
  {
    name: 'unknown non-critical field 1025 in AuthInfo: refused, AuthInfo is strict (as in the Cosmos SDK)',
    check: sdk(2),
    build: (c) => ({ tx: validTx(c, { authInfoExtra: Uint8Array.from([...varint(1025 << 3), 0x01]) }), log: ['unknown field 1025 in AuthInfo'] }),
  },
  {
    name: 'unknown field 9 in AuthInfo',
    check: sdk(2),
    build: (c) => ({ tx: validTx(c, { authInfoExtra: Uint8Array.of(0x48, 0x01) }), log: ['unknown field 9 in AuthInfo'] }),
  },
  {
    name: 'unknown field 5 in Fee',
    check: sdk(2),
    build: (c) => ({ tx: validTx(c, { authInfoExtra: Uint8Array.of(0x12, 0x02, 0x28, 0x01) }), log: ['unknown field 5 in Fee'] }),
  },
  {
    name: 'unknown field 4 in SignerInfo',
    check: sdk(2),
    build: (c) => ({ tx: validTx(c, { authInfoExtra: Uint8Array.of(0x0a, 0x02, 0x20, 0x01) }), log: ['unknown field 4 in SignerInfo'] }),
  },
  {
    name: 'unknown field 2 in ModeInfo.Single',
    check: sdk(2),
    // A second signer info whose mode_info.single has a field 2.
    build: (c) => ({ tx: validTx(c, { authInfoExtra: Uint8Array.of(0x0a, 0x06, 0x12, 0x04, 0x0a, 0x02, 0x10, 0x01) }), log: ['unknown field 2 in ModeInfo.Single'] }),
  },
  // Inside a Msg and a public key too, as in the Cosmos SDK: a Msg takes non-critical fields (it
  // is in the body), a public key none (it is in AuthInfo).
  {
    name: 'unknown field 4 in MsgSend',
    check: sdk(2),
    build: (c) => ({ tx: sendWith(c, Uint8Array.of(0x20, 0x01)), log: ['unknown field 4 in cosmos.bank.v1beta1.MsgSend'] }),
  },
  {
    name: 'unknown field 3 in a coin of MsgSend',
    check: sdk(2),
    // amount (field 3) holding a coin whose only field is 3.
    build: (c) => ({ tx: sendWith(c, Uint8Array.of(0x1a, 0x02, 0x18, 0x01)), log: ['unknown field 3 in cosmos.base.v1beta1.Coin'] }),
  },
  {
    name: 'MsgSend field 2 (to_address) sent as a varint',
    check: sdk(2),
    build: (c) => ({ tx: sendWith(c, Uint8Array.of(0x10, 0x01)), log: ['field 2 of cosmos.bank.v1beta1.MsgSend has wire type 0, expected 2'] }),
  },
  {
    name: 'unknown non-critical field 1025 in MsgSend is accepted, as in the Cosmos SDK',
    check: OK, payer: alice, fee: 500n, moved: 1n,
    build: (c) => ({ tx: sendWith(c, Uint8Array.from([...varint(1025 << 3), 0x01])), log: [] }),
  },
  {
    name: 'unknown field 3 in a swap route',
    check: sdk(2),
    build: (c) => ({
      tx: rawTx(alice, { msgs: [withExtra(swapInMsg({}), Uint8Array.of(0x12, 0x02, 0x18, 0x01))], sequence: seqOf(c, alice) }, { accountNumber: accNum(c, alice) }),
      log: ['unknown field 3 in lanes.amm.v1.SwapAmountInRoute'],
    }),
  },
  {
    name: 'unknown field 2 in the public key',
    check: sdk(2),
    build: (c) => ({
      tx: rawTx(alice, { msgs: [sendMsg(alice.address, bob.address, uatom(1n))], sequence: seqOf(c, alice), pubkeyExtra: Uint8Array.of(0x10, 0x01) }, { accountNumber: accNum(c, alice) }),
      log: ['unknown field 2 in cosmos.crypto.secp256k1.PubKey'],
    }),
  },
  {
    name: 'unknown non-critical field 1025 in the public key: refused, AuthInfo is strict',
    check: sdk(2),
    build: (c) => ({
      tx: rawTx(alice, { msgs: [sendMsg(alice.address, bob.address, uatom(1n))], sequence: seqOf(c, alice), pubkeyExtra: Uint8Array.from([...varint(1025 << 3), 0x01]) }, { accountNumber: accNum(c, alice) }),
      log: ['unknown field 1025 in cosmos.crypto.secp256k1.PubKey'],
    }),
  },
  {
    name: 'TxBody field 3 (timeout_height) sent length-delimited',
    check: sdk(2),
    build: (c) => ({ tx: validTx(c, { bodyExtra: Uint8Array.of(0x1a, 0x00) }), log: ['field 3 of TxBody has wire type 2, expected 0'] }),
  },
  {
    name: 'unordered = true (not supported)',
    check: sdk(37),
    build: (c) => ({ tx: validTx(c, { bodyExtra: Uint8Array.of(0x20, 0x01) }), log: ['unordered txs are not supported'] }),
  },
  {
    name: 'timeout_timestamp (not supported)',
    check: sdk(37),
    build: (c) => ({ tx: validTx(c, { bodyExtra: Uint8Array.of(0x2a, 0x02, 0x08, 0x01) }), log: ['timeout_timestamp is not supported: use timeout_height'] }),
  },
  {
    name: 'a tip (not supported)',
    check: sdk(37),
    build: (c) => ({ tx: validTx(c, { authInfoExtra: Uint8Array.of(0x1a, 0x03, 0x12, 0x01, 0x78) }), log: ['tips are not supported'] }),
  },
  {
    name: 'a public key that is no point on secp256k1 (its account funded)',
    check: sdk(8),
    build: (c) => ({
      tx: rawTx(alice, { msgs: [sendMsg(offCurve, bob.address, [{ denom: 'ulane', amount: '1' }])], sequence: 0n, pubkey: OFF_CURVE }, {
        accountNumber: c.account(offCurve)?.accountNumber ?? 0n, signatures: [Uint8Array.from([...new Uint8Array(31), 1, ...new Uint8Array(31), 1])],
      }),
      log: [`signer ${offCurve}: public key 02${'00'.repeat(31)}05 is not a point on secp256k1`],
    }),
  },
  {
    name: 'MsgSend to the fee collector (a module account: coins sent there are never moved again)',
    check: sdk(4),
    build: (c) => ({ tx: buildTx(alice, [sendMsg(alice.address, FEE_COLLECTOR, uatom(1n))], opts(c, alice)), log: [`${FEE_COLLECTOR} is a module account and is not allowed to receive funds`] }),
  },
  {
    name: 'MsgSend to the AMM\'s locked-shares account',
    check: sdk(4),
    build: (c) => ({ tx: buildTx(alice, [sendMsg(alice.address, LOCKED_SHARES_ADDRESS, uatom(1n))], opts(c, alice)), log: [`${LOCKED_SHARES_ADDRESS} is a module account`] }),
  },
  {
    name: 'MsgSend to the AMM\'s protocol-revenue account',
    check: sdk(4),
    build: (c) => ({ tx: buildTx(alice, [sendMsg(alice.address, PROTOCOL_ADDRESS, uatom(1n))], opts(c, alice)), log: [`${PROTOCOL_ADDRESS} is a module account`] }),
  },
  {
    name: 'signer with no account',
    check: sdk(9),
    build: (c) => ({ tx: buildTx(carol, [sendMsg(carol.address, bob.address, uatom(1n))], { chainId: c.chainId, accountNumber: 0n, sequence: 0n }), log: [`account ${carol.address} does not exist`] }),
  },
  {
    name: 'signer info carries somebody else\'s public key (impersonation)',
    check: sdk(8),
    build: (c) => ({
      // Bob's Msg, signed by alice with alice's key: bob has no key on chain yet.
      tx: rawTx(alice, { msgs: [sendMsg(bob.address, alice.address, uatom(1n))], sequence: seqOf(c, bob) }, { accountNumber: accNum(c, bob) }),
      log: [`public key belongs to ${alice.address}, not to signer ${bob.address}`],
    }),
  },
  {
    name: 'public key omitted for an account that has none on chain',
    check: sdk(8),
    build: (c) => ({ tx: buildTx(bob, [sendMsg(bob.address, alice.address, uatom(1n))], opts(c, bob, { omitPubkey: true })), log: [`account ${bob.address} has no public key yet`] }),
  },
  {
    name: 'public key in the tx differs from the one on chain',
    check: sdk(8),
    build: (c) => ({
      tx: rawTx(alice, { msgs: [sendMsg(alice.address, bob.address, uatom(1n))], sequence: seqOf(c, alice), pubkey: bob.pubkey }, { accountNumber: accNum(c, alice) }),
      log: [`does not match the key registered for ${alice.address}`],
    }),
  },
  {
    // Decoding it would recurse 15,000 deep: refused by counting, not by the stack, which differs
    // between threads (see app/src/protoLimits.ts).
    name: 'multisig mode info nested 15,000 deep',
    check: sdk(2),
    build: (c) => {
      const valid = TxRaw.decode(validTx(c));
      return { tx: TxRaw.encode({ ...valid, authInfoBytes: nestedModeInfoAuth(15_000) }).finish(), log: ['cannot decode AuthInfo', `ModeInfo nested deeper than ${MAX_MODE_INFO_DEPTH}`] };
    },
  },
  {
    name: 'an unknown body field of protobuf groups nested 20,000 deep',
    check: sdk(2),
    build: (c) => ({
      tx: rawTx(alice, { msgs: [sendMsg(alice.address, bob.address, uatom(1n))], sequence: seqOf(c, alice), bodyPadding: nestedGroups(15, 20_000) }, { accountNumber: accNum(c, alice) }),
      log: ['cannot decode TxBody', `protobuf groups nested deeper than ${MAX_GROUP_DEPTH}`],
    }),
  },
];

/** A signed alice -> bob 1uatom tx of exactly `size` bytes (padding in a non-critical body field). */
function exactSizeTx(c: InProcessChain, size: number): Uint8Array {
  let pad = size - 400;
  for (let i = 0; i < 10; i++) {
    const tx = rawTx(alice, {
      msgs: [sendMsg(alice.address, bob.address, uatom(1n))], bodyPadding: lenField(1025, pad),
      sequence: seqOf(c, alice), gasLimit: 2_000_000n, fee: [{ denom: 'ulane', amount: '5000' }],
    }, { accountNumber: accNum(c, alice) });
    if (tx.length === size) return tx;
    pad += size - tx.length;
  }
  throw new Error(`cannot build a tx of exactly ${size} bytes`);
}

/** AuthInfo bytes whose one signer info nests ModeInfo.multi `depth` levels deep. */
function nestedModeInfoAuth(depth: number): Uint8Array {
  const fee = AuthInfo.encode(AuthInfo.fromPartial({ fee: { amount: [{ denom: 'ulane', amount: '500' }], gasLimit: 200_000n } })).finish();
  return Buffer.concat([nestedModeInfoSigner(depth), fee]);
}

function assertResult(r: { code: number; codespace: string; log: string }, want: readonly [string, number], needles: string[], where: string): void {
  assert.deepEqual([r.codespace, r.code], [...want], `${where}: got ${r.codespace}/${r.code}: ${r.log}`);
  for (const n of needles) assert.ok(r.log.includes(n), `${where}: log ${JSON.stringify(r.log.slice(0, 500))} should contain ${JSON.stringify(n)}`);
}

test('bad input: every case rejected with its (codespace, code) in CheckTx and in a block; the chain goes on', () => {
  const c = newChain();
  // A first committed tx, so the replay case has bytes to replay and alice has a key on chain.
  let lastCommitted = validTx(c);
  assert.equal(c.block([lastCommitted])[0]?.code, 0);
  const names = new Set<string>();

  for (const k of cases) {
    assert.ok(!names.has(k.name), `duplicate case ${k.name}`);
    names.add(k.name);
    const where = k.name;
    const { tx, log } = k.build(c, { lastCommitted });
    const accepted = k.check[1] === 0;
    const keeps = k.keeps ?? (accepted ? 'ok' : 'none');

    // CheckTx
    const before = snapshot(c);
    const seqBefore = new Map(HOLDERS.map((a) => [a, c.account(a)?.sequence]));
    const chk = c.checkTx(tx);
    assertResult(chk, k.check, log, `${where} (CheckTx)`);
    if (!accepted) {
      // A rejected CheckTx leaves the check state as it was: the next valid tx still checks.
      const next = c.checkTx(validTx(c));
      assert.equal(next.code, 0, `${where}: CheckTx of the next valid tx: ${next.log}`);
    }

    // The same bytes in a block
    const [res] = c.block([tx]) as [ExecTxResult];
    const inBlock = k.block ?? k.check;
    assertResult(res, inBlock, inBlock[1] === 0 ? [] : log, `${where} (block)`);
    const after = snapshot(c);
    const want = new Map(before);
    const add = (addr: string, denom: string, d: bigint) => want.set(`${addr}/${denom}`, (want.get(`${addr}/${denom}`) ?? 0n) + d);
    if (keeps !== 'none') {
      assert.ok(k.payer && k.fee !== undefined, `${where}: payer and fee`);
      add(k.payer.address, 'ulane', -k.fee);
      add(FEE_COLLECTOR, 'ulane', k.fee);
      if (keeps === 'ok') {
        add(alice.address, 'uatom', -(k.moved ?? 0n));
        add(bob.address, 'uatom', k.moved ?? 0n);
      }
    }
    assert.deepEqual(after, want, `${where}: balances after the block`);
    for (const a of HOLDERS) {
      const bumped = keeps !== 'none' && a === k.payer?.address;
      const was = seqBefore.get(a);
      assert.equal(c.account(a)?.sequence, was === undefined ? undefined : was + (bumped ? 1n : 0n), `${where}: sequence of ${a}`);
    }
    if (accepted) lastCommitted = tx;
    assertSupplyConserved(c);

    // The next valid tx in the next block succeeds.
    const next = validTx(c);
    const [nr] = c.block([next]) as [ExecTxResult];
    assert.equal(nr.code, 0, `${where}: next valid tx: ${nr.log}`);
    assert.equal(c.balance(bob.address, 'uatom'), (after.get(`${bob.address}/uatom`) ?? 0n) + 1n, `${where}: next valid tx moved 1uatom`);
    lastCommitted = next;
  }
  assertSupplyConserved(c);
  // Carol never got an account; poor still holds exactly its 100ulane.
  assert.equal(c.account(carol.address), null);
  assert.equal(c.balance(poor.address, 'ulane'), 100n);
});

test('the same valid tx twice in one block: the second copy is a replay (sdk/32), the first is applied once', () => {
  const c = newChain();
  const tx = validTx(c);
  const before = c.balance(bob.address, 'uatom');
  const [r1, r2] = c.block([tx, tx]) as [ExecTxResult, ExecTxResult];
  assert.equal(r1.code, 0, r1.log);
  assertResult(r2, sdk(32), ['expected 1, got 0'], 'second copy');
  assert.equal(c.balance(bob.address, 'uatom'), before + 1n);
  assert.equal(c.balance(alice.address, 'ulane'), DEVNET_FUNDING - 500n);
  assert.equal(c.account(alice.address)?.sequence, 1n);
  assertSupplyConserved(c);
});

test('a block of only bad txs commits, and reports each one in order', () => {
  const c = newChain();
  const txs = [new Uint8Array(), Buffer.from('junk'), validTx(c, { sequence: 9n }), validTx(c, { gasLimit: 0n })];
  const results = c.block(txs);
  assert.deepEqual(results.map((r) => `${r.codespace}/${r.code}`), ['sdk/2', 'sdk/2', 'sdk/32', 'sdk/41']);
  assert.ok(results.every((r) => r.gasUsed === 0n || r.gasUsed <= r.gasWanted), 'every rejected tx uses no gas or at most its gas wanted');
  assert.equal(c.block([validTx(c)])[0]?.code, 0);
  assertSupplyConserved(c);
});

test('unknown fields in TxRaw are rejected (no tx-hash malleability)', () => {
  const c = newChain();
  const tx = validTx(c);
  const padded = Buffer.concat([tx, lenField(9, 4)]);
  assert.notEqual(Buffer.from(padded).toString('hex'), Buffer.from(tx).toString('hex'));
  const chk = c.checkTx(padded);
  assertResult(chk, sdk(2), [], 'padded TxRaw (CheckTx)');
});

test('before the first block commits, every query answers sdk/26 (state is not genesis\'s until then), as in the Cosmos SDK', () => {
  const c = new InProcessChain(devnetGenesis([alice.address, bob.address], { pools: false }));
  const ask = () => c.app.query({ path: '/cosmos.bank.v1beta1.Query/AllBalances', data: QueryAllBalancesRequest.encode({ address: alice.address, resolveDenom: false }).finish(), height: 0n, prove: false });
  assertResult(ask(), ['sdk', 26], ['not ready', 'wait for the first block'], 'a query before block 1');
  assertResult(c.app.query({ path: '/cosmos.tx.v1beta1.Service/Simulate', data: SimulateRequest.encode({ txBytes: Uint8Array.of(1, 2, 3) }).finish(), height: 0n, prove: false }), ['sdk', 26], ['not ready'], 'a simulation before block 1');
  c.block([]);
  const r = ask();
  assert.equal(r.code, 0, r.log);
  assert.ok(QueryAllBalancesResponse.decode(r.value).balances.length > 0, 'genesis balances, once block 1 committed');
});

test('bad queries: each answers its (codespace, code) naming the bad value; nothing changes and the chain goes on', () => {
  const c = newChain();
  assert.equal(c.block([validTx(c)])[0]?.code, 0);
  const info = () => c.app.info({ version: '', blockVersion: 0n, p2pVersion: 0n, abciVersion: '' });
  const before = info();
  const q = (path: string, data: Uint8Array, height = 0n) => c.app.query({ path, data, height, prove: false });
  const expect = (name: string, r: { code: number; codespace: string; log: string }, want: readonly [string, number], needles: string[]) => assertResult(r, want, needles, name);
  const h = c.height;
  const balanceReq = QueryAllBalancesRequest.encode({ address: alice.address, resolveDenom: false }).finish();

  expect('an old height', q('/cosmos.bank.v1beta1.Query/AllBalances', balanceReq, h - 1n), sdk(18), [`only the latest height ${h} can be queried, not ${h - 1n}`]);
  expect('a future height', q('/cosmos.bank.v1beta1.Query/AllBalances', balanceReq, h + 1n), sdk(18), [`not ${h + 1n}`]);
  assert.equal(q('/cosmos.bank.v1beta1.Query/AllBalances', balanceReq, h).code, 0, 'the latest height, named, is served');
  expect('an unknown path', q('/cosmos.bank.v1beta1.Query/NoSuchThing', balanceReq), sdk(6), ['unknown query path "/cosmos.bank.v1beta1.Query/NoSuchThing"']);
  expect('Simulate with empty tx_bytes', q('/cosmos.tx.v1beta1.Service/Simulate', SimulateRequest.encode({ txBytes: new Uint8Array() }).finish()), sdk(18), ['simulate: tx_bytes is empty']);
  expect('Account of an address with no account', q('/cosmos.auth.v1beta1.Query/Account', QueryAccountRequest.encode({ address: carol.address }).finish()), sdk(22), [`account ${carol.address} not found`]);
  expect('EstimateSwapExactIn without token_in', q('/lanes.amm.v1.Query/EstimateSwapExactIn', QueryEstimateSwapExactInRequest.encode({ routes: [{ poolId: 1n, tokenOutDenom: 'uusdc' }], tokenIn: undefined }).finish()), sdk(18), ['token_in is required']);
  // Routes: the Msgs' stateless check, in the Msgs' order (a repeated pool before pool 0 behind it).
  const estimateIn = (ids: bigint[]) => q('/lanes.amm.v1.Query/EstimateSwapExactIn', QueryEstimateSwapExactInRequest.encode({ routes: ids.map((poolId) => ({ poolId, tokenOutDenom: 'uusdc' })), tokenIn: wc(5n, 'uatom') }).finish());
  expect('EstimateSwapExactIn through pools 1, 1, 0', estimateIn([1n, 1n, 0n]), amm(9), ['pool 1 appears twice in the route']);
  expect('EstimateSwapExactIn through 17 pools', estimateIn(Array.from({ length: 17 }, (_, i) => BigInt(i + 1))), amm(8), ['route of 17 pools exceeds 16']);
  expect('EstimateSwapExactIn through no pool', estimateIn([]), amm(7), ['routes is empty']);
  expect('EstimateSwapExactOut without token_out', q('/lanes.amm.v1.Query/EstimateSwapExactOut', QueryEstimateSwapExactOutRequest.encode({ routes: [{ poolId: 1n, tokenInDenom: 'uatom' }], tokenOut: undefined }).finish()), sdk(18), ['token_out is required']);
  const twapReq = { poolId: 1n, baseDenom: 'uatom', quoteDenom: 'uusdc', startTime: undefined, endTime: undefined };
  const t = { seconds: c.time, nanos: 0 };
  expect('Twap without start_time and end_time', q('/lanes.amm.v1.Query/Twap', QueryTwapRequest.encode(twapReq).finish()), sdk(18), ['start_time and end_time are required']);
  expect('Twap without end_time', q('/lanes.amm.v1.Query/Twap', QueryTwapRequest.encode({ ...twapReq, startTime: t }).finish()), sdk(18), ['start_time and end_time are required']);
  expect('Twap without start_time', q('/lanes.amm.v1.Query/Twap', QueryTwapRequest.encode({ ...twapReq, endTime: t }).finish()), sdk(18), ['start_time and end_time are required']);

  // Pagination: 1000 is the most a page holds.
  const poolsPage = (limit: bigint) => q('/lanes.amm.v1.Query/Pools', QueryPoolsRequest.encode({ pagination: { key: new Uint8Array(), offset: 0n, limit, countTotal: false, reverse: false } }).finish());
  const balancesPage = (limit: bigint) => q('/cosmos.bank.v1beta1.Query/AllBalances', QueryAllBalancesRequest.encode({ address: alice.address, resolveDenom: false, pagination: { key: new Uint8Array(), offset: 0n, limit, countTotal: false, reverse: false } }).finish());
  expect('Pools with pagination limit 1001', poolsPage(1001n), sdk(18), ['pagination limit 1001 exceeds 1000']);
  expect('AllBalances with pagination limit 1001', balancesPage(1001n), sdk(18), ['pagination limit 1001 exceeds 1000']);
  const supplyPage = (limit: bigint) => q('/cosmos.bank.v1beta1.Query/TotalSupply', QueryTotalSupplyRequest.encode({ pagination: { key: new Uint8Array(), offset: 0n, limit, countTotal: false, reverse: false } }).finish());
  expect('TotalSupply with pagination limit 1001', supplyPage(1001n), sdk(18), ['pagination limit 1001 exceeds 1000']);
  expect('TotalSupply with both key and offset', q('/cosmos.bank.v1beta1.Query/TotalSupply', QueryTotalSupplyRequest.encode({ pagination: { key: Buffer.from('uatom'), offset: 1n, limit: 1n, countTotal: false, reverse: false } }).finish()), sdk(18), ['use either key or offset, not both']);
  assert.equal(supplyPage(1000n).code, 0, 'TotalSupply, limit 1000');
  assert.equal(poolsPage(1000n).code, 0, 'Pools, limit 1000');
  assert.equal(balancesPage(1000n).code, 0, 'AllBalances, limit 1000');

  // Pool id 0: every query answers amm/25, as the Msg path (CheckTx of a swap through pool 0) does.
  const msgPath = c.checkTx(buildTx(alice, [swapInMsg({ routes: [{ poolId: 0n, tokenOutDenom: 'uusdc' }] })], opts(c, alice)));
  assertResult(msgPath, amm(25), ['pool_id 0'], 'the Msg path, pool 0');
  const pool0: [string, Uint8Array][] = [
    ['/lanes.amm.v1.Query/Pool', QueryPoolRequest.encode({ poolId: 0n }).finish()],
    ['/lanes.amm.v1.Query/SpotPrice', QuerySpotPriceRequest.encode({ poolId: 0n, baseDenom: 'uatom', quoteDenom: 'uusdc' }).finish()],
    ['/lanes.amm.v1.Query/Twap', QueryTwapRequest.encode({ ...twapReq, poolId: 0n, startTime: t, endTime: t }).finish()],
    ['/lanes.amm.v1.Query/TwapHistory', QueryTwapHistoryRequest.encode({ poolId: 0n }).finish()],
    ['/lanes.amm.v1.Query/EstimateSwapExactIn', QueryEstimateSwapExactInRequest.encode({ routes: [{ poolId: 0n, tokenOutDenom: 'uusdc' }], tokenIn: wc(5n, 'uatom') }).finish()],
    ['/lanes.amm.v1.Query/EstimateSwapExactOut', QueryEstimateSwapExactOutRequest.encode({ routes: [{ poolId: 0n, tokenInDenom: 'uatom' }], tokenOut: wc(5n, 'uusdc') }).finish()],
  ];
  for (const [path, data] of pool0) expect(`${path} with pool id 0`, q(path, data), amm(25), ['pool_id 0: pool ids start at 1']);

  // Bytes that do not decode are the caller's error (sdk/18), not a bug of the node (sdk/111222).
  for (const path of ['/cosmos.bank.v1beta1.Query/Balance', '/cosmos.auth.v1beta1.Query/Account', '/lanes.amm.v1.Query/Pool', '/cosmos.tx.v1beta1.Service/Simulate']) {
    expect(`${path} with undecodable bytes`, q(path, Uint8Array.of(0x0a, 0x05, 0x61)), sdk(18), ['cannot decode the request']);
  }
  expect('a request of 64 KiB and a byte', q('/lanes.amm.v1.Query/Pool', new Uint8Array(MAX_QUERY_REQUEST_BYTES + 1)), sdk(18), [`query request of ${MAX_QUERY_REQUEST_BYTES + 1} bytes exceeds ${MAX_QUERY_REQUEST_BYTES}`]);
  // A simulation takes a whole tx, and more.
  const bigSimulation = q('/cosmos.tx.v1beta1.Service/Simulate', SimulateRequest.encode({ txBytes: new Uint8Array(MAX_QUERY_REQUEST_BYTES + 10) }).finish());
  assert.ok(!bigSimulation.log.includes('query request of'), `a simulation over 64 KiB passes the size check: ${bigSimulation.log}`);
  expect('a proof asked for', c.app.query({ path: '/cosmos.bank.v1beta1.Query/AllBalances', data: balanceReq, height: 0n, prove: true }), sdk(37), ['proofs are not supported']);

  // Nothing changed: no height, no app hash moved; the next valid tx commits.
  assert.deepEqual(info(), before);
  assert.equal(c.checkTx(validTx(c)).code, 0);
  assert.equal(c.block([validTx(c)])[0]?.code, 0);
  assertSupplyConserved(c);
});
