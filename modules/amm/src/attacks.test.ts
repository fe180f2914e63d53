// The AMM from an attacker's side: extreme imbalance, dust and split trades, random operation
// sequences against the pool's books, TWAP manipulation inside a block, route limits at the
// boundary, liquidity round trips. Math-level tests call math.ts directly; keeper-level tests
// run the keeper over an in-memory store (each operation in its own revertible layer, as a tx
// is).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LanesError, MemKV, Overlay, plainContext, type Coin, type Context } from '@lanes/app';
import { createBankModule, type BankKeeper } from '@lanes/bank';
import { PoolType, type Params } from '@lanes/proto/lanes/amm/v1/amm';
import { ParamsItem, Twaps } from './keys.ts';
import { exportAmmGenesis } from './genesis.ts';
import { DEFAULT_AMM_PARAMS } from './params.ts';
import { ErrTwapUnavailable } from './errors.ts';
import { createAmmModule } from './index.ts';
import type { AmmKeeper } from './keeper.ts';
import { LOCKED_SHARES_ADDRESS, poolAddress, shareDenom } from './pool.ts';
import { twapOf } from './twap.ts';
import {
  MINIMUM_LIQUIDITY, toDec, cpInGivenOut, cpOutGivenIn, depositShares, invariant, spotFraction, stableD, stableInGivenOut,
  stableOutGivenIn, withdrawAmounts,
} from './math.ts';

const Q = 10n ** 18n;
const FEE_03 = 3n * 10n ** 15n;
const FEE_004 = 4n * 10n ** 14n;
const FEE_MAX = 10n ** 17n;
const MAX = (1n << 256n) - 1n;

/** Curve's G (see math.ts): G(x, y, D) >= 0 iff the real invariant of (x, y) is at least D. */
const G = (x: bigint, y: bigint, d: bigint, amp: bigint): bigint => {
  const ann = amp * 4n;
  return (ann * (x + y) + d - ann * d) * 4n * x * y - d * d * d;
};
/** ceil of the real invariant D. */
const dCeil = (x: bigint, y: bigint, amp: bigint): bigint => {
  const d = stableD(x, y, amp);
  return G(x, y, d, amp) === 0n ? d : d + 1n;
};

// ---- keeper harness ----------------------------------------------------------------------------

interface Harness {
  bank: BankKeeper;
  amm: AmmKeeper;
  kv: MemKV;
  time: bigint;
  /**
   * Runs `f` as a tx: its writes are kept if it returns, dropped if it throws a LanesError (which
   * is returned). Any other exception (a bug: a TypeError from writing to a frozen pool, say) is
   * thrown on, so that no property takes it for a rejection.
   */
  tx<T>(f: (ctx: Context) => T): T | Error;
  ctx(): Context;
}

function harness(funded: Record<string, Coin[]>, params?: Params): Harness {
  const bankMod = createBankModule();
  const amm = createAmmModule(bankMod.keeper).keeper;
  const kv = new MemKV();
  const h: Harness = {
    bank: bankMod.keeper, amm, kv, time: 1_700_000_000n,
    ctx() {
      return plainContext(new Overlay(kv), { height: 1n, timeSeconds: h.time, chainId: 'audit' }, 'deliver');
    },
    tx<T>(f: (ctx: Context) => T): T | Error {
      const ov = new Overlay(kv);
      const ctx = plainContext(ov, { height: 1n, timeSeconds: h.time, chainId: 'audit' }, 'deliver');
      let r: T;
      try {
        r = f(ctx);
      } catch (e) {
        if (e instanceof LanesError) return e;
        throw e;
      }
      for (const [k, v] of ov.writes) {
        if (v === null) kv.delete(k);
        else kv.set(k, v);
      }
      return r;
    },
  };
  const c = plainContext(kv, { height: 1n, timeSeconds: h.time, chainId: 'audit' }, 'deliver');
  for (const [addr, coins] of Object.entries(funded)) for (const coin of coins) bankMod.keeper.initBalance(c, addr, coin);
  if (params) ParamsItem.set(c, params);
  return h;
}

const ok = <T>(r: T | Error): T => {
  if (r instanceof Error) throw r;
  return r;
};

const ATTACKER = 'lanes1attacker';
const VICTIM = 'lanes1victim';
const BIG = 10n ** 60n;
const fund = (): Coin[] => ['ua', 'ub', 'uc', 'ulane'].map((denom) => ({ denom, amount: BIG }));

// ---- math: stableswap at extreme imbalance -----------------------------------------------------

