// How a node that cannot run says so, as its operator sees it, on the real CometBFT: a panic at
// startup shows its message; a damaged state.db names the file and the way back, which works
// (CometBFT replays the chain into a new state); and a supervisor that gives up stops the node,
// says "node failed" and exits 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { StargateClient } from '@cosmjs/stargate';
import { UserError, freePort, homePaths, isRunning, startNode } from '@lanes/abci-server';
import { startTestNode, waitFor } from './support/node.ts';
import { devnetWallet, signingClient } from './support/chain.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function height(rpc: string): Promise<number> {
  const r = (await (await fetch(`${rpc}/status`)).json()) as { result: { sync_info: { latest_block_height: string } } };
  return Number(r.result.sync_info.latest_block_height);
}

/** startNode on a home a test node ran on (its lanes.json's ports and settings), quiet. */
function restart(home: string) {
  return startNode({ home, logger: pino({ level: 'silent' }), output: null, cometbftLogLevel: '*:error', appLogLevel: 'warn', readyTimeoutMs: 60_000 });
}

test('CometBFT panicking at startup (its blocks deleted, the app\'s state kept): the error shows the panic\'s message, which its stack trace pushes out of the last lines', { timeout: 180_000 }, async () => {
  const node = await startTestNode({ blockTimeMs: 200, keepHome: true });
  try {
    await waitFor(async () => (await height(node.rpcUrl)) >= 3, 60_000, 'height 3');
    await node.stop();
    // All of CometBFT's data but the validator's signing record: its state is back at genesis,
    // the app's is not, and the handshake panics.
    const data = join(node.home, 'cometbft', 'data');
    for (const f of readdirSync(data)) if (f !== 'priv_validator_state.json') rmSync(join(data, f), { recursive: true, force: true });
    await assert.rejects(restart(node.home), (e) => {
      assert.ok(e instanceof UserError, `a UserError, got ${String(e)}`);
      const m = e.message;
      // The message's head and end (between them, a state dump), then the last lines.
      assert.match(m, /^CometBFT exited during startup\ncometbft panicked:\n {2}panic: state\.AppHash does not match AppHash after replay\. Got\n {2}[0-9A-F]{64}, expected \.\n {2}State: /, m);
      assert.match(m, /\n {2}\.\.\. \(\d+ more lines\)\n.*\n {2}Did you reset CometBFT without resetting your application's data\?\nlast lines of cometbft:\n/, m);
      // The last lines are the goroutine dump, without the panic's line.
      const tail = m.slice(m.indexOf('last lines of cometbft:'));
      assert.doesNotMatch(tail, /panic: /, tail);
      return true;
    });
    assert.equal(existsSync(homePaths(node.home).appPid), false, 'the app stopped, pid files removed');
  } finally {
    rmSync(node.home, { recursive: true, force: true });
  }
});

test('a damaged state.db: the start fails naming it and the way back; deleting it as told, CometBFT replays the chain into the app, which carries on with the same state', { timeout: 180_000 }, async () => {
  const node = await startTestNode({ blockTimeMs: 200, keepHome: true });
  const { dbPath } = homePaths(node.home);
  try {
    const wallet = await devnetWallet([5, 6]);
    const [from, to] = (await wallet.getAccounts()).map((a) => a.address) as [string, string];
    const signer = await signingClient(node.rpcUrl, wallet);
    const sent = await signer.sendTokens(from, to, [{ denom: 'uusdc', amount: '7' }], 'auto');
    assert.equal(sent.code, 0, sent.rawLog);
    const before = await signer.getBalance(to, 'uusdc');
    signer.disconnect();
    const stoppedAt = await height(node.rpcUrl);
    await node.stop();

    truncateSync(dbPath, 4096); // a copy cut short
    for (const f of [`${dbPath}-wal`, `${dbPath}-shm`]) rmSync(f, { force: true });
    await assert.rejects(restart(node.home), (e) => {
      assert.ok(e instanceof UserError, `a UserError, got ${String(e)}`);
      assert.match(e.message, /^the app exited with code 1 before it was ready\nlast lines of app:\n/, e.message);
      assert.ok(e.message.includes(`${dbPath} is damaged (SQLITE_CORRUPT: database disk image is malformed). To rebuild it from CometBFT's blocks: `
        + `stop the node, delete ${dbPath} and its -wal and -shm files, and start it`), e.message);
      return true;
    });

    for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) rmSync(f, { force: true });
    const handle = await restart(node.home);
    try {
      const h = await height(handle.rpcUrl);
      assert.ok(h >= stoppedAt, `the chain goes on from height ${stoppedAt}: at ${h}`);
      const client = await StargateClient.connect(handle.rpcUrl);
      const after = await client.getBalance(to, 'uusdc');
      client.disconnect();
      assert.deepEqual(after, before, 'the replayed state has the tx');
    } finally {
      await handle.stop();
    }
  } finally {
    rmSync(node.home, { recursive: true, force: true });
  }
});

