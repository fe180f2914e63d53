import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { connect, type ClientHttp2Session } from 'node:http2';
import { once } from 'node:events';
import { pino } from 'pino';
import type { ResponseEcho, ResponseFinalizeBlock, ResponsePrepareProposal } from 'cosmjs-types/tendermint/abci/types';
import {
  RequestCheckTx, RequestEcho, RequestFinalizeBlock, RequestInfo, RequestInitChain, RequestPrepareProposal,
  RequestQuery, ResponseCheckTx, ResponseCommit, ResponseInfo, ResponseQuery,
} from 'cosmjs-types/tendermint/abci/types';
import type { AbciApp } from '@lanes/app';
import { abciServiceDefinition, FLOW_CONTROL_WINDOW_BYTES, PANIC_CODE, PANIC_CODESPACE, startAbciGrpcServer } from './grpcServer.ts';

const notUsed = () => {
  throw new Error('not used in this test');
};

function tinyApp(): AbciApp {
  let height = 0n;
  return {
    info: (_req) => ResponseInfo.fromPartial({ data: 'tiny', lastBlockHeight: height, lastBlockAppHash: new Uint8Array([1, 2]) }),
    initChain: notUsed,
    query: (req) => {
      if (req.path === '/boom') throw new Error('query exploded');
      return ResponseQuery.fromPartial({ code: 0, value: req.data, height });
    },
    checkTx: async (req) => {
      await new Promise((r) => setTimeout(r, 5));
      if (req.tx[0] === 0xff) throw new Error('checkTx exploded');
      return ResponseCheckTx.fromPartial({ code: 0, gasWanted: BigInt(req.tx.length) });
    },
    prepareProposal: () => {
      throw new Error('prepare exploded');
    },
    processProposal: notUsed,
    extendVote: notUsed,
    verifyVoteExtension: notUsed,
    // Partial on purpose: the server fills in the empty fields.
    finalizeBlock: (req) => {
      height = req.height;
      return { appHash: new Uint8Array([9]), txResults: req.txs.map(() => ({ code: 0 })) } as unknown as ResponseFinalizeBlock;
    },
    commit: () => ResponseCommit.fromPartial({ retainHeight: 0n }),
    listSnapshots: notUsed,
    offerSnapshot: notUsed,
    loadSnapshotChunk: notUsed,
    applySnapshotChunk: notUsed,
    close: () => {},
  };
}

