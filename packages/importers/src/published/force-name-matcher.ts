/**
 * Force names as publishers print them ("Avon & Somerset Constabulary", "Metropolitan Police
 * Service", "Dyfed-Powys Police") matched to the reference data's forces: lower case, `&` read as
 * `and`, the words constabulary / police / service dropped, everything else joined by dashes,
 * then compared with each force's id and with its own name treated the same way.
 */
export type ForceNameMatcher = (printed: string) => string | undefined;

const slugOf = (name: string): string =>
  name
    .toLowerCase()
    .replaceAll('&', ' and ')
    .replace(/\b(constabulary|police service|police force|police|service)\b/g, ' ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

export function forceNameMatcher(
  forces: readonly { readonly forceId: string; readonly name: string }[],
): ForceNameMatcher {
  const bySlug = new Map<string, string>();
  for (const force of forces) {
    bySlug.set(force.forceId, force.forceId);
    bySlug.set(slugOf(force.name), force.forceId);
  }
  return (printed) => bySlug.get(slugOf(printed));
}
