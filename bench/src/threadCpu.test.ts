import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { blockCpu, currentThreadId, threadTimes, type ThreadTimes } from './threadCpu.ts';

const times = (entries: [number, number, number][]): Map<number, ThreadTimes> => new Map(entries.map(([tid, run, wait]) => [tid, { runNs: run * 1e6, waitNs: wait * 1e6 }]));

test('blockCpu: the chain thread, its workers, and every other thread as helpers; a thread started in between counts from zero', () => {
  const before = times([[10, 100, 50], [1, 500, 0], [2, 40, 3], [20, 7, 1], [99, 1, 1]]);
  const after = times([[10, 130, 62], [1, 501, 0], [2, 55, 9], [20, 27, 4], [21, 15, 2], [30, 6, 1]]);
  assert.deepEqual(blockCpu(before, after, 10, new Set([20, 21, 99])), {
    mainRun: 30, mainWait: 12,
    workersRun: 35, workersWait: 5, // thread 20: 20 and 3; thread 21, new: 15 and 2; thread 99, gone: left out
    helpersRun: 22, // 1 + 15 + 6 (thread 30, new); helpers' waits are not reported
  });
});

test('threadTimes and currentThreadId read this process on Linux', { skip: !existsSync('/proc/thread-self/schedstat') && 'no /proc schedstat here' }, () => {
  const me = currentThreadId();
  assert.ok(me !== undefined && Number.isInteger(me), `thread id ${me}`);
  const t0 = threadTimes()?.get(me);
  let x = 0;
  for (let i = 0; i < 2e7; i++) x += i % 7;
  const t1 = threadTimes()?.get(me);
  assert.ok(t0 && t1 && t1.runNs > t0.runNs, `this thread's CPU time grew while it worked: ${t0?.runNs} -> ${t1?.runNs} (${x})`);
});
