import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEVNET_CHAIN_ID, TESTNET_CHAIN_ID, TEST_MNEMONIC, devnetAccounts } from '@lanes/client';
import { CliError, KEYRING_WARNING, keyringPath, loadKeyring, resolveAddress, resolveKey } from './keys.ts';
import { checkRecipientChain } from './tx.ts';

const homes: string[] = [];
function freshHome(): string {
  const h = mkdtempSync(join(tmpdir(), 'lanes-keys-'));
  homes.push(h);
  return h;
}
after(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const here = dirname(fileURLToPath(import.meta.url));
// The root program is stubbed (cli.ts pulls in the whole node); only `--home` matters here.
const harness = `
import { Command } from 'commander';
import { register } from ${JSON.stringify(pathToFileURL(join(here, 'keys.ts')).href)};
const program = new Command('lanes').option('--home <dir>');
register(program);
await program.parseAsync(process.argv.slice(1), { from: 'user' });
`;

/** Runs `lanes --home <home> <args>` in a child process; returns stdout, stderr and the exit code. */
function lanes(home: string, ...args: string[]): { out: string; err: string; code: number } {
  return lanesWithInput(home, '', ...args);
}

/** As `lanes`, with `input` on stdin (a mnemonic for `keys add --recover`). */
function lanesWithInput(home: string, input: string, ...args: string[]): { out: string; err: string; code: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', harness, '--', '--home', home, ...args], {
    cwd: here,
    encoding: 'utf8',
    input,
    env: { ...process.env, LANES_HOME: '' },
  });
  return { out: r.stdout, err: r.stderr, code: r.status ?? -1 };
}

