// The benchmark suites run end to end (tiny sizes: this checks they work and write the
// JSON shapes issue #3 specifies, not their figures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.env['LANES_REPO_ROOT'] ?? process.cwd();

function bench(args: string[]): Record<string, unknown> {
  const out = mkdtempSync(join(tmpdir(), 'lanes-bench-test-'));
  try {
    const r = spawnSync(process.execPath, ['scripts/run-ts.mjs', 'bench/src/main.ts', ...args], {
      cwd: root, env: { ...process.env, LANES_BENCH_RESULTS: out }, encoding: 'utf8', timeout: 240_000,
    });
    assert.equal(r.status, 0, `bench ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
    assert.match(r.stderr, /\[bench\]/, 'progress on stderr');
    return JSON.parse(readFileSync(join(out, `${args[0]}.json`), 'utf8')) as Record<string, unknown>;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const positive = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x > 0;

test('bench exec: every workload, sequential and parallel at 1, 2 and N workers', () => {
  const j = bench(['exec', '--txs', '200', '--runs', '1', '--warmup', '1']);
  assert.equal(j['suite'], 'exec');
  assert.equal(j['txsPerBlock'], 200);
  assert.ok(positive(j['cpus']), `cpus ${String(j['cpus'])} should be a positive number`);
  const rows = j['results'] as {
    workload: string; executor: string; workers: number; tps: number; runs: number; ratio: number; ratioQuartiles: number[]; phasesMs: { prepare: number; txs: number; finish: number };
    cpuMs?: { mainRun: number; mainWait: number; workersRun: number; workersWait: number; helpersRun: number };
  }[];
  const schedstat = existsSync('/proc/thread-self/schedstat');
  for (const w of ['transfers', 'hotspot', 'defi-mix']) {
    const mine = rows.filter((r) => r.workload === w);
    assert.deepEqual(mine.map((r) => r.executor === 'sequential' ? 0 : r.workers).slice(0, 3), [0, 1, 2], `${w}: sequential, parallel x1, x2`);
    for (const r of mine) {
      assert.ok(positive(r.tps) && r.runs === 1, JSON.stringify(r));
      // The per-round ratios' quartiles bracket their median (one round: all three the same).
      const [q1, q3] = r.ratioQuartiles;
      assert.ok(positive(q1) && positive(q3) && q1! <= r.ratio && r.ratio <= q3!, `ratio quartiles of ${JSON.stringify(r)}`);
      // Where the block's time went, from the app's own BlockStats.
      const p = r.phasesMs;
      assert.ok(p.prepare >= 0 && positive(p.txs) && p.finish >= 0, `phases of ${JSON.stringify(r)}`);
      // The CPU split by thread (Linux): the chain's thread ran; a sequential block has no workers.
      if (schedstat) {
        const c = r.cpuMs;
        assert.ok(c && Object.values(c).every((v) => Number.isFinite(v) && v >= 0) && positive(c.mainRun), `CPU split of ${JSON.stringify(r)}`);
        if (r.executor === 'sequential') assert.ok(c.workersRun < c.mainRun / 2, `a sequential block's other threads barely ran: ${JSON.stringify(c)}`);
      }
    }
  }
  // The two-thread ceiling probe: one thread alone, then two at once.
  const c = j['ceiling'] as { threads: number; soloTps: number; pairTps: number[]; speedup: number };
  assert.equal(c.threads, 2);
  assert.ok(positive(c.soloTps) && c.pairTps.length === 2 && c.pairTps.every(positive), JSON.stringify(c));
  assert.ok(Math.abs(c.speedup - (c.pairTps[0]! + c.pairTps[1]!) / c.soloTps) < 0.01, `speedup is the pair's sum over one thread: ${JSON.stringify(c)}`);
});