/** Reserves anywhere in 1..2^256 (log-uniform), so pools that are wildly unbalanced are common. */
const wide = fc.integer({ min: 1, max: 255 }).chain((bits) => fc.bigInt({ min: 1n, max: (1n << BigInt(bits)) - 1n }).map((v) => v + 1n));
const ampArb = fc.oneof(fc.constant(1n), fc.constant(2n), fc.constant(100n), fc.constant(10_000n), fc.bigInt({ min: 1n, max: 10_000n }));
const feeArb = fc.oneof(fc.constant(0n), fc.constant(FEE_004), fc.constant(FEE_MAX), fc.bigInt({ min: 0n, max: FEE_MAX }));

test('stableswap D is the exact floor and never throws, even at 2^255:1 imbalance', () => {
  fc.assert(fc.property(wide, wide, ampArb, (x, y, amp) => {
    const d = stableD(x, y, amp);
    assert.ok(G(x, y, d, amp) >= 0n && G(x, y, d + 1n, amp) < 0n, `D(${x}, ${y}, A=${amp}) = ${d} is not the floor`);
    assert.ok(d <= x + y, 'D <= Σx');
  }), { numRuns: 400 });
});

test('stableswap swaps at extreme imbalance never lower the real invariant, never pay the whole reserve, A→B→A never profits', () => {
  fc.assert(fc.property(wide, wide, wide, ampArb, feeArb, (x, y, amount, amp, fee) => {
    const dc = dCeil(x, y, amp);
    const out = stableOutGivenIn(x, y, amount, fee, amp);
    assert.ok(out < y, 'never pays the whole reserve');
    if (out > 0n) {
      assert.ok(G(x + amount, y - out, dc, amp) >= 0n, `exact in ${amount}: real D fell below ceil(D) ${dc}`);
      const back = stableOutGivenIn(y - out, x + amount, out, fee, amp);
      assert.ok(back <= amount, `${amount} -> ${out} -> ${back}`);
    }
    if (y > 1n) {
      const want = (amount % (y - 1n)) + 1n;
      const paid = stableInGivenOut(x, y, want, fee, amp);
      assert.ok(paid >= 1n, `exact out ${want} quoted an input of ${paid}, expected >= 1`);
      assert.ok(G(x + paid, y - want, dc, amp) >= 0n, `exact out ${want} for ${paid}: real D fell`);
      assert.ok(stableOutGivenIn(x, y, paid, fee, amp) >= want, 'the quoted input buys at least the output');
      if (paid > 1n) assert.ok(stableOutGivenIn(x, y, paid - 1n, fee, amp) < want, 'the quoted input is the least one (in − 1 buys less)');
    }
  }), { numRuns: 400 });
});

test('stableswap tiny trades at extreme imbalance pay at most the spot value', () => {
  fc.assert(fc.property(wide, wide, fc.bigInt({ min: 1n, max: 10_000n }), ampArb, feeArb, (x, y, amount, amp, fee) => {
    const out = stableOutGivenIn(x, y, amount, fee, amp);
    const { num, den } = spotFraction({ kind: 'stable', amp }, x, y);
    assert.ok(out * den <= amount * num, `${amount} in gave ${out}, spot ${num}/${den}`);
  }), { numRuns: 300 });
});

test('constant product at extreme imbalance: exact in is the floor, exact out covers the output and never lowers k', () => {
  fc.assert(fc.property(wide, wide, wide, feeArb, (rIn, rOut, amount, fee) => {
    const out = cpOutGivenIn(rIn, rOut, amount, fee);
    assert.ok(out < rOut, `out ${out} must stay below the reserve ${rOut}`);
    // out is the floor: out + 1 would lower k after the fee-adjusted input.
    const inNet = amount * (Q - fee);
    assert.ok(inNet * rOut >= out * (rIn * Q + inNet), 'out is not above the exact value');
    assert.ok(inNet * rOut < (out + 1n) * (rIn * Q + inNet), 'out is the floor');
    if (rOut > 1n) {
      const want = (amount % (rOut - 1n)) + 1n;
      const paid = cpInGivenOut(rIn, rOut, want, fee);
      assert.ok(cpOutGivenIn(rIn, rOut, paid, fee) >= want, `the quoted input ${paid} buys less than ${want}`);
      assert.ok((rIn + paid) * (rOut - want) >= rIn * rOut, `exact out ${want} for ${paid}: k fell`);
    }
  }), { numRuns: 400 });
});

// ---- math: dust drained by many small swaps ---------------------------------------------------

