import { describe, expect, it } from 'vitest';
import {
  containsPersonReference,
  createPseudonymiser,
  mayHoldPersonReferenceInClear,
  scrubPersonReferences,
  scrubPersonReferencesInText,
} from './pseudonymiser.ts';

// A key of this test's own: what is checked is how pseudonyms behave, not any particular value.
const TEST_PSEUDONYM_KEY = 'pseudonymiser-test-key-0123456789abcdef';
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
    for (const text of [
      '{"personRef": "PNC-1',
      "{personRef: 'PNC-1'}",
      '{"subjectRef": PNC-1, "x": 1}',
      '{"personRef" : "PN\\"C-1"}',
    ]) {
      const scrubbed = scrubPersonReferencesInText(text, pseudonymise);
      expect(scrubbed).not.toMatch(/PNC-1|PN\\"C-1/);
      expect(scrubbed).toContain('psn_');
    }
  });

  it('finds references in every shape of text a producer may send: JSON text, texts in a batch, text in a field, text encoded twice', () => {
    const event = { eventId: 'w-1', payload: { personRef: 'PNC-1', note: JSON.stringify({ subjectRef: 'PNC-2' }) } };
    const shapes: unknown[] = [
      JSON.stringify(event),
      { events: [JSON.stringify(event), event] },
      JSON.stringify(JSON.stringify(event)),
      { payload: { nested: JSON.stringify({ deeper: JSON.stringify({ personRef: 'PNC-1' }) }) } },
      'personRef: PNC-1 (a line that is not JSON)',
    ];
    for (const shape of shapes) {
      const scrubbed = scrubPersonReferences(shape, pseudonymise);
      expect(JSON.stringify(scrubbed)).not.toMatch(/PNC-[12]/);
      expect(JSON.stringify(scrubbed)).toContain(pseudonymise('PNC-1'));
    }
    // A text that names a field but holds no reference is left as it is.
    expect(scrubPersonReferences('we ask for the personRef at intake', pseudonymise)).toBe(
      'we ask for the personRef at intake',
    );
  });

  it('tells a job that may hold a reference in clear from one already pseudonymised', () => {
    expect(mayHoldPersonReferenceInClear({ events: [{ payload: { personRef: 'PNC-1' } }] })).toBe(true);
    expect(mayHoldPersonReferenceInClear({ events: [{ payload: { personRef: pseudonymise('PNC-1') } }] })).toBe(false);
    expect(mayHoldPersonReferenceInClear({ events: [{ payload: { callId: 'c-1' } }] })).toBe(false);
    expect(mayHoldPersonReferenceInClear({ events: [JSON.stringify({ personRef: pseudonymise('PNC-1') })] })).toBe(
      true,
    );
  });
});
