// Hot spots of cosmjs-types' protobuf runtime, replaced with equivalents that allocate less.
// Imported for its effect by index.ts (and by execution workers); idempotent.
//
// 1. Encoding. cosmjs-types' BinaryWriter records every field as a linked-list node and copies
//    them into a buffer at finish(): about 13 KB of short-lived objects to encode one transfer's
//    ExecTxResult, a third of everything a 10k-tx block allocated (young-generation GC took a
//    third of block time). `BinaryWriter.create()` (what every generated `encode` calls) now
//    returns a FlatWriter, which writes straight into a reused scratch buffer. The wire bytes
//    are identical (protoPerf.test.ts compares both writers on random messages); varints of 64
//    bits and UTF-8 go through cosmjs-types' own helpers, so edge cases behave the same.
// 2. BinaryReader.string decodes UTF-8 in a JS loop (~380 ns for an address); the native
//    decoder takes ~90 ns. ignoreBOM keeps a leading U+FEFF, as the JS decoder does. Every
//    validator runs this same decoder, so results stay deterministic.
import { BinaryReader, BinaryWriter } from 'cosmjs-types/binary';
import { int64FromString, int64Length, writeVarint64, zzEncode } from 'cosmjs-types/varint';
import { utf8Length, utf8Write } from 'cosmjs-types/utf8';
import { bytesToBin } from './store/kv.ts';

/** Scratch buffers of finished writers, reused by the next ones. */
const spare: Uint8Array[] = [];
const SPARE_MAX = 8;
const SCRATCH_BYTES = 4096;
/** A scratch buffer that grew beyond this goes back to the GC instead of the spares. */
const SCRATCH_KEEP_MAX = 256 * 1024;

function varint32Size(v: number): number {
  return v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : v < 268435456 ? 4 : 5;
}

/**
 * A protobuf writer over one growable buffer. `fork()` reserves one byte for the length of the
 * submessage; `ldelim()` shifts the submessage when its length needs more.
 */
export class FlatWriter {
  private buf: Uint8Array;
  private pos = 0;
  /** Start of each open fork: where its length goes. */
  private readonly forks: number[] = [];
  /** `buf` was handed out by finish(): copy before writing again. */
  private handedOut = false;

  /** `capacity`: start with a buffer of its own of this size instead of a reused scratch one. */
  constructor(capacity?: number) {
    this.buf = capacity === undefined ? (spare.pop() ?? new Uint8Array(SCRATCH_BYTES)) : new Uint8Array(Math.max(capacity, 64));
  }

  static create(): FlatWriter {
    return new FlatWriter();
  }

  get len(): number {
    return this.pos;
  }

