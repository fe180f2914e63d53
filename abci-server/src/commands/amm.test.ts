// The AMM commands refuse bad arguments before touching the node or a key, each error naming the
// argument and the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePoolId, parseRoute, withIsoTimes } from './amm.ts';
import { refusal as refused } from '../testing/cliRefusal.ts';

/** The error line of `lanes <args>`, refused before it reaches any node. */
const refusal = async (...args: string[]): Promise<string> => (await refused(...args)).message;

test('routes and pool ids: each bad hop named, with what was expected', () => {
  assert.deepEqual(parseRoute('1:uusdc, 2:lane'), [{ poolId: 1n, denom: 'uusdc' }, { poolId: 2n, denom: 'ulane' }]);
  assert.throws(() => parseRoute('1-uusdc'), /invalid --route "1-uusdc": hop 1 "1-uusdc" is not <pool-id>:<denom>, e\.g\. 1:uusdc/);
  assert.throws(() => parseRoute('1:uusdc,2:u$'), /invalid --route "1:uusdc,2:u\$": hop 2 has an invalid denom "u\$"/);
  assert.throws(() => parseRoute('0:uusdc'), /invalid --route hop 1 pool id "0": expected a whole number from 1 to 2\^64-1/);
  assert.throws(() => parsePoolId('18446744073709551616'), /expected a whole number from 1 to 2\^64-1/);
  assert.equal(parsePoolId('18446744073709551615'), (1n << 64n) - 1n);
});

test('tx amm refuses inconsistent arguments before signing', async () => {
  assert.match(await refusal('tx', 'amm', 'create-pool', 'test0', '100atom,1000usdc', '--type', 'stableswap'),
    /^error: --amplification is required for --type stableswap \(e\.g\. --amplification 100\)$/);
  assert.match(await refusal('tx', 'amm', 'swap-exact-in', 'test0', '1atom', '--route', '1:uusdc', '--min-out', '1atom'),
    /^error: --min-out 1atom is in uatom, but --route 1:uusdc pays out uusdc$/);
  assert.match(await refusal('tx', 'amm', 'swap-exact-out', 'test0', '1usdc', '--route', '1:uatom', '--max-in', '2usdc'),
    /^error: --max-in 2usdc is in uusdc, but --route 1:uatom takes in uatom$/);
  assert.match(await refusal('tx', 'amm', 'swap-exact-in', 'test0', '1atom', '--route', '1;uusdc', '--min-out', '0usdc'),
    /hop 1 "1;uusdc" is not <pool-id>:<denom>/);
  assert.match(await refusal('tx', 'amm', 'swap-exact-in', 'test0', '1atom', '--route', '1:uusdc', '--min-out', '0'),
    /^error: --min-out: invalid amount "0": .* \(for no limit, give 0 of the denom that comes out, e\.g\. 0usdc\)$/);
  assert.match(await refusal('tx', 'amm', 'remove-liquidity', 'test0', '1', '0', '--min-out', 'none'), /invalid <shares> "0": expected a positive whole number/);
  assert.match(await refusal('tx', 'amm', 'add-liquidity', 'test0', '1', '1atom,10usdc', '--min-shares', '-1'), /invalid --min-shares "-1": expected a non-negative whole number/);
  assert.match(await refusal('tx', 'amm', 'swap-exact-in', 'test0', '1atom', '--route', '1:uusdc', '--min-out', '0usdc', '--gas-adjustment', '0.5'),
    /invalid --gas-adjustment "0\.5": expected a number in \[1, 10\]/);
  assert.match(await refusal('tx', 'amm', 'swap-exact-in', 'test0', '1atom', '--route', '1:uusdc', '--min-out', '0usdc', '--gas-prices', 'cheap'),
    /invalid --gas-prices "cheap": /);
});

test('query amm twap refuses a time it cannot read', async () => {
  assert.match(await refusal('query', 'amm', 'twap', '1', 'uatom', 'uusdc', '--start', 'yesterday', '--end', '1700000000'),
    /invalid --start "yesterday": expected Unix seconds or an ISO-8601 time like 2025-01-31T12:00:00Z/);
  assert.match(await refusal('query', 'amm', 'twap', '1', 'uatom', 'uusdc', '--end', '2025-13-45T99:00:00Z'), /invalid --end "2025-13-45T99:00:00Z"/);
});

test('a TWAP refusal\'s Unix seconds get their ISO-8601 UTC form beside them; pool ids and other numbers stay as they are', () => {
  assert.equal(withIsoTimes('query refused: amm/23: start_time 1765000000 is before the oldest retained observation of pool 1 at 1765000100: twap unavailable for the window'),
    'query refused: amm/23: start_time 1765000000 (2025-12-06T05:46:40.000Z) is before the oldest retained observation of pool 1 at 1765000100 (2025-12-06T05:48:20.000Z): twap unavailable for the window');
  assert.equal(withIsoTimes('start_time 20 must be before end_time 10'), 'start_time 20 (1970-01-01T00:00:20.000Z) must be before end_time 10 (1970-01-01T00:00:10.000Z)');
  assert.equal(withIsoTimes('end_time 1700000060 is after the latest block time 1700000001'),
    'end_time 1700000060 (2023-11-14T22:14:20.000Z) is after the latest block time 1700000001 (2023-11-14T22:13:21.000Z)');
  assert.equal(withIsoTimes('pool 1765000000 has no observations'), 'pool 1765000000 has no observations');
});
