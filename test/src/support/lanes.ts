// Runs the `lanes` CLI (abci-server/src/cli.ts) as a user does: a child process, against a real
// node (startTestNode), with its output and exit code.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(root, 'abci-server', 'src', 'cli.ts');

export interface LanesRun {
  out: string;
  err: string;
  code: number;
}

/**
 * Runs `lanes --home <at.home> <args>` in a child process with LANES_NODE=<at.rpcUrl> (and no
 * LANES_HOME), `input` on its stdin (else none, so a tx without -y stops at its confirmation).
 * Asynchronously: a blocked event loop would let the node close this process's idle keep-alive
 * RPC sockets unnoticed.
 */
export async function runLanes(at: { home: string; rpcUrl: string }, args: readonly string[], opts: { input?: string } = {}): Promise<LanesRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--home', at.home, ...args], {
    cwd: root,
    env: { ...process.env, LANES_NODE: at.rpcUrl, LANES_HOME: '' },
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  if (opts.input !== undefined) child.stdin?.end(opts.input);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const [code] = (await once(child, 'close')) as [number | null];
  return { out, err, code: code ?? -1 };
}
