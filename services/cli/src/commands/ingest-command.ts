import { openIngestContext } from '@rollcall/intake';
import { stat } from 'node:fs/promises';
import type { ServiceContext } from '@rollcall/runtime';
import { FEEDS, type Feed } from '@rollcall/contract';
import {
  type IngestFileSummary,
  type IngestManifest,
  ingestNdjsonFile,
  type IngestProgress,
  resumeIngestManifest,
  startIngestManifest,
} from '@rollcall/importers';
import type { Logger } from '@rollcall/logger';
import { commandSetup, withServiceContext } from '../cli-context.ts';
import { type CommandIo, parseOptions, requireOne, UsageError, writeLine } from '../command-line.ts';
import { createProgressReporter } from '../progress-reporter.ts';

const FORMATS = ['ndjson', 'police-uk-csv'] as const;
type IngestFormat = (typeof FORMATS)[number];

export interface IngestRequest {
  readonly feed: Feed;
  readonly format: IngestFormat;
  readonly file: string;
  readonly force?: string;
  readonly month?: string;
  /** police-uk-csv: queue an already-imported month again (its events become duplicates). */
  readonly resend?: boolean;
  /** ndjson: re-queue the jobs of the file's last run that Redis lost, and those it never reached. */
  readonly resume?: boolean;
}

/** Ingests one file with a progress reporter, returning its summary (shared by the demo). */
export async function ingestFile(
  context: ServiceContext,
  io: CommandIo,
  log: Logger,
  request: IngestRequest,
): Promise<IngestFileSummary & { readonly resumed?: string }> {
  const ingestContext = await openIngestContext(context);
  const total = await stat(request.file).then(
    (stats) => stats.size,
    () => 0,
  );
  const progress = createProgressReporter(io, log, { label: `ingest ${request.feed}`, total, unit: 'bytes' });
  const onProgress = (p: IngestProgress) =>
    progress.update(p.bytesRead, { accepted: p.accepted, rejected: p.rejected });
  try {
    if (request.format === 'police-uk-csv') {
      const { ingestPoliceUkFile } = await import('@rollcall/importers');
      return await ingestPoliceUkFile({
        path: request.file,
        db: context.db,
        queues: context.queues,
        context: ingestContext,
        onProgress,
        ...(request.force !== undefined && { force: request.force }),
        ...(request.month !== undefined && { month: request.month }),
        ...(request.resend && { resend: true }),
      });
    }
    let manifest: IngestManifest;
    let resumed: string | undefined;
    if (request.resume) {
      const resume = await resumeIngestManifest(context.db, context.queues, request.feed, request.file);
      manifest = resume.manifest;
      const { run, missing, inQueue } = resume.check;
      resumed = `resuming run ${run.runId} of ${run.startedAt.toISOString()}: ${missing.length} job(s) lost from the queues, ${inQueue} still queued${run.finishedAt === null ? ', the run stopped before the end of the file' : ''}`;
    } else {
      manifest = await startIngestManifest(context.db, request.feed, request.file);
    }
    const summary = await ingestNdjsonFile({
      path: request.file,
      feed: request.feed,
      db: context.db,
      queues: context.queues,
      context: ingestContext,
      onProgress,
      manifest,
    });
    return resumed === undefined ? summary : { ...summary, resumed };
  } finally {
    progress.stop();
  }
}

export function describeIngest(
  summary: IngestFileSummary & { readonly report?: readonly string[]; readonly resumed?: string },
): string[] {
  // The data.police.uk importer writes its own report (month, revision, unrecognised wordings).
  if (summary.report !== undefined) return [...summary.report];
  const lines = [
    `${summary.file}: ${summary.lines} line(s), ${summary.accepted} accepted onto feed.${summary.feed} in ${summary.jobs} job(s), ${summary.rejected} rejected`,
  ];
  if (summary.resumed !== undefined) lines.unshift(summary.resumed);
  for (const rejection of summary.rejections) lines.push(`  line ${rejection.line}: ${rejection.reason}`);
  if (summary.rejected > summary.rejections.length) {
    lines.push(
      `  ... and ${summary.rejected - summary.rejections.length} more (all kept in rejected_events with their reasons)`,
    );
  }
  return lines;
}

export async function ingestCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    {
      feed: { type: 'string' },
      format: { type: 'string', default: 'ndjson' },
      force: { type: 'string' },
      month: { type: 'string' },
      resend: { type: 'boolean', default: false },
      resume: { type: 'boolean', default: false },
    },
    'ingest',
  );
  const feed = requireOne(values.feed, FEEDS, '--feed');
  const format = requireOne(values.format, FORMATS, '--format');
  const [file] = positionals;
  if (positionals.length !== 1 || file === undefined)
    throw new UsageError('ingest: give exactly one file, e.g. rollcall ingest --feed dvpo events.ndjson');
  if (format === 'police-uk-csv' && feed !== 'stop-search')
    throw new UsageError('ingest: --format police-uk-csv is for --feed stop-search');
  if (values.resume === true && format !== 'ndjson')
    throw new UsageError(
      'ingest: --resume is for --format ndjson (police-uk-csv months are matched by content: --resend)',
    );
  const { config, log } = commandSetup(io, 'ingest');
  const summary = await withServiceContext(config, log, (context) =>
    ingestFile(context, io, log, {
      feed,
      format,
      file,
      ...(values.force !== undefined && { force: values.force }),
      ...(values.month !== undefined && { month: values.month }),
      resend: values.resend === true,
      resume: values.resume === true,
    }),
  );
  for (const line of describeIngest(summary)) writeLine(io.stdout, line);
  return 0;
}