function dustLoop(curve: { kind: 'cp' } | { kind: 'stable'; amp: bigint }, r0: bigint, r1: bigint, fee: bigint, steps: { dir: boolean; exactOut: boolean; amt: bigint }[]) {
  let x = r0;
  let y = r1;
  let ta = 0n; // trader's net position in asset 0 and 1
  let tb = 0n;
  let k = invariant(curve, x, y);
  for (const s of steps) {
    const [rIn, rOut] = s.dir ? [x, y] : [y, x];
    let paid: bigint;
    let got: bigint;
    try {
      if (s.exactOut) {
        got = s.amt % rOut === 0n ? 1n : s.amt % rOut;
        paid = curve.kind === 'cp' ? cpInGivenOut(rIn, rOut, got, fee) : stableInGivenOut(rIn, rOut, got, fee, curve.amp);
      } else {
        paid = s.amt;
        got = curve.kind === 'cp' ? cpOutGivenIn(rIn, rOut, paid, fee) : stableOutGivenIn(rIn, rOut, paid, fee, curve.amp);
        if (got === 0n) continue; // the keeper refuses it (ErrZeroAmountOut)
      }
    } catch {
      continue;
    }
    if (s.dir) {
      x += paid; y -= got; ta -= paid; tb += got;
    } else {
      y += paid; x -= got; tb -= paid; ta += got;
    }
    const k2 = invariant(curve, x, y);
    assert.ok(k2 >= k, `invariant fell ${k} -> ${k2}`);
    k = k2;
  }
  assert.ok(!(ta >= 0n && tb >= 0n && (ta > 0n || tb > 0n)), `trader ended with +${ta} of asset 0 and +${tb} of asset 1 for nothing`);
  assert.equal(x - r0 + ta, 0n);
  assert.equal(y - r1 + tb, 0n);
}

// size 'max' on the long arrays here: fast-check's default size ('small') keeps an array within
// about 10 elements of its minLength, whatever maxLength says.
const dustSteps = fc.array(fc.record({ dir: fc.boolean(), exactOut: fc.boolean(), amt: fc.bigInt({ min: 1n, max: 50n }) }), { minLength: 50, maxLength: 300, size: 'max' });

test('hundreds of dust swaps (1..50 units, exact in and out, both ways) never extract anything from a constant-product pool', () => {
  fc.assert(fc.property(fc.bigInt({ min: 1000n, max: 10n ** 12n }), fc.bigInt({ min: 1000n, max: 10n ** 12n }), feeArb, dustSteps, (r0, r1, fee, steps) => {
    dustLoop({ kind: 'cp' }, r0, r1, fee, steps);
  }), { numRuns: 60 });
});

test('hundreds of dust swaps never extract anything from a stableswap pool (any A, any imbalance)', () => {
  fc.assert(fc.property(fc.bigInt({ min: 1000n, max: 10n ** 12n }), fc.bigInt({ min: 1000n, max: 10n ** 12n }), ampArb, feeArb, dustSteps, (r0, r1, amp, fee, steps) => {
    dustLoop({ kind: 'stable', amp }, r0, r1, fee, steps);
  }), { numRuns: 40 });
});

// ---- keeper: random operation sequences -------------------------------------------------------

type Op =
  | { kind: 'add'; who: 0 | 1; pool: 0 | 1; a: bigint; b: bigint }
  | { kind: 'remove'; who: 0 | 1; pool: 0 | 1; frac: number }
  | { kind: 'swapIn'; who: 0 | 1; pool: 0 | 1; dir: boolean; amt: bigint }
  | { kind: 'swapOut'; who: 0 | 1; pool: 0 | 1; dir: boolean; amt: bigint }
  | { kind: 'hop2'; who: 0 | 1; exactOut: boolean; amt: bigint }
  | { kind: 'tick' };

const amtArb = fc.oneof(fc.bigInt({ min: 1n, max: 100n }), fc.bigInt({ min: 1n, max: 10n ** 9n }), fc.bigInt({ min: 1n, max: 10n ** 15n }));
const who = fc.constantFrom<0 | 1>(0, 1);
const poolIdx = fc.constantFrom<0 | 1>(0, 1);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), who, pool: poolIdx, a: amtArb, b: amtArb }),
  fc.record({ kind: fc.constant('remove' as const), who, pool: poolIdx, frac: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ kind: fc.constant('swapIn' as const), who, pool: poolIdx, dir: fc.boolean(), amt: amtArb }),
  fc.record({ kind: fc.constant('swapOut' as const), who, pool: poolIdx, dir: fc.boolean(), amt: amtArb }),
  fc.record({ kind: fc.constant('hop2' as const), who, exactOut: fc.boolean(), amt: amtArb }),
  fc.constant<Op>({ kind: 'tick' }),
);

