import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { blocksKept, retainHeight } from './retention.ts';

test('retain height: 0 (keep all) unless min-retain-blocks is set; never below the evidence age', () => {
  assert.equal(retainHeight(1_000_000n, { minRetainBlocks: 0, evidenceMaxAgeBlocks: 100 }), 0n);
  assert.equal(retainHeight(1_000n, { minRetainBlocks: 10, evidenceMaxAgeBlocks: 100 }), 900n);
  assert.equal(retainHeight(1_000n, { minRetainBlocks: 500, evidenceMaxAgeBlocks: 100 }), 500n);
  // The chain is still shorter than what is kept: nothing to delete.
  assert.equal(retainHeight(100n, { minRetainBlocks: 10, evidenceMaxAgeBlocks: 100 }), 0n);
  assert.equal(retainHeight(101n, { minRetainBlocks: 10, evidenceMaxAgeBlocks: 100 }), 0n);
  assert.equal(retainHeight(102n, { minRetainBlocks: 10, evidenceMaxAgeBlocks: 100 }), 2n);
  assert.equal(blocksKept({ minRetainBlocks: 0, evidenceMaxAgeBlocks: 100 }), undefined);
  assert.equal(blocksKept({ minRetainBlocks: 7, evidenceMaxAgeBlocks: 3 }), 7);
});

test('retain height keeps at least both bounds of blocks below the latest, and never points past it', () => {
  fc.assert(fc.property(fc.bigInt({ min: 1n, max: 1n << 62n }), fc.nat(1_000_000), fc.integer({ min: 1, max: 1_000_000 }), (h, min, age) => {
    const r = retainHeight(h, { minRetainBlocks: min, evidenceMaxAgeBlocks: age });
    if (min === 0) return r === 0n;
    if (r === 0n) return h - BigInt(Math.max(min, age)) <= 1n;
    return r <= h && h - r >= BigInt(min) && h - r >= BigInt(age) && h - r === BigInt(Math.max(min, age));
  }));
});
