#!/usr/bin/env node
// Installs whatever is missing before `npm start`, `npm test` (and `test:unit`, `test:integration`),
// `npm run bench`, `npm run lanes` and `npm run reset`:
// the npm packages (when node_modules is absent or older than package-lock.json) and the
// pinned CometBFT binary (into .tools/bin, skipped when the right version is there).
// Only Node built-ins here: this runs before any package is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const COMETBFT_VERSION = '0.38.25';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const toolsBin = join(root, '.tools', 'bin');
const cometbft = join(toolsBin, 'cometbft');

function say(msg) { process.stderr.write(`[lanes setup] ${msg}\n`); }
function fail(msg) { say(`error: ${msg}`); process.exit(1); }

function run(cmd, args, opts = {}) {
  say(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 9)) fail(`Node.js 20.9 or newer is required, this is ${process.version}`);

// 1. npm packages
const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.package-lock.json');
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
if (stale) {
  say('installing npm packages (first run takes a minute)...');
  run('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund']);
}

// 2. CometBFT, pinned: v1.x speaks another ABCI gRPC service, so never @latest.
function installedVersion() {
  if (!existsSync(cometbft)) return null;
  const r = spawnSync(cometbft, ['version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}
const have = installedVersion();
if (have !== COMETBFT_VERSION) {
  say(have ? `CometBFT ${have} found, replacing with ${COMETBFT_VERSION}` : `installing CometBFT v${COMETBFT_VERSION} with go install (about a minute)...`);
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) fail('Go is needed to install CometBFT (https://go.dev/dl); `go version` failed');
  mkdirSync(toolsBin, { recursive: true });
  run('go', ['install', `github.com/cometbft/cometbft/cmd/cometbft@v${COMETBFT_VERSION}`], {
    env: { ...process.env, GOBIN: toolsBin, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
  });
  const now = installedVersion();
  if (now !== COMETBFT_VERSION) fail(`after go install, ${cometbft} reports ${now ?? 'nothing'}`);
  say(`CometBFT ${now} installed at ${cometbft}`);
}
