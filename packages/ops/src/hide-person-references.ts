import { hasPersonReference, replacePersonReferences } from '@rollcall/contract';

/**
 * What a person reference is shown as in views for people (bull-board's job data): the same word
 * the logs use. Feed jobs carry events as producers sent them, so a reference there may be in
 * clear; it is hidden rather than pseudonymised, since a view has no business holding the key.
 */
export const HIDDEN_PERSON_REFERENCE = '[redacted]';

/**
 * A copy of JSON-shaped `value` with the value of every field named as a person reference
 * (`personRef`, `subjectRef`: the contract's names), at any depth and whatever it holds, replaced
 * by HIDDEN_PERSON_REFERENCE.
 */
export function hidePersonReferences(value: unknown): unknown {
  return replacePersonReferences(value, () => HIDDEN_PERSON_REFERENCE);
}

/**
 * Whether `value` has a person reference field holding HIDDEN_PERSON_REFERENCE: data copied back
 * from a view that hid it. Stored, it would become one made-up person shared by every such event.
 */
export function holdsHiddenPersonReference(value: unknown): boolean {
  return hasPersonReference(value, (item) => item === HIDDEN_PERSON_REFERENCE);
}
