import { test } from 'node:test';
import assert from 'node:assert/strict';
import { positiveNumber, rpcUrl, wholeNumber } from './numbers.ts';
import { buildProgram } from '../cli.ts';

test('wholeNumber and positiveNumber accept what they name and refuse the rest with the reason', () => {
  assert.equal(wholeNumber(0)('0'), 0);
  assert.equal(wholeNumber(1)('128'), 128);
  for (const v of ['0', '-1', '2.5', 'x', '', 'Infinity']) assert.throws(() => wholeNumber(1)(v), /expected a whole number, at least 1/, v);
  assert.equal(wholeNumber(1, 2000)('2000'), 2000);
  for (const v of ['0', '2001', '2.5', 'Infinity']) assert.throws(() => wholeNumber(1, 2000)(v), /expected a whole number from 1 to 2000/, v);
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

test('rpcUrl takes http(s) and ws(s) URLs with a host; --node, LANES_NODE and load --rpc refuse anything else by name', async () => {
  for (const v of ['http://127.0.0.1:26657', 'https://rpc.example.com', 'ws://localhost:26657/websocket', 'wss://x:443']) assert.equal(rpcUrl(v), v);
  for (const v of ['notaurl', '127.0.0.1:26657', 'http://', 'ftp://x', 'tcp://127.0.0.1:26657', '']) assert.throws(() => rpcUrl(v), /expected (the URL of a CometBFT RPC endpoint|an http:\/\/, https:\/\/, ws:\/\/ or wss:\/\/ URL with a host)/, v);
  const parse = (path: string[], args: string[]) => {
    const p = buildProgram().exitOverride().configureOutput({ writeErr: () => {} });
    const leaf = path.reduce((c, name) => c.commands.find((s) => s.name() === name) as typeof c, p);
    leaf.exitOverride().configureOutput({ writeErr: () => {} }).action(() => {});
    return p.parseAsync(['node', 'lanes', ...path, ...args]);
  };
  const addr = 'lanes15yk64u7zc9g9k2yr2wmzeva5qgwxps6yteljcu';
  await assert.rejects(parse(['query', 'bank', 'balances'], [addr, '--node', 'ftp://x']), /option '--node <url>' argument 'ftp:\/\/x' is invalid/);
  await assert.rejects(parse(['load'], ['--rpc', 'nope']), /option '--rpc <url>' argument 'nope' is invalid/);
  process.env['LANES_NODE'] = 'foo';
  try {
    await assert.rejects(parse(['query', 'bank', 'balances'], [addr]), /option '--node <url>' value 'foo' from env 'LANES_NODE' is invalid/);
  } finally {
    delete process.env['LANES_NODE'];
  }
  await parse(['query', 'bank', 'balances'], [addr, '--node', 'http://127.0.0.1:1']);
});