  private room(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length && !this.handedOut) return;
    const next = new Uint8Array(Math.max(need, this.buf.length * 2, 64));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.handedOut = false;
  }

  private varint32(v: number): void {
    const buf = this.buf;
    let pos = this.pos;
    while (v > 127) {
      buf[pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  private varint64(lo: number, hi: number): this {
    const n = int64Length(lo, hi);
    this.room(n);
    writeVarint64({ lo, hi }, this.buf, this.pos);
    this.pos += n;
    return this;
  }

  finish(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    if (!this.handedOut && this.forks.length === 0 && this.buf.length <= SCRATCH_KEEP_MAX && spare.length < SPARE_MAX) {
      spare.push(this.buf);
      // This writer keeps a copy of what it wrote, in case it is written to or finished again.
      this.buf = out;
      this.handedOut = true;
    }
    return out;
  }

  /**
   * What was written, as a binary string (one char per byte: the store's value form), read
   * straight out of the buffer. The buffer goes back to the spares: CONTRACT: the writer is not
   * used afterwards.
   */
  finishBin(): string {
    if (this.forks.length !== 0) throw new Error('finish with an open fork');
    const out = bytesToBin(this.buf, 0, this.pos);
    if (!this.handedOut && this.buf.length <= SCRATCH_KEEP_MAX && spare.length < SPARE_MAX) spare.push(this.buf);
    this.buf = new Uint8Array(0);
    this.pos = 0;
    this.handedOut = false;
    return out;
  }

  /**
   * What was written, as a view of the writer's own buffer (no copy). The writer copies its
   * buffer before writing again, so the view stays as it is.
   */
  detach(): Uint8Array {
    if (this.forks.length !== 0) throw new Error('detach with an open fork');
    this.handedOut = true;
    return this.buf.subarray(0, this.pos);
  }

  fork(): this {
    this.room(1);
    this.forks.push(this.pos);
    this.pos += 1;
    return this;
  }

  ldelim(): this {
    const start = this.forks.pop();
    if (start === undefined) throw new Error('ldelim without fork');
    const len = this.pos - start - 1;
    const size = varint32Size(len);
    if (size > 1) {
      this.room(size - 1);
      this.buf.copyWithin(start + size, start + 1, this.pos);
      this.pos += size - 1;
    }
    const end = this.pos;
    this.pos = start;
    this.varint32(len);
    this.pos = end;
    return this;
  }

  /** As cosmjs-types: inside a fork, drops what the fork wrote (and the fork); else everything. */
  reset(): this {
    const start = this.forks.pop();
    this.pos = start ?? 0;
    return this;
  }

  tag(fieldNo: number, type: number): this {
    return this.uint32(((fieldNo << 3) | type) >>> 0);
  }

  uint32(value: number): this {
    this.room(5);
    this.varint32(value >>> 0);
    return this;
  }

  int32(value: number): this {
    if (value < 0) {
      const { lo, hi } = int64FromString(value.toString());
      this.room(10);
      writeVarint64({ lo, hi }, this.buf, this.pos);
      this.pos += 10; // 10 bytes per spec, as cosmjs-types writes it
      return this;
    }
    return this.uint32(value);
  }

  sint32(value: number): this {
    return this.uint32(((value << 1) ^ (value >> 31)) >>> 0);
  }

  int64(value: string | number | bigint): this {
    if (typeof value === 'bigint' ? value >= 0n && value < 0x80000000n : typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 0x80000000) {
      return this.uint32(Number(value));
    }
    const { lo, hi } = int64FromString(value.toString());
    return this.varint64(lo, hi);
  }

  uint64(value: string | number | bigint): this {
    return this.int64(value);
  }

  sint64(value: string | number | bigint): this {
    const v = int64FromString(value.toString());
    const [lo, hi] = zzEncode(v.lo, v.hi) as [number, number];
    return this.varint64(lo, hi);
  }

  fixed64(value: string | number | bigint): this {
    const { lo, hi } = int64FromString(value.toString());
    return this.fixed32(lo).fixed32(hi);
  }

  sfixed64(value: string | number | bigint): this {
    return this.fixed64(value);
  }

  bool(value: boolean): this {
    this.room(1);
    this.buf[this.pos++] = value ? 1 : 0;
    return this;
  }

  fixed32(value: number): this {
    this.room(4);
    const v = value >>> 0;
    const buf = this.buf;
    buf[this.pos] = v & 255;
    buf[this.pos + 1] = (v >>> 8) & 255;
    buf[this.pos + 2] = (v >>> 16) & 255;
    buf[this.pos + 3] = v >>> 24;
    this.pos += 4;
    return this;
  }

  sfixed32(value: number): this {
    return this.fixed32(value);
  }

  float(value: number): never {
    throw new Error(`float not supported${value}`);
  }

  double(value: number): never {
    throw new Error(`double not supported${value}`);
  }

  bytes(value: Uint8Array): this {
    const len = value.length >>> 0;
    this.room(5 + len);
    this.varint32(len);
    this.buf.set(value, this.pos);
    this.pos += len;
    return this;
  }

  string(value: string): this {
    // ASCII (addresses, denoms, event keys, amounts): one pass, its length known up front.
    const n = value.length;
    this.room(5 + n);
    const start = this.pos;
    this.varint32(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = start;
        return this.utf8String(value);
      }
      buf[pos++] = c;
    }
    this.pos = pos;
    return this;
  }

  private utf8String(value: string): this {
    const len = utf8Length(value);
    this.room(5 + len);
    this.varint32(len);
    this.pos += utf8Write(value, this.buf, this.pos);
    return this;
  }
}

/** The writer cosmjs-types ships, for comparisons in tests. */
export const cosmjsWriter = (): BinaryWriter => new BinaryWriter();

BinaryWriter.create = (() => new FlatWriter()) as unknown as typeof BinaryWriter.create;
BinaryWriter.alloc = (size: number): Uint8Array => new Uint8Array(size);

/**
 * A BinaryReader over `buf` itself. cosmjs-types' constructor copies its input first (one
 * allocation per decode: a state read of an account paid one, its public key another); the
 * generated decoders use a reader they are given as is. Bytes fields of the decoded message are
 * then views of `buf`. CONTRACT: `buf` is never modified afterwards (state values are replaced,
 * never written in place).
 */
export function viewReader(buf: Uint8Array): BinaryReader {
  const r = Object.create(BinaryReader.prototype) as BinaryReader;
  r.buf = buf;
  r.pos = 0;
  r.type = 0;
  r.len = buf.length;
  return r;
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
BinaryReader.prototype.string = function string(this: BinaryReader): string {
  return utf8.decode(this.bytes());
};
