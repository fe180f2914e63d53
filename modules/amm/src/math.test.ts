// Pool math: exact outputs against the pinned formulas (values computed independently, the
// stableswap ones by bisection on the invariant rather than Newton, priced against ceil(D)),
// and properties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  cpInGivenOut, cpOutGivenIn, depositShares, initialShares, invariant, isqrt, MINIMUM_LIQUIDITY, outGivenIn, inGivenOut, spotFraction, stableD,
  stableInGivenOut, stableOutGivenIn, withdrawAmounts, type Curve, type MathWork,
} from './math.ts';
import { ErrInsufficientLiquidity } from './errors.ts';

const FEE_03 = 3n * 10n ** 15n; // 0.003
const FEE_004 = 4n * 10n ** 14n; // 0.0004
const FEE_MAX = 10n ** 17n; // 0.1

test('isqrt: exact floor square roots', () => {
  const table: [bigint, bigint][] = [[0n, 0n], [1n, 1n], [2n, 1n], [3n, 1n], [4n, 2n], [1001n * 1001n, 1001n], [1001n * 1001n - 1n, 1000n], [10n ** 21n, 31622776601n], [10n ** 40n + 1n, 10n ** 20n]];
  for (const [n, r] of table) assert.equal(isqrt(n), r, `isqrt(${n})`);
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 1n << 300n }), (n) => {
    const r = isqrt(n);
    return r * r <= n && (r + 1n) * (r + 1n) > n;
  }));
});

test('constant product exact in: out = floor(in·(q−p)·R_out / (R_in·q + in·(q−p)))', () => {
  const table: [bigint, bigint, bigint, bigint, bigint][] = [
    // R_in, R_out, in, fee, out
    [1_000_000n, 1_000_000n, 1000n, FEE_03, 996n],
    [10n ** 10n, 10n ** 11n, 1_000_000n, FEE_03, 9_969_006n],
    [5000n, 7000n, 1n, 0n, 1n],
    [5000n, 7000n, 1n, FEE_03, 1n],
    [10n ** 12n, 10n ** 12n, 10n ** 11n, FEE_MAX, 82_568_807_339n],
    [1001n, 1001n, 10n ** 9n, 0n, 1000n],
  ];
  for (const [rIn, rOut, amountIn, fee, out] of table) assert.equal(cpOutGivenIn(rIn, rOut, amountIn, fee), out, `${amountIn} in ${rIn}/${rOut} fee ${fee}`);
});

test('constant product exact out: in = floor(R_in·out·q / ((R_out−out)·(q−p))) + 1', () => {
  const table: [bigint, bigint, bigint, bigint, bigint][] = [
    [1_000_000n, 1_000_000n, 1000n, FEE_03, 1005n],
    [10n ** 10n, 10n ** 11n, 1_000_000n, FEE_03, 100_302n],
    [5000n, 7000n, 1n, 0n, 1n],
    [10n ** 12n, 10n ** 12n, 10n ** 11n, FEE_MAX, 123_456_790_124n],
    [1000n, 1000n, 999n, 0n, 999_001n],
  ];
  for (const [rIn, rOut, out, fee, amountIn] of table) assert.equal(cpInGivenOut(rIn, rOut, out, fee), amountIn, `${out} out of ${rIn}/${rOut} fee ${fee}`);
  // Boundary: the pool can never pay out its whole reserve.
  assert.throws(() => cpInGivenOut(1000n, 1000n, 1000n, 0n), (e) => ErrInsufficientLiquidity.is(e) && /holds 1000, cannot pay out 1000/.test((e as Error).message));
  assert.equal(cpInGivenOut(1000n, 1000n, 999n, 0n), 999_001n);
});

