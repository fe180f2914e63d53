// `lanes init`'s genesis: the devnet's test accounts and pools only on the devnet, or when asked;
// `lanes app` refusing state of another layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, lstatSync, mkdtempSync, symlinkSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { devnetAccounts } from '@lanes/client';
import { CommanderError } from 'commander';
import { buildProgram } from './cli.ts';
import Database from 'better-sqlite3';
import { CommittedStore, STATE_LAYOUT } from '@lanes/app';
import { UserError, homePaths, homePorts, readManifest, setHomePorts } from './node/home.ts';
import { getTomlKey, setTomlKey } from './node/config.ts';
import { runApp, stateDbProblem } from './node/appProcess.ts';
import { freePort } from './load/load.ts';
import { keyringPath, loadKeyring } from './commands/keys.ts';
import { makeUnwritable, type Unwritable } from './testing/unwritable.ts';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

interface Genesis { chain_id: string; app_state: { bank: { balances: { address: string }[] }; amm: { pools: unknown[] } } }

test('lanes init: a chain of one\'s own funds what --fund names, without pools; the test accounts and pools come on the devnet or with --devnet', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-init-'));
  const init = (home: string, args: string[]) => {
    const p = buildProgram().exitOverride().configureOutput({ writeErr: () => {} });
    p.commands.find((c) => c.name() === 'init')?.exitOverride().configureOutput({ writeErr: () => {} });
    return p.parseAsync(['node', 'lanes', '--home', join(dir, home), 'init', ...args]);
  };
  const genesis = (home: string) => JSON.parse(readFileSync(join(dir, home, 'cometbft', 'config', 'genesis.json'), 'utf8')) as Genesis;
  const testAccounts = (await devnetAccounts()).map((a) => a.address);
  const mine = testAccounts[3] as string;
  try {
    await assert.rejects(init('own', ['--chain-id', 'my-lanes-1']),
      (e) => e instanceof UserError && e.message === 'chain my-lanes-1 is not the devnet: name the accounts its genesis funds with --fund lanes1..., '
        + 'or pass --devnet for the ten public test accounts and the devnet pools');
    assert.equal(existsSync(join(dir, 'own', 'lanes.json')), false, 'nothing written');

    await init('own', ['--chain-id', 'my-lanes-1', '--fund', mine]);
    const own = genesis('own');
    assert.deepEqual(own.app_state.bank.balances.map((b) => b.address), [mine], 'only the --fund address: no pool, no LP shares');
    assert.deepEqual(own.app_state.amm.pools, []);
    // A chain of one's own takes no browser calls from other origins; the devnet any (its web app's).
    const cors = (home: string) => getTomlKey(readFileSync(join(dir, home, 'cometbft', 'config', 'config.toml'), 'utf8'), 'rpc', 'cors_allowed_origins');
    assert.equal(cors('own'), '[]');

    for (const [home, args] of [['asked', ['--chain-id', 'my-lanes-1', '--devnet']], ['devnet', []]] as const) {
      await init(home, [...args]);
      const g = genesis(home);
      const funded = g.app_state.bank.balances.map((b) => b.address);
      assert.ok(testAccounts.every((a) => funded.includes(a)), `${home}: the ten test accounts funded`);
      assert.equal(g.app_state.amm.pools.length, 3, `${home}: the devnet pools`);
      assert.equal(cors(home), home === 'devnet' ? '["*"]' : '[]', `${home}: CORS`);
    }

    // A key of the home's own keyring by name (made before init, as an operator does); a name it
    // lacks is refused naming the keyring, and so is a built-in test key's (its mnemonic is public).
    const keyed = join(dir, 'keyed');
    const quiet = process.stdout.write;
    process.stdout.write = () => true;
    try {
      await buildProgram().exitOverride().configureOutput({ writeErr: () => {} }).parseAsync(['node', 'lanes', '--home', keyed, 'keys', 'add', 'val']);
    } finally {
      process.stdout.write = quiet;
    }
    const val = loadKeyring(keyed).keys.find((k) => k.name === 'val')?.address as string;
    for (const name of ['nobody', 'test3', 'node1a']) {
      await assert.rejects(init('keyed', ['--chain-id', 'my-lanes-1', '--fund', name]),
        (e) => e instanceof UserError && e.message === `--fund: "${name}" is neither a lanes address nor a key in ${keyringPath(keyed)} (make one with \`keys add ${name}\` on this home)`);
    }
    await init('keyed', ['--chain-id', 'my-lanes-1', '--fund', 'val', mine]);
    assert.deepEqual(genesis('keyed').app_state.bank.balances.map((b) => b.address).sort(), [val, mine].sort());

    await assert.rejects(init('both', ['--chain-id', 'my-lanes-1', '--devnet', '--fund', mine]),
      (e) => e instanceof CommanderError && /option '--devnet' cannot be used with option '--fund <addresses...>'/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lanes app on state written in another layout exits naming the file, both layouts and this home\'s reset, without a stack, and leaves the state as it was', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-layout-'));
  try {
    const home = join(dir, 'node');
    await buildProgram().exitOverride().configureOutput({ writeErr: () => {} }).parseAsync(['node', 'lanes', '--home', home, 'init']);
    const { dbPath } = homePaths(home);
    const store = new CommittedStore(dbPath);
    store.commit([['k', 'v']], { height: 1n, appHash: new Uint8Array(32) });
    store.close();
    const db = new Database(dbPath);
    db.prepare("DELETE FROM meta WHERE k = 'layout'").run(); // as the builds before the record wrote it
    db.close();
    await assert.rejects(runApp({ home, abci: '127.0.0.1:0', metricsPort: 0 }), (e) => {
      assert.ok(e instanceof UserError, `a UserError (printed without a stack), got ${String(e)}`);
      assert.equal(e.message, `${dbPath} holds state in layout 1, and this build reads layout ${STATE_LAYOUT}: it would not find the state's keys. `
        + 'Every node of a chain runs one layout, so the chain starts again from genesis on all of its nodes '
        + `(this node: stop it, then npm run lanes -- --home ${home} unsafe-reset --all; a local testnet: lanes testnet init --force), or run the build that wrote the state`);
      return true;
    });
    const after = new Database(dbPath, { readonly: true });
    assert.deepEqual(after.prepare('SELECT k FROM meta ORDER BY k').pluck().all(), ['app_hash', 'height'], 'no layout recorded over the old state');
    after.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('setHomePorts (start --rpc-port, --p2p-port, --abci-port) moves a node\'s ports in lanes.json and config.toml, keeping each address\'s host; a clash is refused and changes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-ports-'));
  try {
    const home = join(dir, 'node');
    await buildProgram().exitOverride().configureOutput({ writeErr: () => {} }).parseAsync(['node', 'lanes', '--home', home, 'init']);
    const { cometConfig, manifest } = homePaths(home);
    // An operator listening on every interface for peers.
    writeFileSync(cometConfig, setTomlKey(readFileSync(cometConfig, 'utf8'), 'p2p', 'laddr', 'tcp://0.0.0.0:26656'));
    assert.deepEqual(setHomePorts(home, { rpc: 27657, p2p: 27656 }), { rpc: 27657, p2p: 27656, abci: 26658 });
    const toml = readFileSync(cometConfig, 'utf8');
    assert.equal(getTomlKey(toml, 'rpc', 'laddr'), '"tcp://127.0.0.1:27657"');
    assert.equal(getTomlKey(toml, 'p2p', 'laddr'), '"tcp://0.0.0.0:27656"');
    assert.equal(getTomlKey(toml, '', 'proxy_app'), '"127.0.0.1:26658"');
    const m = readManifest(home);
    assert.deepEqual(m?.ports, { rpc: 27657, p2p: 27656, abci: 26658 });
    assert.deepEqual(homePorts(home, m as NonNullable<typeof m>), { rpc: 27657, p2p: 27656, abci: 26658 }, 'the two files agree');
    const before = [readFileSync(cometConfig, 'utf8'), readFileSync(manifest, 'utf8')];
    assert.throws(() => setHomePorts(home, { abci: 27657 }), (e) => e instanceof UserError && e.message === 'port 27657 is given to both RPC and ABCI: each needs its own');
    assert.throws(() => setHomePorts(home, { abci: 26670 }), (e) => e instanceof UserError && e.message === 'port 26670 is given to both ABCI and metrics: each needs its own');
    assert.throws(() => setHomePorts(home, { abci: 27000 }, 27000), (e) => e instanceof UserError && e.message === 'port 27000 is given to both ABCI and metrics: each needs its own', 'this run\'s metrics port');
    assert.deepEqual([readFileSync(cometConfig, 'utf8'), readFileSync(manifest, 'utf8')], before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('setHomePorts: a file it may not write is one line naming it, and both files are left as they were', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-ports-ro-'));
  const { cometConfig, manifest } = homePaths(join(dir, 'node'));
  try {
    await buildProgram().exitOverride().configureOutput({ writeErr: () => {} }).parseAsync(['node', 'lanes', '--home', join(dir, 'node'), 'init']);
    const before = [readFileSync(cometConfig, 'utf8'), readFileSync(manifest, 'utf8')];
    // Written in place: a file this user may not write refuses (for root, an immutable one).
    for (const file of [cometConfig, manifest]) {
      const locked = makeUnwritable(file);
      if (!locked) return void t.skip('root, and no chattr +i here');
      try {
        assert.throws(() => setHomePorts(join(dir, 'node'), { rpc: 27657 }), (e) => {
          assert.ok(e instanceof UserError, String(e));
          assert.ok(e.message.startsWith(`cannot write ${file}: ${locked.code} (${locked.words}: `), e.message);
          return true;
        });
      } finally {
        locked.undo();
      }
      assert.deepEqual([readFileSync(cometConfig, 'utf8'), readFileSync(manifest, 'utf8')], before, `${file} refused: nothing changed`);
    }
    // Through a link: the file it points at gets the new ports, and the link stays.
    const real = join(dir, 'config.toml');
    writeFileSync(real, readFileSync(cometConfig));
    rmSync(cometConfig);
    symlinkSync(real, cometConfig);
    setHomePorts(join(dir, 'node'), { rpc: 27657 });
    assert.equal(lstatSync(cometConfig).isSymbolicLink(), true);
    assert.equal(getTomlKey(readFileSync(real, 'utf8'), 'rpc', 'laddr'), '"tcp://127.0.0.1:27657"');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a tx from a home with no node (no lanes.json) and no --node or LANES_NODE is refused before signing: the devnet\'s port may hold another chain', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-nonode-'));
  const saved = process.env['LANES_NODE'];
  delete process.env['LANES_NODE'];
  try {
    const run = (...args: string[]) => {
      const p = buildProgram().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
      return p.parseAsync(['node', 'lanes', '--home', dir, ...args]);
    };
    await assert.rejects(run('tx', 'bank', 'send', 'test0', 'test1', '1lane', '-y'),
      (e) => e instanceof UserError && e.message.startsWith(`${dir} has no node (no lanes.json), so which node to send to is not known: pass --node <url> or set LANES_NODE`));
  } finally {
    if (saved !== undefined) process.env['LANES_NODE'] = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lanes app on a damaged state.db (cut short, or its header overwritten) exits naming the file, SQLite\'s words and how to rebuild it from CometBFT\'s blocks, without a stack', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-corrupt-'));
  try {
    const home = join(dir, 'node');
    await buildProgram().exitOverride().configureOutput({ writeErr: () => {} }).parseAsync(['node', 'lanes', '--home', home, 'init']);
    const { dbPath } = homePaths(home);
    const damage = {
      // What a copy cut short leaves (the reviewer's `truncate -s 4096`).
      cut: () => truncateSync(dbPath, 4096),
      header: () => {
        const fd = openSync(dbPath, 'r+');
        writeSync(fd, Buffer.alloc(100, 7), 0, 100, 0);
        closeSync(fd);
      },
    };
    const rebuild = `To rebuild it from CometBFT's blocks: stop the node, delete ${dbPath} and its -wal and -shm files, and start it; `
      + 'CometBFT replays every block into the app (it checks each app hash), which takes about as long as executing the whole chain again. '
      + 'If CometBFT no longer keeps every block from height 1, that replay fails: then sync the node again from its peers '
      + `(\`npm run lanes -- --home ${home} unsafe-reset\`); a chain of your own with no other node starts over with npm run lanes -- --home ${home} unsafe-reset --all`;
    for (const [how, said] of [['cut', 'SQLITE_CORRUPT: database disk image is malformed'], ['header', 'SQLITE_NOTADB: file is not a database']] as const) {
      rmSync(homePaths(home).appDir, { recursive: true, force: true });
      const store = new CommittedStore(dbPath);
      store.commit(Array.from({ length: 2000 }, (_, i) => [`key${i}`, 'v'.repeat(100)] as [string, string]), { height: 1n, appHash: new Uint8Array(32) });
      store.close();
      damage[how]();
      await assert.rejects(runApp({ home, abci: '127.0.0.1:0', metricsPort: 0 }), (e) => {
        assert.ok(e instanceof UserError, `a UserError (printed without a stack), got ${String(e)}`);
        assert.equal(e.message, `${dbPath} is damaged (${said}). ${rebuild}`, how);
        return true;
      });
    }
    // A node that deletes old blocks cannot replay from height 1: it syncs from its peers.
    await assert.rejects(runApp({ home, abci: '127.0.0.1:0', metricsPort: 0, minRetainBlocks: 200_000 }), (e) => {
      assert.ok(e instanceof UserError, String(e));
      assert.equal(e.message, `${dbPath} is damaged (SQLITE_NOTADB: file is not a database). This node deletes its old blocks (--min-retain-blocks 200000), `
        + `so CometBFT cannot replay the chain into a new state: stop the node, then sync it again from its peers with \`npm run lanes -- --home ${home} unsafe-reset\` `
        + `(keeps its keys and config); a chain of your own with no other node starts over with npm run lanes -- --home ${home} unsafe-reset --all`);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lanes app on a state.db this user may not write exits naming it, before SQLite opens it read-only and fails at the first Commit', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-readonly-'));
  let locked: Unwritable | null = null;
  try {
    const home = join(dir, 'node');
    await buildProgram().exitOverride().configureOutput({ writeErr: () => {} }).parseAsync(['node', 'lanes', '--home', home, 'init']);
    const { dbPath } = homePaths(home);
    new CommittedStore(dbPath).close();
    locked = makeUnwritable(dbPath);
    if (!locked) return void t.skip('root, and no chattr +i here');
    // A process of its own: an app that got past the check would be serving, here for good.
    const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--home', home, 'app', '--abci', '127.0.0.1:0', '--metrics-port', '0'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1, `exit status (signal ${r.signal}):\n${r.stderr}`);
    assert.ok(r.stderr.startsWith(`error: ${dbPath} cannot be written (${locked.code}: ${locked.words}): this user may not write it`), r.stderr);
  } finally {
    locked?.undo();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stateDbProblem: a state.db SQLite (or this user) may not write, cannot open, or finds the disk full is named with the code and what to do', () => {
  const home = join(tmpdir(), 'lanes-x');
  const { dbPath, appDir } = homePaths(home);
  assert.equal(stateDbProblem(home, 'SQLITE_READONLY', 'attempt to write a readonly database', 0),
    `${dbPath} cannot be written (SQLITE_READONLY: attempt to write a readonly database): this user may not write it or its folder ${appDir} `
    + '(SQLite writes its -wal and -shm files there), or the file system is read-only; give this user write access to both, or run the node as the user that owns them');
  assert.equal(stateDbProblem(home, 'SQLITE_CANTOPEN', 'unable to open database file', 0),
    `${dbPath} cannot be opened (SQLITE_CANTOPEN: unable to open database file): check that ${appDir} exists and that this user may read and write it`);
  assert.equal(stateDbProblem(home, 'SQLITE_FULL', 'database or disk is full', 0),
    `${dbPath} cannot grow (SQLITE_FULL: database or disk is full): the disk is full; free some space and start the node again`);
  assert.equal(stateDbProblem(home, 'SQLITE_IOERR_WRITE', 'disk I/O error', 0), `${dbPath}: SQLite failed (SQLITE_IOERR_WRITE: disk I/O error)`);
  // Found before SQLite opens it (which would open it read-only, and fail at the first Commit).
  assert.equal(stateDbProblem(home, 'EACCES', 'permission denied', 0, `${dbPath}-wal`),
    `${dbPath}-wal cannot be written (EACCES: permission denied): this user may not write it or its folder ${appDir} `
    + '(SQLite writes its -wal and -shm files there), or the file system is read-only; give this user write access to both, or run the node as the user that owns them');
});

test('start --rpc-port (--p2p-port, --abci-port) checks that the node\'s ports are free before saving the move: a start refused for a taken port leaves lanes.json and config.toml as they were', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-move-'));
  const taken = createServer();
  try {
    const home = join(dir, 'node');
    const [rpc, p2p, abci] = [await freePort(), await freePort(), await freePort()];
    const lanes = (...args: string[]) => buildProgram().exitOverride().configureOutput({ writeErr: () => {} })
      .parseAsync(['node', 'lanes', '--home', home, ...args]);
    await lanes('init', '--rpc-port', String(rpc), '--p2p-port', String(p2p), '--abci-port', String(abci), '--metrics-port', '0');
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const { cometConfig, manifest } = homePaths(home);
    const before = [readFileSync(cometConfig, 'utf8'), readFileSync(manifest, 'utf8')];
    await assert.rejects(lanes('start', '--rpc-port', String(port)), (e) => {
      assert.ok(e instanceof UserError, String(e));
      assert.match(e.message, new RegExp(`^port ${port} \\(RPC\\) is already in use by another node or program`));
      return true;
    });
    assert.deepEqual([readFileSync(cometConfig, 'utf8'), readFileSync(manifest, 'utf8')], before, 'nothing saved');
    assert.deepEqual(readManifest(home)?.ports, { rpc, p2p, abci });
  } finally {
    taken.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
