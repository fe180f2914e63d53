// 18-decimal fixed point (Cosmos LegacyDec): a bigint scaled by 10^18, decimal strings on the wire.
export const DEC_ONE = 10n ** 18n;
const DEC_RE = /^([0-9]{1,60})(?:\.([0-9]{1,18}))?$/;

/** Parses "0.0025" exactly; throws an Error naming the input if it is not a plain non-negative decimal. */
export function parseDec(s: string, what = 'decimal'): bigint {
  const m = DEC_RE.exec(s);
  if (!m) throw new Error(`invalid ${what} ${JSON.stringify(s.slice(0, 100))}: expected a non-negative decimal with at most 18 fractional digits`);
  const whole = BigInt(m[1] as string);
  const frac = (m[2] ?? '').padEnd(18, '0');
  return whole * DEC_ONE + BigInt(frac);
}

/** Formats with exactly 18 fractional digits, as LegacyDec does on the wire. */
export function formatDec(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const s = `${a / DEC_ONE}.${(a % DEC_ONE).toString().padStart(18, '0')}`;
  return neg ? `-${s}` : s;
}

export function mulDecCeil(n: bigint, dec: bigint): bigint {
  return (n * dec + DEC_ONE - 1n) / DEC_ONE;
}
