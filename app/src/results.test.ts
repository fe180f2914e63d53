import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ExecTxResult } from 'cosmjs-types/tendermint/abci/types';
import { PROPOSAL_RESULTS_BYTES, RESULTS_BUDGET_BYTES, UNKNOWN_RESULT_BYTES_PER_TX_BYTE, bareResult, fitResults, proposalTxs, slimResult } from './results.ts';

const attr = fc.record({ key: fc.string({ maxLength: 12 }), value: fc.string({ maxLength: 40 }), index: fc.boolean() });
const result = fc.record({
  code: fc.nat(),
  data: fc.uint8Array({ maxLength: 40 }),
  log: fc.oneof(fc.string({ maxLength: 130 }), fc.string({ unit: 'grapheme', minLength: 100, maxLength: 300 })),
  info: fc.string({ maxLength: 10 }),
  gasWanted: fc.bigInt({ min: 0n, max: 2n ** 62n }),
  gasUsed: fc.bigInt({ min: 0n, max: 2n ** 62n }),
  events: fc.array(fc.record({ type: fc.string({ maxLength: 10 }), attributes: fc.array(attr, { maxLength: 4 }) }), { maxLength: 4 }),
  codespace: fc.string({ maxLength: 8 }),
});

test('slimResult on the wire equals re-encoding the result without events and with the log cut', () => {
  fc.assert(fc.property(result, (r) => {
    const bytes = ExecTxResult.encode(r).finish();
    const slim = slimResult(bytes);
    const needed = r.events.length > 0 || r.log.length > 120;
    if (!needed) {
      assert.equal(slim, null);
      return;
    }
    const log = r.log.length > 120 ? `${r.log.slice(0, 117)}...` : r.log;
    assert.deepEqual(slim, ExecTxResult.encode({ ...r, events: [], log }).finish());
  }), { numRuns: 300 });
});

test('slimResult keeps a log of exactly 120 characters, however many bytes: only a longer one is cut', () => {
  const r = {
    code: 1, codespace: 'sdk', data: new Uint8Array(), info: '', gasWanted: 10n, gasUsed: 5n,
    events: [{ type: 'transfer', attributes: [{ key: 'amount', value: '1uatom', index: false }] }],
  };
  // 240 bytes of UTF-8: past the events-only path's byte check, so read field by field.
  const at = 'é'.repeat(120);
  assert.deepEqual(slimResult(ExecTxResult.encode({ ...r, log: at }).finish()), ExecTxResult.encode({ ...r, events: [], log: at }).finish());
  const over = 'é'.repeat(121);
  assert.deepEqual(slimResult(ExecTxResult.encode({ ...r, log: over }).finish()), ExecTxResult.encode({ ...r, events: [], log: `${'é'.repeat(117)}...` }).finish());
});

test('bareResult on the wire equals re-encoding the result with only code, data, gas and codespace', () => {
  fc.assert(fc.property(result, (r) => {
    const bare = bareResult(ExecTxResult.encode(r).finish());
    if (r.events.length === 0 && r.log === '' && r.info === '') {
      assert.equal(bare, null);
      return;
    }
    assert.deepEqual(bare, ExecTxResult.encode({ ...r, events: [], log: '', info: '' }).finish());
  }), { numRuns: 300 });
});

test('fitResults: events go first, from the last txs; where that is not enough (many small failing txs), their logs too; code, data and gas stay', () => {
  const total = (encoded: Uint8Array[]) => encoded.reduce((n, e) => n + e.length + 4, 0);
  const failing = (i: number) => ExecTxResult.encode({
    code: 2, codespace: 'sdk', data: new Uint8Array(), gasWanted: 0n, gasUsed: 0n, info: '',
    log: `tx parse error: unknown field ${i} ${'\\u0001'.repeat(13)}`, events: [], // the log within LOG_KEEP: nothing to cut
  }).finish();
  // 40,000 such results: ~5 MB, with no events to shed.
  const many = { encoded: Array.from({ length: 40_000 }, (_, i) => failing(i)) };
  assert.ok(total(many.encoded) > RESULTS_BUDGET_BYTES * 1.2, `${total(many.encoded)} bytes`);
  const before = [...many.encoded];
  const trimmed = fitResults(many);
  assert.ok(total(many.encoded) <= RESULTS_BUDGET_BYTES, `${total(many.encoded)} bytes after fitting`);
  assert.ok(trimmed > 0 && trimmed < many.encoded.length, `${trimmed} trimmed`);
  // The last `trimmed` results lost their logs; the others are as they were.
  for (const [i, e] of many.encoded.entries()) {
    const was = ExecTxResult.decode(before[i] as Uint8Array);
    const now = ExecTxResult.decode(e);
    assert.deepEqual([now.code, now.codespace, now.gasWanted, now.gasUsed, now.data], [was.code, was.codespace, was.gasWanted, was.gasUsed, was.data]);
    assert.equal(now.log, i >= many.encoded.length - trimmed ? '' : was.log, `log of result ${i}`);
  }
  // Events alone suffice: logs stay.
  const withEvents = (i: number) => ExecTxResult.encode({
    code: 0, codespace: '', data: Uint8Array.of(1, 2), gasWanted: 100n, gasUsed: 90n, info: '', log: 'ok',
    events: [{ type: 'transfer', attributes: [{ key: 'recipient', value: `lanes1${'q'.repeat(38)}${i}`, index: true }, { key: 'amount', value: '1uatom', index: false }] }],
  }).finish();
  const evented = { encoded: Array.from({ length: 40_000 }, (_, i) => withEvents(i)) };
  assert.ok(fitResults(evented) > 0, 'over budget: some events shed');
  assert.ok(total(evented.encoded) <= RESULTS_BUDGET_BYTES, 'within budget after fitting');
  assert.ok(evented.encoded.every((e) => ExecTxResult.decode(e).log === 'ok'), 'shedding events was enough: every log kept');
});

