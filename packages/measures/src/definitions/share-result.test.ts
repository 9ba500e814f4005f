import { describe, expect, it } from 'vitest';
import { MEASURES } from '../measure-catalog.ts';
import { exampleInputOf } from './measure-input-of.ts';
import { restCellId, restOf, shareResult, withImplied } from './share-result.ts';

describe('shareResult', () => {
  it('is the share with its complement as an implied cell, tied to its counts by a sum', () => {
    expect(shareResult(497, 500, { numerator: 'found', denominator: 'searches' })).toEqual({
      value: 99.4,
      numerator: 497,
      denominator: 500,
      cells: { found: 497, searches: 500 },
      impliedCells: { '(searches − found)': 3 },
      cellSums: [{ total: 'searches', parts: ['found', '(searches − found)'] }],
    });
  });

  it('names the complement when it is a count of its own, and does not imply a cell it carries', () => {
    const result = shareResult(
      5_600,
      6_400,
      { numerator: 'recorded', denominator: 'searches', complement: 'group.not-recorded' },
      { extraCells: { 'group.not-recorded': 800 } },
    );
    expect(result.impliedCells).toBeUndefined();
    expect(result.cellSums).toEqual([{ total: 'searches', parts: ['recorded', 'group.not-recorded'] }]);
  });
});

describe('restOf', () => {
  it('implies whole − part, under an id no parts prefix claims', () => {
    expect(restCellId('incidents.within_target.emergency|urban', 'incidents.due.emergency|urban')).toBe(
      '(incidents.due.emergency|urban − incidents.within_target.emergency|urban)',
    );
    expect(
      withImplied(
        { value: 50, numerator: 50, denominator: 1_000, cells: { all: 50 } },
        restOf({ cell: 'secondary', count: 47 }, { cell: 'all', count: 50 }, 'primary'),
      ),
    ).toEqual({
      value: 50,
      numerator: 50,
      denominator: 1_000,
      cells: { all: 50 },
      impliedCells: { primary: 3 },
      cellSums: [{ total: 'all', parts: ['secondary', 'primary'] }],
    });
  });
});

describe('every share measure', () => {
  it('gives its complement, denominator − numerator, to disclosure control', () => {
    const shares = MEASURES.filter((measure) => measure.unit === 'percent');
    expect(shares.length).toBeGreaterThan(20);
    for (const measure of shares) {
      for (const result of measure.compute(exampleInputOf(measure.example!))) {
        const count = (cell: string) => result.cells[cell] ?? result.impliedCells?.[cell];
        const complement = result.cellSums?.find(
          ({ total, parts: [part, rest] }) =>
            count(total) === result.denominator &&
            count(part!) === result.numerator &&
            count(rest!) === result.denominator! - result.numerator!,
        );
        expect(complement, `${measure.id} ${JSON.stringify(result.breakdown)}`).toBeDefined();
      }
    }
  });
});
