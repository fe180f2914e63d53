// Address checks for user input: every error names the value and what was wrong with it.
import { fromBech32, toBech32 } from '@cosmjs/encoding';
import { BECH32_PREFIX } from './constants.ts';

/**
 * BIP-173's length limit. Always pass it: @cosmjs/encoding 0.39's default (Infinity) makes
 * @scure/base 2.x throw "limit: expected safe integer" for every address.
 */
export const BECH32_LIMIT = 90;

export class InvalidAddressError extends Error {
  override readonly name = 'InvalidAddressError';
}

/**
 * Throws InvalidAddressError unless `address` is a bech32 `lanes1...` account address (20 or
 * 32 bytes, canonical lower case). `what` names the value in the message, e.g. 'recipient'.
 */
export function assertLanesAddress(address: string, what = 'address'): void {
  let decoded: { prefix: string; data: Uint8Array };
  try {
    decoded = fromBech32(address, BECH32_LIMIT);
  } catch (e) {
    throw new InvalidAddressError(`invalid ${what} "${address}": not bech32 (${(e as Error).message})`);
  }
  if (decoded.prefix !== BECH32_PREFIX) {
    throw new InvalidAddressError(`invalid ${what} "${address}": prefix is "${decoded.prefix}", expected "${BECH32_PREFIX}"`);
  }
  if (decoded.data.length !== 20 && decoded.data.length !== 32) {
    throw new InvalidAddressError(`invalid ${what} "${address}": ${decoded.data.length}-byte payload, expected 20 or 32`);
  }
  // The chain accepts one spelling per account (app/src/address.ts): lower case, canonical.
  if (toBech32(BECH32_PREFIX, decoded.data) !== address) {
    throw new InvalidAddressError(`invalid ${what} "${address}": not in canonical lower case`);
  }
}

export function isLanesAddress(address: string): boolean {
  try {
    assertLanesAddress(address);
    return true;
  } catch {
    return false;
  }
}
