// commander parsers for numeric options, shared by the `lanes` CLI and `npm run bench`. A bad
// value fails as commander's "option '--x <n>' argument 'v' is invalid. <reason>", before any work.
import { InvalidArgumentError } from 'commander';

/** A whole number of at least `min`. */
export function wholeNumber(min: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number, at least ${min}.`);
    return n;
  };
}

/** A finite number above zero (seconds, rates). */
export function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.');
  return n;
}
