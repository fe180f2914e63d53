// The broadcaster's own rules (answer matching, errors, reconnecting, timeouts) against a local
// WebSocket server that answers as told. Broadcasting to a real CometBFT is test/src/load.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { WsBroadcaster, websocketUrl } from './wsBroadcast.ts';

interface Request { id: number; method: string; params: { tx: string } }

/** A server on 127.0.0.1 that hands each request and its connection to `answer`. */
async function server(answer: (req: Request, conn: WebSocket) => void): Promise<{ url: string; connections: () => number; openNow: () => number; clients: () => WebSocket[]; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/websocket' });
  await new Promise<void>((r) => wss.once('listening', r));
  let connections = 0;
  wss.on('connection', (conn) => {
    connections++;
    conn.on('message', (data: Buffer) => answer(JSON.parse(data.toString('utf8')) as Request, conn));
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/websocket`,
    connections: () => connections,
    openNow: () => [...wss.clients].filter((c) => c.readyState === c.OPEN).length,
    clients: () => [...wss.clients],
    close: () => new Promise<void>((r) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => r());
    }),
  };
}

const reply = (conn: WebSocket, id: number, body: object) => conn.send(JSON.stringify({ jsonrpc: '2.0', id, ...body }));

test('websocketUrl: the /websocket endpoint of an RPC address', () => {
  assert.equal(websocketUrl(new URL('http://127.0.0.1:26657')), 'ws://127.0.0.1:26657/websocket');
  assert.equal(websocketUrl(new URL('http://127.0.0.1:26657/')), 'ws://127.0.0.1:26657/websocket');
  assert.equal(websocketUrl(new URL('http://localhost:1234/rpc/')), 'ws://localhost:1234/rpc/websocket');
});

test('a broadcast sends broadcast_tx_sync and takes only the answer with its own id', async () => {
  const seen: Request[] = [];
  const s = await server((req, conn) => {
    seen.push(req);
    reply(conn, req.id + 1000, { result: { code: 99, codespace: 'wrong' } }); // someone else's: ignored
    reply(conn, req.id, { result: { code: req.params.tx === 'dGFrZQ==' ? 0 : 5, codespace: 'sdk', hash: 'AB' } });
  });
  const b = new WsBroadcaster(s.url);
  try {
    assert.deepEqual(await b.broadcast('dGFrZQ=='), { code: 0, codespace: 'sdk' });
    assert.deepEqual(await b.broadcast('bm8='), { code: 5, codespace: 'sdk' });
    assert.deepEqual(seen.map((r) => [r.method, r.params.tx]), [['broadcast_tx_sync', 'dGFrZQ=='], ['broadcast_tx_sync', 'bm8=']]);
    assert.notEqual(seen[0]?.id, seen[1]?.id);
    assert.equal(s.connections(), 1, 'one connection for both broadcasts');
    await assert.rejects(Promise.all([b.broadcast('YQ=='), b.broadcast('Yg==')]), /one broadcast at a time/);
  } finally {
    b.close();
    await s.close();
  }
});

test('a JSON-RPC error is the result, with its data (CometBFT puts the reason there) or else its message', async () => {
  const s = await server((req, conn) => reply(conn, req.id, req.params.tx === 'YQ=='
    ? { error: { code: -32603, message: 'Internal error', data: 'mempool is full: number of txs 10 (max: 10)' } }
    : { error: { code: -32600, message: 'Invalid request' } }));
  const b = new WsBroadcaster(s.url);
  try {
    assert.deepEqual(await b.broadcast('YQ=='), { error: 'mempool is full: number of txs 10 (max: 10)' });
    assert.deepEqual(await b.broadcast('Yg=='), { error: 'Invalid request' });
  } finally {
    b.close();
    await s.close();
  }
});

test('a connection lost mid-broadcast rejects it, and the next broadcast connects again', async () => {
  let calls = 0;
  const s = await server((req, conn) => {
    if (++calls === 1) conn.terminate();
    else reply(conn, req.id, { result: { code: 0, codespace: '' } });
  });
  const b = new WsBroadcaster(s.url);
  try {
    await assert.rejects(b.broadcast('YQ=='), /connection closed/);
    assert.deepEqual(await b.broadcast('Yg=='), { code: 0, codespace: '' });
    assert.equal(s.connections(), 2);
  } finally {
    b.close();
    await s.close();
  }
});

test('no answer in time rejects and drops the connection, so a late answer is not taken for the next broadcast', async () => {
  let late: (() => void) | undefined;
  let calls = 0;
  const s = await server((req, conn) => {
    if (++calls === 1) {
      late = () => reply(conn, req.id, { result: { code: 77, codespace: 'late' } });
      return;
    }
    late?.(); // on the dropped connection: never arrives
    reply(conn, req.id, { result: { code: 0, codespace: '' } });
  });
  const b = new WsBroadcaster(s.url, 200);
  try {
    await assert.rejects(b.broadcast('YQ=='), /no answer in 0.2 s/);
    assert.deepEqual(await b.broadcast('Yg=='), { code: 0, codespace: '' });
    assert.equal(s.connections(), 2);
  } finally {
    b.close();
    await s.close();
  }
});

test('nothing listening: the broadcast rejects naming the address; a closed broadcaster refuses', async () => {
  const s = await server(() => undefined);
  const url = s.url;
  await s.close();
  const b = new WsBroadcaster(url);
  await assert.rejects(b.broadcast('YQ=='), (err: Error) => err.message.includes(url) && /ECONNREFUSED/.test(err.message));
  b.close();
  await assert.rejects(b.broadcast('YQ=='), /broadcaster closed/);
});

test('close() while connecting: the broadcast rejects and the connection does not stay open', async () => {
  const s = await server((req, conn) => reply(conn, req.id, { result: { code: 0, codespace: '' } }));
  const b = new WsBroadcaster(s.url);
  const pending = b.broadcast('YQ==');
  b.close();
  await assert.rejects(pending, /connection closed|broadcaster closed/);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(s.openNow(), 0, 'no connection left open');
  await s.close();
});

test('an answer that is not JSON, or has neither result nor error, rejects the broadcast and says so', async () => {
  const s = await server((req, conn) => {
    if (req.params.tx === 'YQ==') conn.send('<html>502 Bad Gateway</html>');
    else reply(conn, req.id, {});
  });
  const b = new WsBroadcaster(s.url);
  try {
    await assert.rejects(b.broadcast('YQ=='), /not JSON: <html>502 Bad Gateway/);
    await assert.rejects(b.broadcast('Yg=='), /neither result nor error/);
  } finally {
    b.close();
    await s.close();
  }
});

test('closing an idle broadcaster sends a normal close frame (1000); one with a broadcast in flight cuts the connection', { timeout: 10_000 }, async () => {
  const codes: number[] = [];
  let hold = false;
  const s = await server((req, conn) => {
    if (!hold) reply(conn, req.id, { result: { code: 0, codespace: '' } });
  });
  const closed = new Promise<void>((resolve) => {
    const watch = setInterval(() => {
      if (codes.length === 2) {
        clearInterval(watch);
        resolve();
      }
    }, 5);
  });
  try {
    const idle = new WsBroadcaster(s.url);
    assert.deepEqual(await idle.broadcast('YQ=='), { code: 0, codespace: '' });
    hold = true;
    const busy = new WsBroadcaster(s.url);
    const out = busy.broadcast('Yg==');
    await new Promise((r) => setTimeout(r, 50)); // its request is at the server, unanswered
    for (const conn of s.clients()) {
      conn.on('close', (code: number) => codes.push(code));
    }
    idle.close();
    busy.close();
    await assert.rejects(out, /broadcaster closed/);
    await closed;
    assert.deepEqual([...codes].sort(), [1000, 1006]);
  } finally {
    await s.close();
  }
});