test('random add/remove/swap/multi-hop sequences keep bank == pool record, supply == total_shares, 1000 shares locked, value per share never falls', () => {
  fc.assert(fc.property(
    fc.bigInt({ min: 1001n, max: 10n ** 13n }), fc.bigInt({ min: 1001n, max: 10n ** 13n }), fc.bigInt({ min: 1n, max: 10_000n }), feeArb, fc.array(opArb, { minLength: 10, maxLength: 60, size: 'max' }),
    (s0, s1, amp, fee, ops) => {
      const users = [ATTACKER, VICTIM];
      const h = harness({ [ATTACKER]: fund(), [VICTIM]: fund() });
      const cp = ok(h.tx((ctx) => h.amm.createPool(ctx, { creator: ATTACKER, type: PoolType.POOL_TYPE_CONSTANT_PRODUCT, liquidity: [{ denom: 'ua', amount: s0 }, { denom: 'ub', amount: s1 }], swapFee: fee, amplification: 0n }))).poolId;
      const st = ok(h.tx((ctx) => h.amm.createPool(ctx, { creator: VICTIM, type: PoolType.POOL_TYPE_STABLESWAP, liquidity: [{ denom: 'ub', amount: s1 }, { denom: 'uc', amount: s0 }], swapFee: fee, amplification: amp }))).poolId;
      const ids = [cp, st] as const;
      const perShare = (id: bigint): [bigint, bigint] => {
        const p = h.amm.getPool(h.ctx(), id);
        // cp: sqrt(k)/S compared as k/S²; stable: D/S.
        return id === cp ? [p.reserves[0] * p.reserves[1], p.totalShares * p.totalShares] : [stableD(p.reserves[0], p.reserves[1], amp), p.totalShares];
      };
      let last = ids.map(perShare);
      for (const op of ops) {
        const u = op.kind === 'tick' ? ATTACKER : (users[op.who] as string);
        if (op.kind === 'tick') h.time += 7n;
        else if (op.kind === 'add') {
          const p = h.amm.getPool(h.ctx(), ids[op.pool]);
          h.tx((ctx) => h.amm.addLiquidity(ctx, u, p.id, [{ denom: p.denoms[0], amount: op.a }, { denom: p.denoms[1], amount: op.b }], 0n));
        } else if (op.kind === 'remove') {
          const id = ids[op.pool];
          const held = h.bank.balance(h.ctx(), u, shareDenom(id));
          const sh = (held * BigInt(op.frac)) / 100n;
          if (sh > 0n) h.tx((ctx) => h.amm.removeLiquidity(ctx, u, id, sh, []));
        } else if (op.kind === 'swapIn' || op.kind === 'swapOut') {
          const p = h.amm.getPool(h.ctx(), ids[op.pool]);
          const [din, dout] = op.dir ? p.denoms : [p.denoms[1], p.denoms[0]];
          if (op.kind === 'swapIn') h.tx((ctx) => h.amm.swapExactIn(ctx, u, [{ poolId: p.id, tokenOutDenom: dout }], { denom: din, amount: op.amt }, 0n));
          else h.tx((ctx) => h.amm.swapExactOut(ctx, u, [{ poolId: p.id, tokenInDenom: din }], { denom: dout, amount: op.amt }, MAX));
        } else {
          if (op.exactOut) h.tx((ctx) => h.amm.swapExactOut(ctx, u, [{ poolId: cp, tokenInDenom: 'ua' }, { poolId: st, tokenInDenom: 'ub' }], { denom: 'uc', amount: op.amt }, MAX));
          else h.tx((ctx) => h.amm.swapExactIn(ctx, u, [{ poolId: cp, tokenOutDenom: 'ub' }, { poolId: st, tokenOutDenom: 'uc' }], { denom: 'ua', amount: op.amt }, 0n));
        }
        const ctx = h.ctx();
        for (const [n, id] of ids.entries()) {
          const p = h.amm.getPool(ctx, id);
          for (const i of [0, 1] as const) {
            assert.equal(h.bank.balance(ctx, poolAddress(id), p.denoms[i]), p.reserves[i], `pool ${id} account != reserve of ${p.denoms[i]} after ${JSON.stringify(op, (_, v) => typeof v === 'bigint' ? String(v) : v)}`);
            assert.ok(p.reserves[i] > 0n, 'a reserve reached 0');
          }
          assert.equal(h.bank.supplyOf(ctx, shareDenom(id)), p.totalShares, 'share supply');
          assert.equal(h.bank.balance(ctx, LOCKED_SHARES_ADDRESS, shareDenom(id)), MINIMUM_LIQUIDITY, 'locked shares');
          assert.ok(p.totalShares >= MINIMUM_LIQUIDITY, `pool ${id}: total shares ${p.totalShares} below the minimum liquidity ${MINIMUM_LIQUIDITY}`);
          const [vn, vd] = perShare(id);
          const [ln, ld] = last[n] as [bigint, bigint];
          // Value per share never falls. Stable pools: D is taken at its floor, so adding and
          // removing liquidity may read one unit of D lower; a swap (priced at the ceiling of D,
          // shares unchanged) never lowers floor(D) at all.
          if (id === cp) assert.ok(vn * ld >= ln * vd, `pool ${id}: k/S² fell ${ln}/${ld} -> ${vn}/${vd} after ${op.kind}`);
          else if (op.kind === 'add' || op.kind === 'remove') assert.ok((vn + 1n) * ld >= ln * vd, `pool ${id}: D/S fell ${ln}/${ld} -> ${vn}/${vd} after ${op.kind}`);
          else assert.ok(vn * ld >= ln * vd, `pool ${id}: D/S fell ${ln}/${ld} -> ${vn}/${vd} after ${op.kind}`);
        }
        last = ids.map(perShare);
      }
    },
  ), { numRuns: 120 });
});