test('stableswap: D, exact in and exact out (A = Curve amplification, n = 2)', () => {
  assert.equal(stableD(10n ** 11n, 10n ** 11n, 100n), 2n * 10n ** 11n, 'balanced pool: D = Σx');
  assert.equal(stableD(10n ** 11n, 5n * 10n ** 10n, 100n), 149_953_401_556n);
  assert.equal(stableD(1000n, 3000n, 1n), 3804n);
  const outs: [bigint, bigint, bigint, bigint, bigint, bigint][] = [
    [10n ** 11n, 10n ** 11n, 1_000_000n, FEE_004, 100n, 999_599n],
    [10n ** 11n, 5n * 10n ** 10n, 10n ** 9n, 0n, 100n, 995_693_997n],
    [1000n, 3000n, 500n, 0n, 1n, 663n],
    [10n ** 11n, 10n ** 11n, 9n * 10n ** 10n, FEE_004, 100n, 88_228_101_045n],
    [1_000_000n, 1_000_000n, 1n, 0n, 10n, 0n], // one unit rounds to nothing, in the pool's favour
  ];
  for (const [rIn, rOut, amountIn, fee, amp, out] of outs) assert.equal(stableOutGivenIn(rIn, rOut, amountIn, fee, amp), out, `${amountIn} in ${rIn}/${rOut} A=${amp}`);
  const ins: [bigint, bigint, bigint, bigint, bigint, bigint][] = [
    [10n ** 11n, 10n ** 11n, 1_000_000n, FEE_004, 100n, 1_000_402n],
    [10n ** 11n, 5n * 10n ** 10n, 10n ** 9n, 0n, 100n, 1_004_325_186n],
    [1000n, 3000n, 500n, 0n, 1n, 364n],
  ];
  for (const [rIn, rOut, out, fee, amp, amountIn] of ins) assert.equal(stableInGivenOut(rIn, rOut, out, fee, amp), amountIn, `${out} out of ${rIn}/${rOut} A=${amp}`);
});

test('liquidity: first deposit isqrt(a·b); later deposits proportional, rounded up; withdrawals rounded down', () => {
  assert.equal(initialShares(10n ** 10n, 10n ** 11n), 31_622_776_601n);
  // S = 1000, R = (3000, 7000): max (100, 1000) -> shares min(33, 142) = 33, takes ceil(33·3000/1000)=99, ceil(33·7000/1000)=231
  assert.deepEqual(depositShares([3000n, 7000n], 1000n, [100n, 1000n]), { shares: 33n, amountsIn: [99n, 231n] });
  assert.deepEqual(depositShares([3001n, 7000n], 1000n, [100n, 1000n]), { shares: 33n, amountsIn: [100n, 231n] });
  assert.deepEqual(depositShares([3000n, 7000n], 1000n, [2n, 1000n]), { shares: 0n, amountsIn: [0n, 0n] });
  assert.deepEqual(withdrawAmounts([3000n, 7001n], 1000n, 33n), [99n, 231n]);
});

// ---- properties ---------------------------------------------------------------------------------

const reserve = fc.bigInt({ min: 1000n, max: 10n ** 24n });
const feeArb = fc.oneof(fc.constant(0n), fc.constant(FEE_03), fc.constant(FEE_MAX), fc.bigInt({ min: 0n, max: FEE_MAX }));
const curveArb: fc.Arbitrary<Curve> = fc.oneof(
  fc.constant<Curve>({ kind: 'cp' }),
  fc.bigInt({ min: 1n, max: 10_000n }).map((amp): Curve => ({ kind: 'stable', amp })),
);
/** Stableswap reserves within a ratio Curve pools live in (very skewed pools are tested for cp). */
const poolArb = fc.tuple(curveArb, reserve, fc.bigInt({ min: 1n, max: 1000n }), fc.boolean()).map(([curve, r0, ratio, flip]) => {
  const r1 = curve.kind === 'cp' ? (r0 * ratio) / 7n + 1000n : (r0 * (ratio + 100n)) / 500n + 1000n;
  return { curve, r0: flip ? r1 : r0, r1: flip ? r0 : r1 };
});

