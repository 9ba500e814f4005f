import { describe, expect, it } from 'vitest';
import { ethnicGroupOf } from './ethnic-group.ts';
import { ETHNIC_GROUPS, NON_WHITE_GROUPS } from './stop-search-vocabulary.ts';

describe('ethnicGroupOf: self-defined, by prefix', () => {
  it.each([
    ['White - English/Welsh/Scottish/Northern Irish/British', 'white'],
    ['White - Irish', 'white'],
    ['White - Roma', 'white'],
    ['White - Gypsy or Irish Traveller', 'white'],
    ['White - Any other White background', 'white'],
    ['Mixed/Multiple ethnic groups - White and Black Caribbean', 'mixed'],
    ['Mixed/Multiple ethnic groups - Any other Mixed/Multiple ethnic background', 'mixed'],
    ['Asian/Asian British - Pakistani', 'asian'],
    ['Asian/Asian British - Chinese', 'asian'],
    ['Black/African/Caribbean/Black British - African', 'black'],
    ['Black/African/Caribbean/Black British - Any other Black/African/Caribbean background', 'black'],
    ['Other ethnic group - Arab', 'other'],
    ['Other ethnic group - Any other ethnic group', 'other'],
  ])('%s → %s', (self, group) => {
    // The officer's view disagrees on purpose: self-defined must win when it is usable.
    expect(ethnicGroupOf(self, group === 'white' ? 'Black' : 'White')).toEqual({ group, source: 'self-defined' });
  });

  it.each([
    ['White - White British (W1)', 'white'],
    ['White - White Irish (W2)', 'white'],
    ['White - Any other White ethnic background (W9)', 'white'],
    ['Black or Black British - Caribbean (B1)', 'black'],
    ['Black or Black British - African (B2)', 'black'],
    ['Asian or Asian British - Indian (A1)', 'asian'],
    ['Asian or Asian British - Bangladeshi (A3)', 'asian'],
    ['Mixed - White and Asian (M3)', 'mixed'],
    ['Mixed - Any other Mixed ethnic background (M9)', 'mixed'],
    // 2011 Census counts Chinese people under Asian, and the populations come from it.
    ['Chinese or other ethnic group - Chinese (O1)', 'asian'],
    ['Chinese or other ethnic group - Chinese (01)', 'asian'],
    ['Chinese or other ethnic group - Any other ethnic group (O9)', 'other'],
    ['Chinese or other ethnic group - Any other ethnic group (09)', 'other'],
  ])('older coded form %s → %s', (self, group) => {
    expect(ethnicGroupOf(self, 'White')).toEqual({ group, source: 'self-defined' });
  });

  it('ignores case and spacing', () => {
    expect(ethnicGroupOf('  black or black british -  caribbean (b1) ', null)).toEqual({
      group: 'black',
      source: 'self-defined',
    });
  });
});

describe('ethnicGroupOf: not stated falls back to officer-defined', () => {
  it.each(['Other ethnic group - Not stated', 'Not Stated (NS)', 'Not stated', '', '   ', null, undefined])(
    'self-defined %j → officer-defined',
    (self) => {
      expect(ethnicGroupOf(self, 'Black')).toEqual({ group: 'black', source: 'officer-defined' });
      expect(ethnicGroupOf(self, 'Mixed')).toEqual({ group: 'mixed', source: 'officer-defined' });
    },
  );

  it.each([
    ['White', 'white'],
    ['Black', 'black'],
    ['Asian', 'asian'],
    ['Other', 'other'],
    ['Mixed', 'mixed'],
  ])('officer-defined %s → %s', (officer, group) => {
    expect(ethnicGroupOf('Other ethnic group - Not stated', officer)).toEqual({ group, source: 'officer-defined' });
  });

  it('is not-recorded when both are missing', () => {
    expect(ethnicGroupOf(null, null)).toEqual({ group: 'not-recorded', source: null });
    expect(ethnicGroupOf('Other ethnic group - Not stated', '')).toEqual({ group: 'not-recorded', source: null });
    expect(ethnicGroupOf('Not Stated (NS)', undefined)).toEqual({ group: 'not-recorded', source: null });
  });
});

describe('ethnicGroupOf: unknown strings', () => {
  it('counts an unknown self-defined string as not recorded and returns it, never White', () => {
    expect(ethnicGroupOf('Martian - Olympus Mons', 'White')).toEqual({
      group: 'not-recorded',
      source: null,
      unrecognised: 'Martian - Olympus Mons',
    });
  });

  it('reports an unknown officer-defined string when it is the one consulted', () => {
    expect(ethnicGroupOf('', 'Purple')).toEqual({ group: 'not-recorded', source: null, unrecognised: 'Purple' });
  });

  it('does not let a bare "White" count as a self-defined wording', () => {
    expect(ethnicGroupOf('White', 'Black').group).toBe('not-recorded');
    expect(ethnicGroupOf('Whiteboard - x', 'Black').group).toBe('not-recorded');
  });
});

describe('group lists', () => {
  it('has the five census groups plus not-recorded, and four non-White groups', () => {
    expect(ETHNIC_GROUPS).toEqual(['asian', 'black', 'mixed', 'other', 'white', 'not-recorded']);
    expect(NON_WHITE_GROUPS).toEqual(['asian', 'black', 'mixed', 'other']);
  });
});
