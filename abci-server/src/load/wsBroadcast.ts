// broadcast_tx_sync over CometBFT's JSON-RPC WebSocket endpoint (`/websocket`), the load
// generator's hot path.
//
// CometBFT serves a WebSocket connection's requests one after another (its read loop runs each
// call before reading the next frame), so a connection carries one broadcast at a time and the
// load generator opens one per sender. Against HTTP with keep-alive, which it used before, a
// broadcast costs both sides less CPU: 8,000 broadcasts at 128 in flight against a devnet node
// (three alternating pairs): the load generator 60-94 against 139-222 µs per broadcast, CometBFT
// 128-146 against 199-213. On one machine that CPU is taken from the node under test.
import WebSocket from 'ws';

/** CheckTx's verdict on a broadcast, or the JSON-RPC error CometBFT answered with. */
export type BroadcastResult = { code: number; codespace: string } | { error: string };

interface Pending {
  id: number;
  resolve(r: BroadcastResult): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** The WebSocket endpoint of a CometBFT RPC address (`http://127.0.0.1:26657` -> `ws://127.0.0.1:26657/websocket`). */
export function websocketUrl(rpc: URL): string {
  const u = new URL(rpc.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = `${u.pathname.replace(/\/$/, '')}/websocket`;
  u.search = '';
  return u.href;
}

/**
 * One WebSocket connection to CometBFT's RPC, one broadcast in flight. Connects on first use and
 * again after the connection closed; a broadcast whose connection fails or that gets no answer
 * in `timeoutMs` rejects (the connection is then dropped, so a late answer is never taken for
 * the next broadcast's).
 */
export class WsBroadcaster {
  private ws: WebSocket | undefined;
  private pending: Pending | undefined;
  /** A broadcast is out (connecting or waiting for its answer). */
  private busy = false;
  private id = 0;
  private closed = false;

  constructor(private readonly url: string, private readonly timeoutMs = 30_000) {}

  async broadcast(txBase64: string): Promise<BroadcastResult> {
    if (this.busy) throw new Error('WsBroadcaster: one broadcast at a time');
    this.busy = true;
    try {
      const ws = await this.open();
      const id = ++this.id;
      return await new Promise<BroadcastResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.fail(new Error(`broadcast_tx_sync: no answer in ${this.timeoutMs / 1000} s`));
          ws.terminate();
        }, this.timeoutMs);
        this.pending = { id, resolve, reject, timer };
        ws.send(`{"jsonrpc":"2.0","id":${id},"method":"broadcast_tx_sync","params":{"tx":"${txBase64}"}}`, (err) => {
          if (err) this.fail(err);
        });
      });
    } finally {
      this.busy = false;
    }
  }

  /**
   * Closes the connection; a broadcast still in flight rejects. An idle connection is closed
   * with a normal close frame (1000): cut without one, CometBFT logs two errors per connection
   * ("Failed to read request ... abnormal closure"), hundreds for one load run.
   */
  close(): void {
    this.closed = true;
    const idle = this.pending === undefined;
    this.fail(new Error('broadcaster closed'));
    if (idle && this.ws?.readyState === WebSocket.OPEN) this.ws.close(1000, 'done');
    else this.ws?.terminate();
    this.ws = undefined;
  }

  /** The open connection, or a new one (one broadcast at a time, so never two opening at once). */
  private open(): Promise<WebSocket> {
    if (this.closed) return Promise.reject(new Error('broadcaster closed'));
    if (this.ws?.readyState === WebSocket.OPEN) return Promise.resolve(this.ws);
    return new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.url, { perMessageDeflate: false });
      ws.on('message', (data: Buffer) => this.onMessage(data));
      // 'error' is always followed by 'close'; a listener must exist or ws throws it. Once the
      // connection is open, reject does nothing.
      ws.on('error', (err) => {
        reject(new Error(`${this.url}: ${err.message}`));
        this.fail(err);
      });
      ws.on('close', () => {
        if (this.ws === ws) this.ws = undefined;
        reject(new Error(`${this.url}: connection closed`));
        this.fail(new Error('connection closed'));
      });
      ws.once('open', () => {
        if (this.closed) {
          // close() came while connecting.
          ws.terminate();
          return;
        }
        this.ws = ws;
        resolve(ws);
      });
    });
  }

  private onMessage(data: Buffer): void {
    const p = this.pending;
    if (!p) return;
    let body: { id?: unknown; result?: { code: number; codespace: string }; error?: { message: string; data?: string } };
    try {
      body = JSON.parse(data.toString('utf8')) as typeof body;
    } catch {
      this.fail(new Error(`broadcast_tx_sync: not JSON: ${data.toString('utf8', 0, 80)}`));
      return;
    }
    if (body.id !== p.id) return; // not this broadcast's answer (CometBFT sends nothing else here)
    this.pending = undefined;
    clearTimeout(p.timer);
    if (body.error) p.resolve({ error: body.error.data || body.error.message });
    else if (body.result) p.resolve({ code: body.result.code, codespace: body.result.codespace });
    else p.reject(new Error('broadcast_tx_sync: an answer with neither result nor error'));
  }

  private fail(err: Error): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.reject(err);
  }
}
