#!/usr/bin/env node
// Installs whatever is missing before `npm start`, `npm test` (and `test:unit`, `test:integration`),
// `npm run bench`, `npm run lanes` and `npm run reset`:
// the npm packages (when node_modules is absent or older than package-lock.json) and the
// pinned CometBFT binary (into .tools/bin, skipped when the right version is there; with
// LANES_COMETBFT set, that binary is used instead, and only checked to be a 0.38).
// Only Node built-ins here: this runs before any package is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
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
/**
 * What `<bin> version` says: `{ version }`, or `{ problem }` when the file is missing or does not
 * run as CometBFT (truncated by an interrupted install, not a program, some other program).
 */
function probe(bin) {
  if (!existsSync(bin)) return { problem: 'no such file' };
  const r = spawnSync(bin, ['version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return { problem: r.error.code === 'ETIMEDOUT' ? '`version` did not answer within 30 s' : `it does not run: ${r.error.message}` };
  if (r.signal) return { problem: `\`version\` was killed by ${r.signal}` };
  if (r.status !== 0) return { problem: `\`version\` exited with ${r.status}` };
  return { version: r.stdout.trim() };
}

const chosen = process.env.LANES_COMETBFT;
if (chosen) {
  // The launcher runs this binary instead of .tools/bin's (cometbftBinary in abci-server/src/node/home.ts):
  // nothing to install, so Go is not needed; but it must be a 0.38 (ABCI 2.0 over gRPC as this app serves it).
  const { version, problem } = probe(chosen);
  if (problem) fail(`LANES_COMETBFT=${chosen}: ${problem}; point it at a CometBFT 0.38.x binary, or unset it to use the pinned v${COMETBFT_VERSION} (installed into .tools/bin with Go)`);
  if (!/^0\.38\.\d+(?![\d.])/.test(version)) {
    fail(`LANES_COMETBFT=${chosen} is CometBFT ${JSON.stringify(version)}, and Lanes needs 0.38.x (v${COMETBFT_VERSION} is the one tested; v1.x speaks another ABCI gRPC service); `
      + 'point it at a 0.38 binary, or unset it to use the pinned one');
  }
} else {
  const found = probe(cometbft);
  if (found.version !== COMETBFT_VERSION) {
    say(found.version ? `CometBFT ${found.version} found, replacing with ${COMETBFT_VERSION}`
      : existsSync(cometbft) ? `${cometbft} is broken (${found.problem}): replacing it with CometBFT v${COMETBFT_VERSION} (about a minute)...`
        : `installing CometBFT v${COMETBFT_VERSION} with go install (about a minute)...`);
    const go = spawnSync('go', ['version'], { encoding: 'utf8' });
    if (go.status !== 0) fail('Go is needed to install CometBFT (https://go.dev/dl); `go version` failed');
    // Built into a folder of its own beside bin/ (one file system: the rename below is atomic),
    // then renamed over the old file. So an interrupted install (go install copies the binary
    // into GOBIN when its temp folder is on another file system, /tmp on tmpfs say) never leaves
    // a partial binary at .tools/bin/cometbft, and go install never meets the old file there: it
    // refuses to replace a file that is not a Go binary, and takes a truncated Go binary, whose
    // build ID it still reads, for up to date. Folders left by an interrupted run are deleted
    // here, once the run that made them is gone.
    const tools = dirname(toolsBin);
    mkdirSync(toolsBin, { recursive: true });
    for (const name of readdirSync(tools)) {
      const pid = /^gobin-(\d+)$/.exec(name)?.[1];
      if (pid !== undefined && !alive(Number(pid))) rmSync(join(tools, name), { recursive: true, force: true });
    }
    const gobin = join(tools, `gobin-${process.pid}`);
    rmSync(gobin, { recursive: true, force: true });
    mkdirSync(gobin);
    process.on('exit', () => rmSync(gobin, { recursive: true, force: true }));
    run('go', ['install', `github.com/cometbft/cometbft/cmd/cometbft@v${COMETBFT_VERSION}`], {
      env: { ...process.env, GOBIN: gobin, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
    });
    const built = join(gobin, 'cometbft');
    const now = probe(built);
    if (now.version !== COMETBFT_VERSION) fail(`go install built ${built}, and it reports ${now.version ?? now.problem}`);
    renameSync(built, cometbft);
    say(`CometBFT ${now.version} installed at ${cometbft}`);
  }
}

/** Whether a process with this pid exists (EPERM: it does, someone else's). */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}
