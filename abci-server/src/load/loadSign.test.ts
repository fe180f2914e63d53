import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTxRaw } from '@cosmjs/proto-signing';
import { testKey } from '@lanes/app';
import { SIGN_PROGRESS_EVERY, signSlice } from './loadSign.ts';
import { PRESIGN_MAX, PRESIGN_PER_SECOND, presignBudget } from './load.ts';

test('signSlice: one tx per sequence, account-major, and progress every SIGN_PROGRESS_EVERY txs', () => {
  const per = SIGN_PROGRESS_EVERY + 3;
  const seen: number[] = [];
  const r = signSlice({
    chainId: 'lanes-test', senders: [{ seed: 'sign-a', accountNumber: '7', sequence: '0' }, { seed: 'sign-b', accountNumber: '8', sequence: '4' }],
    recipients: [testKey('sign-r0').address, testKey('sign-r1').address], txsPerAccount: per, gasLimit: '100000', denom: 'ulane',
  }, (signed) => seen.push(signed));
  assert.ok(r, 'signSlice returned a result');
  assert.equal(r.offsets.length, 2 * per + 1);
  assert.equal(r.hashes.length, 2 * per * 32);
  assert.deepEqual(seen, [SIGN_PROGRESS_EVERY, 2 * SIGN_PROGRESS_EVERY]);
  const seq = (i: number): bigint => decodeTxRaw(r.data.subarray(r.offsets[i], r.offsets[i + 1])).authInfo.signerInfos[0]?.sequence ?? -1n;
  assert.equal(seq(0), 0n);
  assert.equal(seq(per - 1), BigInt(per - 1));
  assert.equal(seq(per), 4n, 'the second sender starts at its own sequence');
});

test('signSlice stops at the next tx once told to (how Ctrl-C stops pre-signing), and returns nothing', () => {
  let asked = 0;
  const r = signSlice({
    chainId: 'lanes-test', senders: [{ seed: 'sign-a', accountNumber: '7', sequence: '0' }], recipients: [testKey('sign-r0').address],
    txsPerAccount: 1000, gasLimit: '100000', denom: 'ulane',
  }, undefined, () => ++asked > 10);
  assert.equal(r, null);
  assert.equal(asked, 11, 'asked before each tx, and stopped at the first yes');
});

test('presignBudget: --max-txs, else rate × duration + 5 %, else 10,000 per second; capped, and says why', () => {
  assert.deepEqual(presignBudget({ duration: 60, maxTxs: 1234, rate: 50 }), { txs: 1234, basis: '--max-txs' });
  assert.deepEqual(presignBudget({ duration: 60, rate: 1000 }), { txs: 63_000, basis: '--rate × --duration + 5 %' });
  const d = presignBudget({ duration: 60 });
  assert.equal(d.txs, 60 * PRESIGN_PER_SECOND);
  assert.match(d.basis, /per second of --duration; --rate or --max-txs signs fewer/);
  const big = presignBudget({ duration: 600 });
  assert.equal(big.txs, PRESIGN_MAX);
  assert.match(big.basis, /capped at 2,000,000/);
});
