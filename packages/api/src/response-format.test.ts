import { describe, expect, it } from 'vitest';
import { negotiateFormat } from './response-format.ts';

describe('negotiateFormat', () => {
  it('follows ?format= whatever Accept says', () => {
    expect(negotiateFormat('csv', 'application/json')).toBe('csv');
    expect(negotiateFormat('json', 'text/csv')).toBe('json');
  });

  it('gives JSON without an Accept header, or for a browser', () => {
    expect(negotiateFormat(undefined, undefined)).toBe('json');
    expect(negotiateFormat(undefined, '*/*')).toBe('json');
    expect(negotiateFormat(undefined, 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toBe('json');
  });

  it('gives CSV when text/csv is asked for and preferred', () => {
    expect(negotiateFormat(undefined, 'text/csv')).toBe('csv');
    expect(negotiateFormat(undefined, 'TEXT/CSV; charset=utf-8')).toBe('csv');
    expect(negotiateFormat(undefined, 'text/csv, application/json;q=0.9')).toBe('csv');
    expect(negotiateFormat(undefined, 'text/csv, */*;q=0.1')).toBe('csv');
    expect(negotiateFormat(undefined, 'text/csv, application/json')).toBe('csv');
  });

  it('gives JSON when JSON is preferred or CSV refused', () => {
    expect(negotiateFormat(undefined, 'application/json, text/csv')).toBe('json');
    expect(negotiateFormat(undefined, 'application/json, text/csv;q=0.5')).toBe('json');
    expect(negotiateFormat(undefined, 'text/csv;q=0')).toBe('json');
    expect(negotiateFormat(undefined, 'text/csv;q=0.5, application/*')).toBe('json');
    expect(negotiateFormat(undefined, 'garbage;;;,')).toBe('json');
  });
});
