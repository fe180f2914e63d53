// Pure bigint pool math: no state, no floats, every division rounded in the pool's favour.
// The formulas are pinned by the issue (clients reproduce them exactly):
//   constant product, exact in:  out = floor(in·(q−p)·R_out / (R_in·q + in·(q−p)))
//   constant product, exact out: in  = floor(R_in·out·q / ((R_out−out)·(q−p))) + 1
//   first deposit: shares = isqrt(a·b) (MINIMUM_LIQUIDITY of them locked forever)
//   later deposit: shares = min_i floor(a_i·S / R_i), taking ceil(shares·R_i / S) of each asset
//   withdrawal:    a_i = floor(shares·R_i / S)
//   stableswap (n = 2): Curve's A·n^n·Σx + D = A·D·n^n + D^(n+1) / (n^n·Πx)
// with fee = p / q and q = 10^18.
import { DEC_ONE } from '@lanes/app';
import { ErrInsufficientLiquidity, ErrNoConvergence } from './errors.ts';

const Q = DEC_ONE;
/** Shares minted at creation to an address nobody controls (Uniswap v2's MINIMUM_LIQUIDITY). */
export const MINIMUM_LIQUIDITY = 1000n;
/** Newton iterations before stableswap math gives up (deterministically, with ErrNoConvergence). */
export const NEWTON_MAX_ITERATIONS = 255;
/** Galloping + bisection steps of the exact search: enough for any 512-bit value, then a deterministic failure. */
const SEARCH_MAX_STEPS = 1100;

/**
 * Told of each step of the stableswap solvers (a Newton iteration, an evaluation of the exact
 * search), before it runs: from a few dozen a swap on a balanced pool to thousands on a very
 * unbalanced one. The keeper charges gas there, so a tx out of gas stops mid-solve rather than
 * after it. Constant-product math takes no steps.
 */
export interface MathWork {
  step(): void;
}

export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new Error(`isqrt of negative ${n}`);
  if (n < 2n) return n;
  // Start above the root (2^ceil(bits/2)) so Newton decreases monotonically to floor(sqrt(n)).
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

// ---- constant product --------------------------------------------------------------------------

/** CONTRACT: rIn, rOut > 0; amountIn >= 0; 0 <= fee < q. */
export function cpOutGivenIn(rIn: bigint, rOut: bigint, amountIn: bigint, fee: bigint): bigint {
  const inAfterFee = amountIn * (Q - fee);
  return (inAfterFee * rOut) / (rIn * Q + inAfterFee);
}

/** CONTRACT: rIn, rOut > 0; 0 < amountOut; 0 <= fee < q. Throws when the pool cannot pay amountOut. */
export function cpInGivenOut(rIn: bigint, rOut: bigint, amountOut: bigint, fee: bigint): bigint {
  if (amountOut >= rOut) throw ErrInsufficientLiquidity.wrap(`pool holds ${rOut}, cannot pay out ${amountOut}`);
  return (rIn * amountOut * Q) / ((rOut - amountOut) * (Q - fee)) + 1n;
}

// ---- stableswap (two assets) --------------------------------------------------------------------
//
// With Ann = A·n^n = 4A, multiplying the invariant by n^n·x·y = 4xy gives
//   G(x, y, D) = (Ann·(x + y) + D − Ann·D) · 4xy − D³
// G(x, y, D) >= 0 exactly when the invariant of (x, y) is at least D (G grows with x and y and
// falls with D). Newton gives an estimate; the exact integer answer is then found by stepping
// against G, so "D never decreases" is checked exactly, not up to Newton's ±1.

function stableG(x: bigint, y: bigint, d: bigint, ann: bigint): bigint {
  return (ann * (x + y) + d - ann * d) * 4n * x * y - d * d * d;
}

