// The load side of the checktx benchmark, in its own process (as CometBFT would be): sends
// pre-signed txs as concurrent CheckTx gRPC calls and reports throughput as JSON on stdout.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { abciServiceDefinition } from '@lanes/abci-server';
import { unpackTxFile } from './txfile.ts';

const [address, file, concurrencyArg] = process.argv.slice(2);
if (!address || !file) throw new Error('usage: checktxClient <host:port> <txfile> <concurrency>');
const txs = unpackTxFile(readFileSync(file));
const concurrency = Number(concurrencyArg ?? 256);
const Client = grpc.makeGenericClientConstructor(abciServiceDefinition, 'ABCI');
const client = new Client(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 }) as unknown as {
  CheckTx(req: unknown, cb: (err: grpc.ServiceError | null, res: { code: number; log: string }) => void): void;
  close(): void;
};

let next = 0;
let failed = 0;
let firstError = '';
const started = process.hrtime.bigint();
async function lane(): Promise<void> {
  while (next < txs.length) {
    const tx = txs[next++] as Uint8Array;
    const res = await new Promise<{ code: number; log: string }>((resolve, reject) => client.CheckTx({ tx, type: 0 }, (err, r) => (err ? reject(err) : resolve(r))));
    if (res.code !== 0) {
      failed++;
      firstError ||= res.log;
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, () => lane()));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(`${JSON.stringify({ txs: txs.length, seconds, tps: txs.length / seconds, failed, firstError })}\n`);
client.close();