/** A process's state letter and parent, from Linux's /proc/<pid>/stat (its name, in parentheses, may hold spaces). */
function procStat(pid: number): { state: string; ppid: number } {
  const [state, ppid] = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return { state: state ?? '', ppid: Number(ppid) };
}

test('when the supervisor gives up (the app killed, its state.db damaged so that it cannot come back), `lanes start` stops CometBFT, removes the pid files, says "node failed" and exits 1', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-giveup-'));
  const home = join(dir, 'home');
  const [rpc, p2p, abci, metrics] = [await freePort(), await freePort(), await freePort(), await freePort()];
  // A process group of its own: the launcher is npm's child, and goes with it if the test fails.
  const npm = (args: string[]) => spawn('npm', ['run', '-s', 'lanes', '--', '--home', home, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const pids: number[] = [];
  let node: ReturnType<typeof npm> | undefined;
  try {
    const init = npm(['init', '--rpc-port', String(rpc), '--p2p-port', String(p2p), '--abci-port', String(abci), '--metrics-port', String(metrics), '--block-time', '200']);
    assert.equal((await once(init, 'close'))[0], 0, 'lanes init');
    node = npm(['start', '--executor', 'sequential']);
    let out = '';
    node.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    node.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
    const closed = once(node, 'close');
    await waitFor(() => out.includes('Lanes node ready'), 90_000, `the node to start:\n${out}`);
    const p = homePaths(home);
    for (const f of [p.appPid, p.cometPid]) pids.push(Number(readFileSync(f, 'utf8').trim()));
    // Killed first: a running app could write the file back. The launcher (the app's parent) is
    // paused meanwhile, so that it cannot restart the app before the file is damaged, however
    // busy the machine; the app, dead, stays a zombie until the launcher goes on and reaps it.
    const app = pids[0] as number;
    const launcher = procStat(app).ppid;
    process.kill(launcher, 'SIGSTOP');
    try {
      process.kill(app, 'SIGKILL');
      await waitFor(() => !isRunning(app) || procStat(app).state === 'Z', 5000, 'the app to die');
      for (const f of [`${p.dbPath}-wal`, `${p.dbPath}-shm`]) rmSync(f, { force: true }); // the WAL holds a copy of the header
      const fd = openSync(p.dbPath, 'r+');
      writeSync(fd, Buffer.alloc(100, 7), 0, 100, 0); // its header: no longer a database
      closeSync(fd);
    } finally {
      process.kill(launcher, 'SIGCONT');
    }
    const [code] = (await Promise.race([closed, new Promise<undefined>((r) => setTimeout(() => r(undefined), 120_000).unref())])) ?? [];
    assert.equal(code, 1, `the launcher's exit status:\n${out.slice(-3000)}`);
    assert.match(out, /5 restarts within a minute; giving up/);
    assert.match(out, /file is not a database/, 'the app\'s last lines say why');
    assert.match(out, /node failed; see the log above/);
    assert.equal(existsSync(p.appPid) || existsSync(p.cometPid), false, 'the pid files removed');
    assert.deepEqual(pids.filter((pid) => isRunning(pid)), [], 'CometBFT stopped');
  } finally {
    for (const f of [homePaths(home).appPid, homePaths(home).cometPid]) if (existsSync(f)) pids.push(Number(readFileSync(f, 'utf8').trim()));
    for (const pid of pids) if (pid > 1 && isRunning(pid)) process.kill(pid, 'SIGKILL');
    if (node?.pid !== undefined && node.exitCode === null) process.kill(-node.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
