#!/usr/bin/env node
// Finds every *.test.ts and runs them in one `node --test` so the run ends with one summary.
// --unit: tests beside the code; --integration: test/ (real CometBFT). Default: both.
// Files run one at a time: integration tests each start a node, and this machine has 2 cores.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const wantUnit = !args.includes('--integration');
const wantIntegration = !args.includes('--unit');

function walk(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}
const unitDirs = ['app', 'modules', 'abci-server', 'client', 'proto', 'bench'];
let files = [];
if (wantUnit) for (const d of unitDirs) files.push(...walk(join(root, d), []));
if (wantIntegration) files.push(...walk(join(root, 'test'), []));
files.sort();
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  process.stderr.write('no test files found\n');
  process.exit(1);
}
// A test file that hangs (a loop that never ends; a failing assert.ok without a message, whose
// message Node builds by parsing the source, which under tsx can spin for many minutes: see
// eslint.config.js) is stopped after this long and reported as failed by name, instead of running
// CI into its limit. The longest file takes ~4 minutes. --test-timeout came in Node 20.11.
const FILE_TIMEOUT_MS = Number(process.env.LANES_TEST_FILE_TIMEOUT_MS ?? 15 * 60_000);
if (!Number.isSafeInteger(FILE_TIMEOUT_MS) || FILE_TIMEOUT_MS < 1) {
  process.stderr.write(`LANES_TEST_FILE_TIMEOUT_MS=${JSON.stringify(process.env.LANES_TEST_FILE_TIMEOUT_MS)}: expected a whole number of milliseconds, at least 1\n`);
  process.exit(1);
}
const [major, minor] = process.versions.node.split('.').map(Number);
const run = (testFiles, extra) => spawnSync(process.execPath, ['--import', 'tsx', '--test', ...extra, '--test-reporter=spec', ...testFiles], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, LANES_REPO_ROOT: root },
});
if (major > 20 || (major === 20 && minor >= 11)) {
  process.exit(run(files, ['--test-concurrency=1', `--test-timeout=${FILE_TIMEOUT_MS}`]).status ?? 1);
}
// Node 20.9 and 20.10: one `node --test` per file (20.9 has no --test-concurrency), the failures
// named at the end, and no timeout (the runner's own would stop only itself, not the test's
// process and the nodes it started).
const failed = files.filter((f) => run([f], []).status !== 0);
process.stdout.write(`\n${files.length - failed.length} of ${files.length} test files passed${failed.length ? `; failed:\n  ${failed.join('\n  ')}` : ''}\n`);
process.exit(failed.length ? 1 : 0);
