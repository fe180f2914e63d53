import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { devnetAccounts } from '@lanes/client';
import { KEYRING_WARNING, keyringPath, resolveKey } from './keys.ts';

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
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', harness, '--', '--home', home, ...args], {
    cwd: here,
    encoding: 'utf8',
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
    assert.ok(list.every((k) => k.source === 'devnet (built in)'));
  });
});
