import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodedTxCache, txFingerprint, type CachedTx } from './txcache.ts';
import { txHashHex, type DecodedTx } from './tx.ts';

/** An entry as the cache sees one: only the tx's bytes matter to it. */
function entry(bytes: Uint8Array): CachedTx {
  return { tx: { bytes, hashHex: txHashHex(bytes) } as DecodedTx, resultBytes: bytes.length };
}

test('txFingerprint: a small integer of the length and the last four bytes', () => {
  const a = Uint8Array.from([9, 9, 1, 2, 3, 4]);
  assert.ok(Number.isInteger(txFingerprint(a)) && txFingerprint(a) >= 0 && txFingerprint(a) < 2 ** 30, `fingerprint ${txFingerprint(a)} is not an integer in 0..2^30-1`);
  assert.equal(txFingerprint(Uint8Array.from([7, 7, 1, 2, 3, 4])), txFingerprint(a), 'the head does not count');
  assert.notEqual(txFingerprint(Uint8Array.from([9, 9, 1, 2, 3, 5])), txFingerprint(a));
  assert.notEqual(txFingerprint(Uint8Array.from([9, 1, 2, 3, 4])), txFingerprint(a), 'nor does a shorter tx with the same tail');
  assert.equal(txFingerprint(new Uint8Array()), 0);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
    const f = txFingerprint(b);
    assert.ok(Number.isInteger(f) && f >= 0 && f < 2 ** 30, `fingerprint ${f} is not an integer in 0..2^30-1`);
  }));
});

test('DecodedTxCache: a tx is found only by equal bytes, so one sharing a cached tx\'s fingerprint is not taken for it', () => {
  const c = new DecodedTxCache(10);
  const a = entry(Uint8Array.from([1, 0, 0, 5, 6, 7, 8]));
  c.set(a);
  assert.equal(c.get(Uint8Array.from(a.tx.bytes)), a, 'a fresh copy of the bytes finds it');
  const forged = Uint8Array.from([2, 0, 0, 5, 6, 7, 8]);
  assert.equal(txFingerprint(forged), txFingerprint(a.tx.bytes));
  assert.equal(c.get(forged), undefined);
  assert.equal(c.take(forged), undefined);
  assert.equal(c.size, 1, 'taking a tx that is not there leaves the other');
  // A second tx with the fingerprint replaces the first.
  const b = entry(forged);
  c.set(b);
  assert.equal(c.get(forged), b);
  assert.equal(c.get(a.tx.bytes), undefined);
  assert.equal(c.take(Uint8Array.from(forged)), b);
  assert.equal(c.get(forged), undefined);
  assert.equal(c.size, 0);
  assert.throws(() => new DecodedTxCache(0), /positive size, got 0/);
});

test('DecodedTxCache (property): agrees with a model of one entry per fingerprint, the oldest evicted first, found only by equal bytes', () => {
  // Txs of 6 bytes over a few heads and tails: most of them share a fingerprint with another.
  const HEADS = 3;
  const TAILS = 2;
  const txOf = (head: number, tail: number) => Uint8Array.from([head, 0, tail, tail, tail, 9]);
  const txBytes = fc.tuple(fc.integer({ min: 0, max: HEADS }), fc.integer({ min: 0, max: TAILS })).map(([h, t]) => txOf(h, t));
  const op = fc.record({ kind: fc.constantFrom('set', 'set', 'take', 'clear'), bytes: txBytes });
  fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 40 }), (max, ops) => {
    const c = new DecodedTxCache(max);
    const model = new Map<number, CachedTx>(); // fingerprint -> entry; insertion order = age
    const same = (e: CachedTx | undefined, b: Uint8Array) => e !== undefined && Buffer.from(e.tx.bytes).equals(b);
    for (const { kind, bytes } of ops) {
      const print = txFingerprint(bytes);
      if (kind === 'set') {
        if (!model.delete(print) && model.size >= max) model.delete(model.keys().next().value as number);
        const e = entry(bytes);
        model.set(print, e);
        c.set(e);
      } else if (kind === 'take') {
        const want = same(model.get(print), bytes) ? model.get(print) : undefined;
        if (want) model.delete(print);
        assert.equal(c.take(Uint8Array.from(bytes)), want);
      } else {
        model.clear();
        c.clear();
      }
      assert.equal(c.size, model.size);
      for (let h = 0; h <= HEADS; h++) {
        for (let t = 0; t <= TAILS; t++) {
          const probe = txOf(h, t);
          const m = model.get(txFingerprint(probe));
          assert.equal(c.get(probe), same(m, probe) ? m : undefined);
        }
      }
    }
  }));
});
