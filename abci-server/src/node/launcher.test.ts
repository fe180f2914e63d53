// A home the node cannot write (a read-only folder, a permission error, a full disk): one line
// naming the path and the error code, without a stack, and nothing left running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { devnetAccounts } from '@lanes/client';
import { devnetGenesis } from '../lanesApp.ts';
import { freePort } from '../load/load.ts';
import { UserError, assertHomeWritable, homePaths, homeWriteError, initHome, type InitHomeOptions } from './home.ts';
import { startNode } from './launcher.ts';
import { makeUnwritable } from '../testing/unwritable.ts';

/** An fs error as Node makes them. */
function fsError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

test('homeWriteError: a permission error, a read-only or a full disk is one line naming the path, the code and what to do; other errors pass through', () => {
  const path = '/srv/lanes/app.pid';
  const user = userInfo().username;
  const said = (err: unknown): string => {
    const e = homeWriteError(err, path);
    assert.ok(e instanceof UserError, `a UserError, got ${String(e)}`);
    return e.message;
  };
  assert.equal(said(fsError('EACCES', `permission denied, open '${path}'`)),
    `cannot write ${path}: EACCES (permission denied: run the node as the user who owns it, or give this user (${user}) write access to it)`);
  assert.equal(said(fsError('EROFS', `read-only file system, open '${path}'`)),
    `cannot write ${path}: EROFS (read-only file system: remount it read-write, or keep the node's home on another disk (--home, LANES_HOME))`);
  // Node names no path for a full disk ("ENOSPC: no space left on device, write").
  assert.equal(said(fsError('ENOSPC', 'no space left on device, write')),
    `cannot write ${path}: ENOSPC (no space left on device: free some space on its disk, then start the node again)`);
  assert.equal(said(fsError('ENOTDIR', `not a directory, mkdir '${path}'`)), `cannot write ${path}: ENOTDIR (not a directory)`);
  assert.equal((homeWriteError(fsError('EACCES', `permission denied, open '${path}'`), path, 'read') as Error).message,
    `cannot read ${path}: EACCES (permission denied: run the node as the user who owns it, or give this user (${user}) read access to it)`);
  const bug = new TypeError('x is not a function');
  assert.equal(homeWriteError(bug, path), bug, 'not a file system error: shown with its stack');
});

/** A devnet home on free ports, with `settings` in its lanes.json. */
async function initTestHome(home: string, settings: Pick<InitHomeOptions, 'metricsPort' | 'metricsHost'>): Promise<void> {
  const ports = { rpc: await freePort(), p2p: await freePort(), abci: await freePort() };
  initHome({ home, chainId: 'lanes-devnet-1', ports, ...settings, genesisAppState: devnetGenesis((await devnetAccounts()).map((a) => a.address)) });
}

test('assertHomeWritable: a home whose app/ cannot be made is refused naming it, by startNode before anything starts; a home it can write is left as it was', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-writable-'));
  try {
    const fresh = join(dir, 'fresh');
    assertHomeWritable(fresh);
    assert.deepEqual(readdirSync(fresh).sort(), ['app', 'cometbft'], 'the folders made, no probe file left');
    assert.deepEqual(readdirSync(join(fresh, 'cometbft')), ['data']);

    const home = join(dir, 'h');
    await initTestHome(home, { metricsPort: 0 });
    rmSync(homePaths(home).appDir, { recursive: true });
    writeFileSync(homePaths(home).appDir, 'a file where the app\'s folder goes');
    const refused = `cannot write ${homePaths(home).appDir}: EEXIST (file already exists)`;
    assert.throws(() => assertHomeWritable(home), (e) => e instanceof UserError && e.message === refused);
    await assert.rejects(startNode({ home, logger: pino({ level: 'silent' }), output: null }), (e) => e instanceof UserError && e.message === refused);
    assert.equal(existsSync(homePaths(home).appPid), false, 'nothing started');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('assertHomeWritable: a folder this user may not write is refused, naming it and the code', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-writable-'));
  const locked = makeUnwritable(dir);
  try {
    if (!locked) return void t.skip('root, and no chattr +i here');
    assert.throws(() => assertHomeWritable(dir), (e) => e instanceof UserError && e.message.startsWith(`cannot write ${dir}: ${locked.code} (${locked.words}: `));
  } finally {
    locked?.undo();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--metrics-host: the app process is told it, and an address this machine does not have is refused before anything starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-metrics-host-'));
  try {
    const home = join(dir, 'h');
    await initTestHome(home, { metricsHost: '0.0.0.0' });
    // 192.0.2.1 (TEST-NET-1, RFC 5737) is no machine's own address.
    await assert.rejects(startNode({ home, logger: pino({ level: 'silent' }), output: null, metricsPort: await freePort(), metricsHost: '192.0.2.1' }), (e) => {
      assert.ok(e instanceof UserError, String(e));
      assert.equal(e.message, `metrics host 192.0.2.1 (--metrics-host, or "metricsHost" in ${join(home, 'lanes.json')}) is not an address of this machine: give one of its addresses, 0.0.0.0 for every interface, or 127.0.0.1`);
      return true;
    });
    assert.equal(existsSync(homePaths(home).appPid), false, 'nothing started');
    // lanes.json's host goes to the app (metrics off here, so that nothing listens beyond 127.0.0.1).
    const argvFile = join(dir, 'argv.json');
    const stub = join(dir, 'stub-app.mjs');
    writeFileSync(stub, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(argvFile)}, JSON.stringify(process.argv));\nprocess.exit(3);\n`);
    await assert.rejects(startNode({ home, logger: pino({ level: 'silent' }), output: null, metricsPort: 0, appEntry: stub, maxRestartsPerMinute: 0 }));
    const argv = JSON.parse(readFileSync(argvFile, 'utf8')) as string[];
    assert.equal(argv[argv.indexOf('--metrics-host') + 1], '0.0.0.0', argv.join(' '));
    assert.equal(argv[argv.indexOf('--metrics-port') + 1], '0', argv.join(' '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pid file that cannot be written fails the start in one line naming it, and stops the app it had started', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-pidfile-'));
  try {
    const home = join(dir, 'h');
    await initTestHome(home, { metricsPort: 0 });
    // A folder where app.pid goes: its write fails (EISDIR) as a full disk's does (ENOSPC), once
    // the app is spawned. (A link to /dev/full would not do: the start reads the pid file first.)
    mkdirSync(homePaths(home).appPid);
    // An app that only waits (it would be stopped before it could listen anyway).
    const stub = join(dir, 'stub-app.mjs');
    writeFileSync(stub, 'setInterval(() => {}, 1000);\n');
    await assert.rejects(startNode({ home, logger: pino({ level: 'silent' }), output: null, appEntry: stub }), (e) => {
      assert.ok(e instanceof UserError, `a UserError (printed without a stack), got ${String(e)}`);
      assert.equal(e.message, `cannot write ${homePaths(home).appPid}: EISDIR (illegal operation on a directory)`);
      return true;
    });
    // Nothing runs with this home on its command line.
    const running = readdirSync('/proc').filter((pid) => /^\d+$/.test(pid)).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(home);
      } catch {
        return false;
      }
    });
    assert.deepEqual(running, [], 'the app started was stopped');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
