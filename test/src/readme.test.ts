// Runs the README's CosmJS example verbatim (plain node, no tsx) against a real node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { StargateClient } from '@cosmjs/stargate';
import { startTestNode, type TestNode } from './support/node.ts';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');

export function readmeExample(name: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const marker = `<!-- readme-example:${name} -->`;
  const at = readme.indexOf(marker);
  assert.ok(at >= 0, `README has no ${marker}`);
  const m = /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(m?.[1], `no js block after ${marker}`);
  return m[1];
}

let node: TestNode;
before(async () => {
  node = await startTestNode();
});
after(async () => {
  await node?.stop();
});

test('the README CosmJS example sends tokens', async () => {
  const code = readmeExample('cosmjs-send');
  assert.ok(code.split('\n').filter((l) => l.trim()).length <= 15, 'the example stays within 15 lines');
  const bob = node.accounts[1]?.address as string;
  const ro = await StargateClient.connect(node.rpcUrl);
  const before = BigInt((await ro.getBalance(bob, 'uatom')).amount);
  const file = join(root, 'test', `.readme-example-${process.pid}.mjs`);
  writeFileSync(file, code);
  try {
    const r = spawnSync(process.execPath, [file], { env: { ...process.env, LANES_RPC: node.rpcUrl }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^code 0, tx [0-9A-F]{64}, height \d+, gas \d+$/m);
    assert.equal(BigInt((await ro.getBalance(bob, 'uatom')).amount), before + 1_000_000n);
    assert.match(r.stdout, new RegExp(`bob now has ${before + 1_000_000n} uatom`));
  } finally {
    rmSync(file, { force: true });
    ro.disconnect();
  }
});
