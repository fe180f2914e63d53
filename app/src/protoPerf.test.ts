import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BinaryWriter } from 'cosmjs-types/binary';
import { ExecTxResult } from 'cosmjs-types/tendermint/abci/types';
import { BaseAccount } from 'cosmjs-types/cosmos/auth/v1beta1/auth';
import { Timestamp } from 'cosmjs-types/google/protobuf/timestamp';
import { cosmjsWriter, FlatWriter, viewReader } from './protoPerf.ts';
import { ResultBuffer } from './executor.ts';

type Op =
  | { op: 'uint32' | 'int32' | 'sint32' | 'fixed32'; v: number }
  | { op: 'int64' | 'uint64' | 'sint64' | 'fixed64'; v: bigint | number | string }
  | { op: 'bool'; v: boolean }
  | { op: 'bytes'; v: Uint8Array }
  | { op: 'string'; v: string }
  | { op: 'fork'; body: Op[] };

const i64 = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.bigInt({ min: 0n, max: 300n }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
);
const leaf: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('uint32' as const, 'fixed32' as const), v: fc.integer({ min: 0, max: 2 ** 32 - 1 }) }),
  fc.record({ op: fc.constantFrom('int32' as const, 'sint32' as const), v: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
  fc.record({ op: fc.constantFrom('int64' as const, 'uint64' as const, 'sint64' as const, 'fixed64' as const), v: i64 }),
  fc.record({ op: fc.constant('bool' as const), v: fc.boolean() }),
  fc.record({ op: fc.constant('bytes' as const), v: fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 120, maxLength: 20_000 })) }),
  // Full Unicode, lone surrogates included: both writers must agree byte for byte.
  fc.record({ op: fc.constant('string' as const), v: fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: fc.constantFrom('\ud800', 'a', '\udfff', 'é'), maxLength: 10 }),
    // ASCII of any length (lengths past one varint byte), and ASCII that turns non-ASCII late.
    fc.string({ unit: 'binary-ascii', maxLength: 400 }), fc.tuple(fc.string({ unit: 'binary-ascii', maxLength: 300 }), fc.constantFrom('é', '\u0080', '\ud83d\ude00', '\udfff')).map(([a, b]) => a + b)) }),
);
const program = fc.letrec<{ ops: Op[] }>((tie) => ({
  ops: fc.array(fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.record({ op: fc.constant('fork' as const), body: tie('ops') as fc.Arbitrary<Op[]> })), { maxLength: 12 }),
})).ops;

interface AnyWriter {
  fork(): unknown;
  ldelim(): unknown;
  finish(): Uint8Array;
}

function play(w: AnyWriter, ops: Op[]): void {
  const x = w as unknown as Record<string, (v: unknown) => unknown>;
  for (const o of ops) {
    if (o.op === 'fork') {
      w.fork();
      play(w, o.body);
      w.ldelim();
    } else {
      (x[o.op] as (v: unknown) => unknown).call(w, o.v);
    }
  }
}

test('FlatWriter writes exactly the bytes of cosmjs-types\' writer, for any sequence of fields and submessages', () => {
  fc.assert(fc.property(program, (ops) => {
    const ref = cosmjsWriter();
    play(ref, ops);
    const flat = new FlatWriter();
    play(flat, ops);
    assert.deepEqual(flat.finish(), ref.finish());
  }), { numRuns: 400 });
});

test('generated encoders use FlatWriter and produce the same bytes as the original writer', () => {
  assert.ok(BinaryWriter.create() instanceof FlatWriter, 'BinaryWriter.create() should return a FlatWriter');
  const big = 'x'.repeat(70_000); // a length that needs three varint bytes
  const result = ExecTxResult.fromPartial({
    code: 5, codespace: 'sdk', log: `bad \ud800 ${big}`, data: new Uint8Array([1, 2, 3]), gasWanted: 2n ** 63n - 1n, gasUsed: 123n,
    events: [{ type: 'transfer', attributes: [{ key: 'amount', value: '10ulane', index: true }, { key: 'k', value: big, index: false }] }],
  });
  assert.deepEqual(ExecTxResult.encode(result).finish(), ExecTxResult.encode(result, cosmjsWriter()).finish());
  const acc = BaseAccount.fromPartial({ address: 'lanes1xyz', accountNumber: 2n ** 64n - 1n, sequence: 0n });
  assert.deepEqual(BaseAccount.encode(acc).finish(), BaseAccount.encode(acc, cosmjsWriter()).finish());
  const ts = Timestamp.fromPartial({ seconds: -5n, nanos: -1 });
  assert.deepEqual(Timestamp.encode(ts).finish(), Timestamp.encode(ts, cosmjsWriter()).finish());
});

