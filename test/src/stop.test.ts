// Stopping a node the way a process manager does: SIGTERM to the process it started, which for
// `npm run lanes -- start` is npm itself. npm passes the signal to its script's shell; the
// scripts `exec` node, so the launcher gets it and stops CometBFT, then the app. Before, the shell
// died and the node went on signing blocks, holding its ports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { freePort, homePaths, initTestnet, isRunning, startNode } from '@lanes/abci-server';
import { devnetGenesis } from '@lanes/abci-server/lanesApp';
import { devnetAccounts } from '@lanes/client';
import { TEST_CHAIN_ID, waitFor } from './support/node.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The executor and workers of the launcher's "node ready" log line in `out`. */
function readyLine(out: string): { executor: unknown; workers: unknown } {
  const line = out.split('\n').find((l) => l.includes('"msg":"node ready"'));
  assert.ok(line, `no "node ready" line in:\n${out.slice(-2000)}`);
  const { executor, workers } = JSON.parse(line) as { executor?: unknown; workers?: unknown };
  return { executor, workers };
}

async function answers(rpc: string): Promise<boolean> {
  try {
    return (await fetch(`${rpc}/status`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/**
 * Starts a node with `npm run lanes -- start <startArgs>` on a fresh home, calls `stop(npm)` once
 * it is ready, and checks that CometBFT and the app both exit and the launcher cleans up.
 * `detached`: npm gets a process group of its own, as a terminal's foreground job has. Returns the output.
 */
async function startThenStop(stop: (npm: ReturnType<typeof spawn>) => void, detached = false, startArgs: string[] = []): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-stop-'));
  const home = join(dir, 'home');
  const [rpc, p2p, abci, metrics] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const npm = (args: string[]) => spawn('npm', ['run', '-s', 'lanes', '--', '--home', home, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached });
  try {
    const init = npm(['init', '--rpc-port', String(rpc), '--p2p-port', String(p2p), '--abci-port', String(abci), '--metrics-port', String(metrics), '--block-time', '200']);
    assert.equal((await once(init, 'close'))[0], 0, 'lanes init');
    const node = npm(['start', ...startArgs]);
    let out = '';
    node.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    node.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
    const closed = once(node, 'close');
    const pids: number[] = [];
    try {
      await waitFor(() => out.includes('Lanes node ready'), 90_000, `the node to start:\n${out}`);
      for (const f of [homePaths(home).appPid, homePaths(home).cometPid]) pids.push(Number(readFileSync(f, 'utf8').trim()));
      assert.equal(await answers(`http://127.0.0.1:${rpc}`), true);
      stop(node);
      const stopped = await Promise.race([closed, new Promise<undefined>((r) => setTimeout(() => r(undefined), 30_000).unref())]);
      assert.ok(stopped, `npm did not exit within 30 s of the signal:\n${out.slice(-2000)}`);
      await waitFor(() => pids.every((pid) => !isRunning(pid)), 30_000, `the app (${pids[0]}) and CometBFT (${pids[1]}) to exit:\n${out.slice(-2000)}`);
      assert.equal(await answers(`http://127.0.0.1:${rpc}`), false, 'nothing answers at the node\'s RPC any more');
      assert.equal(existsSync(homePaths(home).appPid), false, 'the launcher removed its pid files');
      return out;
    } finally {
      for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
      if (node.exitCode === null && node.pid !== undefined) node.kill('SIGKILL');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('SIGTERM to `npm run lanes -- start` stops the whole node: CometBFT, then the app', { timeout: 120_000 }, async () => {
  // npm's own pid, as `kill <pid>` or a process manager sends it.
  const out = await startThenStop((npm) => npm.kill('SIGTERM'), false, ['--executor', 'sequential']);
  assert.match(out, /app stopped/);
  // The launcher's "node ready" line names workers only for the parallel executor (the other test's).
  assert.deepEqual(readyLine(out), { executor: 'sequential', workers: undefined });
});

test('Ctrl-C in a terminal (SIGINT to npm\'s whole process group, which npm forwards again) stops the node cleanly, not by force', { timeout: 120_000 }, async () => {
  const out = await startThenStop((npm) => process.kill(-(npm.pid as number), 'SIGINT'), true);
  assert.match(out, /SIGINT: stopping CometBFT, then the app/);
  assert.doesNotMatch(out, /again: not waiting/, 'one Ctrl-C must not force the node down');
  assert.match(out, /app stopped/);
  assert.match(out, /node stopped/);
  const ready = readyLine(out); // `lanes init`'s default executor: parallel, with the CPU count - 1 workers
  assert.ok(ready.executor === 'parallel' && typeof ready.workers === 'number', JSON.stringify(ready));
});

test('Ctrl-C while the node is still starting (here: a validator of two, waiting for the other) stops what it started, CometBFT then the app, and says so', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-stop-early-'));
  try {
    const drawn: { rpc: number; p2p: number; abci: number; metrics: number }[] = [];
    for (let i = 0; i < 2; i++) drawn.push({ rpc: await freePort(), p2p: await freePort(), abci: await freePort(), metrics: await freePort() });
    const genesisAppState = devnetGenesis((await devnetAccounts()).map((a) => a.address));
    const [node0] = initTestnet({ dir, validators: 2, chainId: TEST_CHAIN_ID, genesisAppState, executors: ['sequential'], ports: (i) => drawn[i]! });
    const home = node0!.home;
    const npm = spawn('npm', ['run', '-s', 'lanes', '--', '--home', home, 'start'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    npm.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    npm.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
    const closed = once(npm, 'close');
    const pids: number[] = [];
    try {
      // Up, at height 0: the first block needs the other validator, which never comes.
      await waitFor(() => out.includes('waiting for the other validators'), 90_000, `node0 to wait for node1:\n${out}`);
      for (const f of [homePaths(home).appPid, homePaths(home).cometPid]) pids.push(Number(readFileSync(f, 'utf8').trim()));
      process.kill(-(npm.pid as number), 'SIGINT'); // a terminal's Ctrl-C: the whole process group
      const [code] = (await Promise.race([closed, new Promise<undefined>((r) => setTimeout(() => r(undefined), 30_000).unref())])) ?? [];
      assert.equal(code, 0, `npm's exit status: a clean stop, as after the node was ready:\n${out.slice(-2000)}`);
      assert.match(out, /SIGINT: stopping the node before it is ready: CometBFT, then the app/);
      assert.doesNotMatch(out, /again: not waiting/, 'one Ctrl-C must not force the node down');
      assert.match(out, /node stopped by SIGINT before it was ready/);
      assert.match(out, /app stopped/);
      await waitFor(() => pids.every((pid) => !isRunning(pid)), 30_000, `the app (${pids[0]}) and CometBFT (${pids[1]}) to exit:\n${out.slice(-2000)}`);
      assert.equal(existsSync(homePaths(home).appPid), false, 'the launcher removed its pid files');
    } finally {
      for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
      if (npm.exitCode === null && npm.pid !== undefined) process.kill(-npm.pid, 'SIGKILL');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a start abandoned while the app is still starting (its signal aborted) stops the app, and fails only once it has exited: nothing left running', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-stop-app-'));
  try {
    const ports = { rpc: await freePort(), p2p: await freePort(), abci: await freePort(), metrics: await freePort() };
    const genesisAppState = devnetGenesis((await devnetAccounts()).map((a) => a.address));
    const [node] = initTestnet({ dir, validators: 1, chainId: TEST_CHAIN_ID, genesisAppState, executors: ['sequential'], ports: () => ports });
    const home = node!.home;
    const abandon = new AbortController();
    const lines: string[] = [];
    const output = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString('utf8')); done(); } });
    // Aborted as soon as the app has written its pid file: it is running, not yet listening.
    const started = startNode({ home, logger: pino({ level: 'silent' }), output, signal: abandon.signal });
    await waitFor(() => existsSync(homePaths(home).appPid), 30_000, 'the app to be spawned');
    const appPid = Number(readFileSync(homePaths(home).appPid, 'utf8').trim());
    abandon.abort(new Error('stopped by SIGINT before it was ready'));
    await assert.rejects(started, (e: unknown) => {
      assert.match(String((e as Error).message), /^start abandoned: stopped by SIGINT before it was ready \(the app killed by SIGTERM\)/);
      return true;
    });
    assert.equal(isRunning(appPid), false, `the app (${appPid}) has exited by the time startNode fails`);
    // Stopped while loading (it takes a second or more to listen), not waited for.
    assert.ok(!lines.join('').includes('ABCI gRPC server listening'), `the app was stopped before it listened:\n${lines.join('').slice(-1500)}`);
    assert.equal(existsSync(homePaths(home).appPid), false, 'pid files removed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
