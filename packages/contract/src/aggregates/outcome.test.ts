import { describe, expect, it } from 'vitest';
import { normaliseOutcome, OUTCOME_WORDINGS, OUTCOMES } from './outcome.ts';

describe('normaliseOutcome', () => {
  it.each([
    ['Arrest', 'arrest'],
    ['Suspect arrested', 'arrest'],
    ['A no further action disposal', 'no-further-action'],
    ['Nothing found - no further action', 'no-further-action'],
    ['Suspected psychoactive substances seized - No further action', 'no-further-action'],
    ['Community resolution', 'community-resolution'],
    ['Local resolution', 'community-resolution'],
    ['Khat or Cannabis warning', 'drugs-warning'],
    ['Offender given drugs possession warning', 'drugs-warning'],
    ['Penalty Notice for Disorder', 'penalty-notice'],
    ['Offender given penalty notice', 'penalty-notice'],
    ['Caution (simple or conditional)', 'caution'],
    ['Offender cautioned', 'caution'],
    ['Summons / charged by post', 'summons'],
    ['Suspect summonsed to court', 'summons'],
    ['Article found - Detailed outcome unavailable', 'article-found'],
  ])('%s → %s', (raw, outcome) => {
    expect(normaliseOutcome(raw)).toEqual({ outcome });
  });

  it('ignores case and spacing', () => {
    expect(normaliseOutcome('  penalty notice  for disorder ')).toEqual({ outcome: 'penalty-notice' });
  });

  it.each(['', '   ', null, undefined])('%j is not-recorded', (raw) => {
    expect(normaliseOutcome(raw)).toEqual({ outcome: 'not-recorded' });
  });

  it('returns an unknown wording as other, with the string to report', () => {
    expect(normaliseOutcome(' Sent to the naughty step ')).toEqual({
      outcome: 'other',
      unrecognised: 'Sent to the naughty step',
    });
  });

  it('maps every known wording into the vocabulary, never to not-recorded or other', () => {
    for (const outcome of Object.values(OUTCOME_WORDINGS)) {
      expect(OUTCOMES).toContain(outcome);
      expect(['not-recorded', 'other']).not.toContain(outcome);
    }
  });
});
