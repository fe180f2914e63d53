import { test } from 'node:test';
import assert from 'node:assert/strict';
import { positiveNumber, wholeNumber } from './numbers.ts';
import { buildProgram } from '../cli.ts';

test('wholeNumber and positiveNumber accept what they name and refuse the rest with the reason', () => {
  assert.equal(wholeNumber(0)('0'), 0);
  assert.equal(wholeNumber(1)('128'), 128);
  for (const v of ['0', '-1', '2.5', 'x', '', 'Infinity']) assert.throws(() => wholeNumber(1)(v), /expected a whole number, at least 1/, v);
  assert.equal(positiveNumber('0.5'), 0.5);
  for (const v of ['0', '-2', 'x', 'Infinity', 'NaN']) assert.throws(() => positiveNumber(v), /expected a positive number/, v);
});

test('lanes load and lanes init refuse bad counts and durations by option, before any work', async () => {
  const parse = (cmdName: string, args: string[]) => {
    const p = buildProgram().exitOverride().configureOutput({ writeErr: () => {} });
    const cmd = p.commands.find((c) => c.name() === cmdName);
    cmd?.exitOverride().configureOutput({ writeErr: () => {} }).action(() => {});
    return p.parseAsync(['node', 'lanes', cmdName, ...args]);
  };
  await assert.rejects(parse('load', ['--accounts', '2.5']), /option '--accounts <n>' argument '2.5' is invalid. expected a whole number, at least 1/);
  await assert.rejects(parse('load', ['--duration', '0']), /option '--duration <s>' argument '0' is invalid. expected a positive number/);
  await assert.rejects(parse('init', ['--block-time', '0']), /option '--block-time <ms>' argument '0' is invalid. expected a whole number, at least 1/);
  await parse('load', ['--accounts', '10', '--duration', '1.5', '--concurrency', '4']);
});
