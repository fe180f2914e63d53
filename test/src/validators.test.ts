// Two validators of equal power on real CometBFT, one running the parallel executor and the other
// the sequential one. Each needs the other's vote for every block, and a block's header carries
// the app hash its proposer's app computed for the block before: were the executors to differ in
// one byte of state, the validator that disagrees would refuse the next proposal and the chain
// would stop. So blocks that keep coming, under load sent to one node and swaps sent with
// unmodified CosmJS to the other, mean the two executors agreed on every block; the test also
// reads both apps' last app hash at the same height, and checks that the parallel node really
// scheduled blocks in parallel. Both nodes also check the txs gossiped from the other, and
// propose blocks holding txs they first saw as gossip, with the app's own mempool recheck.
// The network comes from `initTestnet` (`lanes testnet init`), whose own rules are tested first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { GasPrice, SigningStargateClient } from '@cosmjs/stargate';
import { makeCosmoshubPath } from '@cosmjs/amino';
import { freePort, getTomlKey, homePaths, initTestnet, readManifest, runLoad, startNode, testnetHomes, type NodeHandle } from '@lanes/abci-server';
import { devnetGenesis } from '@lanes/abci-server/lanesApp';
import { createLanesRegistry, devnetAccounts, TEST_MNEMONIC, type MsgSwapExactInEncodeObject } from '@lanes/client';
import { TEST_CHAIN_ID, testLogLevel, waitFor } from './support/node.ts';

async function freePorts(): Promise<{ rpc: number; p2p: number; abci: number; metrics: number }> {
  return { rpc: await freePort(), p2p: await freePort(), abci: await freePort(), metrics: await freePort() };
}

test('initTestnet: one genesis naming every validator, each node a peer of the others, executors in turn; refuses to wipe without --force or under a running node', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-testnet-'));
  try {
    const genesisAppState = devnetGenesis((await devnetAccounts()).map((a) => a.address));
    const ports = [await freePorts(), await freePorts(), await freePorts()];
    const nodes = initTestnet({ dir, validators: 3, chainId: TEST_CHAIN_ID, genesisAppState, executors: ['parallel', 'sequential'], ports: (i) => ports[i]! });
    assert.deepEqual(nodes.map((x) => [x.moniker, x.executor]), [['node0', 'parallel'], ['node1', 'sequential'], ['node2', 'parallel']]);
    const genesis = nodes.map((x) => readFileSync(homePaths(x.home).genesis, 'utf8'));
    assert.ok(genesis.every((g) => g === genesis[0]), 'one genesis');
    const validators = (JSON.parse(genesis[0]!) as { validators: { address: string; power: string }[] }).validators;
    assert.equal(validators.length, 3);
    assert.equal(new Set(validators.map((v) => v.address)).size, 3);
    assert.ok(validators.every((v) => v.power === '10'), `powers ${validators.map((v) => v.power).join(', ')}: expected all '10'`);
    nodes.forEach((x, i) => {
      const peers = getTomlKey(readFileSync(homePaths(x.home).cometConfig, 'utf8'), 'p2p', 'persistent_peers');
      const expected = nodes.filter((_, k) => k !== i).map((y) => `${y.nodeId}@127.0.0.1:${y.ports.p2p}`).join(',');
      assert.equal(peers, `"${expected}"`);
      const m = readManifest(x.home);
      assert.equal(m?.executor, x.executor);
      assert.deepEqual(m?.ports, x.ports);
      assert.equal(m?.metricsPort, ports[i]!.metrics);
    });
    // What `lanes testnet start` runs: every node home, in node order.
    assert.deepEqual(testnetHomes(dir).map((h) => [h.moniker, h.home, h.chainId]), nodes.map((x) => [x.moniker, x.home, TEST_CHAIN_ID]));
    assert.throws(() => testnetHomes(join(dir, 'none')), /no testnet in .*none: make one with `npm run lanes -- testnet init`/);
    assert.throws(() => initTestnet({ dir, validators: 3, chainId: TEST_CHAIN_ID, genesisAppState }), /is not empty \(use --force/);
    // A running node (its pid file naming a live process whose --home is the home, as the app's
    // is) is never wiped.
    const standIn = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', '--', '--home', homePaths(nodes[1]!.home).home], { stdio: 'ignore' });
    try {
      writeFileSync(homePaths(nodes[1]!.home).appPid, String(standIn.pid));
      assert.throws(() => initTestnet({ dir, validators: 2, chainId: TEST_CHAIN_ID, genesisAppState, force: true, ports: (i) => ports[i]! }), /a node is running on .*node1/);
    } finally {
      standIn.kill('SIGKILL');
    }
    rmSync(homePaths(nodes[1]!.home).appPid);
    // Forced, with fewer validators: the larger network's extra home goes too.
    const two = initTestnet({ dir, validators: 2, chainId: TEST_CHAIN_ID, genesisAppState, force: true, ports: (i) => ports[i]! });
    assert.equal(two.length, 2);
    assert.ok(!existsSync(nodes[2]!.home), 'node2 wiped');
    assert.notEqual(readFileSync(homePaths(two[0]!.home).genesis, 'utf8'), genesis[0], 'a new chain');
    assert.throws(() => initTestnet({ dir: join(dir, 'x'), validators: 2, chainId: TEST_CHAIN_ID, genesisAppState, ports: () => ports[0]! }), /port \d+ is given to two nodes/);
    assert.throws(() => initTestnet({ dir: join(dir, 'y'), validators: 0, chainId: TEST_CHAIN_ID, genesisAppState }), /validators: expected 1 to 16, got 0/);
    // Default ports, moved by an offset: node i gets the single node's + offset + 100·i.
    const moved = initTestnet({ dir: join(dir, 'z'), validators: 2, chainId: TEST_CHAIN_ID, genesisAppState, portOffset: 1000 });
    assert.deepEqual(moved.map((x) => [x.ports.rpc, x.ports.p2p, x.ports.abci, x.metricsPort]), [[27657, 27656, 27658, 27670], [27757, 27756, 27758, 27770]]);
    assert.deepEqual(readManifest(moved[1]!.home)?.ports, moved[1]!.ports);
    assert.throws(() => initTestnet({ dir: join(dir, 'w'), validators: 2, chainId: TEST_CHAIN_ID, genesisAppState, portOffset: 39000 }), /port 65657 is not a TCP port \(1 to 65535\)/);
    assert.ok(!existsSync(join(dir, 'w', 'node0')), 'nothing made for a refused network');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

interface Validator {
  home: string;
  executor: 'parallel' | 'sequential';
  lines: string[];
  handle?: NodeHandle;
}

/** A stream that keeps the lines written to it (the launcher writes whole lines). */
function lineSink(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(l);
      if (testLogLevel()) process.stderr.write(chunk);
      done();
    },
  });
}