const Client = grpc.makeGenericClientConstructor(abciServiceDefinition, 'ABCI');
type Unary = (req: unknown, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void;

function call<T>(client: grpc.Client, name: string, req: unknown): Promise<T> {
  const fn = (client as unknown as Record<string, Unary>)[name];
  assert.ok(fn, `client has no method ${name}`);
  return new Promise((resolve, reject) => fn.call(client, req, (err, res) => (err ? reject(err) : resolve(res as T))));
}

test('ABCI gRPC server: round trips, concurrency, errors never become gRPC statuses', async () => {
  const fatal: string[] = [];
  const server = await startAbciGrpcServer(tinyApp(), {
    address: '127.0.0.1:0',
    logger: pino({ level: 'silent' }),
    onFatal: (_err, method) => fatal.push(method),
  });
  const client = new Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  try {
    assert.ok(server.port > 0, `server listens on port ${server.port}, expected a real port`);
    const echo = await call<ResponseEcho>(client, 'Echo', RequestEcho.fromPartial({ message: 'hello' }));
    assert.equal(echo.message, 'hello');
    await call(client, 'Flush', {});

    const info = await call<ResponseInfo>(client, 'Info', RequestInfo.fromPartial({ version: '0.38.25' }));
    assert.equal(info.data, 'tiny');
    assert.deepEqual(info.lastBlockAppHash, new Uint8Array([1, 2]));

    const fin = await call<ResponseFinalizeBlock>(client, 'FinalizeBlock',
      RequestFinalizeBlock.fromPartial({ height: 7n, txs: [new Uint8Array([1]), new Uint8Array([2])] }));
    assert.equal(fin.txResults.length, 2);
    assert.deepEqual(fin.appHash, new Uint8Array([9]));
    assert.deepEqual(fin.events, []);
    const commit = await call<ResponseCommit>(client, 'Commit', {});
    assert.equal(commit.retainHeight, 0n);

    const q = await call<ResponseQuery>(client, 'Query', RequestQuery.fromPartial({ path: '/x', data: new Uint8Array([5]) }));
    assert.equal(q.code, 0);
    assert.equal(q.height, 7n);
    assert.deepEqual(q.value, new Uint8Array([5]));

    // Many CheckTx in flight at once, one of which throws.
    const txs = Array.from({ length: 50 }, (_, i) => new Uint8Array(i === 13 ? [0xff] : Array(i + 1).fill(1)));
    const results = await Promise.all(txs.map((tx) => call<ResponseCheckTx>(client, 'CheckTx', RequestCheckTx.fromPartial({ tx }))));
    results.forEach((r, i) => {
      if (i === 13) {
        assert.equal(r.code, PANIC_CODE);
        assert.equal(r.codespace, PANIC_CODESPACE);
        assert.match(r.log, /checkTx exploded/);
      } else {
        assert.equal(r.code, 0);
        assert.equal(r.gasWanted, BigInt(i + 1));
      }
    });

    const qBoom = await call<ResponseQuery>(client, 'Query', RequestQuery.fromPartial({ path: '/boom' }));
    assert.notEqual(qBoom.code, 0);
    assert.match(qBoom.log, /query exploded/);

    // PrepareProposal falls back to an empty block: the mempool's txs might break the app's
    // rules, and every validator would reject the block.
    const prep = await call<ResponsePrepareProposal>(client, 'PrepareProposal', RequestPrepareProposal.fromPartial({
      maxTxBytes: 1n << 20n, txs: [new Uint8Array(2), new Uint8Array(2), new Uint8Array(2)],
    }));
    assert.deepEqual(prep.txs, []);
    assert.deepEqual(fatal, []);

    // A consensus method that throws goes to onFatal and is never answered with a status.
    let settled = 'pending';
    const initChain = (client as unknown as Record<string, (req: unknown, cb: (err: unknown) => void) => grpc.ClientUnaryCall>)['InitChain'];
    const pending = initChain!.call(client, RequestInitChain.fromPartial({ chainId: 'x' }), (err) => {
      settled = err ? 'grpc error' : 'answered';
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(settled, 'pending');
    assert.deepEqual(fatal, ['InitChain']);
    pending.cancel();
  } finally {
    client.close();
    await server.close();
  }
});

test('ABCI gRPC server: grants the client a wide HTTP/2 flow-control window, per stream and per connection', async () => {
  const server = await startAbciGrpcServer(tinyApp(), { address: '127.0.0.1:0', logger: pino({ level: 'silent' }) });
  const h2: ClientHttp2Session = connect(`http://127.0.0.1:${server.port}`);
  const client = new Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  try {
    // HTTP/2's default is 65,535 bytes for both; the server raises them as the session opens.
    await once(h2, 'remoteSettings');
    for (let i = 0; i < 200 && (h2.remoteSettings.initialWindowSize !== FLOW_CONTROL_WINDOW_BYTES
      || h2.state.remoteWindowSize !== FLOW_CONTROL_WINDOW_BYTES); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(h2.remoteSettings.initialWindowSize, FLOW_CONTROL_WINDOW_BYTES);
    assert.equal(h2.state.remoteWindowSize, FLOW_CONTROL_WINDOW_BYTES);

    // A block's worth of txs (3 MiB) in one FinalizeBlock, as CometBFT sends it.
    const txs = Array.from({ length: 3 * 1024 }, (_, i) => new Uint8Array(1024).fill(i & 0xff));
    const fin = await call<ResponseFinalizeBlock>(client, 'FinalizeBlock', RequestFinalizeBlock.fromPartial({ height: 1n, txs }));
    assert.equal(fin.txResults.length, txs.length);
  } finally {
    h2.close();
    client.close();
    await server.close();
  }
});
