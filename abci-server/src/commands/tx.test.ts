// `lanes tx ...` end to end, in a child process, against the real app behind a stand-in RPC (which
// answers queries and simulations, and broadcasts nothing: without -y and a terminal, a tx stops at
// its confirmation, after the summary).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_MNEMONIC, devnetAccounts } from '@lanes/client';
import { keyringPath } from './keys.ts';
import { lanes, refusal as refused, startTestNode, type TestNode } from './testSupport.ts';

describe('lanes tx bank send', () => {
  let node: TestNode;
  let home: string;
  before(async () => {
    node = await startTestNode();
    home = mkdtempSync(join(tmpdir(), 'lanes-tx-'));
    const bob = (await devnetAccounts())[4]?.address ?? '';
    writeFileSync(keyringPath(home), JSON.stringify({ version: 1, keys: [{ name: 'bob', address: bob, index: 4, hdPath: "m/44'/118'/0'/0/4", mnemonic: TEST_MNEMONIC }] }), { mode: 0o600 });
  });
  after(async () => {
    await node.close();
    rmSync(home, { recursive: true, force: true });
  });
  const send = (...args: string[]) => lanes(['--home', home, 'tx', 'bank', 'send', ...args, '--node', node.url]);

  it('<to> takes the name of a key in --home\'s keyring; neither an address nor a key is refused naming the value', async () => {
    const bob = (await devnetAccounts())[4]?.address ?? ''; // stored as "bob" (before)
    const r = await send('test0', 'bob', '1lane');
    assert.match(r.err, new RegExp(`^send 1lane \\(1000000ulane\\) to bob \\(${bob}\\)\n`), r.err);
    assert.match(r.err, /error: not confirmed: stdin is not a terminal/);

    const nobody = await send('test0', 'carol', '1lane');
    assert.equal(nobody.code, 1);
    assert.equal(nobody.err, `error: recipient is not a lanes address or a key in ${keyringPath(home)}: carol\n`);
    // The devnet's keys have public mnemonics: a recipient takes them only once stored.
    const devnet = await send('test0', 'test1', '1lane');
    assert.match(devnet.err, /recipient is not a lanes address or a key in .*: test1 \(test1 is a built-in devnet key, whose mnemonic is public: give its address, or store the devnet keys with `lanes keys import-devnet`\)/);
    const typo = await send('test0', 'lanes1erxf3sa9q2j4vgseu7jq4a258ckmk7cyz42kxp', '1lane');
    assert.match(typo.err, /^error: invalid recipient "lanes1erxf3sa9q2j4vgseu7jq4a258ckmk7cyz42kxp": not bech32/);
  });

  it('a tx the node admits is waited for and reported from its block: -y sends test0 -> bob (a key name) 1lane', async () => {
    const bob = (await devnetAccounts())[4]?.address ?? '';
    const before = node.chain.balance(bob, 'ulane');
    const r = await send('test0', 'bob', '1lane', '-y', '-o', 'json');
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as { txhash: string; height: number; code: number };
    assert.deepEqual([out.code, out.height], [0, Number(node.chain.height)], r.out);
    assert.match(out.txhash, /^[0-9A-F]{64}$/);
    assert.equal(node.chain.balance(bob, 'ulane') - before, 1_000_000n);
  });

  it('insufficient funds in a denom the sender holds none of comes with a hint naming the chain\'s denoms; in one it holds too little of, without', async () => {
    const to = (await devnetAccounts())[1]?.address ?? '';
    const denoms = 'amm/pool/1, amm/pool/2, amm/pool/3, uatom, ueth, ulane, uusdc, uusdt';
    const unknown = await send('test0', to, '5xdenom');
    assert.equal(unknown.code, 1, unknown.err);
    assert.match(unknown.out, /^rejected in simulation \(nothing sent; --gas N sends it without simulating\)\ncodespace: sdk\ncode: 5\nlog: .*\n/);
    assert.ok(unknown.out.endsWith(`\nhint: the sender holds no xdenom; denoms on this chain: ${denoms}\n`), unknown.out);

    const tooLittle = await send('test0', to, '2000000lane');
    assert.match(tooLittle.out, /^rejected in simulation .*\ncodespace: sdk\ncode: 5\n/);
    assert.doesNotMatch(tooLittle.out, /hint/);

    const json = await send('test0', to, '5xdenom,1lane', '-o', 'json');
    assert.equal(json.code, 1, json.err);
    assert.deepEqual({ ...JSON.parse(json.out) as object, log: undefined }, {
      stage: 'simulate', codespace: 'sdk', code: 5, log: undefined, hint: `the sender holds no xdenom; denoms on this chain: ${denoms}`,
    });
  });

  it('a tx CheckTx refuses (sent without simulating, --gas N) is printed with its hint, and the CLI exits then, not 30 s later', async () => {
    const to = (await devnetAccounts())[1]?.address ?? '';
    const started = Date.now();
    const checked = await send('test0', to, '5xdenom,1lane', '--gas', '200000', '-y', '-o', 'json');
    const seconds = (Date.now() - started) / 1000;
    assert.equal(checked.code, 1, checked.err);
    assert.deepEqual({ ...JSON.parse(checked.out) as object, log: undefined }, {
      stage: 'check_tx', codespace: 'sdk', code: 5, log: undefined,
      hint: 'the sender holds no xdenom; denoms on this chain: amm/pool/1, amm/pool/2, amm/pool/3, uatom, ueth, ulane, uusdc, uusdt',
    });
    // CosmJS's signAndBroadcast left its 30 s wait for the block running after the refusal.
    assert.ok(seconds < 20, `exited ${seconds.toFixed(1)} s after starting`);
  });
});

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
