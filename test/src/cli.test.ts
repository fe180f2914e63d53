// The `lanes` CLI's queries and txs end to end: a child process, as a user runs it, against a real
// node (the pinned CometBFT + the app, devnet genesis), checked with unmodified CosmJS. One node for
// the file. Txs are sent from test7, test8 and test9, which no other test file sends from; the
// tests run in order, and the one that creates a pool comes last (the insufficient-funds hint lists
// the chain's denoms, pool shares among them).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StargateClient } from '@cosmjs/stargate';
import { homePaths } from '@lanes/abci-server';
import { TEST_MNEMONIC } from '@lanes/client';
import { runLanes, type LanesRun } from './support/lanes.ts';
import { startTestNode, type TestNode } from './support/node.ts';

/** The devnet funding of each denom (DEVNET_FUNDING). */
const FUNDED = 1_000_000_000_000n;
const DENOMS = 'uatom, ueth, ulane, uusdc, uusdt, and pool shares (amm/pool/<id>)';
/** Values shaped like addresses: test1's address with its checksum's last character changed; a valid address of another chain; that one mistyped. */
const TYPO = 'lanes1erxf3sa9q2j4vgseu7jq4a258ckmk7cyz42kxp';
const FOREIGN = 'cosmos1erxf3sa9q2j4vgseu7jq4a258ckmk7cy076t8z';
const FOREIGN_TYPO = 'cosmos1erxf3sa9q2j4vgseu7jq4a258ckmk7cy076t8q';

let node: TestNode;
let chain: StargateClient;
/** Homes of their own (no node in them): `bob` (test4's key) in one; keys named like TYPO, FOREIGN and FOREIGN_TYPO in the other. */
let keysHome: string;
let oddHome: string;
/** `lanes --home <home> <args>` against the node. */
let lanes: (home: string, ...args: string[]) => Promise<LanesRun>;
const keyring = (home: string): string => join(home, 'keyring-test.json');
const address = (i: number): string => node.accounts[i]?.address as string;
const balance = async (who: string, denom: string): Promise<bigint> => BigInt((await chain.getBalance(who, denom)).amount);

before(async () => {
  keysHome = mkdtempSync(join(tmpdir(), 'lanes-cli-keys-'));
  oddHome = mkdtempSync(join(tmpdir(), 'lanes-cli-odd-'));
  // The keys need no node: stored while it starts, with `lanes keys add --recover`. `keys add`
  // refuses names shaped like addresses, so those are given by editing the keyring, as a keyring
  // written by hand (or by an older lanes) may hold them.
  const addKeys = async () => {
    const odd: Record<string, string> = { k11: TYPO, k12: FOREIGN, k13: FOREIGN_TYPO };
    for (const [home, name, index] of [[keysHome, 'bob', 4], [oddHome, 'k11', 11], [oddHome, 'k12', 12], [oddHome, 'k13', 13]] as const) {
      const r = await runLanes({ home, rpcUrl: 'http://127.0.0.1:1' }, ['keys', 'add', name, '--recover', '--index', String(index)], { input: TEST_MNEMONIC });
      assert.equal(r.code, 0, r.err);
    }
    const file = JSON.parse(readFileSync(keyring(oddHome), 'utf8')) as { keys: { name: string }[] };
    for (const k of file.keys) k.name = odd[k.name] ?? k.name;
    writeFileSync(keyring(oddHome), JSON.stringify(file));
    const refused = await runLanes({ home: oddHome, rpcUrl: 'http://127.0.0.1:1' }, ['keys', 'add', TYPO, '--recover'], { input: TEST_MNEMONIC });
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.err, new RegExp(`error: key name "${TYPO}" is shaped like an address`));
  };
  [node] = await Promise.all([startTestNode(), addKeys()]);
  lanes = (home, ...args) => runLanes({ home, rpcUrl: node.rpcUrl }, args);
  chain = await StargateClient.connect(node.rpcUrl);
});

after(async () => {
  chain?.disconnect();
  await node?.stop();
  for (const home of [keysHome, oddHome]) if (home) rmSync(home, { recursive: true, force: true });
});

