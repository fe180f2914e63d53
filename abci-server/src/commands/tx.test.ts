// `lanes tx ...` refusals that come before any node is reached (run in process). The commands
// end to end, against a real node, are in test/src/cli.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { refusal as refused } from '../testing/cliRefusal.ts';
import { denomList } from './tx.ts';

/** The error of `lanes <args>`, refused before it reaches any node: its code and line. */
async function refusal(...args: string[]): Promise<{ code: string; message: string }> {
  const e = await refused(...args);
  return { code: e.code, message: e.message };
}

describe('a negative amount where an argument is expected', () => {
  const to = 'lanes1erxf3sa9q2j4vgseu7jq4a258ckmk7cyz42kxq';
  it('is refused as a negative amount, not as an unknown option, before anything is sent', async () => {
    for (const [args, value] of [
      [['tx', 'bank', 'send', 'test0', to, '-5usdc'], '-5usdc'],
      [['tx', 'bank', 'send', 'test0', to, '-1.5lane,2usdc'], '-1.5lane,2usdc'],
      [['tx', 'bank', 'send', 'test0', to, '-.5lane'], '-.5lane'],
      [['tx', 'amm', 'swap-exact-in', 'test0', '-1atom', '--route', '1:uusdc', '--min-out', '0usdc'], '-1atom'],
      [['tx', 'amm', 'add-liquidity', 'test0', '1', '-10atom,100usdc', '--min-shares', '0'], '-10atom,100usdc'],
      [['query', 'amm', 'estimate-swap', '-1atom', '--route', '1:uusdc'], '-1atom'],
    ] as const) {
      assert.deepEqual(await refusal(...args), { code: 'lanes.negativeAmount', message: `error: amounts must be positive: ${value}` }, args.join(' '));
    }
  });

  it('leaves the other refusals as they were: unknown options, and a negative number (commander passes it as an argument)', async () => {
    assert.deepEqual(await refusal('tx', 'bank', 'send', 'test0', to, '1lane', '--bogus'), { code: 'commander.unknownOption', message: 'error: unknown option \'--bogus\'' });
    assert.deepEqual(await refusal('tx', 'bank', 'send', 'test0', to, '-x5usdc'), { code: 'commander.unknownOption', message: 'error: unknown option \'-x5usdc\'' });
    assert.match((await refusal('tx', 'bank', 'send', 'test0', to, '-5')).message, /^error: invalid amount "-5": must not be negative$/);
    // An option's value is its option's to judge.
    assert.match((await refusal('tx', 'amm', 'add-liquidity', 'test0', '1', '1atom,10usdc', '--min-shares', '-1')).message, /invalid --min-shares "-1": expected a non-negative whole number/);
  });
});

describe('the insufficient-funds hint\'s list of denoms', () => {
  it('lists a page\'s first 20 denoms, and says "and more" when the page or the chain has more', () => {
    const denoms = Array.from({ length: 25 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    assert.equal(denomList(denoms.slice(0, 3), false), 'd00, d01, d02');
    assert.equal(denomList(denoms.slice(0, 20), false), denoms.slice(0, 20).join(', '));
    assert.equal(denomList(denoms.slice(0, 20), true), `${denoms.slice(0, 20).join(', ')} and more`);
    assert.equal(denomList(denoms, false), `${denoms.slice(0, 20).join(', ')} and more`);
    assert.equal(denomList([], false), 'none');
  });
});