test('fitResults leaves results that fill the budget exactly as they are; one byte more sheds the last one\'s events', () => {
  const sized = (dataBytes: number) => ExecTxResult.encode({
    code: 0, codespace: '', data: new Uint8Array(dataBytes), gasWanted: 1n, gasUsed: 1n, info: '', log: '',
    events: [{ type: 'transfer', attributes: [{ key: 'amount', value: '1uatom', index: false }] }],
  }).finish();
  let n = RESULTS_BUDGET_BYTES - 100;
  while (sized(n).length + 4 < RESULTS_BUDGET_BYTES) n++;
  const exact = sized(n);
  assert.equal(exact.length + 4, RESULTS_BUDGET_BYTES);
  const at = { encoded: [exact] };
  assert.equal(fitResults(at), 0);
  assert.deepEqual(at.encoded, [exact]);
  const over = { encoded: [sized(n + 1)] };
  assert.equal(over.encoded[0]?.length, RESULTS_BUDGET_BYTES - 3);
  assert.equal(fitResults(over), 1);
  assert.equal(ExecTxResult.decode(over.encoded[0] as Uint8Array).events.length, 0);
});

test('proposalTxs keeps expected results under PROPOSAL_RESULTS_BYTES, in order, and always takes the first tx', () => {
  const tx = (n: number): Uint8Array => new Uint8Array(n);
  const asked: number[] = [];
  // Small enough even at the unknown-size rate: every tx, and nothing looked up.
  const small = Array.from({ length: 100 }, () => tx(300));
  assert.equal(proposalTxs(small, (i) => { asked.push(i); return undefined; }), 100);
  assert.deepEqual(asked, []);
  // Known sizes: 1,000 bytes each (+4 framing) fit floor(budget / 1,004).
  const many = Array.from({ length: 10_000 }, () => tx(300));
  const fit = Math.floor(PROPOSAL_RESULTS_BYTES / 1004);
  assert.equal(proposalTxs(many, () => 1000), fit);
  // Unknown sizes count 8 bytes per tx byte: fewer txs.
  assert.equal(proposalTxs(many, () => undefined), Math.floor(PROPOSAL_RESULTS_BYTES / (300 * UNKNOWN_RESULT_BYTES_PER_TX_BYTE + 4)));
  // Stops at the first tx that does not fit, even if later ones would (their senders' order).
  const sizes = [PROPOSAL_RESULTS_BYTES - 100, 200, 10];
  assert.equal(proposalTxs([tx(300_000), tx(300_000), tx(300_000)], (i) => sizes[i]), 1);
  // A first tx over the whole budget still goes in alone, so it cannot block the mempool.
  assert.equal(proposalTxs([tx(1_000_000), tx(10)], () => undefined), 1);
  assert.equal(proposalTxs([tx(10)], () => RESULTS_BUDGET_BYTES * 2), 1);
  assert.equal(proposalTxs([], () => undefined), 0);
  // Expected results that fill the budget exactly all go in.
  assert.equal(proposalTxs([tx(300_000), tx(300_000)], (i) => [PROPOSAL_RESULTS_BYTES - 104, 96][i]), 2);
  // An unknown-size estimate that fills it exactly takes every tx, without looking sizes up.
  const exact = [tx((PROPOSAL_RESULTS_BYTES - 8) / UNKNOWN_RESULT_BYTES_PER_TX_BYTE), tx(0)];
  assert.equal(exact.reduce((n, t) => n + t.length * UNKNOWN_RESULT_BYTES_PER_TX_BYTE + 4, 0), PROPOSAL_RESULTS_BYTES);
  const askedExact: number[] = [];
  assert.equal(proposalTxs(exact, (i) => { askedExact.push(i); return PROPOSAL_RESULTS_BYTES; }), 2);
  assert.deepEqual(askedExact, []);
});
