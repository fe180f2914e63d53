// @lanes/bench: the benchmark suites (run them with `npm run bench -- <suite>`).
export { execSuite } from './exec.ts';
export { checktxSuite } from './checktx.ts';