async function rpc<T>(url: string, path: string): Promise<T> {
  const res = await fetch(`${url}/${path}`);
  return ((await res.json()) as { result: T }).result;
}

const height = async (url: string): Promise<number> =>
  Number((await rpc<{ sync_info: { latest_block_height: string } }>(url, 'status')).sync_info.latest_block_height);

test('two validators, one parallel and one sequential, agree on every block under load', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-validators-'));
  const validators: Validator[] = [];
  try {
    const ports = [await freePorts(), await freePorts()];
    const nodes = initTestnet({
      dir, validators: 2, chainId: TEST_CHAIN_ID, genesisAppState: devnetGenesis((await devnetAccounts()).map((a) => a.address)),
      executors: ['parallel', 'sequential'], ports: (i) => ports[i]!, blockTimeMs: 300,
    });
    for (const x of nodes) validators.push({ home: x.home, executor: x.executor, lines: [] });

    // Neither makes a block alone. The first, started alone, waits for the second as long as it
    // takes once CometBFT is up, though a start that makes no progress fails after 2 s here.
    const logger = pino({ level: testLogLevel() ?? 'warn' });
    const said: string[] = [];
    const firstLog = pino({ level: 'info' }, new Writable({ write(chunk, _enc, cb) { said.push(String(chunk)); cb(); } }));
    const start = (v: Validator, log: typeof logger, readyTimeoutMs: number) => startNode({
      home: v.home, logger: log, output: lineSink(v.lines), cometbftLogLevel: '*:error', appLogLevel: 'info', readyTimeoutMs,
    });
    const first = start(validators[0]!, firstLog, 2000);
    let firstFailed: unknown;
    first.catch((err: unknown) => (firstFailed = err));
    await waitFor(() => said.some((l) => l.includes('waiting for the other validators')), 60_000, `node0 to wait for node1:\n${said.join('')}`);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(firstFailed, undefined, 'node0 gave up waiting');
    const handles = await Promise.all([first, start(validators[1]!, logger, 90_000)]);
    handles.forEach((h, i) => ((validators[i] as Validator).handle = h));
    const [par, seq] = validators.map((v) => v.handle as NodeHandle) as [NodeHandle, NodeHandle];
    assert.equal(par.settings.executor, 'parallel');
    assert.equal(seq.settings.executor, 'sequential');

    // Transfers sent to the parallel node (the load generator, every fate checked)...
    const load = runLoad({ rpc: par.rpcUrl, duration: 5, rate: 400, accounts: 200, concurrency: 32, log: () => {} });
    // ...while a trader swaps through the sequential node with unmodified CosmJS.
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(TEST_MNEMONIC, { prefix: 'lanes', hdPaths: [makeCosmoshubPath(6)] });
    const trader = (await wallet.getAccounts())[0]!.address;
    const client = await SigningStargateClient.connectWithSigner(seq.rpcUrl, wallet, {
      registry: createLanesRegistry(), gasPrice: GasPrice.fromString('0.0025ulane'), broadcastPollIntervalMs: 200,
    });
    try {
      for (let i = 0; i < 6; i++) {
        const swap: MsgSwapExactInEncodeObject = {
          typeUrl: '/lanes.amm.v1.MsgSwapExactIn',
          value: { sender: trader, routes: [{ poolId: 1n, tokenOutDenom: 'uusdc' }], tokenIn: { denom: 'uatom', amount: String(100_000 + i) }, minAmountOut: '1' },
        };
        const r = await client.signAndBroadcast(trader, [swap], 'auto');
        assert.equal(r.code, 0, r.rawLog);
      }
    } finally {
      client.disconnect();
    }
    const r = await load;
    assert.ok(r.committed > 1000, `committed ${r.committed}`);
    assert.equal(r.lost, 0);
    assert.equal(r.failed_in_block, 0);
    assert.equal(r.committed, r.accepted);

    // Three more blocks on both: each needed both validators' votes on the app hash before it.
    const last = Math.max(await height(par.rpcUrl), await height(seq.rpcUrl));
    await waitFor(async () => (await height(par.rpcUrl)) >= last + 3 && (await height(seq.rpcUrl)) >= last + 3, 30_000, `both nodes past height ${last + 3}`);
    // And each app says the same of itself, at one height.
    type Info = { response: { last_block_height: string; last_block_app_hash: string } };
    let infos: [Info, Info] | undefined;
    await waitFor(async () => {
      const pair = await Promise.all([rpc<Info>(par.rpcUrl, 'abci_info'), rpc<Info>(seq.rpcUrl, 'abci_info')]);
      if (pair[0].response.last_block_height !== pair[1].response.last_block_height) return false;
      infos = pair;
      return true;
    }, 20_000, 'both apps at one height');
    assert.equal(infos![0].response.last_block_app_hash, infos![1].response.last_block_app_hash, `app hashes at height ${infos![0].response.last_block_height}`);

    // The parallel node scheduled blocks in parallel (not all small enough to run inline)...
    const executed = (v: Validator) => v.lines.filter((l) => l.includes('"msg":"block executed"')).map((l) => JSON.parse(l.replace(/^\[app\] /, '')) as { executor: string; groups: number; txs: number });
    const parBlocks = executed(validators[0]!);
    assert.ok(parBlocks.some((b) => b.executor === 'parallel' && b.groups > 1), `parallel blocks: ${JSON.stringify(parBlocks.slice(-5))}`);
    assert.ok(!validators[0]!.lines.some((l) => /re-executed sequentially/.test(l)), 'no sequential fallback');
    // ...and the sequential one never did.
    const seqBlocks = executed(validators[1]!);
    assert.ok(seqBlocks.length > 0 && seqBlocks.every((b) => b.executor === 'sequential'), JSON.stringify(seqBlocks.slice(-5)));
  } catch (err) {
    // A halt shows first as a tx that never commits: say what the nodes said.
    const tails = validators.map((v) => `--- ${v.executor} node, last lines:\n${v.lines.slice(-12).join('\n')}`).join('\n');
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${tails}`, { cause: err });
  } finally {
    await Promise.all(validators.map((v) => v.handle?.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('`lanes testnet start` runs every node of the folder: blocks come, and Ctrl-C stops them all', { timeout: 120_000 }, async () => {
  // Free ports through the library; `start` takes each node's ports from its lanes.json.
  const dir = mkdtempSync(join(tmpdir(), 'lanes-testnet-start-'));
  const root = fileURLToPath(new URL('../../', import.meta.url));
  try {
    const ports = [await freePorts(), await freePorts()];
    const nodes = initTestnet({
      dir, validators: 2, chainId: TEST_CHAIN_ID, genesisAppState: devnetGenesis((await devnetAccounts()).map((a) => a.address)),
      executors: ['sequential', 'parallel'], ports: (i) => ports[i]!, blockTimeMs: 300,
    });
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'abci-server', 'src', 'cli.ts'), 'testnet', 'start', '--dir', dir, '--app-log-level', 'info'], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const closed = once(child, 'close');
    try {
      await waitFor(() => out.includes('Lanes testnet ready: 2 validators'), 90_000, `the testnet to start:\n${out}`);
      assert.match(out, /node0 +sequential +RPC http:\/\/127\.0\.0\.1:\d+/);
      assert.match(out, /node1 +parallel \(1 worker \+ main thread\) +RPC/);
      const heights = () => Promise.all(nodes.map((x) => height(`http://127.0.0.1:${x.ports.rpc}`)));
      const first = await heights();
      await waitFor(async () => (await heights()).every((h, i) => h >= first[i]! + 3), 30_000, 'three more blocks on both nodes');
      // Output of both nodes, each line marked with its node.
      assert.match(out, /^\[node0\] \[app\] \{.*"msg":"ABCI gRPC server listening"/m);
      assert.match(out, /^\[node1\] \[app\] \{.*"msg":"ABCI gRPC server listening"/m);
    } catch (err) {
      child.kill('SIGINT');
      await closed; // the nodes stopped before their homes are deleted
      throw err;
    }
    child.kill('SIGINT');
    const stopped = await Promise.race([closed.then(([c]) => ({ code: c as number | null })), new Promise<undefined>((r) => setTimeout(() => r(undefined), 30_000))]);
    if (!stopped) {
      // Not stopped: kill what is left (nodes are process groups of their own), then fail.
      child.kill('SIGKILL');
      for (const x of nodes) {
        for (const f of [homePaths(x.home).appPid, homePaths(x.home).cometPid]) {
          try { process.kill(Number(readFileSync(f, 'utf8').trim()), 'SIGKILL'); } catch { /* gone */ }
        }
      }
      assert.fail(`\`lanes testnet start\` did not stop within 30 s of SIGINT:\n${out.slice(-2000)}`);
    }
    const { code } = stopped;
    assert.equal(code, 0, out.slice(-2000));
    assert.match(out, /testnet stopped/);
    // Every node went with it: nothing answers at their RPC addresses.
    for (const x of nodes) await assert.rejects(height(`http://127.0.0.1:${x.ports.rpc}`), `${x.moniker} still answers`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('`lanes testnet start` with a node that cannot start: it says which and why, and stops the others, which would wait for it', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-testnet-fail-'));
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const blocker = createServer();
  try {
    const ports = [await freePorts(), await freePorts()];
    initTestnet({
      dir, validators: 2, chainId: TEST_CHAIN_ID, genesisAppState: devnetGenesis((await devnetAccounts()).map((a) => a.address)),
      ports: (i) => ports[i]!, blockTimeMs: 300,
    });
    await new Promise<void>((resolve) => blocker.listen(ports[1]!.abci, '127.0.0.1', resolve)); // node1's ABCI port, taken
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'abci-server', 'src', 'cli.ts'), 'testnet', 'start', '--dir', dir], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const closed = once(child, 'close');
    const ended = await Promise.race([closed.then(([c]) => ({ code: c as number | null })), new Promise<undefined>((r) => setTimeout(() => r(undefined), 60_000))]);
    if (!ended) {
      child.kill('SIGINT');
      await closed;
      assert.fail(`\`lanes testnet start\` still running 60 s after node1 could not start:\n${out.slice(-2000)}`);
    }
    assert.equal(ended.code, 1, out.slice(-2000));
    assert.match(out, new RegExp(`the network did not start:[\\s\\S]*node1: port ${ports[1]!.abci} \\(ABCI\\) is already in use`));
    assert.match(out, /node0: start abandoned: node1 failed to start/);
    await assert.rejects(height(`http://127.0.0.1:${ports[0]!.rpc}`), 'node0 stopped');
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