describe('lanes query', () => {
  it('bank balances and account take a key name where an address is expected: one stored in --home\'s keyring, or test0..test9', async () => {
    const bob = address(4);
    const q = (...args: string[]) => lanes(keysHome, 'query', ...args, '-o', 'json');

    const byName = await q('bank', 'balances', 'bob');
    assert.equal(byName.code, 0, byName.err);
    const balances = JSON.parse(byName.out) as { address: string; balances: { denom: string; amount: string }[] };
    assert.equal(balances.address, bob);
    assert.ok(balances.balances.some((c) => c.denom === 'ulane' && c.amount === FUNDED.toString()), byName.out);

    const account = await q('account', 'test2');
    assert.equal(account.code, 0, account.err);
    assert.equal((JSON.parse(account.out) as { address: string }).address, address(2));

    const nobody = await q('bank', 'balances', 'carol');
    assert.equal(nobody.code, 1);
    assert.equal(nobody.err, `error: address is not a lanes address or a key in ${keyring(keysHome)}: carol\n`);
  });

  it('a value shaped like an address gets the address error, never a key lookup, even where a key has that name', async () => {
    for (const [value, why] of [[TYPO, /not bech32 \(.*checksum/i], [FOREIGN, /prefix is "cosmos", expected "lanes"/], [FOREIGN_TYPO, /not bech32 \(.*checksum/i]] as const) {
      const r = await lanes(oddHome, 'query', 'bank', 'balances', value);
      assert.equal(r.code, 1, r.out);
      assert.match(r.err, new RegExp(`^error: invalid address "${value}": `), value);
      assert.match(r.err, why, value);
    }
  });

  it('amm twap: a window the chain refuses is shown with its times in ISO-8601 UTC beside the chain\'s Unix seconds; the default window is shortened to the history there is', async () => {
    // The pools' first observation is at genesis (InitChain's time, in whole seconds).
    const genesisTime = (JSON.parse(readFileSync(homePaths(node.home).genesis, 'utf8')) as { genesis_time: string }).genesis_time;
    const genesis = Math.floor(Date.parse(`${genesisTime.slice(0, 19)}Z`) / 1000);
    const iso = (s: number) => new Date(s * 1000).toISOString();
    const twap = (...args: string[]) => lanes(keysHome, 'query', 'amm', 'twap', '1', 'atom', 'usdc', ...args);
    const early = await twap('--start', '1000', '--end', String(genesis + 1));
    assert.equal(early.code, 1, early.out);
    // The chain's words are its own (modules/amm); the CLI adds the ISO forms.
    assert.match(early.err, new RegExp(`^error: query refused: amm/23: start_time 1000 \\(${iso(1000)}\\) .* at ${genesis} \\(${iso(genesis)}\\)`));
    // The default window (60 s) reaching back past the history: the history there is, said so.
    const young = await twap('--end', String(genesis + 2), '-o', 'json');
    assert.equal(young.code, 0, young.err);
    assert.equal(young.err, `note: pool 1's price history starts at ${iso(genesis)}: the window is the 2 s since then, not the default 60 s\n`);
    assert.deepEqual({ ...JSON.parse(young.out) as object, twap: undefined }, {
      pool_id: '1', base_denom: 'uatom', quote_denom: 'uusdc', start_time: iso(genesis), end_time: iso(genesis + 2), twap: undefined,
    });
    assert.equal((JSON.parse(young.out) as { twap: string }).twap, '10.000000000000000000', 'the devnet pool: 10 USDC per ATOM');
    // A pair the pool does not trade: the chain's refusal alone, no note about a window never used.
    const wrongPair = await lanes(keysHome, 'query', 'amm', 'twap', '1', 'atom', 'ueth', '--end', String(genesis + 2));
    assert.equal(wrongPair.code, 1, wrongPair.out);
    assert.match(wrongPair.err, /^error: query refused: amm\/\d+: .*ueth/);
    assert.doesNotMatch(wrongPair.err, /note:/);
    // A window asked for is not shortened.
    const asked = await twap('--end', String(genesis + 2), '--window', '60');
    assert.equal(asked.code, 1, asked.out);
    assert.match(asked.err, /before the oldest retained observation of pool 1/);
    const late = await twap('--end', '9999999999');
    assert.equal(late.code, 1, late.out);
    const m = new RegExp(`end_time 9999999999 \\(${iso(9999999999)}\\) is after the latest block time (\\d+) \\(([^)]*)\\)`).exec(late.err);
    assert.ok(m, late.err);
    assert.ok(Number(m[1]) > genesis, late.err);
    assert.equal(m[2], iso(Number(m[1])), late.err);
  });
});

describe('lanes tx bank send', () => {
  const send = (...args: string[]) => lanes(keysHome, 'tx', 'bank', 'send', ...args);

  it('<to> takes the name of a key in --home\'s keyring; neither an address nor a key is refused naming the value', async () => {
    const r = await send('test7', 'bob', '1lane'); // simulated, then stops at the confirmation: no terminal, no -y
    assert.equal(r.code, 1, r.out);
    assert.match(r.err, new RegExp(`^send 1lane \\(1000000ulane\\) to bob \\(${address(4)}\\)\n`), r.err);
    assert.match(r.err, /error: not confirmed: stdin is not a terminal/);

    const nobody = await send('test7', 'carol', '1lane');
    assert.equal(nobody.code, 1);
    assert.equal(nobody.err, `error: recipient is not a lanes address or a key in ${keyring(keysHome)}: carol\n`);
    // On the devnet the built-in test0..test9 name recipients too (elsewhere they are refused: checkRecipientChain).
    const devnet = await send('test7', 'test1', '1lane');
    assert.equal(devnet.code, 1, devnet.out);
    assert.match(devnet.err, new RegExp(`^send 1lane \\(1000000ulane\\) to test1 \\(${address(1)}\\)\n`), devnet.err);
    assert.match(devnet.err, /error: not confirmed: stdin is not a terminal/);
    const typo = await send('test7', TYPO, '1lane');
    assert.equal(typo.code, 1);
    assert.match(typo.err, new RegExp(`^error: invalid recipient "${TYPO}": not bech32`));
  });

  it('a tx the node admits is waited for and reported from its block: -y sends test7 -> bob (a key name) 1lane', async () => {
    const bob = address(4);
    const before = await balance(bob, 'ulane');
    const r = await send('test7', 'bob', '1lane', '-y', '-o', 'json');
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as { txhash: string; height: number; code: number };
    assert.equal(out.code, 0, r.out);
    assert.match(out.txhash, /^[0-9A-F]{64}$/);
    const included = await chain.getTx(out.txhash);
    assert.deepEqual([included?.height, included?.code], [out.height, 0], r.out);
    assert.equal(await balance(bob, 'ulane') - before, 1_000_000n);
  });

  it('insufficient funds in a denom the sender holds none of comes with a hint naming the chain\'s denoms; in one it holds too little of, without', async () => {
    const to = address(1);
    const unknown = await send('test8', to, '5xdenom');
    assert.equal(unknown.code, 1, unknown.err);
    assert.match(unknown.out, /^rejected in simulation \(nothing sent\)\ncodespace: sdk\ncode: 5\nlog: .*\n/);
    assert.ok(unknown.out.endsWith(`\nhint: the sender holds no xdenom; denoms on this chain: ${DENOMS}\n`), unknown.out);

    const tooLittle = await send('test8', to, '2000000lane'); // 2 * 10^12 ulane, twice what test8 holds
    assert.equal(tooLittle.code, 1, tooLittle.err);
    assert.match(tooLittle.out, /^rejected in simulation .*\ncodespace: sdk\ncode: 5\n/);
    assert.doesNotMatch(tooLittle.out, /hint/);

    const json = await send('test8', to, '5xdenom,1lane', '-o', 'json');
    assert.equal(json.code, 1, json.err);
    assert.deepEqual({ ...JSON.parse(json.out) as object, log: undefined }, {
      stage: 'simulate', codespace: 'sdk', code: 5, log: undefined, hint: `the sender holds no xdenom; denoms on this chain: ${DENOMS}`,
    });
  });

  it('a tx CheckTx refuses (sent without simulating, --gas N) is printed with its hint, and the CLI exits then, not 30 s later', async () => {
    const started = Date.now();
    const checked = await send('test8', address(1), '5xdenom,1lane', '--gas', '200000', '-y', '-o', 'json');
    const seconds = (Date.now() - started) / 1000;
    assert.equal(checked.code, 1, checked.err);
    assert.deepEqual({ ...JSON.parse(checked.out) as object, log: undefined }, {
      stage: 'check_tx', codespace: 'sdk', code: 5, log: undefined, hint: `the sender holds no xdenom; denoms on this chain: ${DENOMS}`,
    });
    // CosmJS's signAndBroadcast left its 30 s wait for the block running after the refusal.
    assert.ok(seconds < 20, `exited ${seconds.toFixed(1)} s after starting`);
  });
});

describe('a tx CheckTx admits that fails in its block', () => {
  it('is reported from its block: txhash, height, the failure\'s code, codespace and log; exit code 1; the fee paid, nothing swapped', async () => {
    // CheckTx runs a tx's Msgs for at most 1,000,000 gas (CHECK_TX_MSG_GAS) and admits one that
    // needs more on its ante alone; its block runs them in full. A swap through a very unbalanced
    // stableswap pool (~340 solver steps of 1,000 gas per curve solve) needs more: its min-out is
    // first judged in the block. Pool 4, created here, holds 900,000usdc and 2uusdt.
    const trader = address(9);
    const created = await lanes(keysHome, 'tx', 'amm', 'create-pool', 'test9', '900000000000uusdc,2uusdt', '--type', 'stableswap', '--amplification', '1', '-y', '-o', 'json');
    assert.equal(created.code, 0, created.err);
    const pool = (JSON.parse(created.out) as { pool_id: string }).pool_id;
    const [usdc, lane] = [await balance(trader, 'uusdc'), await balance(trader, 'ulane')];

    // Without simulating (--gas N): a simulation would refuse it, nothing sent.
    const r = await lanes(keysHome, 'tx', 'amm', 'swap-exact-in', 'test9', '400000000000uusdc', '--route', `${pool}:uusdt`, '--min-out', '2uusdt', '--gas', '3000000', '-y');
    assert.equal(r.code, 1, r.err);
    const m = /^txhash: ([0-9A-F]{64})\nheight: (\d+)\ncode: 11\ngas: \d+ used \/ 3000000 wanted\ncodespace: amm\nlog: failed to execute message; message index: 0: min_amount_out 2 not met: got 1: min amount out not met\n$/.exec(r.out);
    assert.ok(m, r.out);
    const included = await chain.getTx(m[1] as string);
    assert.deepEqual([included?.height, included?.code], [Number(m[2]), 11], r.out);
    assert.equal(await balance(trader, 'uusdc'), usdc, 'nothing swapped');
    assert.equal(lane - await balance(trader, 'ulane'), 7500n, 'the fee paid: 3,000,000 gas at 0.0025ulane');
  });
});
