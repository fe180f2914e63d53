// secp256k1 signature checks (native libsecp256k1 via the `secp256k1` package) over the
// SIGN_MODE_DIRECT sign doc, with a bounded cache of (sign-doc hash, key, signature) triples
// this node already verified, so FinalizeBlock skips work CheckTx did.
import secp256k1 from 'secp256k1';
import { SignDoc } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { createHash } from 'node:crypto';

export function signDocHash(bodyBytes: Uint8Array, authInfoBytes: Uint8Array, chainId: string, accountNumber: bigint): Uint8Array {
  const doc = SignDoc.encode({ bodyBytes, authInfoBytes, chainId, accountNumber }).finish();
  return createHash('sha256').update(doc).digest();
}

export class SigVerifier {
  private readonly verified = new Map<string, true>();
  hits = 0;
  misses = 0;

  constructor(private readonly capacity = 200_000) {}

  /** True iff `sig` (64-byte r||s, low-S) signs `msgHash` under the compressed key `pubkey`. */
  verify(msgHash: Uint8Array, pubkey: Uint8Array, sig: Uint8Array): boolean {
    const key = Buffer.from(msgHash).toString('latin1') + Buffer.from(pubkey).toString('latin1') + Buffer.from(sig).toString('latin1');
    if (this.verified.has(key)) {
      this.hits++;
      return true;
    }
    this.misses++;
    let ok: boolean;
    try {
      ok = secp256k1.ecdsaVerify(sig, msgHash, pubkey);
    } catch {
      ok = false; // malformed key or signature encoding
    }
    if (ok) {
      if (this.verified.size >= this.capacity) {
        // Evict the oldest entry (Map keeps insertion order).
        const first = this.verified.keys().next();
        if (!first.done) this.verified.delete(first.value);
      }
      this.verified.set(key, true);
    }
    return ok;
  }
}
