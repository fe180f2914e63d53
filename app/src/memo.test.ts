import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BinaryReader } from 'cosmjs-types/binary';
import { TxBody, TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { buildTx, testKey, varint } from './testing.ts';
import { decodeTx } from './tx.ts';
import { DEFAULT_PARAMS } from './params.ts';
import { ErrMemoTooLarge, LanesError } from './errors.ts';

const alice = testKey('memo-alice');
const send = { typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: MsgSend.encode({ fromAddress: alice.address, toAddress: alice.address, amount: [{ denom: 'uatom', amount: '1' }] }).finish() };
// No Msg registry: decoding stops at the Msg (sdk/6 unknown type), which comes after the memo check.
const lookup = () => undefined;

/**
 * decodeTx's verdict on a tx with this body: 'ok' (past the memo check), 'too large N' (sdk/12,
 * with the count it names), another error's code, or 'throws ...' for anything not a LanesError.
 */
function verdictOf(body: Uint8Array): string {
  const raw = TxRaw.decode(buildTx(alice, [send], { chainId: 'c', accountNumber: 0n, sequence: 0n }));
  try {
    decodeTx(TxRaw.encode({ ...raw, bodyBytes: body }).finish(), DEFAULT_PARAMS, lookup);
    return 'ok';
  } catch (e) {
    if (e instanceof LanesError && e.codespace === 'sdk' && e.code === 6) return 'ok';
    if (e instanceof LanesError && e.code === ErrMemoTooLarge.code && e.codespace === ErrMemoTooLarge.codespace) return `too large ${/received (\d+)/.exec(e.message)?.[1]}`;
    return e instanceof LanesError ? `${e.codespace}/${e.code}` : `throws ${String(e)}`;
  }
}

/** The body buildTx makes of `send` and `memo`, with `extra` appended. */
const bodyWith = (extra: Uint8Array, memo = ''): Uint8Array => Uint8Array.from([...TxBody.encode(TxBody.fromPartial({ messages: [send], memo })).finish(), ...extra]);
const verdict = (extra: Uint8Array, memo = ''): string => verdictOf(bodyWith(extra, memo));

test('the memo limit counts the bytes as sent, the last memo field when repeated, as decoding takes it', () => {
  const field2 = (bytes: Uint8Array) => Uint8Array.from([0x12, ...(bytes.length < 128 ? [bytes.length] : [(bytes.length & 0x7f) | 0x80, bytes.length >> 7]), ...bytes]);
  assert.equal(verdict(field2(new Uint8Array(256).fill(0x80))), 'ok', '256 bytes of invalid UTF-8 (768 as replacement characters)');
  assert.equal(verdict(field2(new Uint8Array(257).fill(0x80))), 'too large 257');
  assert.equal(verdict(field2(new Uint8Array(10).fill(0x61)), 'x'.repeat(300)), 'ok', 'a later memo field replaces an earlier one');
  assert.equal(verdict(new Uint8Array(), 'é'.repeat(129)), 'too large 258', 'valid UTF-8: two bytes a character');
  // A messages field (1) tagged as a varint: the decoder would read it as length-delimited (3
  // bytes holding what looks like a memo field), a scan as a number: refused before either counts.
  assert.equal(verdict(Uint8Array.from([...field2(new Uint8Array(257).fill(0x61)), 0x08, 0x03, 0x12, 0x01, 0x41])), 'sdk/2');
  // Any body the decoder takes, with any fields after the memo: the count never throws past it,
  // and a memo over the limit is refused with the byte length of the memo field decoding keeps
  // (the last one), as a plain walk of the body's fields finds it.
  // The junk: random bytes and whole memo fields, in any order, so a later memo field often follows.
  // Lengths uniform in 0..300, so memos over the limit are as common as under it.
  const memoBytes = fc.integer({ min: 0, max: 300 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
  const pieces = fc.array(fc.oneof(fc.uint8Array({ maxLength: 12 }), memoBytes.map(field2)), { maxLength: 3 });
  const junkBytes = pieces.map((ps) => Uint8Array.from(ps.flatMap((p) => [...p])));
  fc.assert(fc.property(junkBytes, memoBytes, (junk, memo) => {
    const body = bodyWith(Uint8Array.from([...field2(memo), ...junk]));
    const v = verdictOf(body);
    const decodes = (() => {
      try {
        TxBody.decode(body);
        return true;
      } catch {
        return false;
      }
    })();
    if (!decodes) return v === 'sdk/2';
    if (v.startsWith('throws')) return false;
    const kept = lastMemoFieldBytes(body);
    if (kept === undefined || v === 'sdk/2') return true; // not a plain sequence of fields: refused before the count
    return kept > 256 ? v === `too large ${kept}` : !v.startsWith('too large');
  }), { numRuns: 2000 });
});

test('a Msg whose Any declares fewer bytes than its fields take is undecodable (sdk/2), not read past its end: no memo hides behind it, and no internal error', () => {
  const body = TxBody.encode(TxBody.fromPartial({ messages: [send], memo: 'hi' })).finish();
  // The body starts with the Any: tag 0x0a, then its length. Declaring 3 bytes fewer leaves the
  // Any's value field running past the Any's end, into what a scan takes for the next fields.
  const r = new BinaryReader(body);
  assert.equal(r.uint32(), 0x0a);
  const short = Uint8Array.from([0x0a, ...varint(r.uint32() - 3), ...body.subarray(r.pos)]);
  assert.equal(verdictOf(short), 'sdk/2');
  // A 9,000-byte memo after an Any whose declared end stops short: refused as undecodable,
  // not counted as the 2-byte memo a scan by declared lengths would see.
  const value = MsgSend.encode({ fromAddress: alice.address, toAddress: alice.address, amount: [] }).finish();
  const memo = new Uint8Array(9000).fill(0x61);
  const memoField = Uint8Array.from([0x12, ...varint(memo.length), ...memo]);
  const anyBody = Uint8Array.from([0x0a, ...varint(TYPE.length), ...TYPE, 0x12, ...varint(value.length), ...value]);
  const hidden = Uint8Array.from([0x0a, ...varint(anyBody.length - 3), ...anyBody, ...memoField]);
  assert.equal(verdictOf(hidden), 'sdk/2');
});

const TYPE = new TextEncoder().encode('/cosmos.bank.v1beta1.MsgSend');

/** The byte length of a body's last memo field (2, length-delimited), by a plain walk of its fields; undefined if the walk fails. */
function lastMemoFieldBytes(body: Uint8Array): number | undefined {
  try {
    const r = new BinaryReader(body);
    let memo = 0;
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag >>> 3 === 2 && (tag & 7) === 2) memo = r.bytes().length;
      else r.skipType(tag & 7);
    }
    return memo;
  } catch {
    return undefined;
  }
}
