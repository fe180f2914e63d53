// Runs the README's AMM swap example verbatim (plain node, no tsx) against a real node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { StargateClient } from '@cosmjs/stargate';
import { startTestNode, type TestNode } from './support/node.ts';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');

function readmeExample(name: string): string {
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

test('the README AMM example swaps 1 ATOM for USDC with unmodified CosmJS under plain node', async () => {
  const code = readmeExample('cosmjs-swap');
  const trader = node.accounts[2]?.address as string;
  const ro = await StargateClient.connect(node.rpcUrl);
  const usdc = BigInt((await ro.getBalance(trader, 'uusdc')).amount);
  const atom = BigInt((await ro.getBalance(trader, 'uatom')).amount);
  const file = join(root, 'test', `.readme-swap-${process.pid}.mjs`);
  writeFileSync(file, code);
  try {
    const r = spawnSync(process.execPath, [file], { env: { ...process.env, LANES_RPC: node.rpcUrl }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    // Pool 1 at genesis: 10^10 uatom / 10^11 uusdc, fee 0.003 -> floor(10^6·0.997·10^11 / (10^10 + 10^6·0.997)) = 9969006.
    assert.match(r.stdout, /^code 0, tx [0-9A-F]{64}, got 9969006 uusdc$/m);
    assert.equal(BigInt((await ro.getBalance(trader, 'uusdc')).amount), usdc + 9_969_006n);
    assert.equal(BigInt((await ro.getBalance(trader, 'uatom')).amount), atom - 1_000_000n);
  } finally {
    rmSync(file, { force: true });
    ro.disconnect();
  }
});
