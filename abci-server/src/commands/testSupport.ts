// For the command files' tests only. A stand-in for a node's CometBFT RPC that answers `status`,
// `abci_query`, `broadcast_tx_sync` (CheckTx, then a block of that one tx), `tx` and `tx_search`
// (by hash) from an InProcessChain (the real app, without CometBFT), so that a `lanes` command
// runs end to end (queries, a tx's simulation) in a child process, as a user runs it; and
// `refusal`, which runs a command in process that must fail before it reaches any node.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@cosmjs/crypto';
import { fromBase64, fromHex, toBase64, toHex } from '@cosmjs/encoding';
import { devnetAccounts } from '@lanes/client';
import { CommanderError, type Command } from 'commander';
import { buildProgram } from '../cli.ts';
import { InProcessChain } from '../inprocess.ts';
import { devnetGenesis } from '../lanesApp.ts';

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));

export interface TestNode {
  readonly chain: InProcessChain;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  close(): Promise<void>;
}

/** A devnet chain (the ten test accounts funded, the three pools) behind a minimal RPC. */
export async function startTestNode(): Promise<TestNode> {
  const chain = new InProcessChain(devnetGenesis((await devnetAccounts()).map((a) => a.address)));
  chain.block([]); // CosmJS wants a query answered at a height above 0
  const status = () => ({
    node_info: {
      id: 'aa', listen_addr: 'tcp://127.0.0.1:0', network: chain.chainId, version: '0.38.0', channels: '', moniker: 'test', other: {},
      protocol_version: { app: '1', block: '11', p2p: '8' },
    },
    sync_info: {
      latest_block_hash: 'AA', latest_app_hash: 'AA', latest_block_height: String(chain.height),
      latest_block_time: new Date(Number(chain.time) * 1000).toISOString(), catching_up: false,
    },
    validator_info: { address: 'AA', pub_key: { type: 'tendermint/PubKeyEd25519', value: toBase64(new Uint8Array(32)) }, voting_power: '1' },
  });
  const abciQuery = (p: { path: string; data?: string }) => {
    const r = chain.query(p.path, fromHex(p.data ?? ''));
    return {
      response: {
        code: r.code, log: r.log, info: r.info, index: r.index.toString(), key: toBase64(r.key), value: toBase64(r.value),
        height: r.height.toString(), codespace: r.codespace,
      },
    };
  };
  // A tx CheckTx admits goes into a block of its own at once; `tx` and `tx_search` (by hash) find it.
  const included = new Map<string, object>();
  const broadcastTxSync = (p: { tx: string }) => {
    const tx = fromBase64(p.tx);
    const hash = toHex(sha256(tx)).toUpperCase();
    const r = chain.checkTx(tx);
    if (r.code === 0) {
      const [result] = chain.block([tx]);
      if (!result) throw new Error('a block of one tx gave no result');
      included.set(hash, {
        tx: p.tx, hash, height: String(chain.height), index: 0,
        tx_result: {
          code: result.code, codespace: result.codespace, log: result.log, data: toBase64(result.data),
          gas_wanted: result.gasWanted.toString(), gas_used: result.gasUsed.toString(),
          events: result.events.map((e) => ({ type: e.type, attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })) })),
        },
      });
    }
    return { code: r.code, data: toBase64(r.data), log: r.log, codespace: r.codespace, hash };
  };
  const byHash = (hash: string) => included.get(hash.toUpperCase());
  const txSearch = (p: { query: string }) => {
    const found = byHash(/^tx\.hash='([0-9A-Fa-f]+)'$/.exec(p.query)?.[1] ?? '');
    return { txs: found ? [found] : [], total_count: found ? '1' : '0' };
  };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => {
      const call = JSON.parse(body) as { id: number; method: string; params: { path: string; data?: string } & { tx: string } & { hash: string; query: string } };
      const tx = call.method === 'tx' ? byHash(Buffer.from(call.params.hash, 'base64').toString('hex')) : undefined;
      const answer = call.method === 'status' ? { result: status() }
        : call.method === 'abci_query' ? { result: abciQuery(call.params) }
        : call.method === 'broadcast_tx_sync' ? { result: broadcastTxSync(call.params) }
        : call.method === 'tx_search' ? { result: txSearch(call.params) }
        : call.method === 'tx' && tx ? { result: tx }
        : { error: { code: -32603, message: `${call.method} ${JSON.stringify(call.params)}: not found on the test node` } };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ jsonrpc: '2.0', id: call.id, ...answer }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    chain,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Runs `lanes <args>` (cli.ts) in a child process; resolves to its exit code and output. */
export async function lanes(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const base = { ...process.env };
  delete base['LANES_NODE'];
  delete base['LANES_HOME'];
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: dirname(CLI), env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code: code ?? -1, out, err };
}

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
