import { z } from 'zod';
import { eventSchema, Ref } from './envelope.ts';

export const CALL_CHANNELS = ['999', '101'] as const;
export type CallChannel = (typeof CALL_CHANNELS)[number];
export const CALL_QUEUES = ['primary', 'secondary'] as const;
export type CallQueue = (typeof CALL_QUEUES)[number];
export const INCIDENT_GRADES = ['emergency', 'priority', 'scheduled', 'no-deployment'] as const;
export type IncidentGrade = (typeof INCIDENT_GRADES)[number];
export const INCIDENT_AREAS = ['urban', 'rural'] as const;
export type IncidentArea = (typeof INCIDENT_AREAS)[number];
/** The longest BT transfer a 999 call may report: a day. */
export const MAX_BT_TRANSFER_SECONDS = 86_400;

export const CallPresentedPayload = z
  .looseObject({
    callId: Ref,
    channel: z.enum(CALL_CHANNELS),
    queue: z.enum(CALL_QUEUES),
    /**
     * Seconds BT took to connect a 999 call to the force; part of the answering time. At most a
     * day: a longer transfer is a clock or unit fault, and the bound keeps every sum of answering
     * times exact (docs/feeds.md, "Bounds").
     */
    btTransferSeconds: z
      .number()
      .min(0)
      .max(
        MAX_BT_TRANSFER_SECONDS,
        `must be at most ${MAX_BT_TRANSFER_SECONDS.toLocaleString('en-GB')} seconds (a day); a longer transfer is a clock or unit fault`,
      )
      .optional(),
  })
  .superRefine((payload, ctx) => {
    if (payload.channel === '999' && payload.btTransferSeconds === undefined) {
      ctx.addIssue({ code: 'custom', path: ['btTransferSeconds'], message: 'required for 999 calls' });
    }
    if (payload.channel === '101' && payload.btTransferSeconds !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['btTransferSeconds'], message: 'must be absent for 101 calls' });
    }
  });
export const CallPresented = eventSchema('call-handling', 'call.presented', CallPresentedPayload);
export type CallPresented = z.infer<typeof CallPresented>;

export const CallTransferred = eventSchema(
  'call-handling',
  'call.transferred',
  z.looseObject({ callId: Ref, toQueue: z.literal('secondary') }),
);
export type CallTransferred = z.infer<typeof CallTransferred>;

export const CallAnswered = eventSchema('call-handling', 'call.answered', z.looseObject({ callId: Ref }));
export type CallAnswered = z.infer<typeof CallAnswered>;

export const CallAbandoned = eventSchema('call-handling', 'call.abandoned', z.looseObject({ callId: Ref }));
export type CallAbandoned = z.infer<typeof CallAbandoned>;

export const CallAssessed = eventSchema(
  'call-handling',
  'call.assessed',
  z.looseObject({
    callId: Ref,
    /** A THRIVE structured risk assessment was recorded. */
    structuredRiskAssessment: z.boolean(),
    vulnerable: z.boolean(),
    repeatVictim: z.boolean(),
  }),
);
export type CallAssessed = z.infer<typeof CallAssessed>;

export const IncidentGraded = eventSchema(
  'call-handling',
  'incident.graded',
  z.looseObject({
    incidentId: Ref,
    callId: Ref.optional(),
    grade: z.enum(INCIDENT_GRADES),
    area: z.enum(INCIDENT_AREAS),
  }),
);
export type IncidentGraded = z.infer<typeof IncidentGraded>;

export const IncidentAttended = eventSchema('call-handling', 'incident.attended', z.looseObject({ incidentId: Ref }));
export type IncidentAttended = z.infer<typeof IncidentAttended>;

export const CALL_HANDLING_EVENTS = {
  'call.presented': CallPresented,
  'call.transferred': CallTransferred,
  'call.answered': CallAnswered,
  'call.abandoned': CallAbandoned,
  'call.assessed': CallAssessed,
  'incident.graded': IncidentGraded,
  'incident.attended': IncidentAttended,
} as const;

export type CallHandlingEvent =
  CallPresented | CallTransferred | CallAnswered | CallAbandoned | CallAssessed | IncidentGraded | IncidentAttended;
