/** Every offered input ends in exactly one of these: offered = stored + duplicate + rejected. */
export interface FeedBatchOutcome {
  readonly offered: number;
  readonly stored: number;
  readonly duplicate: number;
  readonly rejected: number;
  /** Published snapshot heads marked for revision by this batch. */
  readonly staleSnapshotHeads: number;
}

export const NO_OUTCOME: FeedBatchOutcome = { offered: 0, stored: 0, duplicate: 0, rejected: 0, staleSnapshotHeads: 0 };

export function addOutcomes(a: FeedBatchOutcome, b: FeedBatchOutcome): FeedBatchOutcome {
  return {
    offered: a.offered + b.offered,
    stored: a.stored + b.stored,
    duplicate: a.duplicate + b.duplicate,
    rejected: a.rejected + b.rejected,
    staleSnapshotHeads: a.staleSnapshotHeads + b.staleSnapshotHeads,
  };
}
