// A file of txs: [u32le length][bytes]..., to hand pre-signed txs to another process.
export function packTxFile(txs: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const tx of txs) {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(tx.length);
    parts.push(len, Buffer.from(tx));
  }
  return Buffer.concat(parts);
}

export function unpackTxFile(buf: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < buf.length;) {
    const len = buf.readUInt32LE(at);
    out.push(new Uint8Array(buf.subarray(at + 4, at + 4 + len)));
    at += 4 + len;
  }
  return out;
}
