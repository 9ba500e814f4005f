import { describe, expect, it } from 'vitest';
import { loadReferenceData, parseReferenceData, readReferenceFile } from './reference-data.ts';

describe('reference data shipped in the repository', () => {
  const reference = loadReferenceData();

  it('has the 43 forces of England and Wales with data.police.uk slugs', () => {
    expect(reference.forces).toHaveLength(43);
    expect(reference.forces.map((force) => force.forceId)).toContain('devon-and-cornwall');
    expect(reference.forces.find((force) => force.onsName === 'Avon & Somerset')?.forceId).toBe('avon-and-somerset');
  });

  it('gives Avon and Somerset the MSG of measures.md', () => {
    const force = reference.forces.find((f) => f.forceId === 'avon-and-somerset');
    expect(force?.mostSimilarGroup).toEqual([
      'derbyshire',
      'essex',
      'hampshire',
      'hertfordshire',
      'kent',
      'staffordshire',
      'sussex',
    ]);
  });

  it('reads the 2011 Census figures measures.md quotes for Avon and Somerset', () => {
    const population = reference.populations.find((p) => p.forceId === 'avon-and-somerset');
    expect(population).toEqual({
      forceId: 'avon-and-somerset',
      vintage: 'census-2011',
      residents: 1_599_555,
      groups: { white: 1_491_970, asian: 41_981, black: 30_923, mixed: 28_277, other: 6_404 },
    });
    expect(reference.populations).toHaveLength(43);
  });

  it('applies per-force overrides over the defaults', () => {
    expect(reference.settings.get('avon-and-somerset')?.abandonMinWaitSeconds).toBe(60);
    expect(reference.settings.get('kent')?.abandonMinWaitSeconds).toBe(0);
    expect(reference.settings.get('kent')?.attendanceTargetMinutes.emergency).toEqual({ urban: 15, rural: 20 });
  });

  it('versions the data by content', () => {
    const files = {
      forces: readReferenceFile('forces'),
      census: readReferenceFile('census'),
      settings: readReferenceFile('settings'),
    };
    expect(parseReferenceData(files).version).toBe(reference.version);
    const changed = parseReferenceData({
      ...files,
      settings: files.settings.replace('"abandonMinWaitSeconds": 60', '"abandonMinWaitSeconds": 30'),
    });
    expect(changed.version).not.toBe(reference.version);
    expect(changed.settings.get('avon-and-somerset')?.abandonMinWaitSeconds).toBe(30);
  });

  it('refuses a census row for an unknown force area', () => {
    const files = {
      forces: readReferenceFile('forces'),
      census: readReferenceFile('census'),
      settings: readReferenceFile('settings'),
    };
    expect(() => parseReferenceData({ ...files, census: files.census.replace('Avon & Somerset', 'Avalon') })).toThrow(
      /no force has the ONS name "Avalon"/,
    );
  });

  it('refuses an attendance time longer than 23 hours, and says which', () => {
    const files = {
      forces: readReferenceFile('forces'),
      census: readReferenceFile('census'),
      settings: readReferenceFile('settings'),
    };
    const settings = (priority: number) =>
      files.settings.replace('"priority": {\n        "urban": 60,', `"priority": {\n        "urban": ${priority},`);
    expect(
      parseReferenceData({ ...files, settings: settings(1_380) }).settings.get('kent')?.attendanceTargetMinutes
        .priority,
    ).toEqual({ urban: 1_380, rural: 60 });
    expect(() => parseReferenceData({ ...files, settings: settings(1_381) })).toThrow(
      'force-settings.json: defaults.attendanceTargetMinutes.priority.urban: an attendance time is at most 1380 minutes (23 hours, the shortest London day)',
    );
  });
});
