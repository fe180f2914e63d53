// scripts/ensure.mjs's CometBFT step: a broken .tools/bin/cometbft is replaced on the next run, an
// interrupted install never leaves a partial binary at that path, and LANES_COMETBFT is checked
// rather than installed over. Run on a copy of the script in a scratch repository (its npm
// packages marked installed), with a stand-in `go` on the PATH that behaves as `go install` does
// towards the file at $GOBIN/cometbft: it refuses to replace a file that is not a Go binary, and
// leaves a Go binary there as it is, when it can still read its build ID (a truncated one, too).
// The real go install was checked against the same cases by hand (NOTES of the fix).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './home.ts';

const ENSURE = join(REPO_ROOT, 'scripts', 'ensure.mjs');
const PINNED = /COMETBFT_VERSION = '([^']+)'/.exec(readFileSync(ENSURE, 'utf8'))?.[1] as string;

/** A stand-in for `go`: `install` writes $GOBIN/cometbft, a script printing $FAKE_GO_VERSION (default the pinned one). */
const FAKE_GO = `#!/bin/sh
case "$1" in
version) echo "go version go1.99 fake"; exit 0 ;;
install) ;;
*) exit 2 ;;
esac
target="$GOBIN/cometbft"
if [ -e "$target" ]; then
  if [ "$(head -c 4 "$target" | tail -c 3)" = ELF ]; then exit 0; fi
  echo "go install: build output \\"$target\\" already exists and is not an object file" >&2
  exit 1
fi
if [ -n "$FAKE_GO_INTERRUPT" ]; then
  # The copy into GOBIN cut short: part of a binary, then go and ensure.mjs are gone (kill -9,
  # Ctrl-C to the process group, a power cut).
  printf '\\177ELF partial' > "$target"; chmod +x "$target"
  kill -9 $PPID $$
fi
printf '#!/bin/sh\\necho %s\\n' "\${FAKE_GO_VERSION:-${PINNED}}" > "$target"; chmod +x "$target"
`;

