import { z } from 'zod';
import { eventSchema, Ref } from './envelope.ts';

export const WANTED_RISKS = ['high', 'medium', 'low'] as const;
export type WantedRisk = (typeof WANTED_RISKS)[number];

export const WantedCirculated = eventSchema(
  'wanted-persons',
  'wanted.circulated',
  z.looseObject({
    circulationId: Ref,
    /** Opaque upstream person key: pseudonymised before storage, never published. */
    personRef: Ref,
    risk: z.enum(WANTED_RISKS),
    team: z.string().min(1).max(128),
    top20: z.boolean().optional(),
  }),
);
export type WantedCirculated = z.infer<typeof WantedCirculated>;

export const WantedRiskChanged = eventSchema(
  'wanted-persons',
  'wanted.risk-changed',
  z.looseObject({ circulationId: Ref, risk: z.enum(WANTED_RISKS), top20: z.boolean().optional() }),
);
export type WantedRiskChanged = z.infer<typeof WantedRiskChanged>;

export const WantedArrested = eventSchema('wanted-persons', 'wanted.arrested', z.looseObject({ circulationId: Ref }));
export type WantedArrested = z.infer<typeof WantedArrested>;

export const WantedCancelled = eventSchema(
  'wanted-persons',
  'wanted.cancelled',
  z.looseObject({ circulationId: Ref, reason: z.string().min(1).max(500) }),
);
export type WantedCancelled = z.infer<typeof WantedCancelled>;

export const WANTED_PERSONS_EVENTS = {
  'wanted.circulated': WantedCirculated,
  'wanted.risk-changed': WantedRiskChanged,
  'wanted.arrested': WantedArrested,
  'wanted.cancelled': WantedCancelled,
} as const;

export type WantedPersonsEvent = WantedCirculated | WantedRiskChanged | WantedArrested | WantedCancelled;