/** floor(D) of (x, y): the largest integer D with G(x, y, D) >= 0. CONTRACT: x, y > 0, amp >= 1. */
export function stableD(x: bigint, y: bigint, amp: bigint, work?: MathWork): bigint {
  const ann = amp * 4n;
  const s = x + y;
  let d = s;
  let converged = false;
  for (let i = 0; i < NEWTON_MAX_ITERATIONS; i++) {
    work?.step();
    // dP = D^(n+1) / (n^n·Πx), built as in Curve's get_D.
    let dp = d;
    dp = (dp * d) / (x * 2n);
    dp = (dp * d) / (y * 2n);
    const prev = d;
    d = ((ann * s + dp * 2n) * d) / ((ann - 1n) * d + 3n * dp);
    if (d > prev ? d - prev <= 1n : prev - d <= 1n) {
      converged = true;
      break;
    }
  }
  // Newton only supplies the starting guess; if it stalled (extremely unbalanced reserves), the
  // exact search below starts from Σx instead, which bounds D from above.
  if (!converged) d = s;
  // Exact floor: Newton's estimate is close but not always within 1 (its tail converges slowly on
  // very unbalanced pools), so bracket it and bisect on the exact sign of G.
  return lastTrue((v) => stableG(x, y, v, ann) >= 0n, d, work);
}

/**
 * The largest integer v >= 0 with pred(v), for pred true up to some point and false after it
 * (pred(0) must hold), searched from `guess` by galloping then bisection: exact, O(log) steps.
 */