// ---- keeper: TWAP against a per-second model --------------------------------------------------

test('TWAP equals the per-second average of the end-of-block spot price (ring of 2..6 slots, with eviction); trades inside one block (sandwich) never count', () => {
  fc.assert(fc.property(
    fc.boolean(), fc.bigInt({ min: 1n, max: 10_000n }), fc.bigInt({ min: 2n, max: 6n }),
    fc.array(fc.record({
      dt: fc.integer({ min: 1, max: 20 }),
      trades: fc.array(fc.record({ dir: fc.boolean(), amt: fc.bigInt({ min: 1n, max: 10n ** 11n }), back: fc.boolean() }), { maxLength: 3 }),
    }), { minLength: 1, maxLength: 25, size: 'max' }),
    fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 10 }),
    (stable, amp, capacity, blocks, windows) => {
      const h = harness({ [ATTACKER]: fund() }, { ...DEFAULT_AMM_PARAMS, twapObservations: capacity });
      const type = stable ? PoolType.POOL_TYPE_STABLESWAP : PoolType.POOL_TYPE_CONSTANT_PRODUCT;
      const id = ok(h.tx((ctx) => h.amm.createPool(ctx, { creator: ATTACKER, type, liquidity: [{ denom: 'ua', amount: 10n ** 11n }, { denom: 'ub', amount: 3n * 10n ** 11n }], swapFee: FEE_03, amplification: stable ? amp : 0n }))).poolId;
      const curve = stable ? { kind: 'stable' as const, amp } : { kind: 'cp' as const };
      const spotOf = (): [bigint, bigint] => {
        const p = h.amm.getPool(h.ctx(), id);
        const f0 = spotFraction(curve, p.reserves[0], p.reserves[1]);
        const f1 = spotFraction(curve, p.reserves[1], p.reserves[0]);
        return [toDec(f0.num, f0.den), toDec(f1.num, f1.den)];
      };
      const t0 = h.time;
      const changes: { time: bigint; price: [bigint, bigint] }[] = [{ time: t0, price: spotOf() }];
      const observed: bigint[] = [t0]; // times at which the ring records (creation, then first touch per block)
      for (const b of blocks) {
        h.time += BigInt(b.dt);
        let touched = false;
        for (const t of b.trades) {
          const [din, dout] = t.dir ? ['ua', 'ub'] : ['ub', 'ua'];
          const got = h.tx((ctx) => h.amm.swapExactIn(ctx, ATTACKER, [{ poolId: id, tokenOutDenom: dout }], { denom: din, amount: t.amt }, 0n));
          if (typeof got === 'bigint') touched = true;
          // Sandwich leg: undo the move in the same block.
          if (t.back && typeof got === 'bigint') h.tx((ctx) => h.amm.swapExactIn(ctx, ATTACKER, [{ poolId: id, tokenOutDenom: din }], { denom: dout, amount: got }, 0n));
        }
        if (touched) observed.push(h.time);
        changes.push({ time: h.time, price: spotOf() });
      }
      const oldest = observed[Math.max(0, observed.length - Number(capacity))] as bigint;
      const now = h.time;
      const priceAt = (t: bigint, base: 0 | 1): bigint => {
        let p = (changes[0] as { price: [bigint, bigint] }).price[base];
        for (const c of changes) if (c.time <= t) p = c.price[base];
        return p;
      };
      const span = now - t0;
      for (const [a, b] of windows) {
        const start = t0 + BigInt(a) % (span + 1n);
        const end = start + 1n + BigInt(b) % (now - start + 1n);
        if (end > now) continue;
        for (const base of [0, 1] as const) {
          const pool = h.amm.getPool(h.ctx(), id);
          if (start < oldest) {
            assert.throws(() => twapOf(h.ctx(), pool, base, start, end, now), (e) => ErrTwapUnavailable.is(e));
            continue;
          }
          let sum = 0n;
          for (let t = start; t < end; t++) sum += priceAt(t, base);
          assert.equal(twapOf(h.ctx(), pool, base, start, end, now), sum / (end - start), `window [${start - t0}, ${end - t0}] base ${base}`);
        }
      }
    },
  ), { numRuns: 60 });
});

