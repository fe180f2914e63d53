// AMM params: per-block constants (read-only during the tx phase), set at genesis.
import { deepFreeze, parseCoins } from '@lanes/app';
import type { Params } from '@lanes/proto/lanes/amm/v1/amm';
import { ErrInvalidGenesis } from './errors.ts';

/**
 * Devnet and default values: 1 lane to create a pool, routes of up to 4 hops, 100 TWAP
 * observations per pool. Frozen, like the params read from state (memoValue), which it stands in
 * for where none are stored.
 */
export const DEFAULT_AMM_PARAMS: Params = deepFreeze({
  poolCreationFee: [{ denom: 'ulane', amount: '1000000' }],
  maxRouteLength: 4n,
  twapObservations: 100n,
});

/** The params as the keeper hands them out: shared and frozen (read from state through memoValue). */
export interface AmmParams {
  readonly poolCreationFee: readonly { readonly denom: string; readonly amount: string }[];
  readonly maxRouteLength: bigint;
  readonly twapObservations: bigint;
}

export const MAX_ROUTE_LENGTH_LIMIT = 16n;
export const MAX_TWAP_OBSERVATIONS = 10_000n;

/** Throws ErrInvalidGenesis naming the bad field. */
export function validateParams(p: Params): void {
  try {
    parseCoins(p.poolCreationFee, { allowEmpty: true });
  } catch (e) {
    throw ErrInvalidGenesis.wrap(`amm.params.pool_creation_fee: ${(e as Error).message}`);
  }
  if (p.maxRouteLength < 1n || p.maxRouteLength > MAX_ROUTE_LENGTH_LIMIT) {
    throw ErrInvalidGenesis.wrap(`amm.params.max_route_length ${p.maxRouteLength} is outside 1..${MAX_ROUTE_LENGTH_LIMIT}`);
  }
  if (p.twapObservations < 2n || p.twapObservations > MAX_TWAP_OBSERVATIONS) {
    throw ErrInvalidGenesis.wrap(`amm.params.twap_observations ${p.twapObservations} is outside 2..${MAX_TWAP_OBSERVATIONS}`);
  }
}
