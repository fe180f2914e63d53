// Runs the README's CosmJS examples verbatim (plain node, no tsx) against one real node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StargateClient } from '@cosmjs/stargate';
import { startTestNode, type TestNode } from './support/node.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

function readmeExample(name: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const marker = `<!-- readme-example:${name} -->`;
  const at = readme.indexOf(marker);
  assert.ok(at >= 0, `README has no ${marker}`);
  const m = /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(m?.[1], `no js block after ${marker}`);
  return m[1];
}

/** Runs a README block as a .mjs file inside the repo (so node_modules resolves), with plain node. */
function runExample(code: string): { status: number | null; stdout: string; stderr: string } {
  const file = join(root, 'test', `.readme-example-${process.pid}.mjs`);
  writeFileSync(file, code);
  try {
    return spawnSync(process.execPath, [file], { env: { ...process.env, LANES_RPC: node.rpcUrl }, encoding: 'utf8', timeout: 60_000 });
  } finally {
    rmSync(file, { force: true });
  }
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
  try {
    const r = runExample(code);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^code 0, tx [0-9A-F]{64}, height \d+, gas \d+$/m);
    assert.equal(BigInt((await ro.getBalance(bob, 'uatom')).amount), before + 1_000_000n);
    assert.match(r.stdout, new RegExp(`bob now has ${before + 1_000_000n} uatom`));
  } finally {
    ro.disconnect();
  }
});

test('the README AMM example swaps 1 ATOM for USDC with unmodified CosmJS under plain node', async () => {
  const code = readmeExample('cosmjs-swap');
  const trader = node.accounts[2]?.address as string;
  const ro = await StargateClient.connect(node.rpcUrl);
  const usdc = BigInt((await ro.getBalance(trader, 'uusdc')).amount);
  const atom = BigInt((await ro.getBalance(trader, 'uatom')).amount);
  try {
    const r = runExample(code);
    assert.equal(r.status, 0, r.stderr);
    // Pool 1 at genesis: 10^10 uatom / 10^11 uusdc, fee 0.003 -> floor(10^6·0.997·10^11 / (10^10 + 10^6·0.997)) = 9969006.
    assert.match(r.stdout, /^code 0, tx [0-9A-F]{64}, got 9969006 uusdc$/m);
    assert.equal(BigInt((await ro.getBalance(trader, 'uusdc')).amount), usdc + 9_969_006n);
    assert.equal(BigInt((await ro.getBalance(trader, 'uatom')).amount), atom - 1_000_000n);
  } finally {
    ro.disconnect();
  }
});
