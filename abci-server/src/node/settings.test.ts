// App settings (executor, workers, metrics port and host, state cache, block retention): command line > lanes.json > defaults, validated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { STATE_CACHE_KEYS } from '@lanes/app';
import { devnetAccounts } from '@lanes/client';
import { DEFAULT_METRICS_HOST, DEFAULT_METRICS_PORT, UserError, appSettingOverrides, cometbftGoMaxProcs, describeExecutor, homeConsensusLimits, homePaths, homePorts, isNodeProcess, metricsHostProblem, metricsUrl, resolveAppSettings } from './home.ts';
import { StallWatch, buildProgram } from '../cli.ts';
import { setTomlKey } from './config.ts';

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));

test('defaults: parallel, one worker per CPU but one, metrics on 127.0.0.1:26670, a million cached keys, every block kept', () => {
  assert.deepEqual(resolveAppSettings(undefined), {
    executor: 'parallel', workers: Math.max(1, availableParallelism() - 1), metricsPort: DEFAULT_METRICS_PORT, metricsHost: DEFAULT_METRICS_HOST,
    stateCacheKeys: STATE_CACHE_KEYS, minRetainBlocks: 0,
  });
  assert.equal(DEFAULT_METRICS_PORT, 26670);
  assert.equal(DEFAULT_METRICS_HOST, '127.0.0.1');
  assert.equal(STATE_CACHE_KEYS, 1_000_000);
});

