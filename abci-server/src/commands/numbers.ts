// commander parsers for numeric and URL options, shared by the `lanes` CLI and `npm run bench`. A bad
// value fails as commander's "option '--x <n>' argument 'v' is invalid. <reason>", before any work.
import { InvalidArgumentError } from 'commander';

/** A whole number of at least `min`. */
export function wholeNumber(min: number, max = Infinity): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(max === Infinity ? `expected a whole number, at least ${min}.` : `expected a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

/** A finite number above zero (seconds, rates). */
export function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.');
  return n;
}

/**
 * A CometBFT RPC endpoint as CosmJS connects to it: http(s):// or ws(s)://, with a host. Anything
 * else would fail later with CosmJS's own message, or (another scheme) wait on a WebSocket.
 */
export function rpcUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InvalidArgumentError('expected the URL of a CometBFT RPC endpoint, like http://127.0.0.1:26657.');
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) || u.host === '') {
    throw new InvalidArgumentError('expected an http://, https://, ws:// or wss:// URL with a host, like http://127.0.0.1:26657.');
  }
  return v;
}