// ---- keeper: multi-hop slippage boundaries ----------------------------------------------------

test('3-hop routes: min_amount_out = quote passes, quote + 1 fails; max_amount_in = quote passes, quote − 1 fails; a failure moves nothing', () => {
  fc.assert(fc.property(fc.bigInt({ min: 10n ** 6n, max: 10n ** 10n }), feeArb, fc.bigInt({ min: 1n, max: 10_000n }), (amt, fee, amp) => {
    const h = harness({ [ATTACKER]: fund() });
    const mk = (type: PoolType, a: string, b: string, ra: bigint, rb: bigint, ampl: bigint) =>
      ok(h.tx((ctx) => h.amm.createPool(ctx, { creator: ATTACKER, type, liquidity: [{ denom: a, amount: ra }, { denom: b, amount: rb }], swapFee: fee, amplification: ampl }))).poolId;
    const p1 = mk(PoolType.POOL_TYPE_CONSTANT_PRODUCT, 'ua', 'ub', 10n ** 12n, 3n * 10n ** 12n, 0n);
    const p2 = mk(PoolType.POOL_TYPE_STABLESWAP, 'ub', 'uc', 10n ** 12n, 2n * 10n ** 12n, amp);
    const p3 = mk(PoolType.POOL_TYPE_CONSTANT_PRODUCT, 'uc', 'ulane', 10n ** 12n, 10n ** 11n, 0n);
    const inRoute = [{ poolId: p1, tokenOutDenom: 'ub' }, { poolId: p2, tokenOutDenom: 'uc' }, { poolId: p3, tokenOutDenom: 'ulane' }];
    const outRoute = [{ poolId: p1, tokenInDenom: 'ua' }, { poolId: p2, tokenInDenom: 'ub' }, { poolId: p3, tokenInDenom: 'uc' }];
    const snap = () => [...h.kv.data.entries()].sort().join('|');
    const qIn = h.amm.quoteExactIn(h.ctx(), inRoute, { denom: 'ua', amount: amt });
    let before = snap();
    const tooMuch = h.tx((ctx) => h.amm.swapExactIn(ctx, ATTACKER, inRoute, { denom: 'ua', amount: amt }, qIn.amountOut + 1n));
    assert.ok(tooMuch instanceof Error && /min_amount_out/.test(tooMuch.message), `expected a min_amount_out error, got ${tooMuch instanceof Error ? tooMuch.message : 'no Error'}`);
    assert.equal(snap(), before, 'a failed swap moved state');
    assert.equal(ok(h.tx((ctx) => h.amm.swapExactIn(ctx, ATTACKER, inRoute, { denom: 'ua', amount: amt }, qIn.amountOut))), qIn.amountOut);
    const want = amt % (10n ** 9n) + 1n;
    const qOut = h.amm.quoteExactOut(h.ctx(), outRoute, { denom: 'ulane', amount: want });
    before = snap();
    const tooLittle = h.tx((ctx) => h.amm.swapExactOut(ctx, ATTACKER, outRoute, { denom: 'ulane', amount: want }, qOut.amountIn - 1n));
    assert.ok(tooLittle instanceof Error && /max_amount_in/.test(tooLittle.message), `expected a max_amount_in error, got ${tooLittle instanceof Error ? tooLittle.message : 'no Error'}`);
    assert.equal(snap(), before, 'a failed swap moved state');
    const lane = h.bank.balance(h.ctx(), ATTACKER, 'ulane');
    const ua = h.bank.balance(h.ctx(), ATTACKER, 'ua');
    assert.equal(ok(h.tx((ctx) => h.amm.swapExactOut(ctx, ATTACKER, outRoute, { denom: 'ulane', amount: want }, qOut.amountIn))), qOut.amountIn);
    assert.equal(h.bank.balance(h.ctx(), ATTACKER, 'ulane'), lane + want);
    assert.equal(h.bank.balance(h.ctx(), ATTACKER, 'ua'), ua - qOut.amountIn);
    // Intermediate tokens never stay with the sender or leak: each pool account still equals its reserves.
    for (const id of [p1, p2, p3]) {
      const p = h.amm.getPool(h.ctx(), id);
      for (const i of [0, 1] as const) assert.equal(h.bank.balance(h.ctx(), poolAddress(id), p.denoms[i]), p.reserves[i]);
    }
  }), { numRuns: 30 });
});

