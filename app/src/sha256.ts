// SHA-256 for the hot paths (tx hashes, sign docs, the change set). Node's one-shot
// `crypto.hash` (Node 20.12+, 21.7+) skips the Hash object: 10,000 hashes of 260-byte inputs took
// 4-5 ms against 6-9 ms with createHash on the 2-core dev VM (one-off measurement). Older Node 20
// releases fall back to createHash. Both are OpenSSL's SHA-256: same bytes either way.
import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: Uint8Array, encoding: 'hex' | 'buffer') => string | Buffer;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

export const sha256Hex: (data: Uint8Array) => string = oneShot
  ? (data) => oneShot('sha256', data, 'hex') as string
  : (data) => crypto.createHash('sha256').update(data).digest('hex');

export const sha256: (data: Uint8Array) => Uint8Array = oneShot
  ? (data) => oneShot('sha256', data, 'buffer') as Buffer
  : (data) => crypto.createHash('sha256').update(data).digest();
