// Deterministic gas metering. Costs follow the Cosmos SDK's KV gas schedule so wallets'
// expectations carry over; they depend only on the logical reads and writes of a tx, never on
// caches, so sequential and parallel execution charge the same.
import { ErrOutOfGas } from './errors.ts';

export const GasCost = {
  readFlat: 1000,
  readPerByte: 3,
  writeFlat: 2000,
  writePerByte: 30,
  delete: 1000,
  iterNextFlat: 30,
  txSizePerByte: 10,
  sigVerifySecp256k1: 1000,
} as const;

/** Thrown when a tx in CheckTx spends its Msgs' budget there (GasMeter.capAt), short of its own limit. */
export class CheckBudgetSpent extends Error {
  override readonly name = 'CheckBudgetSpent';
}

export class GasMeter {
  private used = 0;
  private cap = Number.POSITIVE_INFINITY;
  private capName = '';
  constructor(readonly limit: number) {}

  consume(amount: number, descriptor: string): void {
    this.used += amount;
    if (this.used > this.limit) {
      throw ErrOutOfGas.wrap(`out of gas in location: ${descriptor}; gasWanted: ${this.limit}, gasUsed: ${this.used}`);
    }
    if (this.used > this.cap) throw new CheckBudgetSpent(`${this.capName} spent in location: ${descriptor}`);
  }

  /** CheckTx only: past `cap` gas (below the limit), consume throws CheckBudgetSpent, naming the budget, instead of going on. */
  capAt(cap: number, name: string): void {
    this.cap = cap;
    this.capName = name;
  }

  consumed(): number {
    return this.used;
  }

  /** Gas used, capped at the limit: what a failed-by-out-of-gas tx reports. */
  consumedToLimit(): number {
    return Math.min(this.used, this.limit);
  }
}

/** For queries and block hooks: counts but never runs out. */
export function infiniteGasMeter(): GasMeter {
  return new GasMeter(Number.MAX_SAFE_INTEGER);
}
