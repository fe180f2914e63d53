import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ExecTxResult } from 'cosmjs-types/tendermint/abci/types';
import { failedTxs } from './workloads.ts';

test('failedTxs finds exactly the results with a non-zero code, without decoding them', () => {
  const result = fc.record({
    code: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2 ** 32 - 1 })),
    log: fc.string({ maxLength: 20 }),
    gasUsed: fc.bigInt({ min: 0n, max: 10n ** 9n }),
    events: fc.array(fc.record({ type: fc.string({ maxLength: 8 }) }), { maxLength: 2 }),
  });
  fc.assert(fc.property(fc.array(result, { maxLength: 30 }), (rs) => {
    const encoded = rs.map((r) => ExecTxResult.encode(ExecTxResult.fromPartial(r)).finish());
    assert.deepEqual(failedTxs(encoded), rs.flatMap((r, i) => (r.code !== 0 ? [i] : [])));
  }));
});
