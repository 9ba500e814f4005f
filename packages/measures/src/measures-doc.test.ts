import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { formatNumber, MEASURES_DOC_PATH, renderMeasuresDoc } from '../scripts/write-measures-doc.ts';
import { AVON_AND_SOMERSET_POPULATION, DEFAULT_SETTINGS, exampleInputOf } from './definitions/measure-input-of.ts';
import { MEASURES } from './measure-catalog.ts';

const referenceFile = (name: string) => readFile(new URL(`../../reference/data/${name}`, import.meta.url), 'utf8');

describe('docs/measures.md', () => {
  it('is what `pnpm docs:measures` generates from the definitions (run it after changing a measure)', async () => {
    const committed = await readFile(MEASURES_DOC_PATH, 'utf8');
    expect(committed).toBe(renderMeasuresDoc());
  });

  it('lists every measure of the catalog once, with its example', () => {
    const doc = renderMeasuresDoc();
    for (const measure of MEASURES) {
      expect(doc.split(`### \`${measure.id}\`\n`)).toHaveLength(2);
    }
  });

  it('formats figures with thousands separators and at most three decimals', () => {
    expect(formatNumber(8_940)).toBe('8,940');
    expect(formatNumber(89.4)).toBe('89.4');
    expect(formatNumber(1_599_555)).toBe('1,599,555');
    expect(formatNumber(8.125)).toBe('8.125');
    expect(formatNumber(-9.154929577)).toBe('−9.155');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(-0.0001)).toBe('0');
  });

  it('runs examples on the national defaults of the reference data, and the census figures of Avon and Somerset', async () => {
    const settings = JSON.parse(await referenceFile('force-settings.json')) as { defaults: Record<string, unknown> };
    const { reportingPeriods: _none, ...defaults } = settings.defaults;
    expect(DEFAULT_SETTINGS).toEqual(defaults);

    const census = (await referenceFile('census-2011-ethnicity-by-police-force-area.csv')).split('\n');
    const header = census[0]!.split(',');
    const avon = census
      .find((line) => line.startsWith('Avon & Somerset,'))!
      .split(',')
      .map(Number);
    const column = (name: string) => avon[header.indexOf(`Ethnic Group: ${name}; measures: Value`)];
    expect(AVON_AND_SOMERSET_POPULATION).toEqual({
      vintage: 'census-2011',
      residents: column('All categories: Ethnic group'),
      groups: {
        white: column('White'),
        asian: column('Asian'),
        black: column('Black'),
        mixed: column('Mixed'),
        other: column('Other'),
      },
    });
  });
});

describe('the measure catalog', () => {
  it('has unique ids, in feed order: call handling, wanted persons, DVPO, stop and search', () => {
    const ids = MEASURES.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    const feeds = MEASURES.map((m) => m.feed).filter((feed, i, all) => feed !== all[i - 1]);
    expect(feeds).toEqual(['call-handling', 'wanted-persons', 'dvpo', 'stop-search']);
  });

  it('gives every measure a definition, a title, periods and a worked example', () => {
    for (const measure of MEASURES) {
      expect(measure.definition.length, measure.id).toBeGreaterThan(40);
      expect(measure.title, measure.id).not.toBe('');
      expect(measure.periods.length, measure.id).toBeGreaterThan(0);
      expect(measure.example, measure.id).toBeDefined();
    }
  });

  it('only compares measures across forces that have a direction to rank them by', () => {
    for (const measure of MEASURES.filter((m) => m.comparison))
      expect(measure.direction, measure.id).not.toBe('neither');
  });

  it('publishes stocks and live figures as at the as-of day, and flows for every flow period', () => {
    const asAt = MEASURES.filter((m) => m.periods.includes('as-at')).map((m) => m.id);
    expect(asAt).toEqual([
      'calls.live.waiting',
      'calls.live.longest_wait_seconds',
      'wanted.on_pnc_over_6_months',
      'wanted.open',
      'wanted.open_high_risk',
    ]);
    for (const measure of MEASURES.filter((m) => m.periods.includes('as-at')))
      expect(measure.periods).toEqual(['as-at']);
    expect(MEASURES.find((m) => m.id === 'dvpo.applications_change')?.periods).toEqual(['financial-year']);
  });

  it('gives every example result a value that its numerator and denominator re-derive', () => {
    for (const measure of MEASURES) {
      for (const result of measure.compute(exampleInputOf(measure.example!))) {
        const { value, numerator, denominator } = result;
        if (value === null || numerator === null || denominator === null) continue;
        const expected = {
          percent: (numerator / denominator) * 100,
          count: numerator,
          'per-1000': (numerator / denominator) * 1_000,
          ratio: numerator / denominator,
          seconds: numerator / denominator,
          days: numerator / denominator,
          'percent-change': (numerator / denominator - 1) * 100,
        }[measure.unit];
        expect(value, `${measure.id} ${JSON.stringify(result.breakdown)}`).toBeCloseTo(expected, 9);
      }
    }
  });

  it('uses each cell id for one count: measures that share a count agree on its id and value', () => {
    // Every example computed on one input holding all of them: a cell id naming two different
    // counts would show as two values for it. Stocks are as at the period's end in both parts of
    // the input, as they are for a period ending on the as-of day.
    const rows = MEASURES.flatMap((m) => [...(m.example?.aggregates ?? []), ...(m.example?.asAtEnd ?? [])]);
    const everything = exampleInputOf({
      description: 'all examples together',
      aggregates: rows,
      yearEarlier: MEASURES.flatMap((m) => m.example?.yearEarlier ?? []),
      asAtEnd: rows,
      population: AVON_AND_SOMERSET_POPULATION,
    });
    const values = new Map<string, { value: number; measureId: string }>();
    for (const measure of MEASURES) {
      for (const result of measure.compute(everything)) {
        for (const [cell, value] of Object.entries(result.cells)) {
          const seen = values.get(cell);
          if (seen) expect(value, `${cell} in ${measure.id} and ${seen.measureId}`).toBe(seen.value);
          else values.set(cell, { value, measureId: measure.id });
        }
      }
    }
    expect(values.size).toBeGreaterThan(40);
  });

  it('declares additive groups whose parts add up to their total in the examples', () => {
    const groups = new Map(
      MEASURES.flatMap((m) => m.additiveGroups ?? []).map((g) => [`${g.total} ${g.partsPrefix}`, g]),
    );
    expect(groups.size).toBeGreaterThanOrEqual(9);
    for (const [key, group] of groups) {
      // The cells of every measure declaring the group, each on its own example: the examples of
      // measures that share counts are the same situation, so their cells must agree.
      const cells = new Map<string, number>();
      for (const measure of MEASURES.filter((m) =>
        m.additiveGroups?.some((g) => `${g.total} ${g.partsPrefix}` === key),
      )) {
        for (const result of measure.compute(exampleInputOf(measure.example!)))
          for (const [cell, value] of Object.entries(result.cells)) cells.set(cell, value);
      }
      const parts = [...cells].filter(([id]) => id.startsWith(group.partsPrefix) && id !== group.total);
      expect(parts.length, group.partsPrefix).toBeGreaterThan(1);
      expect(
        parts.reduce((sum, [, value]) => sum + value, 0),
        `${group.partsPrefix}* = ${group.total}`,
      ).toBe(cells.get(group.total));
    }
  });
});
