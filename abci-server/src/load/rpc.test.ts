// The load generator's HTTP JSON-RPC client against a local server that answers or drops calls
// as told: a call that meets a kept-alive socket the server has closed is sent once more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Rpc, RpcError } from './rpc.ts';

interface Call { method: string; socket: number; nth: number }

/**
 * A JSON-RPC server on 127.0.0.1. `drop(call)` true: the connection is destroyed without an
 * answer, as when CometBFT closes an idle keep-alive connection just as a call arrives on it.
 */
async function server(drop: (c: Call) => boolean | 'hold' | 'cut', error?: string): Promise<{ url: URL; calls: Call[]; close(): Promise<void> }> {
  const calls: Call[] = [];
  const sockets = new Map<Socket, { id: number; n: number }>();
  const srv = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      let s = sockets.get(req.socket);
      if (!s) sockets.set(req.socket, (s = { id: sockets.size + 1, n: 0 }));
      const rpc = JSON.parse(body) as { id: number; method: string };
      const call = { method: rpc.method, socket: s.id, nth: ++s.n };
      calls.push(call);
      const fate = drop(call);
      if (fate === 'hold') return; // never answered
      if (fate === 'cut') { // the answer starts, then the connection goes
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"jsonrpc":"2.0",', () => req.socket.destroy());
        return;
      }
      if (fate) {
        req.socket.destroy();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(error
        ? { jsonrpc: '2.0', id: rpc.id, error: { code: -32603, message: 'Internal error', data: error } }
        : { jsonrpc: '2.0', id: rpc.id, result: { sync_info: { latest_block_height: String(calls.length) } } }));
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: new URL(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`),
    calls,
    close: () => new Promise<void>((r) => {
      srv.closeAllConnections();
      srv.close(() => r());
    }),
  };
}

test('a call on a kept-alive socket the server closed is sent again on a new one', async () => {
  const s = await server((c) => c.nth === 2); // the second call on any connection is dropped
  const rpc = new Rpc(s.url, 1);
  try {
    assert.equal(await rpc.height(), 1);
    assert.equal(await rpc.height(), 3, 'answered by the retry, the third call the server saw');
    assert.deepEqual(s.calls.map((c) => [c.socket, c.nth]), [[1, 1], [1, 2], [2, 1]]);
  } finally {
    rpc.close();
    await s.close();
  }
});

test('a call that fails on a new socket is not sent again', async () => {
  const s = await server(() => true);
  const rpc = new Rpc(s.url, 1);
  try {
    await assert.rejects(rpc.height(), (e: NodeJS.ErrnoException) => e.code === 'ECONNRESET' && /socket hang up/.test(e.message));
    assert.equal(s.calls.length, 1);
  } finally {
    rpc.close();
    await s.close();
  }
});

test('a call is sent again once at most', async () => {
  // The first call is answered; then every call is dropped: the stale socket and the new one.
  const s = await server((c) => !(c.socket === 1 && c.nth === 1));
  const rpc = new Rpc(s.url, 1);
  try {
    assert.equal(await rpc.height(), 1);
    await assert.rejects(rpc.height(), (e: NodeJS.ErrnoException) => e.code === 'ECONNRESET');
    assert.deepEqual(s.calls.map((c) => [c.socket, c.nth]), [[1, 1], [1, 2], [2, 1]]);
  } finally {
    rpc.close();
    await s.close();
  }
});

test('an error the node answers is an RpcError with its data, and is not sent again', async () => {
  const s = await server(() => false, 'height 99 must be less than or equal to the current blockchain height 7');
  const rpc = new Rpc(s.url, 1);
  try {
    await assert.rejects(rpc.call('block', { height: '99' }), (e: unknown) => e instanceof RpcError && /height 99 must be less/.test(e.message));
    assert.equal(s.calls.length, 1);
  } finally {
    rpc.close();
    await s.close();
  }
});

test('a call with no answer fails after the timeout, naming the method, and is not sent again', { timeout: 10_000 }, async () => {
  const s = await server(() => 'hold');
  const rpc = new Rpc(s.url, 1, 200);
  try {
    await assert.rejects(rpc.call('block_results', { height: '5' }), /^Error: block_results at http:\/\/127\.0\.0\.1:\d+\/: no answer in 0\.2 s$/);
    assert.equal(s.calls.length, 1);
  } finally {
    rpc.close();
    await s.close();
  }
});

test('a call whose answer breaks off is not sent again, even on a reused socket', { timeout: 10_000 }, async () => {
  // The node had the call then: sending it again is not the stale-socket case.
  const s = await server((c) => (c.nth === 2 ? 'cut' : false));
  const rpc = new Rpc(s.url, 1);
  try {
    assert.equal(await rpc.height(), 1);
    await assert.rejects(rpc.height(), (e: NodeJS.ErrnoException) => e.code === 'ECONNRESET' && /aborted/.test(e.message));
    assert.equal(s.calls.length, 2);
  } finally {
    rpc.close();
    await s.close();
  }
});
