import { describe, expect, it } from 'vitest';
import { HIDDEN_PERSON_REFERENCE, hidePersonReferences, holdsHiddenPersonReference } from './hide-person-references.ts';

describe('hidePersonReferences', () => {
  it('hides the value of every personRef and subjectRef at any depth, whatever it holds, in a copy', () => {
    const input = {
      personRef: 'PNC-1',
      list: [{ subjectRef: 'S-1' }, 'personRef'],
      deep: { a: { b: [{ personRef: { pnc: 'PNC-2' } }] } },
      n: 3,
    };
    expect(hidePersonReferences(input)).toEqual({
      personRef: HIDDEN_PERSON_REFERENCE,
      list: [{ subjectRef: HIDDEN_PERSON_REFERENCE }, 'personRef'],
      deep: { a: { b: [{ personRef: HIDDEN_PERSON_REFERENCE }] } },
      n: 3,
    });
    expect(input.personRef).toBe('PNC-1');
    expect(hidePersonReferences('personRef')).toBe('personRef');
    expect(hidePersonReferences(null)).toBeNull();
  });

  it('keeps a __proto__ key as data and survives any nesting depth', () => {
    const parsed = JSON.parse('{"__proto__": {"personRef": "PNC-3"}}') as object;
    const hidden = hidePersonReferences(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(hidden)).toBe(Object.prototype);
    expect(JSON.stringify(hidden)).toBe('{"__proto__":{"personRef":"[redacted]"}}');
    let deep: unknown = { personRef: 'PNC-4' };
    for (let i = 0; i < 100_000; i++) deep = [deep];
    let bottom = hidePersonReferences(deep);
    while (Array.isArray(bottom)) bottom = bottom[0];
    expect(bottom).toEqual({ personRef: HIDDEN_PERSON_REFERENCE });
  });
});

describe('holdsHiddenPersonReference', () => {
  it('finds the placeholder only under a person reference field', () => {
    expect(
      holdsHiddenPersonReference({ jobData: { events: [{ payload: { subjectRef: HIDDEN_PERSON_REFERENCE } }] } }),
    ).toBe(true);
    expect(holdsHiddenPersonReference({ data: { personRef: 'PNC-5', note: HIDDEN_PERSON_REFERENCE } })).toBe(false);
    expect(holdsHiddenPersonReference(undefined)).toBe(false);
  });
});