test('the genesis\'s evidence age (it bounds block pruning) and block max_gas, else CometBFT\'s defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-evidence-'));
  try {
    const genesis = homePaths(dir).genesis;
    assert.deepEqual(homeConsensusLimits(dir), { evidenceMaxAgeBlocks: 100_000, blockMaxGas: undefined }, 'no genesis yet');
    mkdirSync(join(dir, 'cometbft', 'config'), { recursive: true });
    const write = (cp: unknown) => writeFileSync(genesis, JSON.stringify({ consensus_params: cp }));
    write({ evidence: { max_age_num_blocks: '4321', max_age_duration: '172800000000000' }, block: { max_bytes: '22020096', max_gas: '-1' } });
    assert.deepEqual(homeConsensusLimits(dir), { evidenceMaxAgeBlocks: 4321, blockMaxGas: -1 });
    write({ block: { max_gas: '50000000' } });
    assert.deepEqual(homeConsensusLimits(dir), { evidenceMaxAgeBlocks: 100_000, blockMaxGas: 50_000_000 });
    write({ evidence: { max_age_num_blocks: '9' } });
    assert.deepEqual(homeConsensusLimits(dir), { evidenceMaxAgeBlocks: 9, blockMaxGas: undefined }, 'max_gas not said: not assumed to be -1');
    write({ evidence: { max_age_num_blocks: '-5' } });
    assert.throws(() => homeConsensusLimits(dir), (e: unknown) => e instanceof UserError && /evidence\.max_age_num_blocks = "-5", not an integer of at least 0/.test(e.message));
    write({ block: { max_gas: '-2' } });
    assert.throws(() => homeConsensusLimits(dir), (e: unknown) => e instanceof UserError && /block\.max_gas = "-2"/.test(e.message));
    writeFileSync(genesis, '{ nope');
    assert.throws(() => homeConsensusLimits(dir), (e: unknown) => e instanceof UserError && e.message.includes('is not valid JSON'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('describeExecutor names the executor, and for parallel the threads that run a block', () => {
  assert.equal(describeExecutor({ executor: 'parallel', workers: 1 }), 'parallel (1 worker + main thread)');
  assert.equal(describeExecutor({ executor: 'parallel', workers: 3 }), 'parallel (3 workers + main thread)');
  assert.equal(describeExecutor({ executor: 'sequential', workers: 3 }), 'sequential');
});

test('CometBFT\'s GOMAXPROCS: the environment\'s, else 1 on up to 2 CPUs when CometBFT rechecks, else Go\'s default', () => {
  // One P on small machines only when CometBFT rechecks (one gRPC call at a time).
  assert.equal(cometbftGoMaxProcs({}, 1, 'cometbft'), '1');
  assert.equal(cometbftGoMaxProcs({}, 2, 'cometbft'), '1');
  assert.equal(cometbftGoMaxProcs({}, 3, 'cometbft'), undefined);
  assert.equal(cometbftGoMaxProcs({}, 64, 'cometbft'), undefined);
  assert.equal(cometbftGoMaxProcs({}, 1, 'app'), undefined);
  assert.equal(cometbftGoMaxProcs({}, 2, 'app'), undefined);
  // The environment's GOMAXPROCS always wins.
  assert.equal(cometbftGoMaxProcs({ GOMAXPROCS: '4' }, 2, 'cometbft'), '4');
  assert.equal(cometbftGoMaxProcs({ GOMAXPROCS: '2' }, 16, 'app'), '2');
  assert.equal(cometbftGoMaxProcs({ GOMAXPROCS: '1' }, 2, 'app'), '1');
  assert.equal(cometbftGoMaxProcs({ GOMAXPROCS: '' }, 2, 'cometbft'), '1', 'an empty GOMAXPROCS counts as unset');
});

test('lanes.json values apply, command-line values override them', () => {
  const manifest = { executor: 'sequential', workers: 3, metricsPort: 0, metricsHost: '0.0.0.0', stateCacheKeys: 5000, minRetainBlocks: 1000 } as const;
  assert.deepEqual(resolveAppSettings(manifest), manifest);
  const cli = { executor: 'parallel', workers: 8, metricsPort: 9100, metricsHost: '10.1.2.3', stateCacheKeys: 20_000, minRetainBlocks: 0 } as const;
  assert.deepEqual(resolveAppSettings(manifest, cli), cli);
  // Only what was given overrides.
  assert.deepEqual(appSettingOverrides({ workers: 2 }), { workers: 2 });
  assert.deepEqual(resolveAppSettings(manifest, { stateCacheKeys: 7 }), { ...manifest, stateCacheKeys: 7 });
});

test('bad values are errors naming where they came from', () => {
  const bad = (m: object, o: object, re: RegExp) => assert.throws(() => resolveAppSettings(m as never, o as never, '/h/lanes.json'), (e: unknown) => e instanceof UserError && re.test(e.message));
  bad({ executor: 'fast' }, {}, /\/h\/lanes\.json "executor": expected one of sequential, parallel, got "fast"/);
  bad({ workers: 0 }, {}, /"workers": expected an integer from 1 to 1024, got 0/);
  bad({ workers: 2.5 }, {}, /"workers"/);
  bad({ metricsPort: 70000 }, {}, /"metricsPort": expected a TCP port, or 0 to disable/);
  bad({}, { workers: -1 }, /^--workers:/);
  bad({ metricsHost: 'localhost' }, {}, /"metricsHost": expected an IP address to listen on \(127\.0\.0\.1: this machine only; 0\.0\.0\.0 or ::: every interface; or one of this machine's addresses\), got "localhost"/);
  bad({ metricsHost: 127001 }, {}, /"metricsHost": expected an IP address/);
  bad({}, { metricsHost: '0.0.0.0:26670' }, /^--metrics-host: expected an IP address/);
  bad({}, { metricsHost: 'fe80::1%eth0' }, /^--metrics-host: expected an IP address/); // an IPv6 zone: no URL most tools read holds one
  bad({ stateCacheKeys: 0 }, {}, /"stateCacheKeys": expected a number of keys from 1 to 1000000000, got 0/);
  bad({}, { stateCacheKeys: 1.5 }, /^--state-cache-keys:/);
  bad({ minRetainBlocks: -1 }, {}, /"minRetainBlocks": expected a number of blocks, or 0 to keep every block, got -1/);
  bad({}, { minRetainBlocks: '10x' }, /^--min-retain-blocks:/);
  bad({ executor: 'parallel' }, { executor: 'nope' }, /^--executor:/);
});

test('the CLI accepts --executor/--workers/--metrics-port/--metrics-host/--state-cache-keys/--min-retain-blocks on start, app and init, and rejects bad ones', async () => {
  for (const name of ['start', 'app', 'init']) {
    const cmd = buildProgram().commands.find((c) => c.name() === name);
    const flags = cmd?.options.map((o) => o.long) ?? [];
    for (const f of ['--executor', '--workers', '--metrics-port', '--metrics-host', '--state-cache-keys', '--min-retain-blocks']) assert.ok(flags.includes(f), `${name} ${f}`);
  }
  const parse = (args: string[]) => {
    const p = buildProgram().exitOverride().configureOutput({ writeErr: () => {} });
    const app = p.commands.find((c) => c.name() === 'app');
    app?.exitOverride().configureOutput({ writeErr: () => {} }).action(() => {});
    return p.parseAsync(['node', 'lanes', 'app', ...args]);
  };
  await assert.rejects(parse(['--executor', 'fast']), /Allowed choices are sequential, parallel/);
  await assert.rejects(parse(['--workers', '0']), /expected an integer from 1 to 1024/);
  await assert.rejects(parse(['--metrics-port', 'x']), /expected a TCP port/);
  await assert.rejects(parse(['--metrics-host', 'example.com']), /expected an IP address to listen on/);
  await assert.rejects(parse(['--state-cache-keys', '-5']), /expected a number of keys from 1/);
  await assert.rejects(parse(['--min-retain-blocks', '1e3']), /expected a number of blocks, or 0 to keep every block/);
  await parse(['--executor', 'sequential', '--workers', '2', '--metrics-port', '0', '--metrics-host', '::', '--state-cache-keys', '250000', '--min-retain-blocks', '100000']);
});

test('the metrics URL of a host listened on: its own address, or this machine\'s loopback for every interface', () => {
  assert.equal(metricsUrl('127.0.0.1', 26670), 'http://127.0.0.1:26670/metrics');
  assert.equal(metricsUrl('0.0.0.0', 9100), 'http://127.0.0.1:9100/metrics');
  assert.equal(metricsUrl('::', 9100), 'http://[::1]:9100/metrics');
  assert.equal(metricsUrl('10.1.2.3', 9100), 'http://10.1.2.3:9100/metrics');
  assert.equal(metricsUrl('fd00::7', 9100), 'http://[fd00::7]:9100/metrics');
  assert.equal(new URL(metricsUrl('fd00::7', 9100)).hostname, '[fd00::7]');
  // The start-up line says when the port listens beyond this machine.
  assert.equal(metricsUrl('0.0.0.0', 9100, true), 'http://127.0.0.1:9100/metrics (listening on every interface)');
  assert.equal(metricsUrl('::', 9100, true), 'http://[::1]:9100/metrics (listening on every interface)');
  assert.equal(metricsUrl('0:0:0:0:0:0:0:0', 9100, true), 'http://[::1]:9100/metrics (listening on every interface)');
  assert.equal(metricsUrl('::1', 9100, true), 'http://[::1]:9100/metrics');
  assert.equal(metricsUrl('127.0.0.1', 9100, true), 'http://127.0.0.1:9100/metrics');
});

test('metricsHostProblem: an address this machine lacks, or IPv6 where it is off, named with where it was set', () => {
  assert.equal(metricsHostProblem('192.0.2.1', 'EADDRNOTAVAIL', '/h/lanes.json'),
    'metrics host 192.0.2.1 (--metrics-host, or "metricsHost" in /h/lanes.json) is not an address of this machine: give one of its addresses, 0.0.0.0 for every interface, or 127.0.0.1');
  assert.equal(metricsHostProblem('::', 'EAFNOSUPPORT', '/h/lanes.json'),
    'metrics host :: (--metrics-host, or "metricsHost" in /h/lanes.json) is an IPv6 address, and this machine has IPv6 turned off: give 0.0.0.0 or an IPv4 address');
  assert.equal(metricsHostProblem('127.0.0.1', 'EADDRINUSE', '/h/lanes.json'), undefined);
});

test('lanes init records the executor always, and the other settings only when given', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-init-settings-'));
  try {
    const init = (home: string, args: string[]) => buildProgram().exitOverride().parseAsync(['node', 'lanes', '--home', home, 'init', ...args]);
    await init(join(dir, 'a'), ['--workers', '3', '--state-cache-keys', '5000', '--min-retain-blocks', '200000']);
    const a = JSON.parse(readFileSync(join(dir, 'a', 'lanes.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([a['executor'], a['workers'], a['stateCacheKeys'], a['minRetainBlocks'], 'metricsPort' in a], ['parallel', 3, 5000, 200000, false]);
    assert.equal('metricsHost' in a, false);
    await init(join(dir, 'b'), ['--executor', 'sequential', '--metrics-port', '0', '--metrics-host', '0.0.0.0']);
    const b = JSON.parse(readFileSync(join(dir, 'b', 'lanes.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([b['executor'], b['metricsPort'], b['metricsHost'], 'workers' in b, 'stateCacheKeys' in b, 'minRetainBlocks' in b], ['sequential', 0, '0.0.0.0', false, false, false]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lanes init --fund takes space- or comma-separated lanes addresses and refuses a bad or repeated one before writing anything', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-fund-'));
  const init = (home: string, fund: string[]) => buildProgram().exitOverride().parseAsync(['node', 'lanes', '--home', home, 'init', '--fund', ...fund]);
  const [a, b, c] = (await devnetAccounts()).map((x) => x.address);
  try {
    await init(join(dir, 'ok'), [`${a},${b}`, c as string]);
    const genesis = JSON.parse(readFileSync(join(dir, 'ok', 'cometbft', 'config', 'genesis.json'), 'utf8')) as { app_state: { bank: { balances: { address: string }[] } } };
    const funded = genesis.app_state.bank.balances.map((x) => x.address);
    for (const addr of [a, b, c]) assert.ok(funded.includes(addr as string), `${addr} funded: ${funded.join(' ')}`);
    assert.ok(!funded.some((x) => x.includes(',')), 'no address with a comma in it');
    for (const [fund, message] of [
      [['lanes1abc'], /invalid --fund address "lanes1abc": not bech32/],
      [[`${a},cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu`], /invalid --fund address "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu"/],
      [[a as string, a as string], new RegExp(`--fund lists ${a} twice`)],
      [[','], /--fund needs at least one address/],
    ] as const) {
      const home = join(dir, 'bad');
      await assert.rejects(init(home, [...fund]), (e) => e instanceof UserError && message.test(e.message), `--fund ${fund.join(' ')}`);
      assert.equal(existsSync(join(home, 'lanes.json')), false, `nothing written for --fund ${fund.join(' ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lanes unsafe-reset deletes the chain data and keeps the node: config, genesis, keys and the validator\'s last-signed record', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-reset-'));
  const home = join(dir, 'n');
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'lanes', '--home', home, 'init']);
    const comet = join(home, 'cometbft');
    // What a node that ran holds: blocks, an address book, app state, a signing record past 0.
    mkdirSync(join(comet, 'data', 'blockstore.db'));
    writeFileSync(join(comet, 'data', 'blockstore.db', '000001.log'), 'blocks');
    writeFileSync(join(comet, 'config', 'addrbook.json'), '{}');
    writeFileSync(join(home, 'app', 'state.db'), 'state');
    const signed = '{"height":"42","round":0,"step":3}';
    writeFileSync(join(comet, 'data', 'priv_validator_state.json'), signed);
    const keep = ['lanes.json', 'cometbft/config/config.toml', 'cometbft/config/genesis.json', 'cometbft/config/node_key.json', 'cometbft/config/priv_validator_key.json'];
    // This home lists no peers: refused, as it could never sync the chain again; nothing deleted.
    const refused = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--home', home, 'unsafe-reset'], { encoding: 'utf8' });
    assert.equal(refused.status, 1, refused.stdout);
    assert.match(refused.stderr, new RegExp(`${home} lists no peers \\(p2p.persistent_peers and p2p.seeds in its config.toml are empty\\): .* To reset anyway \\(peers you will add\\): unsafe-reset --force`));
    assert.equal(readFileSync(join(home, 'app', 'state.db'), 'utf8'), 'state', 'nothing deleted');
    // With a peer listed, it goes ahead.
    const config = join(comet, 'config', 'config.toml');
    writeFileSync(config, setTomlKey(readFileSync(config, 'utf8'), 'p2p', 'persistent_peers', 'f00d@127.0.0.1:26656'));
    const before = keep.map((f) => readFileSync(join(home, f), 'utf8'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--home', home, 'unsafe-reset'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`deleted the chain data of lanes-devnet-1 in ${home}: cometbft/data/blockstore.db, cometbft/config/addrbook.json, app\\n`));
    assert.match(r.stdout, /kept lanes.json, CometBFT's config, genesis and keys, and the validator's last-signed record .*use unsafe-reset --all/);
    assert.deepEqual(keep.map((f) => readFileSync(join(home, f), 'utf8')), before, 'config, genesis and keys unchanged');
    assert.equal(readFileSync(join(comet, 'data', 'priv_validator_state.json'), 'utf8'), signed, 'the last-signed record kept as it was');
    assert.deepEqual(readdirSync(join(comet, 'data')), ['priv_validator_state.json'], 'the blocks are gone');
    assert.equal(existsSync(join(comet, 'config', 'addrbook.json')), false);
    assert.equal(existsSync(join(home, 'app')), false, 'the app state is gone');
    // No peers again: --force resets it all the same.
    writeFileSync(config, setTomlKey(readFileSync(config, 'utf8'), 'p2p', 'persistent_peers', ''));
    mkdirSync(join(home, 'app'));
    writeFileSync(join(home, 'app', 'state.db'), 'state');
    const forced = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--home', home, 'unsafe-reset', '--force'], { encoding: 'utf8' });
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(existsSync(join(home, 'app')), false, '--force: the app state is gone');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lanes unsafe-reset, with --all or without, refuses a folder that is not a Lanes home and leaves it as it was', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-notahome-'));
  try {
    mkdirSync(join(dir, 'cometbft', 'data'), { recursive: true });
    writeFileSync(join(dir, 'cometbft', 'data', 'keep.db'), 'x');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    for (const [args, verb] of [[[], 'reset'], [['--all'], 'delete']] as const) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--home', dir, 'unsafe-reset', ...args], { encoding: 'utf8' });
      assert.equal(r.status, 1, `unsafe-reset ${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, new RegExp(`${dir} does not look like a Lanes home \\(no lanes.json\\); refusing to ${verb} it`));
      assert.deepEqual([readFileSync(join(dir, 'notes.txt'), 'utf8'), readFileSync(join(dir, 'cometbft', 'data', 'keep.db'), 'utf8')], ['mine', 'x']);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lanes unsafe-reset --all deletes the whole node and keeps the keyring (and whatever else is there), saying so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-reset-'));
  const init = (home: string) => buildProgram().exitOverride().parseAsync(['node', 'lanes', '--home', home, 'init']);
  // In a process of its own: its output is what is checked (this one's stdout carries the test's results).
  const reset = (home: string) => spawnSync(process.execPath, ['--import', 'tsx', CLI, '--home', home, 'unsafe-reset', '--all'], { encoding: 'utf8' });
  try {
    const withKeys = join(dir, 'k');
    await init(withKeys);
    writeFileSync(join(withKeys, 'keyring-test.json'), '{}\n');
    const r = reset(withKeys);
    assert.equal(r.stdout, `deleted chain lanes-devnet-1 from ${withKeys}; kept keyring-test.json\n`, r.stderr);
    assert.deepEqual(readdirSync(withKeys), ['keyring-test.json']);
    const bare = join(dir, 'b');
    await init(bare);
    assert.equal(reset(bare).stdout, `deleted ${bare} (chain lanes-devnet-1)\n`);
    assert.equal(existsSync(bare), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a home\'s pid files: init --force refuses while its node runs; a pid now held by another process blocks nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-pids-'));
  const home = join(dir, 'h');
  const init = (args: string[]) => buildProgram().exitOverride().parseAsync(['node', 'lanes', '--home', home, 'init', ...args]);
  // A stand-in for the node's app: alive, with --home naming the home, as the app's command line
  // does (CometBFT's names its cometbft folder), and reaching it through a symlink.
  mkdirSync(home);
  symlinkSync(home, join(dir, 'link'));
  const node = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', '--', '--home', join(dir, 'link')], { stdio: 'ignore' });
  const comet = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', '--', 'start', '--home', join(home, 'cometbft')], { stdio: 'ignore' });
  const neighbour = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', '--', '--home', `${home}0`], { stdio: 'ignore' });
  try {
    await init([]);
    writeFileSync(join(home, 'app.pid'), `${node.pid}\n`);
    await assert.rejects(init(['--force']), new RegExp(`a node is running on ${home} \\(pid ${node.pid} in ${join(home, 'app.pid')}\\): stop it first`));
    assert.ok(existsSync(join(home, 'cometbft', 'config', 'priv_validator_key.json')), 'the validator key is still there');
    // After a crash or a power cut the pid may belong to anything: this test's own process.
    writeFileSync(join(home, 'app.pid'), `${process.pid}\n`);
    assert.equal(isNodeProcess(process.pid, home), false);
    assert.equal(isNodeProcess(node.pid as number, home), true);
    assert.equal(isNodeProcess(node.pid as number, join(dir, 'link')), true);
    assert.equal(isNodeProcess(comet.pid as number, home), true, 'CometBFT names <home>/cometbft');
    assert.equal(isNodeProcess(neighbour.pid as number, home), false, `${home}0 is another home`);
    await init(['--force']);
  } finally {
    for (const p of [node, comet, neighbour]) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a home\'s ports: lanes.json\'s, each a TCP port, agreeing with config.toml; no port given twice, at init or start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-ports-'));
  const home = join(dir, 'h');
  const init = (args: string[]) => buildProgram().exitOverride().parseAsync(['node', 'lanes', '--home', home, 'init', ...args]);
  try {
    await assert.rejects(init(['--rpc-port', '31000', '--p2p-port', '31000']), /port 31000 is given to both RPC and P2P: each needs its own/);
    await assert.rejects(init(['--abci-port', '26670']), /port 26670 is given to both ABCI and metrics: each needs its own/);
    assert.equal(existsSync(home), false, 'nothing written for a refused init');
    await init(['--rpc-port', '31657', '--p2p-port', '31656', '--abci-port', '31658']);
    const manifestPath = join(home, 'lanes.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { ports: Record<string, unknown> };
    assert.deepEqual(homePorts(home, manifest as never), { rpc: 31657, p2p: 31656, abci: 31658 });
    assert.throws(() => homePorts(home, { ports: undefined } as never), new RegExp(`${manifestPath} "ports.rpc": expected a TCP port \\(1 to 65535\\), got undefined`));
    assert.throws(() => homePorts(home, { ports: { ...manifest.ports, p2p: 70000 } } as never), /"ports.p2p": expected a TCP port \(1 to 65535\), got 70000/);
    // config.toml edited by hand: a literal string, or another host, on the same port is the same.
    const config = join(home, 'cometbft', 'config', 'config.toml');
    const original = readFileSync(config, 'utf8');
    writeFileSync(config, original.replace('laddr = "tcp://127.0.0.1:31657"', 'laddr = \'tcp://0.0.0.0:31657\' # all interfaces'));
    assert.deepEqual(homePorts(home, manifest as never), { rpc: 31657, p2p: 31656, abci: 31658 });
    // Another port: the launcher would watch one port while CometBFT serves another.
    writeFileSync(config, original);
    writeFileSync(config, readFileSync(config, 'utf8').replace('laddr = "tcp://127.0.0.1:31657"', 'laddr = "tcp://127.0.0.1:31999"'));
    assert.throws(() => homePorts(home, manifest as never), /config\.toml has rpc\.laddr = "tcp:\/\/127\.0\.0\.1:31999", but .*lanes\.json has "ports\.rpc": 31657; the launcher and the tx commands use lanes\.json's, so make the two agree/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a home whose config.toml is missing, empty, cut short or calls the app over a socket is refused at start, naming the file and how to get one back keeping the chain; nothing runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-config-'));
  const home = join(dir, 'h');
  const lanes = (...args: string[]) => buildProgram().exitOverride().configureOutput({ writeErr: () => {} }).parseAsync(['node', 'lanes', '--home', home, ...args]);
  // For `start`, a CometBFT that only records that it ran: a start this check let through must
  // not run the real one, which would write its defaults and listen on 26657, and 26656 on every interface.
  const guard = join(dir, 'cometbft-guard');
  const saved = process.env['LANES_COMETBFT'];
  try {
    await lanes('init', '--chain-id', 'my-lanes-1', '--devnet', '--rpc-port', '32657', '--p2p-port', '32656', '--abci-port', '32658', '--metrics-port', '0');
    writeFileSync(guard, `#!/bin/sh\ntouch ${guard}.ran\nexit 1\n`, { mode: 0o755 });
    process.env['LANES_COMETBFT'] = guard;
    const { cometConfig, manifest } = homePaths(home);
    const original = readFileSync(cometConfig, 'utf8');
    const recover = 'CometBFT would start with its own defaults (a socket app on 26658, RPC on 26657, P2P on every interface), not this node\'s. '
      + `Restore it from a backup, or write a new one and keep the chain: \`npm run lanes -- --home ${home}-config init --chain-id my-lanes-1 --devnet `
      + `--rpc-port 32657 --p2p-port 32656 --abci-port 32658\`, copy ${join(`${home}-config`, 'cometbft', 'config', 'config.toml')} to ${cometConfig}, `
      + `set again what you had changed in it (moniker, persistent_peers, block time), and delete ${home}-config; \`lanes init --force\` would delete the chain`;
    const refused = async (what: string) => {
      await assert.rejects(lanes('start'), (e) => {
        assert.ok(e instanceof UserError, String(e));
        assert.equal(e.message, what, 'the message');
        return true;
      });
      assert.equal(existsSync(homePaths(home).appPid), false, 'the app never started');
      assert.equal(existsSync(`${guard}.ran`), false, 'CometBFT never ran');
    };
    rmSync(cometConfig);
    await refused(`${cometConfig} is missing: ${recover}`);
    // A query from this home names the problem too, not the devnet's port.
    assert.throws(() => homePorts(home, JSON.parse(readFileSync(manifest, 'utf8')) as never), (e) => e instanceof UserError && e.message === `${cometConfig} is missing: ${recover}`);
    writeFileSync(cometConfig, '\n');
    await refused(`${cometConfig} is empty: ${recover}`);
    writeFileSync(cometConfig, original.slice(0, original.indexOf('[p2p]')));
    await refused(`${cometConfig} has no p2p.laddr (cut short, or not the one \`lanes init\` wrote?): ${recover}`);
    writeFileSync(cometConfig, setTomlKey(original, '', 'abci', 'socket'));
    await refused(`${cometConfig} has abci = "socket", but the Lanes app serves ABCI over gRPC: set abci = "grpc"`);
    writeFileSync(cometConfig, original);
    assert.deepEqual(homePorts(home, JSON.parse(readFileSync(manifest, 'utf8')) as never), { rpc: 32657, p2p: 32656, abci: 32658 });
  } finally {
    if (saved === undefined) delete process.env['LANES_COMETBFT'];
    else process.env['LANES_COMETBFT'] = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('StallWatch: a height that has not moved for the warning time warns, then again only after the repeat time', () => {
  const w = new StallWatch(60_000, 300_000);
  assert.deepEqual(w.observe('n', 5, 0), { step: undefined, stalledMs: undefined });
  assert.deepEqual(w.observe('n', 9, 10_000), { step: 4, stalledMs: undefined });
  assert.deepEqual(w.observe('n', 9, 69_999), { step: 0, stalledMs: undefined });
  assert.deepEqual(w.observe('n', 9, 70_000), { step: 0, stalledMs: 60_000 });
  assert.deepEqual(w.observe('n', 9, 80_000), { step: 0, stalledMs: undefined }, 'said once');
  assert.deepEqual(w.observe('n', 9, 370_000), { step: 0, stalledMs: 360_000 }, 'and again five minutes on');
  assert.deepEqual(w.observe('other', 1, 370_000), { step: undefined, stalledMs: undefined }, 'per node');
  assert.deepEqual(w.observe('n', 10, 380_000), { step: 1, stalledMs: undefined }, 'moving again');
  assert.deepEqual(w.observe('n', 10, 439_999), { step: 0, stalledMs: undefined });
  assert.deepEqual(w.observe('n', 10, 440_000), { step: 0, stalledMs: 60_000 }, 'a new stall warns at once');
  // A node that does not answer makes no progress either.
  assert.deepEqual(w.observe('m', 3, 0), { step: undefined, stalledMs: undefined });
  assert.deepEqual(w.observe('m', undefined, 30_000), { step: undefined, stalledMs: undefined });
  assert.deepEqual(w.observe('m', undefined, 60_000), { step: undefined, stalledMs: 60_000 });
  assert.deepEqual(w.observe('silent', undefined, 0), { step: undefined, stalledMs: undefined }, 'never answered: counted from the first look');
  assert.deepEqual(w.observe('silent', undefined, 60_000), { step: undefined, stalledMs: 60_000 });
  assert.deepEqual(w.observe('silent', 1, 70_000), { step: undefined, stalledMs: undefined }, 'answering at last');
});
