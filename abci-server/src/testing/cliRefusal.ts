// Test helper for the command files' tests: runs a `lanes` command in process that must be refused
// before it reaches any node (bad arguments, checked while parsing). Nothing here answers as a
// node: commands that need one are tested against a real node in test/src/cli.test.ts.
import assert from 'node:assert/strict';
import { CommanderError, type Command } from 'commander';
import { buildProgram } from '../cli.ts';

/**
 * Runs `lanes <args>` in process against a node that is not there (with -y for a tx), output
 * silenced; resolves to commander's error, which a refusal before any node is reached ends in.
 */
export async function refusal(...args: string[]): Promise<CommanderError> {
  const program = buildProgram();
  const quiet = (c: Command): void => {
    c.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    c.commands.forEach(quiet);
  };
  quiet(program);
  try {
    await program.parseAsync(['node', 'lanes', ...args, '--node', 'http://127.0.0.1:1', ...(args[0] === 'tx' ? ['-y'] : [])]);
  } catch (e) {
    assert.ok(e instanceof CommanderError, String(e));
    return e;
  }
  assert.fail(`lanes ${args.join(' ')} did not fail`);
}