function scratchRepo(): { root: string; bin: string; cometbft: string; tools: string; ensure: (env?: NodeJS.ProcessEnv) => { code: number | null; err: string } } {
  const root = mkdtempSync(join(tmpdir(), 'lanes-ensure-'));
  mkdirSync(join(root, 'scripts'));
  copyFileSync(ENSURE, join(root, 'scripts', 'ensure.mjs'));
  // npm packages "installed": the marker newer than the lock file.
  writeFileSync(join(root, 'package-lock.json'), '{}');
  mkdirSync(join(root, 'node_modules'));
  writeFileSync(join(root, 'node_modules', '.package-lock.json'), '{}');
  const bin = join(root, 'fakebin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'go'), FAKE_GO);
  chmodSync(join(bin, 'go'), 0o755);
  const tools = join(root, '.tools');
  return {
    root, bin, tools, cometbft: join(tools, 'bin', 'cometbft'),
    ensure: (env = {}) => {
      const r = spawnSync(process.execPath, [join(root, 'scripts', 'ensure.mjs')], {
        encoding: 'utf8',
        env: { PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, ...env },
        timeout: 60_000,
      });
      return { code: r.status, err: r.stderr };
    },
  };
}

function writeExecutable(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  chmodSync(path, 0o755);
}

const version = (bin: string): string => spawnSync(bin, ['version'], { encoding: 'utf8' }).stdout.trim();

test('ensure.mjs replaces a broken .tools/bin/cometbft (a truncated Go binary, a file that is not Go\'s) on the next run', () => {
  const r = scratchRepo();
  try {
    const fresh = r.ensure();
    assert.equal(fresh.code, 0, fresh.err);
    assert.equal(version(r.cometbft), PINNED);

    // What an interrupted copy leaves: the start of a Go binary, which go install takes for up to date.
    writeExecutable(r.cometbft, Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01'), Buffer.alloc(1000)]));
    const truncated = r.ensure();
    assert.equal(truncated.code, 0, truncated.err);
    assert.match(truncated.err, new RegExp(`${r.cometbft} is broken \\(.*\\): replacing it with CometBFT v${PINNED}`));
    assert.equal(version(r.cometbft), PINNED, 'the truncated binary replaced');

    // Not a Go binary, an older version: go install refuses to write over it.
    writeExecutable(r.cometbft, '#!/bin/sh\necho 0.38.24\n');
    const other = r.ensure();
    assert.equal(other.code, 0, other.err);
    assert.match(other.err, new RegExp(`CometBFT 0.38.24 found, replacing with ${PINNED}`));
    assert.equal(version(r.cometbft), PINNED, 'the script replaced');

    // A file that fails `version`.
    writeExecutable(r.cometbft, '#!/bin/sh\nexit 3\n');
    const failing = r.ensure();
    assert.equal(failing.code, 0, failing.err);
    assert.match(failing.err, /is broken \(`version` exited with 3\)/);
    assert.equal(version(r.cometbft), PINNED);

    // The right one is left alone.
    const again = r.ensure();
    assert.deepEqual(again, { code: 0, err: '' });
    assert.deepEqual(readdirSync(r.tools), ['bin'], 'no install folder left behind');
  } finally {
    rmSync(r.root, { recursive: true, force: true });
  }
});

test('ensure.mjs: an install interrupted while it writes the binary leaves nothing partial at .tools/bin/cometbft, and the next run completes it', () => {
  const r = scratchRepo();
  try {
    for (const before of [undefined, '#!/bin/sh\necho 0.38.24\n']) {
      rmSync(r.tools, { recursive: true, force: true });
      if (before !== undefined) writeExecutable(r.cometbft, before);
      const cut = r.ensure({ FAKE_GO_INTERRUPT: '1' });
      assert.equal(cut.code, null, cut.err);
      if (before === undefined) assert.equal(existsSync(r.cometbft), false, 'no partial binary at the final path');
      else assert.equal(readFileSync(r.cometbft, 'utf8'), before, 'the old binary untouched');
      // The interrupted run's own folder (its process is gone) is the only thing it left.
      assert.equal(readdirSync(r.tools).filter((f) => f.startsWith('gobin-')).length, 1, readdirSync(r.tools).join(', '));
      const rerun = r.ensure();
      assert.equal(rerun.code, 0, rerun.err);
      assert.equal(version(r.cometbft), PINNED);
      assert.deepEqual(readdirSync(r.tools), ['bin'], 'the interrupted run\'s folder deleted');
    }
  } finally {
    rmSync(r.root, { recursive: true, force: true });
  }
});

test('ensure.mjs with LANES_COMETBFT: no Go needed, nothing installed; that binary must run and be a 0.38', () => {
  const r = scratchRepo();
  try {
    // A `go` that fails, as if absent: any call to it would show.
    writeExecutable(join(r.bin, 'go'), '#!/bin/sh\necho "go called" >&2\nexit 127\n');
    const chosen = join(r.root, 'mine', 'cometbft');
    writeExecutable(chosen, '#!/bin/sh\necho 0.38.17\n');
    const ok = r.ensure({ LANES_COMETBFT: chosen });
    assert.deepEqual(ok, { code: 0, err: '' });
    assert.equal(existsSync(r.tools), false, 'nothing installed');

    writeExecutable(chosen, '#!/bin/sh\necho 1.0.1\n');
    const v1 = r.ensure({ LANES_COMETBFT: chosen });
    assert.equal(v1.code, 1, v1.err);
    assert.equal(v1.err, `[lanes setup] error: LANES_COMETBFT=${chosen} is CometBFT "1.0.1", and Lanes needs 0.38.x (v${PINNED} is the one tested; `
      + 'v1.x speaks another ABCI gRPC service); point it at a 0.38 binary, or unset it to use the pinned one\n');
    writeExecutable(chosen, '#!/bin/sh\necho 0.380.1\n');
    assert.equal(r.ensure({ LANES_COMETBFT: chosen }).code, 1, '0.380 is not 0.38');

    writeExecutable(chosen, '#!/bin/sh\nexit 2\n');
    const broken = r.ensure({ LANES_COMETBFT: chosen });
    assert.equal(broken.code, 1, broken.err);
    assert.equal(broken.err, `[lanes setup] error: LANES_COMETBFT=${chosen}: \`version\` exited with 2; point it at a CometBFT 0.38.x binary, `
      + `or unset it to use the pinned v${PINNED} (installed into .tools/bin with Go)\n`);

    const missing = r.ensure({ LANES_COMETBFT: join(r.root, 'nowhere') });
    assert.equal(missing.code, 1, missing.err);
    assert.match(missing.err, /LANES_COMETBFT=.*nowhere: no such file; point it at a CometBFT 0.38.x binary/);
    assert.doesNotMatch(missing.err + broken.err + v1.err, /go called/);
  } finally {
    rmSync(r.root, { recursive: true, force: true });
  }
});
