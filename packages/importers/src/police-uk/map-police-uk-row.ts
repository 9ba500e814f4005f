import { createCalendar, isLocalDate, monthOf } from '@rollcall/calendar';
import { SEARCH_TYPES, type SearchType } from '@rollcall/contract';
import { ethnicGroupOf } from '@rollcall/contract';
import { normaliseOutcome } from '@rollcall/contract';
import type { PoliceUkSource } from './police-uk-file-name.ts';
import {
  type PoliceUkColumn,
  type PoliceUkRow,
  type RowProblem,
  type RowRejection,
  rawValuesOf,
  rowRejection,
} from './police-uk-row.ts';
import { instantOfWallClock, isoWithOffset } from './zoned-wall-clock.ts';

const TIME_ZONE = 'Europe/London';
const london = createCalendar(TIME_ZONE);

/** The payload fields of a stop-search event that come from one row (everything but `recordId`). */
export interface StopSearchRowFields {
  readonly searchType: SearchType;
  readonly legislation: string | null;
  readonly objectOfSearch: string | null;
  readonly outcome: string | null;
  readonly outcomeLinkedToObject: boolean | null;
  readonly gender: string | null;
  readonly ageRange: string | null;
  readonly selfDefinedEthnicity: string | null;
  readonly officerDefinedEthnicity: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
  readonly removalOfMoreThanOuterClothing: boolean | null;
  // Extra fields (the contract keeps unknown payload fields): published, so not dropped.
  readonly partOfPolicingOperation: boolean | null;
  readonly policingOperation: string | null;
  /** The file gave 00:00:00 (or no time): the date is known, the time of day is not. */
  readonly timeIsPlaceholder: boolean;
}

/** A value the importer keeps but could not classify, to be reported (ethnicity, outcome). */
export interface Unrecognised {
  readonly column: PoliceUkColumn;
  readonly value: string;
}

export interface MappedPoliceUkRow {
  readonly kind: 'mapped';
  readonly line: number;
  readonly position: number;
  /** ISO 8601 with London's offset at that instant. */
  readonly occurredAt: string;
  readonly fields: StopSearchRowFields;
  readonly unrecognised: readonly Unrecognised[];
  readonly rawValues: readonly string[];
}

const MAX_TEXT = 500; // the contract's limit on a text field

// data.police.uk `Date`: `2019-01-01T00:30:00+00:00`. Seconds, fractions and the offset are
// optional here so that a hand-edited file (`2019-01-01 00:30`) still reads.
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: RowProblem };

function text(column: PoliceUkColumn, raw: string): Parsed<string | null> {
  const value = raw.trim();
  if (value === '') return { ok: true, value: null };
  if (value.length > MAX_TEXT)
    return {
      ok: false,
      problem: { column, value: `${value.slice(0, 40)}...`, reason: `is longer than ${MAX_TEXT} characters` },
    };
  return { ok: true, value };
}

// data.police.uk writes booleans as `True` / `False`, and leaves the cell blank when not recorded
// (e.g. "Outcome linked to object of search" is blank for most no-further-action searches).
function bool(column: PoliceUkColumn, raw: string): Parsed<boolean | null> {
  const value = raw.trim().toLowerCase();
  if (value === '') return { ok: true, value: null };
  if (value === 'true') return { ok: true, value: true };
  if (value === 'false') return { ok: true, value: false };
  return { ok: false, problem: { column, value: raw, reason: 'must be True, False or blank' } };
}

function coordinate(column: 'Latitude' | 'Longitude', raw: string): Parsed<number | null> {
  const value = raw.trim();
  if (value === '') return { ok: true, value: null };
  const limit = column === 'Latitude' ? 90 : 180;
  const number = Number(value);
  if (!Number.isFinite(number)) return { ok: false, problem: { column, value: raw, reason: 'is not a number' } };
  if (Math.abs(number) > limit)
    return { ok: false, problem: { column, value: raw, reason: `is outside -${limit}..${limit}` } };
  return { ok: true, value: number };
}

function searchType(raw: string): Parsed<SearchType> {
  const value = raw.trim().toLowerCase();
  const match = SEARCH_TYPES.find((type) => type.toLowerCase() === value);
  if (match !== undefined) return { ok: true, value: match };
  return { ok: false, problem: { column: 'Type', value: raw, reason: `must be one of ${SEARCH_TYPES.join(', ')}` } };
}

/**
 * When the search happened, from the `Date` cell.
 *
 * Time zone: data.police.uk writes every time with a `+00:00` label, in summer too, but the clock
 * reading is the local (London) time on the form: a search at 14:05 on 1 July is written
 * `2019-07-01T14:05:00+00:00`. Taking the label at face value would move every summer search an
 * hour later, and those between 23:00 and midnight into the next day (and, on the last day of a
 * month, into the next month). So a zero offset (`+00:00`, `Z`, or none) is read as London wall
 * clock time and written out with London's real offset (`2019-07-01T14:05:00+01:00`); winter
 * times are unchanged (`+00:00`). A non-zero offset cannot be this mistake, so it is trusted.
 *
 * Midnight: many forces record only the date and publish the time as 00:00:00. Such a time is
 * kept as London midnight, so the day (and month) is right, and flagged `timeIsPlaceholder` so
 * no time-of-day analysis reads it as a midnight search. A real search at exactly midnight is
 * indistinguishable and flagged too; that costs little next to a spike of false midnights.
 */
