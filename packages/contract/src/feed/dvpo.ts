import { z } from 'zod';
import { eventSchema, Ref } from './envelope.ts';

export const DVPO_OUTCOMES = ['granted', 'refused', 'withdrawn'] as const;
export type DvpoOutcome = (typeof DVPO_OUTCOMES)[number];

const caseWithSubject = z.looseObject({
  caseRef: Ref,
  /** Opaque upstream person key: pseudonymised before storage, never published. */
  subjectRef: Ref,
});

export const DvpnAuthorised = eventSchema('dvpo', 'dvpn.authorised', caseWithSubject);
export type DvpnAuthorised = z.infer<typeof DvpnAuthorised>;

export const DvpoApplied = eventSchema('dvpo', 'dvpo.applied', caseWithSubject);
export type DvpoApplied = z.infer<typeof DvpoApplied>;

export const DvpoDecided = eventSchema(
  'dvpo',
  'dvpo.decided',
  z.looseObject({ caseRef: Ref, outcome: z.enum(DVPO_OUTCOMES) }),
);
export type DvpoDecided = z.infer<typeof DvpoDecided>;

export const DvpnBreached = eventSchema('dvpo', 'dvpn.breached', z.looseObject({ caseRef: Ref }));
export type DvpnBreached = z.infer<typeof DvpnBreached>;

export const DvpoBreached = eventSchema('dvpo', 'dvpo.breached', z.looseObject({ caseRef: Ref }));
export type DvpoBreached = z.infer<typeof DvpoBreached>;

export const ProtectionConsidered = eventSchema(
  'dvpo',
  'protection.considered',
  z.looseObject({ crimeRef: Ref, considered: z.boolean() }),
);
export type ProtectionConsidered = z.infer<typeof ProtectionConsidered>;

export const DomesticAbuseCrimeRecorded = eventSchema(
  'dvpo',
  'domestic-abuse.crime-recorded',
  z.looseObject({ crimeRef: Ref }),
);
export type DomesticAbuseCrimeRecorded = z.infer<typeof DomesticAbuseCrimeRecorded>;

export const DVPO_EVENTS = {
  'dvpn.authorised': DvpnAuthorised,
  'dvpo.applied': DvpoApplied,
  'dvpo.decided': DvpoDecided,
  'dvpn.breached': DvpnBreached,
  'dvpo.breached': DvpoBreached,
  'protection.considered': ProtectionConsidered,
  'domestic-abuse.crime-recorded': DomesticAbuseCrimeRecorded,
} as const;

export type DvpoEvent =
  | DvpnAuthorised
  | DvpoApplied
  | DvpoDecided
  | DvpnBreached
  | DvpoBreached
  | ProtectionConsidered
  | DomesticAbuseCrimeRecorded;
