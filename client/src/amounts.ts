// Human amounts ("1.5lane") <-> base units ({ denom: 'ulane', amount: '1500000' }), exactly.
// decimal.js is for this human-facing edge only; on-chain amounts are integers in base units.
import { Decimal } from 'decimal.js';
import type { Coin } from '@cosmjs/stargate';

/** A display denom and the base denom it scales to: 1 <display> = 10^exponent <base>. */
export interface DenomUnit {
  readonly display: string;
  readonly base: string;
  readonly exponent: number;
}

/** Display denoms the CLI and frontend understand. Anything else is taken as a base denom. */
export const lanesDenoms: readonly DenomUnit[] = ['lane', 'atom', 'usdc', 'usdt', 'eth'].map((d) => ({
  display: d,
  base: `u${d}`,
  exponent: 6,
}));

const byDisplay = new Map(lanesDenoms.map((u) => [u.display, u]));
const byBase = new Map(lanesDenoms.map((u) => [u.base, u]));

// Precision far above any amount we accept (MAX_DIGITS), and never exponent notation.
const D = Decimal.clone({ precision: 200, toExpNeg: -1000, toExpPos: 1000, rounding: Decimal.ROUND_DOWN });

/** Cosmos `Int` is 256 bits; no balance or amount can exceed this. */
export const MAX_AMOUNT = (1n << 256n) - 1n;
const MAX_DIGITS = 90;

// Cosmos SDK denom syntax (sdk.Coin): letter first, 3..128 chars of [a-zA-Z0-9/:._-].
const DENOM = '[a-zA-Z][a-zA-Z0-9/:._-]{2,127}';
const COIN_RE = new RegExp(`^([0-9]+)(?:\\.([0-9]+))?\\s*(${DENOM})$`);
const DENOM_RE = new RegExp(`^${DENOM}$`);

export interface ParseHumanCoinOptions {
  /** Accept a zero amount (e.g. for a query filter). Default false: amounts must be positive. */
  readonly allowZero?: boolean;
}

export class InvalidAmountError extends Error {
  override readonly name = 'InvalidAmountError';
}

/** The unit for a display or base denom, or undefined for a denom that has no display form. */
export function denomUnit(denom: string): DenomUnit | undefined {
  return byDisplay.get(denom) ?? byBase.get(denom);
}

/** The base denom for `denom` (display `lane` -> `ulane`; a base denom is returned unchanged). */
export function baseDenom(denom: string): string {
  return byDisplay.get(denom)?.base ?? denom;
}

/**
 * Parses `1.5lane` -> { denom: 'ulane', amount: '1500000' }; `250ulane` passes through.
 * Throws InvalidAmountError naming the input when it is malformed, negative, zero (unless
 * allowZero), has more decimals than the denom's exponent, or exceeds a 256-bit integer.
 */
export function parseHumanCoin(input: string, options: ParseHumanCoinOptions = {}): Coin {
  const text = input.trim();
  if (text.startsWith('-')) throw new InvalidAmountError(`invalid amount "${input}": must not be negative`);
  const m = COIN_RE.exec(text);
  if (!m) {
    throw new InvalidAmountError(
      `invalid amount "${input}": expected <number><denom>, e.g. 1.5lane or 250ulane`,
    );
  }
  const [, whole = '', frac = '', denom = ''] = m;
  // `1e6lane` / `0x10lane` would otherwise read as an amount of the (valid) denom "e6lane" / "x10lane".
  if (/^[eExX][0-9]/.test(denom)) throw new InvalidAmountError(`invalid amount "${input}": exponent and hex notation are not supported`);
  if (whole.length + frac.length > MAX_DIGITS) throw new InvalidAmountError(`invalid amount "${input}": too many digits`);
  const unit = byDisplay.get(denom);
  const exponent = unit?.exponent ?? 0;
  if (frac.length > exponent) {
    throw new InvalidAmountError(
      unit
        ? `invalid amount "${input}": ${denom} has at most ${exponent} decimal places`
        : `invalid amount "${input}": ${denom} is a base denom and takes whole numbers only (display denoms: ${[...byDisplay.keys()].join(', ')})`,
    );
  }
  const base = new D(frac ? `${whole}.${frac}` : whole).mul(new D(10).pow(exponent));
  // Cannot fail given the decimal check above; kept as the invariant this function promises.
  if (!base.isInteger()) throw new InvalidAmountError(`invalid amount "${input}": not a whole number of base units`);
  const amount = BigInt(base.toFixed(0));
  if (amount === 0n && !options.allowZero) throw new InvalidAmountError(`invalid amount "${input}": must be positive`);
  if (amount > MAX_AMOUNT) throw new InvalidAmountError(`invalid amount "${input}": exceeds the 256-bit maximum`);
  return { denom: unit?.base ?? denom, amount: amount.toString() };
}

/**
 * Parses a comma-separated list (`1.5lane,1000000uatom`) into coins sorted by denom, as
 * sdk.Coins requires. Rejects an empty list and a denom given twice.
 */
export function parseHumanCoins(input: string, options: ParseHumanCoinOptions = {}): Coin[] {
  const parts = input.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) {
    throw new InvalidAmountError(`invalid amount list "${input}": expected e.g. 1.5lane or 1lane,2usdc`);
  }
  // `1,5lane`: a decimal comma, read as two coins, the first without a denom.
  const bare = parts.find((p) => /^[0-9]+$/.test(p));
  if (bare !== undefined && parts.length > 1) {
    throw new InvalidAmountError(`invalid amount list "${input}": "${bare}" has no denom; "," separates coins and "." is the decimal point (e.g. 1.5lane)`);
  }
  const coins = parts.map((p) => parseHumanCoin(p, options));
  const seen = new Set<string>();
  for (const c of coins) {
    if (seen.has(c.denom)) throw new InvalidAmountError(`invalid amount list "${input}": denom ${c.denom} appears twice`);
    seen.add(c.denom);
  }
  return coins.sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
}

/** Exact `amount` base units -> display units as a decimal string without trailing zeros. */
export function toDisplayAmount(amount: string | bigint, exponent: number): string {
  return new D(amount.toString()).div(new D(10).pow(exponent)).toFixed();
}

/**
 * Formats base units for people: { denom: 'ulane', amount: '1500000' } -> '1.5lane'.
 * A denom without a display form is printed as is: '7pool/1'.
 */
export function formatCoin(coin: Coin): string {
  if (!/^[0-9]+$/.test(coin.amount)) throw new InvalidAmountError(`invalid coin amount "${coin.amount}" for ${coin.denom}: expected an unsigned integer`);
  if (!DENOM_RE.test(coin.denom)) throw new InvalidAmountError(`invalid coin denom "${coin.denom}"`);
  const unit = byBase.get(coin.denom);
  if (!unit) return `${BigInt(coin.amount).toString()}${coin.denom}`;
  return `${toDisplayAmount(coin.amount, unit.exponent)}${unit.display}`;
}

/** formatCoin over a list, comma-separated (the inverse of parseHumanCoins). */
export function formatCoins(coins: readonly Coin[]): string {
  return coins.map(formatCoin).join(',');
}