describe('lanes keys', () => {
  it('resolves devnet keys test0..test9 on a fresh home, by name and by address', async () => {
    const home = freshHome();
    const accounts = await devnetAccounts();
    const byName = await resolveKey(home, 'test7');
    assert.equal(byName.entry.address, accounts[7]?.address);
    const [acc] = await byName.wallet.getAccounts();
    assert.equal(acc?.address, accounts[7]?.address);
    const byAddr = await resolveKey(home, accounts[2]?.address ?? '');
    assert.equal(byAddr.entry.name, 'test2');
    await assert.rejects(resolveKey(home, 'test10'), /no key named "test10"/);
    await assert.rejects(resolveKey(home, 'lanes1jt5nj88t8rzfzs8pq9hwhxf0sj07uj6wnyry8e'), /no key for address lanes1jt5n/);
    // A mistyped address (test1's, its checksum's last character changed) is refused as an address, not looked up as a name.
    await assert.rejects(resolveKey(home, 'lanes1erxf3sa9q2j4vgseu7jq4a258ckmk7cyz42kxp'), (e) => e instanceof CliError && /^invalid signer "lanes1erxf.*": not bech32/.test(e.message));
    await assert.rejects(resolveKey(home, 'cosmos1erxf3sa9q2j4vgseu7jq4a258ckmk7cy076t8z'), /invalid signer "cosmos1erxf.*": prefix is "cosmos", expected "lanes"/);
  });

  it('resolveAddress: a stored key by name; else test0..test9, marked built in, which checkRecipientChain refuses off the devnet', async () => {
    const home = freshHome();
    const accounts = await devnetAccounts();
    const builtIn = await resolveAddress(home, 'test3', 'recipient');
    assert.deepEqual(builtIn, { address: accounts[3]?.address, name: 'test3', builtIn: true });
    assert.doesNotThrow(() => checkRecipientChain(builtIn, DEVNET_CHAIN_ID));
    assert.doesNotThrow(() => checkRecipientChain(builtIn, TESTNET_CHAIN_ID), 'the local testnet funds the test accounts too');
    assert.throws(() => checkRecipientChain(builtIn, 'my-lanes-1'), (e) => e instanceof CliError
      && e.message === 'recipient test3 is a built-in devnet key, whose mnemonic is public, and chain my-lanes-1 is neither the devnet nor the local testnet: give the address itself, or store the key with `lanes keys import-devnet`');
    // Stored (import-devnet), the same name is the keyring's: no longer built in, taken on any chain.
    assert.equal(lanes(home, 'keys', 'import-devnet').code, 0);
    const stored = await resolveAddress(home, 'test3', 'recipient');
    assert.deepEqual(stored, { address: accounts[3]?.address, name: 'test3' });
    assert.doesNotThrow(() => checkRecipientChain(stored, 'my-lanes-1'));
    const plain = await resolveAddress(home, accounts[5]?.address ?? '', 'recipient');
    assert.deepEqual(plain, { address: accounts[5]?.address });
    assert.doesNotThrow(() => checkRecipientChain(plain, 'my-lanes-1'));
    await assert.rejects(resolveAddress(home, 'test10', 'recipient'), new RegExp(`^CliError: recipient is not a lanes address or a key in ${keyringPath(home).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: test10$`));
  });

  it('add refuses a name shaped like an address, which an address argument would read as one', () => {
    const home = freshHome();
    for (const name of ['lanes1-ops', 'lanes1erxf3sa9q2j4vgseu7jq4a258ckmk7cyz42kxp', 'cosmos1erxf3sa9q2j4vgseu7jq4a258ckmk7cy076t8z']) {
      const r = lanes(home, 'keys', 'add', name);
      assert.equal(r.code, 1, name);
      assert.match(r.err, new RegExp(`key name "${name}" is shaped like an address, and would be read as one: choose another name`), name);
    }
    assert.equal(lanes(home, 'keys', 'add', 'ops-lanes1').code, 0, 'lanes1 inside a name is fine');
  });

  it('show -a prints only the address; every command notes the test keyring on stderr', async () => {
    const home = freshHome();
    const r = lanes(home, 'keys', 'show', 'test0', '-a');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `${(await devnetAccounts())[0]?.address}\n`);
    assert.match(r.err, /TEST KEYRING/);
    assert.equal(r.err.trim().split('\n').length, 1);
  });

  it('add writes a 0600 keyring with the warning and a 24-word mnemonic; duplicates fail', async () => {
    const home = freshHome();
    const r = lanes(home, 'keys', 'add', 'alice', '-o', 'json');
    assert.equal(r.code, 0, r.err);
    const shown = JSON.parse(r.out) as { address: string; mnemonic: string };
    assert.equal(shown.mnemonic.split(' ').length, 24);
    assert.match(shown.address, /^lanes1/);
    const path = keyringPath(home);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const file = JSON.parse(readFileSync(path, 'utf8')) as { warning: string; keys: { name: string; address: string }[] };
    assert.equal(file.warning, KEYRING_WARNING);
    assert.deepEqual(file.keys.map((k) => [k.name, k.address]), [['alice', shown.address]]);
    assert.equal((await resolveKey(home, 'alice')).entry.address, shown.address);

    const again = lanes(home, 'keys', 'add', 'alice');
    assert.equal(again.code, 1);
    assert.match(again.err, /key "alice" already exists/);
    const reserved = lanes(home, 'keys', 'add', 'test3');
    assert.match(reserved.err, /"test3" is reserved/);
  });

  it('import-devnet stores test0..test9 once; list shows them from the keyring', async () => {
    const home = freshHome();
    const r1 = lanes(home, 'keys', 'import-devnet');
    assert.match(r1.out, /imported test0, test1, .*test9/);
    const r2 = lanes(home, 'keys', 'import-devnet');
    assert.match(r2.out, /already present/);
    const list = JSON.parse((lanes(home, 'keys', 'list', '-o', 'json')).out) as { name: string; address: string; source: string }[];
    const accounts = await devnetAccounts();
    assert.deepEqual(list.map((k) => [k.name, k.address, k.source]), accounts.map((a) => [`test${a.index}`, a.address, 'keyring']));
  });

  it('list on a fresh home shows the ten built-in devnet keys', async () => {
    const list = JSON.parse((lanes(freshHome(), 'keys', 'list', '-o', 'json')).out) as { name: string; source: string }[];
    assert.equal(list.length, 10);
    assert.ok(list.every((k) => k.source === 'devnet (built in)'), `sources ${[...new Set(list.map((k) => k.source))].join(', ')}: expected all 'devnet (built in)'`);
  });

  it('refuses a damaged keyring, saying what is wrong with it, and leaves the file alone', async () => {
    const home = freshHome();
    const path = keyringPath(home);
    const refused = async (content: string, re: RegExp) => {
      writeFileSync(path, content, { mode: 0o600 });
      await assert.rejects(resolveKey(home, 'alice'), (e: unknown) => e instanceof CliError && re.test(e.message) && e.message.includes(path));
      assert.equal(readFileSync(path, 'utf8'), content);
    };
    await refused('{ not json', /^cannot read keyring /);
    await refused('{"version":1}', /is malformed: no "keys" array/);
    await refused('{"version":7,"keys":[]}', /has version 7, expected 1/);
    await refused('{"version":1,"keys":[{"name":"alice"}]}', /is malformed: bad entry \{"name":"alice"\}/);
    // An entry whose mnemonic does not derive the address the file gives it.
    const a = (await devnetAccounts())[1]?.address ?? '';
    const entry = { name: 'alice', address: a, index: 0, hdPath: "m/44'/118'/0'/0/0", mnemonic: TEST_MNEMONIC };
    writeFileSync(path, JSON.stringify({ version: 1, keys: [entry] }), { mode: 0o600 });
    await assert.rejects(resolveKey(home, 'alice'), (e: unknown) => e instanceof CliError && /keyring entry "alice" is corrupt: its mnemonic derives lanes1\S+, file says /.test(e.message));
    // Unreadable: a folder where the file should be.
    const other = freshHome();
    mkdirSync(keyringPath(other));
    assert.throws(() => loadKeyring(other), (e: unknown) => e instanceof CliError && e.message.startsWith(`cannot read keyring ${keyringPath(other)}: `));
  });

  it('add --recover refuses a bad mnemonic, and a second name for an address already in the keyring', () => {
    const home = freshHome();
    const short = lanesWithInput(home, 'abandon abandon abandon\n', 'keys', 'add', 'bob', '--recover');
    assert.equal(short.code, 1);
    assert.match(short.err, /invalid mnemonic: 3 words, expected 12, 15, 18, 21 or 24/);
    const badChecksum = lanesWithInput(home, `${'abandon '.repeat(11)}abandon\n`, 'keys', 'add', 'bob', '--recover');
    assert.equal(badChecksum.code, 1);
    assert.match(badChecksum.err, /invalid mnemonic: /);
    assert.equal(existsSync(keyringPath(home)), false, 'nothing written');
    assert.equal(lanesWithInput(home, `${TEST_MNEMONIC}\n`, 'keys', 'add', 'bob', '--recover').code, 0);
    const clash = lanesWithInput(home, `${TEST_MNEMONIC}\n`, 'keys', 'add', 'carol', '--recover');
    assert.equal(clash.code, 1);
    assert.match(clash.err, /address lanes1\S+ is already in the keyring as "bob"/);
  });
});