test('a finished writer can be finished again and written to, without changing bytes it handed out', () => {
  const w = new FlatWriter();
  w.uint32(8).string('first');
  const a = w.finish();
  const again = w.finish();
  assert.deepEqual(again, a);
  w.uint32(16).bool(true);
  const b = w.finish();
  const other = new FlatWriter(); // reuses the scratch buffer the first writer gave back
  other.string('overwrites scratch');
  other.finish();
  const ref = cosmjsWriter();
  ref.uint32(8).string('first');
  const refA = ref.finish();
  ref.uint32(16).bool(true);
  assert.deepEqual(a, refA);
  assert.deepEqual(b, ref.finish());
  assert.throws(() => new FlatWriter().ldelim(), /ldelim without fork/);
});

test('reset behaves as cosmjs-types\' reset: inside a fork it drops the fork, outside it drops everything', () => {
  const run = (w: { uint32(v: number): unknown; fork(): unknown; reset(): unknown; ldelim(): unknown; finish(): Uint8Array }) => {
    w.uint32(1);
    w.fork();
    w.uint32(300);
    w.reset(); // drops the fork and its 300
    w.uint32(2);
    w.fork();
    w.uint32(3);
    w.ldelim();
    const mid = w.finish();
    w.reset();
    w.uint32(4);
    return [mid, w.finish()];
  };
  assert.deepEqual(run(new FlatWriter()), run(cosmjsWriter()));
});

test('finishBin gives the written bytes as a binary string, and its recycled buffer leaves earlier results as they were (property)', () => {
  fc.assert(fc.property(program, program, (ops, next) => {
    const ref = cosmjsWriter();
    play(ref, ops);
    const flat = new FlatWriter();
    play(flat, ops);
    const bin = flat.finishBin();
    const want = Buffer.from(ref.finish()).toString('latin1');
    assert.equal(bin, want);
    // The next writer may reuse the scratch buffer: the string stays as it was.
    const other = new FlatWriter();
    play(other, next);
    other.finishBin();
    assert.equal(bin, want);
  }), { numRuns: 300 });
  const open = new FlatWriter().fork();
  assert.throws(() => open.finishBin(), /open fork/);
});

test('detach hands out the written bytes without a copy; later writes leave them as they were', () => {
  const w = new FlatWriter(8); // small on purpose: the writes below outgrow it
  w.uint32(8).string('first');
  const view = w.detach();
  const copy = view.slice();
  w.uint32(16).string('x'.repeat(100));
  assert.deepEqual(view, copy);
  const ref = cosmjsWriter();
  ref.uint32(8).string('first').uint32(16).string('x'.repeat(100));
  assert.deepEqual(w.finish(), ref.finish());
  const open = new FlatWriter().fork();
  assert.throws(() => open.detach(), /detach with an open fork/);
});

test('ResultBuffer: each framed result is exactly what encoding it alone gives (property)', () => {
  const attr = fc.record({ key: fc.string({ maxLength: 12 }), value: fc.string({ maxLength: 300 }), index: fc.boolean() });
  const result = fc.record({
    code: fc.nat(40), codespace: fc.string({ maxLength: 8 }), log: fc.string({ maxLength: 200 }),
    gasUsed: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), gasWanted: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
    events: fc.array(fc.record({ type: fc.string({ maxLength: 10 }), attributes: fc.array(attr, { maxLength: 6 }) }), { maxLength: 5 }),
  }).map((r) => ExecTxResult.fromPartial(r));
  fc.assert(fc.property(fc.array(result, { maxLength: 30 }), fc.nat(4), (results, expected) => {
    const rb = new ResultBuffer(expected); // a guess too small for most: the buffer grows
    for (const r of results) rb.add(r);
    const { buf, offsets } = rb.frame();
    assert.equal(offsets.length, results.length + 1);
    results.forEach((r, k) => assert.deepEqual(buf.subarray(offsets[k], offsets[k + 1]), ExecTxResult.encode(r, cosmjsWriter()).finish()));
  }), { numRuns: 200 });
});

test('viewReader decodes what the copying reader decodes, with bytes fields as views of the input (property)', () => {
  const account = fc.record({
    address: fc.string({ maxLength: 60 }),
    pubKey: fc.option(fc.record({ typeUrl: fc.string({ maxLength: 40 }), value: fc.uint8Array({ maxLength: 70 }) }), { nil: undefined }),
    accountNumber: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    sequence: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  });
  fc.assert(fc.property(account, (a) => {
    const { pubKey, ...rest } = a;
    const bytes = BaseAccount.encode(BaseAccount.fromPartial(pubKey ? { ...rest, pubKey } : rest)).finish();
    const viaView = BaseAccount.decode(viewReader(bytes));
    assert.deepEqual(viaView, BaseAccount.decode(bytes));
    if (viaView.pubKey && viaView.pubKey.value.length > 0) assert.equal(viaView.pubKey.value.buffer, bytes.buffer);
  }), { numRuns: 300 });
  // A view with an offset reads only its own bytes.
  const acc = BaseAccount.encode(BaseAccount.fromPartial({ address: 'lanes1abc', sequence: 7n })).finish();
  const framed = new Uint8Array(acc.length + 6);
  framed.set(acc, 3);
  assert.deepEqual(BaseAccount.decode(viewReader(framed.subarray(3, 3 + acc.length))), BaseAccount.decode(acc));
});
