import { describe, expect, it } from 'vitest';
import { containsPersonReference, createPseudonymiser, scrubPersonReferences, scrubPersonReferencesInText } from './pseudonymiser.ts';
import { TEST_PSEUDONYM_KEY } from '@rollcall/testing';

const pseudonymise = createPseudonymiser(TEST_PSEUDONYM_KEY);

describe('pseudonymiser', () => {
  it('is keyed, stable and idempotent', () => {
    const once = pseudonymise('PNC-1');
    expect(once).toMatch(/^psn_[0-9a-f]{32}$/);
    expect(pseudonymise('PNC-1')).toBe(once);
    expect(pseudonymise(once)).toBe(once);
    expect(createPseudonymiser(`${TEST_PSEUDONYM_KEY}x`)('PNC-1')).not.toBe(once);
  });

  it('scrubs references at any depth and under any key, leaving the input untouched', () => {
    const input = { a: [{ b: { personRef: 'PNC-1' } }], subjectRef: 42, ['__proto__']: { personRef: 'PNC-2' } };
    const parsed = JSON.parse(JSON.stringify(input)) as unknown;
    const scrubbed = scrubPersonReferences(parsed, pseudonymise);
    expect(JSON.stringify(scrubbed)).not.toMatch(/PNC-/);
    expect(scrubbed).toMatchObject({ a: [{ b: { personRef: pseudonymise('PNC-1') } }], subjectRef: '[removed]' });
    expect(JSON.stringify(parsed)).toContain('PNC-1');
    expect(Object.getPrototypeOf(scrubbed)).toBe(Object.prototype);
    const plain = { a: { b: [1, 2] } };
    expect(containsPersonReference(plain)).toBe(false);
    expect(scrubPersonReferences(plain, pseudonymise)).toBe(plain);
  });

  it('finds references in broken JSON text: unterminated, single-quoted, unquoted', () => {
    for (const text of ['{"personRef": "PNC-1', "{personRef: 'PNC-1'}", '{"subjectRef": PNC-1, "x": 1}', '{"personRef" : "PN\\"C-1"}']) {
      const scrubbed = scrubPersonReferencesInText(text, pseudonymise);
      expect(scrubbed).not.toMatch(/PNC-1|PN\\"C-1/);
      expect(scrubbed).toContain('psn_');
    }
  });
});
