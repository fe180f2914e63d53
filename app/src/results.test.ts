import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ExecTxResult } from 'cosmjs-types/tendermint/abci/types';
import { slimResult } from './app.ts';

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
