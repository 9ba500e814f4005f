import { createCalendar } from '@rollcall/calendar';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Contribution } from './contribution.ts';
import type { EntityKind } from './entity-kind.ts';
import type { Fact } from './fact.ts';
import { foldEntity, interpretEntity } from './interpret-entity.ts';
import { fact, totals } from './test-facts.ts';

const calendar = createCalendar('Europe/London');

/**
 * Event sets that exercise each lifecycle's rules, including the awkward ones: events before the
 * event that starts the lifecycle, two closings, DST days, month ends.
 */
const SCENARIOS: Record<EntityKind, Fact[]> = {
  call: [
    fact('call.presented', '2022-10-30T00:59:50Z', { channel: '101', btTransferSeconds: undefined }),
    fact('call.transferred', '2022-10-30T01:00:30Z'),
    fact('call.answered', '2022-10-30T01:02:00Z'),
    fact('call.abandoned', '2022-10-30T01:01:00Z'),
    fact('call.assessed', '2022-10-30T01:05:00Z'),
  ],
  incident: [
    fact('incident.graded', '2022-03-27T00:50:00Z', { grade: 'priority', area: 'rural' }),
    fact('incident.graded', '2022-03-27T01:10:00Z', { grade: 'emergency', area: 'rural' }),
    fact('incident.attended', '2022-03-27T01:20:00Z'),
    fact('incident.attended', '2022-03-27T01:30:00Z'),
  ],
  circulation: [
    fact('wanted.circulated', '2021-08-31T23:30:00Z', { risk: 'low', team: 'East' }),
    fact('wanted.risk-changed', '2021-09-15T10:00:00Z', { risk: 'high' }),
    fact('wanted.risk-changed', '2021-12-01T10:00:00Z', { risk: 'medium', top20: true }),
    fact('wanted.arrested', '2022-04-02T10:00:00+01:00'),
    fact('wanted.cancelled', '2022-05-02T10:00:00+01:00'),
  ],
  'protection-case': [
    fact('dvpn.authorised', '2019-03-30T10:00:00Z'),
    fact('dvpn.breached', '2019-03-31T10:00:00+01:00'),
    fact('dvpo.applied', '2019-04-01T10:00:00+01:00'),
    fact('dvpo.decided', '2019-04-02T10:00:00+01:00', { outcome: 'granted' }),
    fact('dvpo.breached', '2019-04-20T10:00:00+01:00', {}, 'breach-1'),
    fact('dvpo.breached', '2019-04-21T10:00:00+01:00', {}, 'breach-2'),
  ],
  'domestic-abuse-crime': [
    fact('domestic-abuse.crime-recorded', '2022-01-31T23:59:59Z'),
    fact('protection.considered', '2022-02-01T10:00:00Z', { considered: false }),
    fact('protection.considered', '2022-02-02T10:00:00Z', { considered: true }),
  ],
  search: [
    fact('stop-search.recorded', '2024-01-31T23:59:00Z'),
    fact('stop-search.amended', '2024-02-02T10:00:00Z', {
      selfDefinedEthnicity: 'Black/African/Caribbean/Black British - African',
    }),
    fact('stop-search.amended', '2024-02-03T10:00:00Z', { outcome: 'Arrest' }),
    fact('stop-search.grounds-reviewed', '2024-03-01T10:00:00Z', { reasonableGroundsRecorded: false }),
  ],
};

/** Folds facts batch by batch as the ingest does, and returns the final facts and the summed deltas. */
function foldInBatches(kind: EntityKind, batches: readonly Fact[][]) {
  let stored: Fact[] = [];
  const deltas: Contribution[] = [];
  for (const batch of batches) {
    const result = foldEntity(kind, stored, batch, calendar);
    stored = result.facts;
    deltas.push(...result.deltas);
  }
  return { stored, deltas };
}

describe('foldEntity', () => {
  describe.each(Object.keys(SCENARIOS) as EntityKind[])('%s', (kind) => {
    const all = SCENARIOS[kind];
    const expected = interpretEntity(
      kind,
      [...all].sort((a, b) => a.at - b.at),
      calendar,
    );

    it('gives the same state and aggregates for any arrival order, batching and redelivery', () => {
      fc.assert(
        fc.property(
          fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
          fc.array(fc.integer({ min: 0, max: all.length - 1 }), { maxLength: 4 }),
          fc.array(fc.integer({ min: 1, max: 3 }), { minLength: all.length, maxLength: all.length }),
          (order, redelivered, batchSizes) => {
            // Duplicates: some events arrive again later.
            const arrivals = [...order, ...redelivered.map((index) => all[index]!)];
            const batches: Fact[][] = [];
            for (let i = 0, b = 0; i < arrivals.length; b++) {
              const size = batchSizes[b % batchSizes.length]!;
              batches.push(arrivals.slice(i, i + size));
              i += size;
            }
            const { stored, deltas } = foldInBatches(kind, batches);
            expect(interpretEntity(kind, stored, calendar)).toEqual(expected);
            expect(totals(deltas)).toEqual(totals(expected.contributions));
          },
        ),
        { numRuns: 200 },
      );
    });

    it('adds nothing when the same facts arrive again', () => {
      const once = foldEntity(kind, [], all, calendar);
      expect(foldEntity(kind, once.facts, all, calendar).deltas).toEqual([]);
    });
  });
});
