// Two validators of equal power on real CometBFT, one running the parallel executor and the other
// the sequential one. Each needs the other's vote for every block, and a block's header carries
// the app hash its proposer's app computed for the block before: were the executors to differ in
// one byte of state, the validator that disagrees would refuse the next proposal and the chain
// would stop. So blocks that keep coming, under load sent to one node and swaps sent with
// unmodified CosmJS to the other, mean the two executors agreed on every block; the test also
// reads both apps' last app hash at the same height, and checks that the parallel node really
// scheduled blocks in parallel. Both nodes also check the txs gossiped from the other, and
// propose blocks holding txs they first saw as gossip, with the app's own mempool recheck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { GasPrice, SigningStargateClient } from '@cosmjs/stargate';
import { makeCosmoshubPath } from '@cosmjs/amino';
import { cometbftBinary, freePort, homePaths, initHome, runLoad, setTomlKey, startNode, type NodeHandle } from '@lanes/abci-server';
import { devnetGenesis } from '@lanes/abci-server/lanesApp';
import { createLanesRegistry, devnetAccounts, TEST_MNEMONIC, type MsgSwapExactInEncodeObject } from '@lanes/client';
import { TEST_CHAIN_ID, testLogLevel, waitFor } from './support/node.ts';

interface Validator {
  home: string;
  executor: 'parallel' | 'sequential';
  lines: string[];
  handle?: NodeHandle;
}

/** A stream that keeps the lines written to it (the launcher writes whole lines). */
function lineSink(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(l);
      if (testLogLevel()) process.stderr.write(chunk);
      done();
    },
  });
}

async function rpc<T>(url: string, path: string): Promise<T> {
  const res = await fetch(`${url}/${path}`);
  return ((await res.json()) as { result: T }).result;
}

const height = async (url: string): Promise<number> =>
  Number((await rpc<{ sync_info: { latest_block_height: string } }>(url, 'status')).sync_info.latest_block_height);

