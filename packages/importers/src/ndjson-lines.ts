import { StringDecoder } from 'node:string_decoder';

/** A line of a file, or a line too long to be an event (its length, its text dropped). */
export type FileLine = { readonly text: string } | { readonly tooLong: number };

/** No event is near this long (the worker refuses events over 64 KB); a longer line is not read into memory. */
export const MAX_LINE_CHARACTERS = 1_048_576;

/**
 * The lines of a byte stream (LF or CRLF), read only as fast as they are consumed: the stream's
 * own async iterator pulls the next chunk when the last line of the previous one is taken, so
 * memory holds one chunk and one line whatever the file's size. (readline's async iterator keeps
 * reading ahead while the consumer waits on Redis, buffering lines without bound.)
 */
export async function* linesOf(
  chunks: AsyncIterable<Buffer | string>,
  maxLineCharacters = MAX_LINE_CHARACTERS,
): AsyncGenerator<FileLine> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let skipped = 0; // characters of an over-long line dropped so far; 0 when not skipping
  const line = (text: string): FileLine => ({ text: text.endsWith('\r') ? text.slice(0, -1) : text });
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      const piece = text.slice(start, newline);
      start = newline + 1;
      if (skipped > 0) {
        yield { tooLong: skipped + piece.length };
        skipped = 0;
      } else if (rest.length + piece.length > maxLineCharacters) {
        yield { tooLong: rest.length + piece.length };
        rest = '';
      } else {
        yield line(rest + piece);
        rest = '';
      }
    }
    const tail = text.slice(start);
    if (skipped > 0) skipped += tail.length;
    else if (rest.length + tail.length > maxLineCharacters) {
      skipped = rest.length + tail.length;
      rest = '';
    } else rest += tail;
  }
  rest += decoder.end();
  if (skipped > 0) yield { tooLong: skipped + rest.length };
  else if (rest.length > 0) yield line(rest);
}