// ---- keeper: extreme stableswap pools are never bricked ----------------------------------------

test('a stableswap pool created at 10^40:1 (and at the 256-bit edge) still swaps both ways, takes and returns liquidity, prices and TWAPs', () => {
  for (const [ra, rb, amp] of [[1n, 10n ** 40n, 1n], [10n ** 40n, 1n, 10_000n], [2n, (1n << 250n), 10_000n], [(1n << 200n), (1n << 200n) + 7n, 1n]] as const) {
    const h = harness({ [ATTACKER]: ['ua', 'ub', 'ulane'].map((denom) => ({ denom, amount: 1n << 252n })) });
    const id = ok(h.tx((ctx) => h.amm.createPool(ctx, { creator: ATTACKER, type: PoolType.POOL_TYPE_STABLESWAP, liquidity: [{ denom: 'ua', amount: ra }, { denom: 'ub', amount: rb }], swapFee: FEE_004, amplification: amp }))).poolId;
    h.time += 5n;
    for (const [din, dout] of [['ua', 'ub'], ['ub', 'ua']] as const) {
      const p = h.amm.getPool(h.ctx(), id);
      const rIn = p.reserves[din === 'ua' ? 0 : 1];
      const r = h.tx((ctx) => h.amm.swapExactIn(ctx, ATTACKER, [{ poolId: id, tokenOutDenom: dout }], { denom: din, amount: rIn }, 0n));
      assert.ok(typeof r === 'bigint' || /rounds to zero/.test(r.message), `swap ${din}->${dout}: ${String(r)}`);
      h.time += 5n;
    }
    const p = h.amm.getPool(h.ctx(), id);
    ok(h.tx((ctx) => h.amm.addLiquidity(ctx, ATTACKER, id, [{ denom: 'ua', amount: p.reserves[0] }, { denom: 'ub', amount: p.reserves[1] }], 1n)));
    const held = h.bank.balance(h.ctx(), ATTACKER, shareDenom(id));
    ok(h.tx((ctx) => h.amm.removeLiquidity(ctx, ATTACKER, id, held, [])));
    h.time += 5n;
    h.amm.spotPrice(h.ctx(), id, 'ua', 'ub');
    const q = h.amm.getPool(h.ctx(), id);
    twapOf(h.ctx(), q, 0, h.time - 15n, h.time, h.time);
    assert.equal(h.amm.getPool(h.ctx(), id).totalShares, MINIMUM_LIQUIDITY);
  }
});

// ---- math: what an honest LP can lose to rounding ----------------------------------------------

test('deposit then immediate withdrawal loses at most ceil(R_i / S) + 1 base units of each asset', () => {
  fc.assert(fc.property(wide, wide, fc.bigInt({ min: 1001n, max: 1n << 200n }), wide, wide, (r0, r1, s, a0, a1) => {
    const { shares, amountsIn } = depositShares([r0, r1], s, [a0, a1]);
    if (shares === 0n) return;
    const reserves = [r0 + (amountsIn[0] as bigint), r1 + (amountsIn[1] as bigint)];
    const out = withdrawAmounts(reserves, s + shares, shares);
    for (const i of [0, 1]) {
      const r = i === 0 ? r0 : r1;
      const loss = (amountsIn[i] as bigint) - (out[i] as bigint);
      assert.ok(loss >= 0n && loss <= (r + s - 1n) / s + 1n, `asset ${i}: paid ${amountsIn[i]}, got back ${out[i]} (R ${r}, S ${s})`);
    }
  }), { numRuns: 500 });
});

