import type { PublishedFigure } from '@rollcall/db';

/** A line of a published file that was not loaded, and why (the rest of the file is). */
export interface RejectedLine {
  readonly line: number;
  readonly reason: string;
}

export interface PublishedFileReading {
  readonly figures: readonly PublishedFigure[];
  readonly rejectedLines: readonly RejectedLine[];
}

/** The file as a whole cannot be loaded (a missing column, a force-month given twice): nothing is. */
export class PublishedFileError extends Error {
  override readonly name = 'PublishedFileError';
}

/** A number as publishers print it: `1,234`, `91.2`, `91.2%`; undefined when it is text. */
export function parsePublishedNumber(text: string): { readonly value: number; readonly percent: boolean } | undefined {
  const trimmed = text.trim().replaceAll(',', '');
  const percent = trimmed.endsWith('%');
  const body = percent ? trimmed.slice(0, -1).trim() : trimmed;
  if (!/^-?\d+(\.\d+)?$/.test(body)) return undefined;
  return { value: Number(body), percent };
}

/** Header cells compared without case, spacing or punctuation. */
export const normaliseHeader = (cell: string): string =>
  cell
    .toLowerCase()
    .replaceAll('%', ' percent ')
    .replace(/[^a-z0-9<>+]+/g, ' ')
    .trim();
