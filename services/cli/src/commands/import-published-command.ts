import { importPublishedFile, PUBLISHED_SOURCES, PublishedFileError } from '@rollcall/importers';
import { MEASURES } from '@rollcall/measures';
import { commandSetup, withServiceContext } from '../cli-context.ts';
import { CommandFailed, type CommandIo, parseOptions, requireOne, UsageError, writeLine } from '../command-line.ts';

/**
 * `rollcall import-published --source police-uk-999|published-long <file>`: loads figures other
 * bodies published, kept apart from the force's own measurements, for comparisons and
 * reconciliation. Lines that cannot be read are listed with their reasons and the rest is loaded;
 * a file that cannot be read as a whole loads nothing and exits 1.
 */
export async function importPublishedCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseOptions(args, { source: { type: 'string' } }, 'import-published');
  if (values.source === undefined)
    throw new UsageError(`import-published: --source is required (${PUBLISHED_SOURCES.join(' or ')})`);
  const layout = requireOne(values.source, PUBLISHED_SOURCES, '--source');
  const [path] = positionals;
  if (path === undefined || positionals.length !== 1) throw new UsageError('import-published: give exactly one file');
  const { config, log } = commandSetup(io, 'import-published');
  const summary = await withServiceContext(config, log, async (context) => {
    try {
      return await importPublishedFile({
        db: context.db,
        layout,
        path,
        knownMeasureIds: new Set(MEASURES.map((measure) => measure.id)),
      });
    } catch (error) {
      if (error instanceof PublishedFileError)
        throw new CommandFailed(`import-published: ${path} not loaded: ${error.message}`);
      throw error;
    }
  });
  for (const rejected of summary.rejectedLines) writeLine(io.stderr, `line ${rejected.line}: ${rejected.reason}`);
  writeLine(
    io.stdout,
    summary.alreadyLoaded
      ? `${summary.file}: edition ${summary.edition} of ${layout} was loaded before; nothing changed`
      : `${summary.file}: edition ${summary.edition} of ${layout}: ${summary.figures} figure(s), ${summary.changed} new or changed, ` +
          `${summary.rejectedLines.length} line(s) not loaded; ${summary.staleSnapshotHeads} published snapshot(s) marked for revision`,
  );
  return 0;
}
