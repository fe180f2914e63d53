import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isLanesAddress } from './address.ts';
import { lanesWallet } from './connect.ts';
import { DEVNET_ACCOUNT_COUNT, devnetAccounts, devnetWallet, TEST_MNEMONIC } from './devnet.ts';

describe('devnet accounts', () => {
  it('are 10 distinct lanes1 addresses with indices 0..9', async () => {
    const accounts = await devnetAccounts();
    assert.equal(accounts.length, DEVNET_ACCOUNT_COUNT);
    assert.deepEqual(accounts.map((a) => a.index), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(new Set(accounts.map((a) => a.address)).size, 10);
    for (const a of accounts) {
      assert.match(a.address, /^lanes1[02-9ac-hj-np-z]{38}$/);
      assert.ok(isLanesAddress(a.address), `${a.address} should be a lanes address`);
    }
  });

  it('index 0 is stable across calls and matches the known vector', async () => {
    const [a, b] = await Promise.all([devnetAccounts(), devnetAccounts()]);
    assert.equal(a[0]?.address, b[0]?.address);
    // m/44'/118'/0'/0/0 of TEST_MNEMONIC. If this changes, every devnet genesis and doc breaks.
    assert.equal(a[0]?.address, 'lanes15yk64u7zc9g9k2yr2wmzeva5qgwxps6yteljcu');
  });

  it('devnetWallet signs for the same addresses; lanesWallet firstIndex picks one account', async () => {
    const accounts = await devnetAccounts();
    const fromWallet = (await (await devnetWallet()).getAccounts()).map((a) => a.address);
    assert.deepEqual(fromWallet, accounts.map((a) => a.address));
    const third = await (await lanesWallet(TEST_MNEMONIC, { firstIndex: 3 })).getAccounts();
    assert.equal(third.length, 1);
    assert.equal(third[0]?.address, accounts[3]?.address);
    assert.equal(third[0]?.algo, 'secp256k1');
  });

  it('lanesWallet rejects bad options, naming the value', async () => {
    await assert.rejects(lanesWallet(TEST_MNEMONIC, { accounts: 0 }), /invalid accounts 0/);
    await assert.rejects(lanesWallet(TEST_MNEMONIC, { firstIndex: -1 }), /invalid firstIndex -1/);
  });
});
