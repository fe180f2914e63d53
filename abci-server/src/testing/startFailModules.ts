// Test-only wiring: the test modules (liarModules.ts), except that an execution worker started
// while LANES_TEST_WORKER_START_FAILS=1 fails as it loads them, before it is ready (as a worker
// that cannot start would). Worker threads get a copy of the environment when they start.
// Never wired into a node.
import { isMainThread } from 'node:worker_threads';

if (!isMainThread && process.env['LANES_TEST_WORKER_START_FAILS'] === '1') {
  throw new Error('planted: this execution worker fails to start');
}

export { createModules } from './liarModules.ts';
