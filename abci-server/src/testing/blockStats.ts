// Test helper: a block's timing stats (BlockStats) are consistent, whichever executor ran it.
import assert from 'node:assert/strict';
import type { BlockStats } from '@lanes/app';

/** The phases are non-negative and add up to execMs; a block with txs spent time running them. */
export function assertPhases(s: BlockStats): void {
  const phases = { prepareMs: s.prepareMs, txsMs: s.txsMs, finishMs: s.finishMs };
  for (const [k, v] of Object.entries(phases)) assert.ok(Number.isFinite(v) && v >= 0, `height ${s.height}: ${k} ${v}`);
  const sum = s.prepareMs + s.txsMs + s.finishMs;
  assert.ok(Math.abs(sum - s.execMs) < 1e-6, `height ${s.height}: phases ${JSON.stringify(phases)} add up to ${sum}, execMs ${s.execMs}`);
  if (s.txs > 0) assert.ok(s.txsMs > 0, `height ${s.height}: ${s.txs} txs ran in ${s.txsMs} ms`);
}
