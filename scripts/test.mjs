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
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, LANES_REPO_ROOT: root },
});
process.exit(r.status ?? 1);
