import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { compareMonths, contentHashOf, type PoliceUkCsvItem, readPoliceUkCsv } from '@rollcall/police-uk';
import { describe, expect, it } from 'vitest';
import { PoliceUkMonthDiff } from './police-uk-month-diff.ts';

const FIXTURE = fileURLToPath(new URL('../../police-uk/fixtures/2019-01-avon-and-somerset-stop-and-search.csv', import.meta.url));

async function itemsOf(text: string): Promise<PoliceUkCsvItem[]> {
  const items: PoliceUkCsvItem[] = [];
  for await (const item of readPoliceUkCsv(Readable.from([Buffer.from(text)]))) items.push(item);
  return items;
}

describe('PoliceUkMonthDiff', () => {
  it('gives what compareMonths gives, one row at a time, on edits of the real 2019-01 file', async () => {
    const text = await readFile(FIXTURE, 'utf8');
    const [header, ...rows] = text.trimEnd().split('\n') as [string, ...string[]];
    const previous = (await itemsOf(text)).map(contentHashOf);
    const variants: Record<string, string[]> = {
      identical: rows,
      'one outcome changed': rows.map((row, i) => (i === 5 ? row.replace('A no further action disposal', 'Arrest') : row)),
      'a row appended': [...rows, rows[2] as string],
      'the last row deleted': rows.slice(0, -1),
      // Positional: every row after the deleted one moves up and shows as changed.
      'a row deleted mid-file': rows.filter((_, i) => i !== 100),
      'a broken row in place of a good one': rows.map((row, i) => (i === 10 ? 'Person search,"unclosed' : row)),
      empty: [],
    };
    for (const [name, lines] of Object.entries(variants)) {
      const items = await itemsOf([header, ...lines, ''].join('\n'));
      const diff = new PoliceUkMonthDiff(previous);
      for (const item of items) diff.see(item.position, contentHashOf(item));
      expect(diff.result(), name).toEqual(compareMonths(previous, items));
    }
  });

  it('refuses rows out of file order', () => {
    const diff = new PoliceUkMonthDiff(['a']);
    diff.see(1, 'a');
    expect(() => diff.see(3, 'c')).toThrow(RangeError);
  });
});
