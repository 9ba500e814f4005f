import { createHash, type Hash } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { IngestFileError } from '../ingest-ndjson-file.ts';
import type { PoliceUkRow, RowRejection } from './police-uk-row.ts';
import { PoliceUkHeaderError, readPoliceUkCsv } from './read-police-uk-csv.ts';

/**
 * Streams a data.police.uk file's rows while hashing its bytes, and says why reading stopped in
 * terms of the file: an `IngestFileError` when the file could not be read, a
 * `PoliceUkHeaderError` naming the file when it is not a data.police.uk file.
 */
export class PoliceUkFileReader {
  private readonly sha256 = createHash('sha256');
  private readonly input: ReadStream;
  private readonly tap: Transform;
  private readError: Error | undefined;

  constructor(
    private readonly path: string,
    private readonly file: string,
  ) {
    this.input = createReadStream(path);
    this.tap = hashingTap(this.sha256);
    // pipeline destroys the tap when the file fails, which ends readPoliceUkCsv with the error.
    pipeline(this.input, this.tap, (error) => {
      if (error) this.readError ??= error;
    });
  }

  get bytesRead(): number {
    return this.input.bytesRead;
  }

  /** The data rows, or their rejections, in file order. Read once. */
  rows(): AsyncIterable<PoliceUkRow | RowRejection> {
    return readPoliceUkCsv(this.tap);
  }

  /** The error to throw for one that stopped reading (or processing) the rows. */
  explain(error: unknown): unknown {
    if (this.readError !== undefined) return this.unreadable(this.readError);
    if (error instanceof PoliceUkHeaderError) {
      return new PoliceUkHeaderError(
        `${this.file}: ${error.message}`,
        error.missing,
        error.unexpected,
        error.duplicated,
      );
    }
    return error;
  }

  /** Throws if the file failed after its last row was read. */
  throwIfUnreadable(): void {
    if (this.readError !== undefined) throw this.unreadable(this.readError);
  }

  close(): void {
    this.input.destroy();
  }

  /** SHA-256 of the file's bytes, once every row was read. */
  digest(): string {
    return this.sha256.digest('hex');
  }

  private unreadable(error: Error): IngestFileError {
    return new IngestFileError(`cannot read ${this.path}: ${error.message}`);
  }
}

/** Passes the file through unchanged, hashing its bytes on the way. */
function hashingTap(hash: Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}
