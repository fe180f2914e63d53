import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ExecTxResult } from 'cosmjs-types/tendermint/abci/types';
import { PROPOSAL_RESULTS_BYTES, RESULTS_BUDGET_BYTES, UNKNOWN_RESULT_BYTES_PER_TX_BYTE, proposalTxs, slimResult } from './results.ts';

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
});