function lastTrue(pred: (v: bigint) => boolean, guess: bigint, work: MathWork | undefined): bigint {
  let budget = SEARCH_MAX_STEPS;
  const p = (v: bigint): boolean => {
    if (--budget < 0) throw ErrNoConvergence.wrap(`exact search from ${guess} exceeded ${SEARCH_MAX_STEPS} steps`);
    work?.step();
    return pred(v);
  };
  let lo: bigint;
  let hi: bigint;
  if (p(guess)) {
    lo = guess;
    let step = 1n;
    hi = guess + step;
    while (p(hi)) {
      lo = hi;
      step *= 2n;
      hi = guess + step;
    }
  } else {
    hi = guess;
    let step = 1n;
    lo = guess - step;
    while (lo > 0n && !p(lo)) {
      hi = lo;
      step *= 2n;
      lo = guess - step;
    }
    if (lo < 0n) lo = 0n;
  }
  // p(lo) && !p(hi)
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (p(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * The smallest reserve y of the other asset with invariant(x, y) >= d, i.e. what the pool must
 * keep. CONTRACT: x > 0, d > 0, amp >= 1.
 */
export function stableY(x: bigint, d: bigint, amp: bigint, work?: MathWork): bigint {
  const ann = amp * 4n;
  // Curve's get_y for n = 2: c = D^(n+1) / (n^n·x·Ann), b = x + D / Ann; y ← (y² + c) / (2y + b − D).
  const c = (((d * d) / (x * 2n)) * d) / (ann * 2n);
  const b = x + d / ann;
  let y = d;
  let converged = false;
  for (let i = 0; i < NEWTON_MAX_ITERATIONS; i++) {
    work?.step();
    const prev = y;
    const den = 2n * y + b - d;
    if (den <= 0n) break;
    y = (y * y + c) / den;
    if (y > prev ? y - prev <= 1n : prev - y <= 1n) {
      converged = true;
      break;
    }
  }
  if (!converged || y < 1n) y = 1n;
  // Exact: the least y >= 1 with G(x, y, d) >= 0 (G grows with y), i.e. 1 + the last y failing it.
  work?.step();
  if (stableG(x, 1n, d, ann) >= 0n) return 1n;
  return lastTrue((v) => v === 0n || stableG(x, v, d, ann) < 0n, y, work) + 1n;
}

/** Fee on input: the part of amountIn that trades, rounded down (the rest stays in the pool). */
export function afterFee(amountIn: bigint, fee: bigint): bigint {
  return (amountIn * (Q - fee)) / Q;
}

/**
 * ceil(D): the invariant a swap must preserve. Pricing against floor(D) would let the trader
 * take the fractional part of D out of the pool; ceil keeps every rounding on the pool's side.
 */
function stableDCeil(x: bigint, y: bigint, amp: bigint, work: MathWork | undefined): bigint {
  const d = stableD(x, y, amp, work);
  work?.step();
  return stableG(x, y, d, amp * 4n) === 0n ? d : d + 1n;
}

/** CONTRACT: rIn, rOut > 0; amountIn >= 0; amp >= 1. Output rounded down. */
export function stableOutGivenIn(rIn: bigint, rOut: bigint, amountIn: bigint, fee: bigint, amp: bigint, work?: MathWork): bigint {
  const d = stableDCeil(rIn, rOut, amp, work);
  const keep = stableY(rIn + afterFee(amountIn, fee), d, amp, work);
  return keep >= rOut ? 0n : rOut - keep;
}

/** CONTRACT: rIn, rOut > 0; amountOut > 0; amp >= 1. The least input that pays amountOut. */
export function stableInGivenOut(rIn: bigint, rOut: bigint, amountOut: bigint, fee: bigint, amp: bigint, work?: MathWork): bigint {
  if (amountOut >= rOut) throw ErrInsufficientLiquidity.wrap(`pool holds ${rOut}, cannot pay out ${amountOut}`);
  const d = stableDCeil(rIn, rOut, amp, work);
  const netIn = stableY(rOut - amountOut, d, amp, work) - rIn; // by symmetry of the invariant
  // The least gross input whose after-fee part is at least netIn.
  return netIn <= 0n ? 1n : ceilDiv(netIn * Q, Q - fee);
}

// ---- one swap on either curve -------------------------------------------------------------------

export type Curve = { kind: 'cp' } | { kind: 'stable'; amp: bigint };

export function outGivenIn(curve: Curve, rIn: bigint, rOut: bigint, amountIn: bigint, fee: bigint, work?: MathWork): bigint {
  return curve.kind === 'cp' ? cpOutGivenIn(rIn, rOut, amountIn, fee) : stableOutGivenIn(rIn, rOut, amountIn, fee, curve.amp, work);
}

export function inGivenOut(curve: Curve, rIn: bigint, rOut: bigint, amountOut: bigint, fee: bigint, work?: MathWork): bigint {
  return curve.kind === 'cp' ? cpInGivenOut(rIn, rOut, amountOut, fee) : stableInGivenOut(rIn, rOut, amountOut, fee, curve.amp, work);
}

/** The pool's invariant: R0·R1, or floor(D). Must never decrease across a swap. */
export function invariant(curve: Curve, r0: bigint, r1: bigint, work?: MathWork): bigint {
  return curve.kind === 'cp' ? r0 * r1 : stableD(r0, r1, curve.amp, work);
}

/**
 * Marginal price of `base` in units of `quote` as a fraction num/den (exact). Constant product:
 * R_quote / R_base. Stableswap: the ratio of the invariant's partial derivatives,
 * (Ann·4x²y² + D³·y) / (Ann·4x²y² + D³·x) with x = base, y = quote.
 */
export function spotFraction(curve: Curve, rBase: bigint, rQuote: bigint, work?: MathWork): { num: bigint; den: bigint } {
  if (curve.kind === 'cp') return { num: rQuote, den: rBase };
  const d = stableD(rBase, rQuote, curve.amp, work);
  const k = curve.amp * 4n * 4n * rBase * rBase * rQuote * rQuote;
  const d3 = d * d * d;
  return { num: k + d3 * rQuote, den: k + d3 * rBase };
}

/** 18-decimal fixed point of num/den, rounded down. */
export function toDec(num: bigint, den: bigint): bigint {
  return (num * Q) / den;
}

// ---- liquidity ----------------------------------------------------------------------------------

/** Shares of the first deposit (total_shares of a new pool), of which MINIMUM_LIQUIDITY are locked. */
export function initialShares(a: bigint, b: bigint): bigint {
  return isqrt(a * b);
}

/**
 * A later deposit: shares = min_i floor(max_i·S / R_i); takes ceil(shares·R_i / S) of each asset,
 * which never exceeds max_i, so the pool is never short-changed by rounding.
 */
export function depositShares(reserves: readonly bigint[], totalShares: bigint, maxIn: readonly bigint[]): { shares: bigint; amountsIn: bigint[] } {
  let shares: bigint | undefined;
  for (const [i, r] of reserves.entries()) {
    const s = ((maxIn[i] ?? 0n) * totalShares) / r;
    if (shares === undefined || s < shares) shares = s;
  }
  const sh = shares ?? 0n;
  return { shares: sh, amountsIn: reserves.map((r) => (sh === 0n ? 0n : ceilDiv(sh * r, totalShares))) };
}

/** a_i = floor(shares·R_i / S). */
export function withdrawAmounts(reserves: readonly bigint[], totalShares: bigint, shares: bigint): bigint[] {
  return reserves.map((r) => (shares * r) / totalShares);
}
