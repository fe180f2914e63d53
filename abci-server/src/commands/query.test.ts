// `lanes query ...` end to end, in a child process, against the real app behind a stand-in RPC.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_MNEMONIC, devnetAccounts } from '@lanes/client';
import { keyringPath } from './keys.ts';
import { lanes, startTestNode, type TestNode } from './testSupport.ts';

describe('lanes query', () => {
  let node: TestNode;
  let home: string;
  before(async () => {
    node = await startTestNode();
    home = mkdtempSync(join(tmpdir(), 'lanes-query-'));
  });
  after(async () => {
    await node.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('bank balances and account take a key name where an address is expected: one stored in --home\'s keyring, or test0..test9', async () => {
    const accounts = await devnetAccounts();
    const bob = accounts[4]?.address ?? '';
    writeFileSync(keyringPath(home), JSON.stringify({ version: 1, keys: [{ name: 'bob', address: bob, index: 4, hdPath: "m/44'/118'/0'/0/4", mnemonic: TEST_MNEMONIC }] }), { mode: 0o600 });
    const q = (...args: string[]) => lanes(['--home', home, 'query', ...args, '--node', node.url, '-o', 'json']);

    const byName = await q('bank', 'balances', 'bob');
    assert.equal(byName.code, 0, byName.err);
    const balances = JSON.parse(byName.out) as { address: string; balances: { denom: string; amount: string }[] };
    assert.equal(balances.address, bob);
    assert.ok(balances.balances.some((c) => c.denom === 'ulane' && c.amount === '1000000000000'), byName.out);

    const account = await q('account', 'test2');
    assert.equal(account.code, 0, account.err);
    assert.equal((JSON.parse(account.out) as { address: string }).address, accounts[2]?.address);

    const nobody = await q('bank', 'balances', 'carol');
    assert.equal(nobody.code, 1);
    assert.equal(nobody.err, `error: address is not a lanes address or a key in ${keyringPath(home)}: carol\n`);
  });

  it('a value shaped like an address gets the address error, never a key lookup, even where a key has that name', async () => {
    const typo = 'lanes1erxf3sa9q2j4vgseu7jq4a258ckmk7cyz42kxp'; // test1's address, its checksum's last character changed
    const foreign = 'cosmos1erxf3sa9q2j4vgseu7jq4a258ckmk7cy076t8z'; // a valid address of another chain
    const foreignTypo = 'cosmos1erxf3sa9q2j4vgseu7jq4a258ckmk7cy076t8q';
    const keys = [typo, foreign, foreignTypo].map((name, i) => ({ name, address: '', index: i, hdPath: '', mnemonic: TEST_MNEMONIC }));
    writeFileSync(keyringPath(home), JSON.stringify({ version: 1, keys }), { mode: 0o600 });
    for (const [value, why] of [[typo, /not bech32 \(.*checksum/i], [foreign, /prefix is "cosmos", expected "lanes"/], [foreignTypo, /not bech32 \(.*checksum/i]] as const) {
      const r = await lanes(['--home', home, 'query', 'bank', 'balances', value, '--node', node.url]);
      assert.equal(r.code, 1, r.out);
      assert.match(r.err, new RegExp(`^error: invalid address "${value}": `), value);
      assert.match(r.err, why, value);
    }
  });

  it('amm twap: a window the chain refuses is shown with its times in ISO-8601 UTC beside the chain\'s Unix seconds', async () => {
    const genesis = Number(node.chain.time) - 1; // the pools' first observation; one block since
    const iso = (s: number) => new Date(s * 1000).toISOString();
    const twap = (...args: string[]) => lanes(['--home', home, 'query', 'amm', 'twap', '1', 'atom', 'usdc', ...args, '--node', node.url]);
    const early = await twap('--start', '1000', '--end', String(genesis + 1));
    assert.equal(early.code, 1);
    // The chain's words are its own (modules/amm); the CLI adds the ISO forms.
    assert.match(early.err, new RegExp(`^error: query refused: amm/23: start_time 1000 \\(${iso(1000)}\\) .* at ${genesis} \\(${iso(genesis)}\\)`));
    const late = await twap('--end', '9999999999');
    assert.match(late.err, new RegExp(`end_time 9999999999 \\(${iso(9999999999)}\\) is after the latest block time ${genesis + 1} \\(${iso(genesis + 1)}\\)`));
  });
});
