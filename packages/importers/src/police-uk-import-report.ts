import type { PoliceUkImportSummary } from './ingest-police-uk-file.ts';

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/** `3, 4, 5, 9` → `3-5, 9`, for position lists. */
function ranges(positions: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < positions.length;) {
    let j = i;
    while (j + 1 < positions.length && positions[j + 1] === (positions[j] as number) + 1) j++;
    parts.push(i === j ? `${positions[i]}` : `${positions[i]}-${positions[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/**
 * The import summary as sentences for the operator, one per line: what the file was judged to
 * be, what was queued, and what an operator might otherwise misread (records withdrawn, an
 * unchanged month that queued nothing, rows rejected).
 */
export function describePoliceUkImport(summary: Omit<PoliceUkImportSummary, 'report'>): string[] {
  const { revision, queued } = summary;
  const lines = [`${summary.forceId} ${summary.month}: ${plural(summary.rows, 'row')} in ${summary.file}`];
  const queuedText =
    queued.total === 0
      ? 'nothing queued'
      : `queued ${[
          queued.recorded > 0 ? plural(queued.recorded, 'stop-search.recorded event') : null,
          queued.amended > 0 ? plural(queued.amended, 'stop-search.amended event') : null,
          queued.withdrawn > 0 ? plural(queued.withdrawn, 'withdrawal') : null,
        ]
          .filter((part) => part !== null)
          .join(' and ')} in ${plural(summary.jobs, 'job')}${summary.resent ? ' (re-sent on request)' : ''}`;

  switch (revision.status) {
    case 'new':
      lines.push(`first import of this month (revision 1); ${queuedText}`);
      break;
    case 'unchanged':
      lines.push(
        `unchanged: the same rows as revision ${revision.revision}${revision.sameFile ? '' : ' (the file bytes differ, e.g. re-saved or rows reordered, but no row does)'}; ${queuedText}`,
      );
      if (!summary.resent) {
        lines.push(
          'events already sent are not queued again; to re-send every row anyway (e.g. jobs lost before storage), import with --resend: stored events come back as duplicates and change nothing',
        );
      }
      break;
    case 'revised': {
      lines.push(
        `revision ${revision.revision} of this month (was ${revision.previousRevision}): ${plural(revision.changed, 'row')} changed, ${revision.added} added, ${revision.removed} removed; ${queuedText}`,
      );
      if (revision.changed > 0) {
        const more = revision.changed > revision.changedPositions.length ? ', ...' : '';
        lines.push(
          `changed positions ${ranges(revision.changedPositions)}${more}: each is sent as a stop-search.amended of the record of the row it replaced, with the row's time`,
        );
      }
      if (revision.added > 0) {
        const more = revision.added > revision.addedPositions.length ? ', ...' : '';
        lines.push(`added positions ${ranges(revision.addedPositions)}${more}: each is a new record`);
      }
      if (revision.removed > 0) {
        const more = revision.removed > revision.removedPositions.length ? ', ...' : '';
        lines.push(
          `${plural(revision.removed, 'row')} of the previous edition (positions ${ranges(revision.removedPositions)}${more}) ${revision.removed === 1 ? 'is' : 'are'} not in this file: ` +
            `${revision.removed === 1 ? 'its search is' : 'their searches are'} withdrawn (a stop-search.amended with withdrawn: true) and no longer counted`,
        );
      }
      break;
    }
  }
  if (summary.earlierRemovalsWithdrawn > 0) {
    lines.push(
      `withdrew ${plural(summary.earlierRemovalsWithdrawn, 'record')} whose rows an earlier edition had removed but which still counted (imported before removed rows were withdrawn)`,
    );
  }

  if (summary.rejected > 0) {
    const notStored = summary.rejected - summary.rejectionsStored;
    lines.push(
      `rejected ${plural(summary.rejected, 'row')}${notStored > 0 ? ` (${notStored} already stored by an earlier import of the same rows)` : ''}; first: ` +
        summary.rejections
          .slice(0, 5)
          .map((rejection) => `line ${rejection.line}: ${rejection.reason}`)
          .join('; '),
    );
  }
  if (summary.unrecognised.length > 0) {
    lines.push(
      `unrecognised wording, kept as written and counted as not recorded (ethnicity) or other (outcome): ${summary.unrecognised
        .map((entry) => `${entry.column} ${JSON.stringify(entry.value)} x${entry.rows}`)
        .join(', ')}`,
    );
  }
  return lines;
}