test('bench checktx: CometBFT\'s own ABCI gRPC client against the app\'s gRPC server', () => {
  // Two runs: the second sends each account's next sequence, so the app must keep the first's.
  const j = bench(['checktx', '--txs', '300', '--runs', '2', '--concurrency', '16']);
  assert.equal(j['suite'], 'checktx');
  assert.equal(j['concurrency'], 16);
  assert.equal(j['client'], 'cometbft');
  assert.ok(positive(j['tps']), `tps ${String(j['tps'])} should be a positive number`);
  // Same-run limits: the transport with no CheckTx work, and one thread's signature checks.
  const limits = j['limits'] as { transportTps: number; verifyPerThread: number };
  assert.ok(positive(limits.transportTps) && positive(limits.verifyPerThread), JSON.stringify(limits));
});

test('bench e2e: a short run against its own node, every tx accounted for', () => {
  const j = bench(['e2e', '--duration', '3', '--rate', '150', '--accounts', '50', '--concurrency', '16', '--block-time', '300']);
  assert.equal(j['suite'], 'e2e');
  for (const k of ['tps', 'sent', 'committed', 'seconds', 'p50_ms', 'p95_ms']) assert.ok(positive(j[k]), `${k}: ${String(j[k])}`);
  assert.equal(j['lost'], 0);
  assert.equal(j['committed'], j['sent']);
});

test('bench gas: block time per unit of gas by kind of tx, each against transfers in the same run', () => {
  const j = bench(['gas', '--txs', '20', '--runs', '1']);
  assert.deepEqual([j['suite'], j['txsPerBlock'], j['runs']], ['gas', 20, 1]);
  const rows = j['results'] as { workload: string; gasPerTx: number; usPerTx: number; nsPerGas: number; vsTransfers: number }[];
  assert.equal(rows[0]?.workload, 'transfer', 'the baseline first');
  assert.equal(rows[0]?.vsTransfers, 1);
  assert.ok(rows.length >= 8, rows.map((r) => r.workload).join(','));
  for (const r of rows) assert.ok([r.gasPerTx, r.usPerTx, r.nsPerGas, r.vsTransfers].every(positive), JSON.stringify(r));
  // The skewed stableswap pool takes ~1,000 solver steps of 1,000 gas.
  const skewed = rows.find((r) => r.workload === 'swap-stable-skewed');
  assert.ok((skewed?.gasPerTx ?? 0) > 500_000, JSON.stringify(skewed));
  // Each row's ratio is its ns per gas over the transfers' (one round: exactly).
  for (const r of rows) assert.ok(Math.abs(r.vsTransfers - r.nsPerGas / (rows[0]?.nsPerGas ?? 1)) < 1e-9, JSON.stringify(r));
});

test('bench options: a count that is not a whole number in range is refused by name, before any work', () => {
  for (const [args, option] of [
    [['exec', '--warmup', '-1'], '--warmup'], [['exec', '--runs', '0'], '--runs'], [['exec', '--txs', '2.5'], '--txs'],
    [['checktx', '--concurrency', 'x'], '--concurrency'], [['e2e', '--duration', '0'], '--duration'],
    [['e2e', '--accounts', '2.5'], '--accounts'], [['gas', '--txs', '0'], '--txs'], [['gas', '--txs', '2001'], '--txs'],
  ] as const) {
    const r = spawnSync(process.execPath, ['scripts/run-ts.mjs', 'bench/src/main.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(r.status, 0, `${args.join(' ')} was accepted`);
    assert.match(r.stderr, new RegExp(`option '${option} <[^>]+>' argument '${args[2]}' is invalid`), r.stderr);
    assert.doesNotMatch(r.stderr, /\[bench\]/, 'nothing ran');
  }
});

test('a suite that fails says why in one line: no Node dump of an uncaught error', async () => {
  // A port that was just free: nothing answers there.
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
  const r = spawnSync(process.execPath, ['scripts/run-ts.mjs', 'bench/src/main.ts', 'e2e', '--quick', '--rpc', `http://127.0.0.1:${port}`], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^error: bench e2e failed: no node answers at http://127\\.0\\.0\\.1:${port} \\(connect ECONNREFUSED[^)]*\\): start one \\(npm start\\)`, 'm'), r.stderr);
  assert.doesNotMatch(r.stderr, /triggerUncaughtException|^\s+at /m, r.stderr);
});