test('two validators, one parallel and one sequential, agree on every block under load', { timeout: 240_000 }, async () => {
  const accounts = await devnetAccounts();
  const validators: Validator[] = [
    { home: mkdtempSync(join(tmpdir(), 'lanes-val0-')), executor: 'parallel', lines: [] },
    { home: mkdtempSync(join(tmpdir(), 'lanes-val1-')), executor: 'sequential', lines: [] },
  ];
  try {
    const ports: { rpc: number; p2p: number; abci: number }[] = [];
    for (const v of validators) {
      const p = { rpc: await freePort(), p2p: await freePort(), abci: await freePort() };
      ports.push(p);
      initHome({
        home: v.home, chainId: TEST_CHAIN_ID, ports: p, genesisAppState: devnetGenesis(accounts.map((a) => a.address)),
        blockTimeMs: 300, executor: v.executor, metricsPort: await freePort(),
      });
    }
    // One genesis for both, with both validators at equal power: every block needs both votes.
    const paths = validators.map((v) => homePaths(v.home));
    const genesis = JSON.parse(readFileSync(paths[0]!.genesis, 'utf8')) as { validators: object[] };
    genesis.validators = paths.map((p, i) => {
      const key = JSON.parse(readFileSync(join(p.cometHome, 'config', 'priv_validator_key.json'), 'utf8')) as { address: string; pub_key: object };
      return { address: key.address, pub_key: key.pub_key, power: '10', name: `validator-${i}` };
    });
    const nodeIds = paths.map((p) => {
      const r = spawnSync(cometbftBinary(), ['show-node-id', '--home', p.cometHome], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    });
    paths.forEach((p, i) => {
      writeFileSync(p.genesis, `${JSON.stringify(genesis, null, 2)}\n`);
      const peer = 1 - i;
      writeFileSync(p.cometConfig, setTomlKey(readFileSync(p.cometConfig, 'utf8'), 'p2p', 'persistent_peers', `${nodeIds[peer]}@127.0.0.1:${ports[peer]!.p2p}`));
    });

    // Started together: neither makes a block alone.
    const logger = pino({ level: testLogLevel() ?? 'warn' });
    await Promise.all(validators.map(async (v) => {
      v.handle = await startNode({
        home: v.home, logger, output: lineSink(v.lines), cometbftLogLevel: '*:error', appLogLevel: 'info', readyTimeoutMs: 90_000,
      });
    }));
    const [par, seq] = validators.map((v) => v.handle as NodeHandle) as [NodeHandle, NodeHandle];
    assert.equal(par.settings.executor, 'parallel');
    assert.equal(seq.settings.executor, 'sequential');

    // Transfers sent to the parallel node (the load generator, every fate checked)...
    const load = runLoad({ rpc: par.rpcUrl, duration: 5, rate: 400, accounts: 200, concurrency: 32, log: () => {} });
    // ...while a trader swaps through the sequential node with unmodified CosmJS.
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(TEST_MNEMONIC, { prefix: 'lanes', hdPaths: [makeCosmoshubPath(6)] });
    const trader = (await wallet.getAccounts())[0]!.address;
    const client = await SigningStargateClient.connectWithSigner(seq.rpcUrl, wallet, {
      registry: createLanesRegistry(), gasPrice: GasPrice.fromString('0.0025ulane'), broadcastPollIntervalMs: 200,
    });
    try {
      for (let i = 0; i < 6; i++) {
        const swap: MsgSwapExactInEncodeObject = {
          typeUrl: '/lanes.amm.v1.MsgSwapExactIn',
          value: { sender: trader, routes: [{ poolId: 1n, tokenOutDenom: 'uusdc' }], tokenIn: { denom: 'uatom', amount: String(100_000 + i) }, minAmountOut: '1' },
        };
        const r = await client.signAndBroadcast(trader, [swap], 'auto');
        assert.equal(r.code, 0, r.rawLog);
      }
    } finally {
      client.disconnect();
    }
    const r = await load;
    assert.ok(r.committed > 1000, `committed ${r.committed}`);
    assert.equal(r.lost, 0);
    assert.equal(r.failed_in_block, 0);
    assert.equal(r.committed, r.accepted);

    // Three more blocks on both: each needed both validators' votes on the app hash before it.
    const last = Math.max(await height(par.rpcUrl), await height(seq.rpcUrl));
    await waitFor(async () => (await height(par.rpcUrl)) >= last + 3 && (await height(seq.rpcUrl)) >= last + 3, 30_000, `both nodes past height ${last + 3}`);
    // And each app says the same of itself, at one height.
    type Info = { response: { last_block_height: string; last_block_app_hash: string } };
    let infos: [Info, Info] | undefined;
    await waitFor(async () => {
      const pair = await Promise.all([rpc<Info>(par.rpcUrl, 'abci_info'), rpc<Info>(seq.rpcUrl, 'abci_info')]);
      if (pair[0].response.last_block_height !== pair[1].response.last_block_height) return false;
      infos = pair;
      return true;
    }, 20_000, 'both apps at one height');
    assert.equal(infos![0].response.last_block_app_hash, infos![1].response.last_block_app_hash, `app hashes at height ${infos![0].response.last_block_height}`);

    // The parallel node scheduled blocks in parallel (not all small enough to run inline)...
    const executed = (v: Validator) => v.lines.filter((l) => l.includes('"msg":"block executed"')).map((l) => JSON.parse(l.replace(/^\[app\] /, '')) as { executor: string; groups: number; txs: number });
    const parBlocks = executed(validators[0]!);
    assert.ok(parBlocks.some((b) => b.executor === 'parallel' && b.groups > 1), `parallel blocks: ${JSON.stringify(parBlocks.slice(-5))}`);
    assert.ok(!validators[0]!.lines.some((l) => /re-executed sequentially/.test(l)), 'no sequential fallback');
    // ...and the sequential one never did.
    const seqBlocks = executed(validators[1]!);
    assert.ok(seqBlocks.length > 0 && seqBlocks.every((b) => b.executor === 'sequential'), JSON.stringify(seqBlocks.slice(-5)));
  } catch (err) {
    // A halt shows first as a tx that never commits: say what the nodes said.
    const tails = validators.map((v) => `--- ${v.executor} node, last lines:\n${v.lines.slice(-12).join('\n')}`).join('\n');
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${tails}`, { cause: err });
  } finally {
    await Promise.all(validators.map((v) => v.handle?.stop()));
    for (const v of validators) rmSync(v.home, { recursive: true, force: true });
  }
});
