// secp256k1 signature checks (native libsecp256k1 via the `secp256k1` package) over the
// SIGN_MODE_DIRECT sign doc, with a bounded cache keyed by tx hash (plus signer index, account
// number and key) of what this node already verified, so FinalizeBlock skips work CheckTx did.
import secp256k1 from 'secp256k1';
import { createRequire } from 'node:module';
import { SignDoc } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { sha256 } from './sha256.ts';
import { FifoMap } from './fifo.ts';
import { DECODED_CACHE_TXS } from './txcache.ts';
import { isNodeFault } from './errors.ts';

/**
 * Which secp256k1 the `secp256k1` package loaded: its native libsecp256k1 binding, or, where it
 * has no prebuilt binary for the platform and none could be built, its JavaScript fallback
 * (elliptic), which gives the same answers (the same signatures pass) several times slower.
 */
export const SECP256K1_IMPLEMENTATION: 'native' | 'javascript' = (() => {
  try {
    createRequire(import.meta.url)('secp256k1/bindings');
    return 'native';
  } catch {
    return 'javascript';
  }
})();

export function signDocHash(bodyBytes: Uint8Array, authInfoBytes: Uint8Array, chainId: string, accountNumber: bigint): Uint8Array {
  const doc = SignDoc.encode({ bodyBytes, authInfoBytes, chainId, accountNumber }).finish();
  return sha256(doc);
}

/**
 * Verified-signature keys a cache keeps by default, on the main thread and in each worker: one
 * per signer of a tx still to come in a block, so twice the decoded-tx cache's txs (itself
 * twice what the mempool holds), room for txs with two signers. A key is of no use once its
 * tx is in a block (the sequence moved on). Full, the cache takes 20.5 MB of heap per thread at
 * this bound, and took 78.5 MB at the 200,000 keys it had before (200,000 random keys
 * remembered, heap after a full GC), kept through every major GC for keys nothing would ask
 * for again.
 */
export const SIG_CACHE_KEYS = 2 * DECODED_CACHE_TXS;

export class SigVerifier {
  private readonly verified: FifoMap<string, true>;
  /** tx hash -> its verified keys, so FinalizeBlock can hand them to execution workers. */
  private readonly byTx: FifoMap<string, string[]>;
  hits = 0;
  misses = 0;

  constructor(capacity = SIG_CACHE_KEYS) {
    this.verified = new FifoMap(capacity, 'verified-signature cache');
    this.byTx = new FifoMap(capacity, 'verified-signature cache');
  }

  /**
   * The cache key of signer `index` of a tx: the tx hash fixes body, auth info and signature;
   * the account number and key are what the sign doc and the check depend on besides. The
   * chain id is not in it: a verifier serves one chain (see LanesAppOptions.sigs).
   */
  static key(txHashHex: string, index: number, accountNumber: bigint, pubkey: Uint8Array): string {
    return `${txHashHex}/${index}/${accountNumber}/${Buffer.from(pubkey.buffer, pubkey.byteOffset, pubkey.byteLength).toString('latin1')}`;
  }

  has(key: string): boolean {
    return this.verified.has(key);
  }

  remember(key: string): void {
    if (this.verified.has(key)) return;
    this.verified.set(key, true); // the oldest key goes past capacity
    const txHash = key.slice(0, key.indexOf('/'));
    const list = this.byTx.get(txHash);
    if (list) list.push(key);
    else this.byTx.set(txHash, [key]);
  }

  /** Keys verified for the tx with this hash (still in the cache). */
  keysFor(txHashHex: string): string[] {
    return (this.byTx.get(txHashHex) ?? []).filter((k) => this.verified.has(k));
  }

  /** True iff `sig` signs the message whose hash `msgHash()` gives, under `pubkey`; cached under `key`. */
  verify(key: string, msgHash: () => Uint8Array, pubkey: Uint8Array, sig: Uint8Array): boolean {
    if (this.verified.has(key)) {
      this.hits++;
      return true;
    }
    this.misses++;
    const ok = verifySecp256k1(msgHash(), pubkey, sig);
    if (ok) this.remember(key);
    return ok;
  }
}

/** Whether `pubkey` is a point on secp256k1 (33-byte compressed, checked by decodeTx, is not enough). */
export function isSecp256k1PublicKey(pubkey: Uint8Array): boolean {
  try {
    return secp256k1.publicKeyVerify(pubkey);
  } catch (e) {
    if (isNodeFault(e)) throw e;
    return false;
  }
}

/** 64-byte r||s over a 32-byte hash with a 33-byte compressed key; false on any malformed input. */
export function verifySecp256k1(msgHash: Uint8Array, pubkey: Uint8Array, sig: Uint8Array): boolean {
  try {
    return secp256k1.ecdsaVerify(sig, msgHash, pubkey);
  } catch (e) {
    if (isNodeFault(e)) throw e; // this thread's trouble, not the signature's
    return false;
  }
}
