/** `2027-01-14T09:30` (seconds allowed): a wall-clock time, read in the zone given beside it. */
const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** A release time that cannot be read; the message says which part and why. */
export class ReleaseTimeError extends Error {
  override readonly name = 'ReleaseTimeError';
}

/** The zone's offset from UTC at an instant, in ms (Intl's `longOffset`: `GMT+01:00`, or `GMT`). */
function offsetMsAt(instantMs: number, timeZone: string): number {
  const name =
    new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(instantMs)
      .find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) * 60_000;
}

/**
 * The instant a pre-announced release time names: `2027-01-14T09:30` read in `timeZone`
 * (Europe/London: 09:30 GMT in winter, 09:30 BST in summer). A time the clocks skip (01:30 on
 * the last Sunday of March in London) is refused rather than moved: an announced time must
 * exist. In the repeated hour of October the first (BST) is taken.
 */
export function parseReleaseTime(text: string, timeZone: string): Date {
  const match = WALL_CLOCK.exec(text);
  if (!match)
    throw new ReleaseTimeError(
      `--at: ${JSON.stringify(text)} is not a local time YYYY-MM-DDTHH:MM (e.g. 2027-01-14T09:30)`,
    );
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
  } catch {
    throw new ReleaseTimeError(`time zone: ${JSON.stringify(timeZone)} is not an IANA time zone (e.g. Europe/London)`);
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wallMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const wall = new Date(wallMs);
  if (wall.getUTCMonth() !== month - 1 || wall.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new ReleaseTimeError(`--at: ${JSON.stringify(text)} is not a valid date and time`);
  }
  // The offsets either side of the wall time: the earlier candidate first, so the October overlap takes BST.
  const candidates = [
    ...new Set([offsetMsAt(wallMs - 86_400_000, timeZone), offsetMsAt(wallMs + 86_400_000, timeZone)]),
  ]
    .map((offset) => wallMs - offset)
    .filter((instant) => instant + offsetMsAt(instant, timeZone) === wallMs)
    .sort((a, b) => a - b);
  const instant = candidates[0];
  if (instant === undefined)
    throw new ReleaseTimeError(`--at: ${text} does not exist in ${timeZone} (the clocks go forward then)`);
  return new Date(instant);
}