// ---- chain: what a user can still be made to lose ----------------------------------------------
// Same setup as keeper.test.ts: devnet genesis (pool 1 = 10^10 uatom / 10^11 uusdc, 0.3% fee).

test('splitting a trade into many pieces never pays out more than the single trade (no fee or rounding dodge), both curves', () => {
  fc.assert(fc.property(
    fc.bigInt({ min: 1000n, max: 10n ** 15n }), fc.bigInt({ min: 1000n, max: 10n ** 15n }), fc.oneof(fc.constant<'cp'>('cp'), ampArb), feeArb,
    fc.array(fc.bigInt({ min: 1n, max: 10n ** 9n }), { minLength: 2, maxLength: 40, size: 'max' }),
    (r0, r1, kind, fee, pieces) => {
      const out = (x: bigint, y: bigint, a: bigint) => (kind === 'cp' ? cpOutGivenIn(x, y, a, fee) : stableOutGivenIn(x, y, a, fee, kind));
      let x = r0;
      let y = r1;
      let total = 0n;
      for (const a of pieces) {
        const o = out(x, y, a);
        x += a;
        y -= o;
        total += o;
      }
      const whole = pieces.reduce((s, a) => s + a, 0n);
      assert.ok(total <= out(r0, r1, whole), `${pieces.length} pieces paid ${total}, one trade of ${whole} pays ${out(r0, r1, whole)}`);
    },
  ), { numRuns: 300 });
});

// ---- state values are shared and frozen ---------------------------------------------------------

test('pools, params and TWAP records read from state are shared and frozen; the default params are frozen; exported genesis is a copy to edit', () => {
  assert.ok(Object.isFrozen(DEFAULT_AMM_PARAMS) && Object.isFrozen(DEFAULT_AMM_PARAMS.poolCreationFee[0]), 'DEFAULT_AMM_PARAMS is frozen all the way down');
  const h = harness({ [ATTACKER]: fund() }, { ...DEFAULT_AMM_PARAMS, poolCreationFee: [{ denom: 'ulane', amount: '5' }] });
  const id = ok(h.tx((ctx) => h.amm.createPool(ctx, { creator: ATTACKER, type: PoolType.POOL_TYPE_CONSTANT_PRODUCT, liquidity: [{ denom: 'ua', amount: 10n ** 9n }, { denom: 'ub', amount: 10n ** 9n }], swapFee: FEE_03, amplification: 0n }))).poolId;
  const ctx = h.ctx();
  const p = h.amm.getPool(ctx, id);
  assert.equal(h.amm.getPool(ctx, id), p, 'the same stored pool is decoded once and shared');
  assert.ok(Object.isFrozen(p) && Object.isFrozen(p.reserves) && Object.isFrozen(p.denoms), 'a pool is frozen with its arrays');
  assert.throws(() => { (p.reserves as unknown as bigint[])[0] = 1n; }, TypeError);
  const params = h.amm.params(ctx);
  assert.equal(h.amm.params(ctx), params, 'the params are decoded once and shared');
  assert.ok(Object.isFrozen(params) && Object.isFrozen(params.poolCreationFee[0]), 'the params are frozen all the way down');
  const acc = Twaps.get(ctx, id);
  assert.ok(acc !== undefined && Object.isFrozen(acc) && Twaps.get(ctx, id) === acc, 'a TWAP accumulator is frozen and shared');
  // A swap writes a new pool record: the next read is the new state, not the shared old one.
  ok(h.tx((c) => h.amm.swapExactIn(c, ATTACKER, [{ poolId: id, tokenOutDenom: 'ub' }], { denom: 'ua', amount: 1000n }, 1n)));
  const after = h.amm.getPool(h.ctx(), id);
  assert.notEqual(after, p);
  assert.equal(after.reserves[0], p.reserves[0] + 1000n);
  assert.equal(p.reserves[0], 10n ** 9n, 'the old shared value is unchanged');
  // Genesis export is JSON for an operator to edit: its params are not the frozen ones.
  const g = exportAmmGenesis(h.ctx(), h.amm);
  const fee = g.params?.pool_creation_fee?.[0];
  assert.ok(fee !== undefined && !Object.isFrozen(fee), 'exported pool_creation_fee coins are copies');
  fee.amount = '6';
  assert.equal(h.amm.params(h.ctx()).poolCreationFee[0]?.amount, '5', 'editing the export leaves the state\'s params alone');
});
