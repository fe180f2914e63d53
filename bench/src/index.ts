// @lanes/bench: what other packages reuse (the load generator behind `lanes load`).
export { runLoad, loadTable, LOAD_CHAIN_ID, type LoadOptions, type LoadResult } from './load.ts';
