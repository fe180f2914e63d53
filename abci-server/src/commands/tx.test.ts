// `lanes tx ...` refusals that come before any node is reached (run in process). The commands
// end to end, against a real node, are in test/src/cli.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { refusal as refused } from '../testing/cliRefusal.ts';
import { paginate } from '@lanes/app';
import { PageRequest } from 'cosmjs-types/cosmos/base/query/v1beta1/pagination';
import { chainDenoms, denomList, type SupplyPage } from './tx.ts';

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
  it('lists the first 20 denoms that are not pool shares, "and more" when there are more, then the pool shares as one item', () => {
    const denoms = Array.from({ length: 25 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    const shares = Array.from({ length: 30 }, (_, i) => `amm/pool/${i + 1}`);
    assert.equal(denomList(['uatom', 'ulane']), 'uatom, ulane');
    assert.equal(denomList([...shares, 'uatom', 'ulane'].sort()), 'uatom, ulane, and pool shares (amm/pool/<id>)');
    assert.equal(denomList(denoms.slice(0, 20)), denoms.slice(0, 20).join(', '));
    assert.equal(denomList(denoms.slice(0, 21)), `${denoms.slice(0, 20).join(', ')} and more`);
    assert.equal(denomList([...denoms, ...shares].sort()), `${denoms.slice(0, 20).join(', ')} and more, and pool shares (amm/pool/<id>)`);
    assert.equal(denomList(['amm/pool/01', 'amm/pool/x']), 'amm/pool/01, amm/pool/x', 'not share denoms: not amm/pool/<id> as the AMM writes it');
    assert.equal(denomList([]), 'none');
  });
});

describe('the hint\'s denoms from the chain', () => {
  /** TotalSupply over `denoms` as the chain pages it (paginate, 100 a page, next_key), counting the pages read. */
  function chain(denoms: string[]): { page: SupplyPage; reads: () => number } {
    const sorted = [...denoms].sort();
    let reads = 0;
    return {
      page: async (key) => {
        reads++;
        const r = paginate(sorted, (d) => Buffer.from(d), PageRequest.fromPartial(key ? { key } : {}));
        return { supply: r.items.map((denom) => ({ denom })), pagination: r.pagination };
      },
      reads: () => reads,
    };
  }
  const shares = (n: number) => Array.from({ length: n }, (_, i) => `amm/pool/${i + 1}`);
  const base = ['uatom', 'ueth', 'ulane', 'uusdc', 'uusdt'];

  it('one page when it holds them all', async () => {
    const c = chain([...base, ...shares(3)]);
    assert.equal(await chainDenoms(c.page), 'uatom, ueth, ulane, uusdc, uusdt, and pool shares (amm/pool/<id>)');
    assert.equal(c.reads(), 1);
  });

  it('past thousands of pool shares, which sort first, to the denoms after them, in two pages', async () => {
    const c = chain([...base, ...shares(5000)]);
    assert.equal(await chainDenoms(c.page), 'uatom, ueth, ulane, uusdc, uusdt, and pool shares (amm/pool/<id>)');
    assert.equal(c.reads(), 2);
  });

  it('"and more" when denoms before the shares or past the second page were not read (a full page of others came before them)', async () => {
    const early = Array.from({ length: 150 }, (_, i) => `a${String(i).padStart(3, '0')}`);
    assert.match(await chainDenoms(chain([...early, ...shares(10), ...base]).page), /^a000, .*, a019 and more$/, 'the shares between the pages unread');
    const late = Array.from({ length: 150 }, (_, i) => `z${String(i).padStart(3, '0')}`);
    assert.match(await chainDenoms(chain([...shares(200), ...late]).page), /^z000, .*, z019 and more, and pool shares/);
  });
});
