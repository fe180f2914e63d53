// The load generator's reads from CometBFT's JSON-RPC over HTTP: status, genesis, blocks, block
// results, tx search, the mempool's size. Broadcasts go over WebSocket (wsBroadcast.ts).
import { Agent, request, type ClientRequest } from 'node:http';

/** An error CometBFT answered (a JSON-RPC `error`), as opposed to a transport failure. */
export class RpcError extends Error {}

/**
 * A minimal JSON-RPC client over one keep-alive agent (cheaper per call than fetch). Every
 * method it is used for only reads, so a call is retried once when it went out on a kept-alive
 * socket that the node had closed meanwhile: CometBFT's HTTP server closes a connection idle for
 * its read timeout (10 s), and a call sent as it does so fails with ECONNRESET ("socket hang
 * up") or EPIPE. A call on a fresh socket is not retried.
 */
export class Rpc {
  private readonly agent: Agent;
  private id = 0;
  /** timeoutMs: how long a call may go without an answer before it fails. */
  constructor(readonly url: URL, sockets: number, private readonly timeoutMs = 30_000) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  /** POSTs a JSON-RPC request; see the class comment for the one retry. */
  private async post(method: string, body: string): Promise<string> {
    const first = await this.postOnce(method, body);
    if ('text' in first) return first.text;
    if (!first.reused || !STALE_SOCKET_CODES.has(first.err.code ?? '')) throw first.err;
    const second = await this.postOnce(method, body);
    if ('text' in second) return second.text;
    throw second.err;
  }

  /** Never rejects: the answer's text, or the error and whether the call went out on a reused socket. */
  private postOnce(method: string, body: string): Promise<{ text: string } | { err: NodeJS.ErrnoException; reused: boolean }> {
    return new Promise((resolve) => {
      const req: ClientRequest = request({
        agent: this.agent, host: this.url.hostname.replace(/^\[|\]$/g, ''), port: this.url.port || 80, method: 'POST', path: this.url.pathname || '/',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: this.timeoutMs,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => resolve({ err, reused: false }));
      });
      req.on('timeout', () => req.destroy(new Error(`${method} at ${this.url.href}: no answer in ${this.timeoutMs / 1000} s`)));
      req.on('error', (err) => resolve({ err, reused: req.reusedSocket }));
      req.end(body);
    });
  }

  async call<T>(method: string, params: Record<string, string> = {}): Promise<T> {
    const text = await this.post(method, JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params }));
    const body = JSON.parse(text) as { result?: T; error?: { message: string; data?: string } };
    if (body.error) throw new RpcError(body.error.data ?? body.error.message);
    return body.result as T;
  }

  async height(): Promise<number> {
    const s = await this.call<{ sync_info: { latest_block_height: string } }>('status');
    return Number(s.sync_info.latest_block_height);
  }

  async mempool(): Promise<number> {
    return Number((await this.call<{ total: string }>('num_unconfirmed_txs')).total);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** How a kept-alive socket the server closed fails a call sent on it. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);
