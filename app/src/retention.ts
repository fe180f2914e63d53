// Which blocks CometBFT may delete: Commit's retain_height. Node-local (each validator chooses its
// own; it reaches no hash), so a node can keep a bounded block store instead of every block since
// genesis.

/** CometBFT's default `consensus_params.evidence.max_age_num_blocks`, for a genesis without one. */
export const DEFAULT_EVIDENCE_MAX_AGE_BLOCKS = 100_000;

export interface BlockRetention {
  /** Blocks to keep below the latest; 0 keeps every block (the default, as in the Cosmos SDK). */
  minRetainBlocks: number;
  /**
   * The genesis's `consensus_params.evidence.max_age_num_blocks`: no fewer blocks are kept,
   * whatever `minRetainBlocks` says, the Cosmos SDK's rule (it takes the evidence age in blocks
   * as the span light clients and evidence of misbehaviour need). CometBFT 0.38 keeps the
   * headers, commits and validator sets that checking evidence needs itself.
   */
  evidenceMaxAgeBlocks: number;
}

/** Blocks kept below the latest: the larger of the two bounds, or undefined when pruning is off. */
export function blocksKept(r: BlockRetention): number | undefined {
  return r.minRetainBlocks > 0 ? Math.max(r.minRetainBlocks, r.evidenceMaxAgeBlocks) : undefined;
}

/**
 * Commit's retain_height after `committed`: the lowest height CometBFT must keep (it may delete
 * the blocks below it), or 0 to keep everything (pruning off, or the chain still shorter than
 * what is kept).
 */
export function retainHeight(committed: bigint, r: BlockRetention): bigint {
  const kept = blocksKept(r);
  if (kept === undefined) return 0n;
  const h = committed - BigInt(kept);
  return h > 1n ? h : 0n;
}