function occurredAt(raw: string): Parsed<{ iso: string; instant: number; placeholder: boolean }> {
  const bad = (reason: string): Parsed<never> => ({ ok: false, problem: { column: 'Date', value: raw, reason } });
  const match = DATE_TIME.exec(raw.trim());
  if (!match) return bad('is not a date and time like 2019-01-31T14:05:00+00:00');
  const [, date = '', hh, mm, ss, offset] = match;
  if (!isLocalDate(date)) return bad('is not a calendar date');
  const hour = Number(hh ?? 0);
  const minute = Number(mm ?? 0);
  const second = Number(ss ?? 0);
  if (hour > 23 || minute > 59 || second > 59) return bad('is not a time of day');

  const wall = {
    year: Number(date.slice(0, 4)),
    month: Number(date.slice(5, 7)),
    day: Number(date.slice(8, 10)),
    hour,
    minute,
    second,
  };
  const placeholder = hour === 0 && minute === 0 && second === 0;
  const offsetMinutes = offset === undefined || offset === 'Z' ? 0 : parseOffsetMinutes(offset);
  const instant =
    offsetMinutes === 0 || placeholder
      ? instantOfWallClock(placeholder ? { ...wall, hour: 0, minute: 0, second: 0 } : wall, TIME_ZONE)
      : Date.UTC(wall.year, wall.month - 1, wall.day, hour, minute, second) - offsetMinutes * 60_000;
  return { ok: true, value: { iso: isoWithOffset(instant, TIME_ZONE), instant, placeholder } };
}

function parseOffsetMinutes(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

/**
 * Reads one row into the fields of a stop-search event, or a rejection listing every problem in
 * it (not just the first, so one look at the report is enough to fix the row).
 */
export function mapPoliceUkRow(row: PoliceUkRow, source: PoliceUkSource): MappedPoliceUkRow | RowRejection {
  const v = row.values;
  const problems: RowProblem[] = [];
  const take = <T>(parsed: Parsed<T>, fallback: T): T => {
    if (parsed.ok) return parsed.value;
    problems.push(parsed.problem);
    return fallback;
  };

  const type = take(searchType(v.Type), 'Person search');
  const when = take(occurredAt(v.Date), null);
  if (when !== null) {
    const day = london.dayOf(when.instant);
    // A row dated outside the file's month is rejected, not moved: moving it would count it in a
    // month whose own file does not have it, and silently changing a published month is exactly
    // what the revision checks exist to catch.
    if (monthOf(day) !== source.month) {
      problems.push({
        column: 'Date',
        value: v.Date,
        reason: `is on ${day} in London, outside the file's month ${source.month}`,
      });
    }
  }
  const fields: Omit<StopSearchRowFields, 'timeIsPlaceholder'> = {
    searchType: type,
    legislation: take(text('Legislation', v.Legislation), null),
    objectOfSearch: take(text('Object of search', v['Object of search']), null),
    outcome: take(text('Outcome', v.Outcome), null),
    outcomeLinkedToObject: take(
      bool('Outcome linked to object of search', v['Outcome linked to object of search']),
      null,
    ),
    gender: take(text('Gender', v.Gender), null),
    ageRange: take(text('Age range', v['Age range']), null),
    selfDefinedEthnicity: take(text('Self-defined ethnicity', v['Self-defined ethnicity']), null),
    officerDefinedEthnicity: take(text('Officer-defined ethnicity', v['Officer-defined ethnicity']), null),
    latitude: take(coordinate('Latitude', v.Latitude), null),
    longitude: take(coordinate('Longitude', v.Longitude), null),
    removalOfMoreThanOuterClothing: take(
      bool('Removal of more than just outer clothing', v['Removal of more than just outer clothing']),
      null,
    ),
    partOfPolicingOperation: take(bool('Part of a policing operation', v['Part of a policing operation']), null),
    policingOperation: take(text('Policing operation', v['Policing operation']), null),
  };

  const rawValues = rawValuesOf(row);
  if (problems.length > 0 || when === null) return rowRejection(row, problems, rawValues);

  const unrecognised: Unrecognised[] = [];
  const ethnicity = ethnicGroupOf(fields.selfDefinedEthnicity, fields.officerDefinedEthnicity);
  if (ethnicity.unrecognised !== undefined) {
    const column =
      ethnicity.unrecognised === fields.selfDefinedEthnicity ? 'Self-defined ethnicity' : 'Officer-defined ethnicity';
    unrecognised.push({ column, value: ethnicity.unrecognised });
  }
  const outcome = normaliseOutcome(fields.outcome);
  if (outcome.unrecognised !== undefined) unrecognised.push({ column: 'Outcome', value: outcome.unrecognised });

  return {
    kind: 'mapped',
    line: row.line,
    position: row.position,
    occurredAt: when.iso,
    fields: { ...fields, timeIsPlaceholder: when.placeholder },
    unrecognised,
    rawValues,
  };
}
