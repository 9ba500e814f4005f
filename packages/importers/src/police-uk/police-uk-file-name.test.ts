import { describe, expect, it } from 'vitest';
import { parsePoliceUkFileName, resolvePoliceUkSource } from './police-uk-file-name.ts';

describe('parsePoliceUkFileName', () => {
  it('reads month and force', () => {
    expect(parsePoliceUkFileName('2019-01-avon-and-somerset-stop-and-search.csv')).toEqual({
      ok: true,
      source: { forceId: 'avon-and-somerset', month: '2019-01' },
    });
  });

  it('reads only the last part of a path', () => {
    expect(parsePoliceUkFileName('/data/2024-01/2024-01-btp-stop-and-search.csv')).toEqual({
      ok: true,
      source: { forceId: 'btp', month: '2024-01' },
    });
  });

  it.each([
    ['2019-01-avon-and-somerset-street.csv', 'is not YYYY-MM-<force>-stop-and-search.csv'],
    ['avon-and-somerset-stop-and-search.csv', 'is not YYYY-MM-<force>-stop-and-search.csv'],
    ['2019-13-avon-and-somerset-stop-and-search.csv', 'is not a month YYYY-MM'],
    ['2019-01-Avon_Somerset-stop-and-search.csv', 'is not a force slug'],
  ])('rejects %s clearly', (name, message) => {
    const result = parsePoliceUkFileName(name);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(message);
  });
});

describe('resolvePoliceUkSource', () => {
  it('lets --force and --month override the file name, one at a time', () => {
    const name = '2019-01-avon-and-somerset-stop-and-search.csv';
    expect(resolvePoliceUkSource(name, { month: '2019-02' })).toEqual({
      ok: true,
      source: { forceId: 'avon-and-somerset', month: '2019-02' },
    });
    expect(resolvePoliceUkSource(name, { force: 'kent' })).toEqual({
      ok: true,
      source: { forceId: 'kent', month: '2019-01' },
    });
  });

  it('needs no usable file name when both are given', () => {
    expect(resolvePoliceUkSource('export.csv', { force: 'kent', month: '2020-06' })).toEqual({
      ok: true,
      source: { forceId: 'kent', month: '2020-06' },
    });
  });

  it('says what is missing when neither gives an answer', () => {
    const result = resolvePoliceUkSource('export.csv', { force: 'kent' });
    expect(!result.ok && result.error).toContain('pass --force and --month');
  });

  it('rejects malformed overrides', () => {
    expect(resolvePoliceUkSource('export.csv', { force: 'kent', month: '2020-6' })).toMatchObject({ ok: false });
    expect(resolvePoliceUkSource('export.csv', { force: 'Kent Police', month: '2020-06' })).toMatchObject({
      ok: false,
    });
  });
});
