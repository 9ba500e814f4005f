import { z } from 'zod';

export const Force = z.strictObject({
  /** data.police.uk slug, the `forceId` of every event. */
  forceId: z.string().regex(/^[a-z]+(-[a-z]+)*$/),
  name: z.string().min(1),
  /** The force area as the ONS writes it in census tables (`Avon & Somerset`). */
  onsName: z.string().min(1),
  /** HMICFRS most similar group, the force itself excluded. */
  mostSimilarGroup: z.array(z.string()),
});
export type Force = z.infer<typeof Force>;

export const ForcesFile = z.object({ forces: z.array(Force).min(1) });

/** Parses forces.json and checks that every MSG member is itself a known force. */
export function parseForces(json: unknown): Force[] {
  const { forces } = ForcesFile.parse(json);
  const known = new Set(forces.map((force) => force.forceId));
  if (known.size !== forces.length) throw new Error('forces.json: a forceId appears twice');
  for (const force of forces) {
    const unknown = force.mostSimilarGroup.filter((member) => !known.has(member) || member === force.forceId);
    if (unknown.length > 0) {
      throw new Error(`forces.json: ${force.forceId} has unknown or self MSG members: ${unknown.join(', ')}`);
    }
  }
  return forces;
}