test('property: a swap never decreases the invariant (exact in and exact out)', () => {
  fc.assert(fc.property(poolArb, feeArb, fc.bigInt({ min: 1n, max: 10n ** 24n }), ({ curve, r0, r1 }, fee, amount) => {
    const before = invariant(curve, r0, r1);
    const out = outGivenIn(curve, r0, r1, amount, fee);
    assert.ok(out < r1, 'never pays the whole reserve');
    assert.ok(invariant(curve, r0 + amount, r1 - out) >= before, 'exact in');
    const want = amount % r1 === 0n ? 1n : amount % r1;
    const paid = inGivenOut(curve, r0, r1, want, fee);
    assert.ok(invariant(curve, r0 + paid, r1 - want) >= before, 'exact out');
    assert.ok(outGivenIn(curve, r0, r1, paid, fee) >= want, 'the quoted input buys at least the output');
  }), { numRuns: 300 });
});

/** A MathWork that counts the steps. */
function counter(): MathWork & { steps: number } {
  const w = { steps: 0, step: () => { w.steps++; } };
  return w;
}

test('property: counting solver steps (for gas) changes no result; stableswap takes steps, constant product none', () => {
  fc.assert(fc.property(poolArb, feeArb, fc.bigInt({ min: 1n, max: 10n ** 24n }), ({ curve, r0, r1 }, fee, amount) => {
    const work = counter();
    assert.equal(outGivenIn(curve, r0, r1, amount, fee, work), outGivenIn(curve, r0, r1, amount, fee));
    assert.equal(invariant(curve, r0, r1, work), invariant(curve, r0, r1));
    assert.deepEqual(spotFraction(curve, r0, r1, work), spotFraction(curve, r0, r1));
    const want = amount % r1 === 0n ? 1n : amount % r1;
    assert.equal(inGivenOut(curve, r0, r1, want, fee, work), inGivenOut(curve, r0, r1, want, fee));
    if (curve.kind === 'cp') assert.equal(work.steps, 0);
    else assert.ok(work.steps >= 8, `${work.steps} steps`);
  }), { numRuns: 200 });
  // A very unbalanced stable pool takes far more steps than a balanced one.
  const steps = (r0: bigint, r1: bigint): number => {
    const work = counter();
    outGivenIn({ kind: 'stable', amp: 1n }, r0, r1, r0 / 100n, FEE_03, work);
    return work.steps;
  };
  assert.ok(steps(10n ** 30n, 1000n) > 10 * steps(10n ** 30n, 10n ** 30n), `${steps(10n ** 30n, 1000n)} vs ${steps(10n ** 30n, 10n ** 30n)}`);
});

test('property: A→B→A never profits', () => {
  fc.assert(fc.property(poolArb, feeArb, fc.bigInt({ min: 1n, max: 10n ** 24n }), ({ curve, r0, r1 }, fee, amount) => {
    const b = outGivenIn(curve, r0, r1, amount, fee);
    const back = outGivenIn(curve, r1 - b, r0 + amount, b, fee);
    assert.ok(back <= amount, `${amount} -> ${b} -> ${back}`);
  }), { numRuns: 300 });
});

test('property: tiny amounts round toward the pool (never more than the spot value)', () => {
  fc.assert(fc.property(poolArb, feeArb, fc.bigInt({ min: 1n, max: 1000n }), ({ curve, r0, r1 }, fee, amount) => {
    const out = outGivenIn(curve, r0, r1, amount, fee);
    const { num, den } = spotFraction(curve, r0, r1);
    assert.ok(out * den <= amount * num, `${amount} in gave ${out}, spot ${num}/${den}`);
  }), { numRuns: 300 });
});

