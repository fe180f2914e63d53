// How a node that cannot run says so, as its operator sees it, on the real CometBFT: a panic at
// startup shows its message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { UserError, homePaths, startNode } from '@lanes/abci-server';
import { startTestNode, waitFor } from './support/node.ts';

async function height(rpc: string): Promise<number> {
  const r = (await (await fetch(`${rpc}/status`)).json()) as { result: { sync_info: { latest_block_height: string } } };
  return Number(r.result.sync_info.latest_block_height);
}

/** startNode on a home a test node ran on (its lanes.json's ports and settings), quiet. */
function restart(home: string) {
  return startNode({ home, logger: pino({ level: 'silent' }), output: null, cometbftLogLevel: '*:error', appLogLevel: 'warn', readyTimeoutMs: 60_000 });
}

test('CometBFT panicking at startup (its blocks deleted, the app\'s state kept): the error shows the panic\'s message, which its stack trace pushes out of the last lines', { timeout: 180_000 }, async () => {
  const node = await startTestNode({ blockTimeMs: 200, keepHome: true });
  try {
    await waitFor(async () => (await height(node.rpcUrl)) >= 3, 60_000, 'height 3');
    await node.stop();
    // All of CometBFT's data but the validator's signing record: its state is back at genesis,
    // the app's is not, and the handshake panics.
    const data = join(node.home, 'cometbft', 'data');
    for (const f of readdirSync(data)) if (f !== 'priv_validator_state.json') rmSync(join(data, f), { recursive: true, force: true });
    await assert.rejects(restart(node.home), (e) => {
      assert.ok(e instanceof UserError, `a UserError, got ${String(e)}`);
      const m = e.message;
      // The message's head and end (between them, a state dump), then the last lines.
      assert.match(m, /^CometBFT exited during startup\ncometbft panicked:\n {2}panic: state\.AppHash does not match AppHash after replay\. Got\n {2}[0-9A-F]{64}, expected \.\n {2}State: /, m);
      assert.match(m, /\n {2}\.\.\. \(\d+ more lines\)\n.*\n {2}Did you reset CometBFT without resetting your application's data\?\nlast lines of cometbft:\n/, m);
      // The last lines are the goroutine dump, without the panic's line.
      const tail = m.slice(m.indexOf('last lines of cometbft:'));
      assert.doesNotMatch(tail, /panic: /, tail);
      return true;
    });
    assert.equal(existsSync(homePaths(node.home).appPid), false, 'the app stopped, pid files removed');
  } finally {
    rmSync(node.home, { recursive: true, force: true });
  }
});
