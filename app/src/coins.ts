// Coins on the wire are {denom, amount: decimal string}; in the state machine amounts are bigint.
// Validation names the offending value in every error.
import { ErrInvalidCoins } from './errors.ts';

export interface Coin {
  denom: string;
  amount: bigint;
}

/** Cosmos SDK denom syntax: a letter, then 2..127 of letters, digits and `/:._-`. */
const DENOM_RE = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;
const AMOUNT_RE = /^[0-9]+$/;
/** Cosmos `Int` is bounded to 256 bits; anything larger is rejected before it reaches math. */
export const MAX_AMOUNT = (1n << 256n) - 1n;

export function validateDenom(denom: string): void {
  if (!DENOM_RE.test(denom)) throw ErrInvalidCoins.wrap(`invalid denom ${JSON.stringify(denom)}`);
}

/** Parses a wire amount: unsigned decimal digits within 256 bits. */
export function parseAmount(amount: string, what = 'amount'): bigint {
  if (!AMOUNT_RE.test(amount)) throw ErrInvalidCoins.wrap(`invalid ${what} ${JSON.stringify(amount.slice(0, 100))}`);
  // 2^256 has 78 digits: longer strings are out of range without parsing them.
  const n = amount.length > 78 ? MAX_AMOUNT + 1n : BigInt(amount);
  if (n > MAX_AMOUNT) throw ErrInvalidCoins.wrap(`${what} ${amount.slice(0, 100)} exceeds 256 bits`);
  return n;
}

export function parseCoin(c: { denom: string; amount: string }, opts: { allowZero?: boolean } = {}): Coin {
  validateDenom(c.denom);
  const amount = parseAmount(c.amount, `amount for ${c.denom}`);
  if (amount === 0n && !opts.allowZero) throw ErrInvalidCoins.wrap(`0${c.denom}: amount must be positive`);
  return { denom: c.denom, amount };
}

/** A coin list: every coin valid and positive, no denom twice, at least one coin unless allowEmpty. */
export function parseCoins(list: readonly { denom: string; amount: string }[], opts: { allowEmpty?: boolean } = {}): Coin[] {
  if (list.length === 0 && !opts.allowEmpty) throw ErrInvalidCoins.wrap('empty coin list');
  const out: Coin[] = [];
  // A Msg carries a coin or two: comparing with those before costs less than a Set per call.
  const seen = list.length > 8 ? new Set<string>() : undefined;
  for (const c of list) {
    const coin = parseCoin(c);
    if (seen ? seen.has(coin.denom) : out.some((o) => o.denom === coin.denom)) throw ErrInvalidCoins.wrap(`duplicate denomination ${coin.denom}`);
    seen?.add(coin.denom);
    out.push(coin);
  }
  return out;
}

export function coinToString(c: Coin): string {
  return `${c.amount}${c.denom}`;
}

export function coinsToString(cs: readonly Coin[]): string {
  return cs.map(coinToString).join(',');
}

export function toWireCoin(c: Coin): { denom: string; amount: string } {
  return { denom: c.denom, amount: c.amount.toString() };
}