test('property: a deposit pays at least the value of its shares, a withdrawal at most, so add then remove never returns more than was put in', () => {
  fc.assert(fc.property(reserve, reserve, fc.bigInt({ min: 1001n, max: 10n ** 24n }), fc.bigInt({ min: 0n, max: 10n ** 24n }), fc.bigInt({ min: 0n, max: 10n ** 24n }), (r0, r1, s, a0, a1) => {
    const { shares, amountsIn } = depositShares([r0, r1], s, [a0, a1]);
    assert.ok((amountsIn[0] as bigint) <= a0 && (amountsIn[1] as bigint) <= a1, 'takes at most max_amounts_in');
    if (shares === 0n) return;
    const reserves = [r0 + (amountsIn[0] as bigint), r1 + (amountsIn[1] as bigint)];
    // Per asset: in_i / shares >= R_i / S (the pool's value per share never falls by a deposit).
    for (const [i, r] of [r0, r1].entries()) assert.ok((amountsIn[i] as bigint) * s >= r * shares, `asset ${i}: ${amountsIn[i]} paid for ${shares} of ${s} shares over ${r}`);
    const out = withdrawAmounts(reserves, s + shares, shares);
    // Per asset: out_i / shares <= R_i / S (nor by a withdrawal).
    for (const [i, r] of reserves.entries()) assert.ok((out[i] as bigint) * (s + shares) <= r * shares, `asset ${i}: ${out[i]} paid out for ${shares} of ${s + shares} shares over ${r}`);
    assert.ok((out[0] as bigint) <= (amountsIn[0] as bigint) && (out[1] as bigint) <= (amountsIn[1] as bigint), `in ${amountsIn} out ${out}`);
  }), { numRuns: 500 });
});

test('property: first-depositor inflation does not pay: with the pool shrunk to its locked shares plus a few and its reserves pumped at will, a victim depositing loses at most one unit of each asset, and gains nothing', () => {
  // The attack: create the pool with the least liquidity, withdraw all but `keep` of one's shares
  // (the 1,000 locked shares stay), then raise the reserves without minting shares, so that one
  // share is worth a lot and the victim's deposit rounds against it. Here the reserves are
  // raised by any amount for free, more than an attacker can do (donations are not reserves;
  // only swap fees raise them, at a price). The victim pays ceil(shares·R_i/S) for the shares
  // it gets and can take out floor(shares·R'_i/S'), R'/S' >= R/S: at most one unit less.
  const big = fc.integer({ min: 1, max: 24 }).chain((digits) => fc.bigInt({ min: 0n, max: 10n ** BigInt(digits) }));
  fc.assert(fc.property(fc.bigInt({ min: 1001n, max: 10n ** 6n }), fc.bigInt({ min: 1n, max: 5n }), big, big, big, big, (seed, keep, pump0, pump1, v0, v1) => {
    const total = initialShares(seed, seed);
    fc.pre(total - MINIMUM_LIQUIDITY - keep > 0n);
    const taken = withdrawAmounts([seed, seed], total, total - MINIMUM_LIQUIDITY - keep);
    const reserves = [seed - (taken[0] as bigint) + pump0, seed - (taken[1] as bigint) + pump1];
    const s = MINIMUM_LIQUIDITY + keep;
    const { shares, amountsIn } = depositShares(reserves, s, [v0 + 1n, v1 + 1n]);
    if (shares === 0n) return; // refused: nothing moves
    const after = [(reserves[0] as bigint) + (amountsIn[0] as bigint), (reserves[1] as bigint) + (amountsIn[1] as bigint)];
    const back = withdrawAmounts(after, s + shares, shares);
    // Nor does the victim gain: what it takes out is the other LPs' too.
    for (const i of [0, 1]) {
      const lost = (amountsIn[i] as bigint) - (back[i] as bigint);
      assert.ok(lost >= 0n && lost <= 1n, `asset ${i}: paid ${amountsIn[i]}, can take out ${back[i]} (reserves ${reserves}, ${s} shares)`);
    }
  }), { numRuns: 500 });
});
