import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { linesOf } from './ndjson-lines.ts';

const collect = async (chunks: (string | Buffer)[], max?: number) => {
  const lines = [];
  for await (const line of linesOf(Readable.from(chunks), max)) lines.push(line);
  return lines;
};

describe('linesOf', () => {
  it('splits LF and CRLF lines across chunk boundaries, multi-byte characters included', async () => {
    const text = Buffer.from('{"a":1}\r\n{"b":"é"}\n\nlast');
    const chunks = [text.subarray(0, 5), text.subarray(5, 15), text.subarray(15, 16), text.subarray(16)];
    expect(await collect(chunks)).toEqual([{ text: '{"a":1}' }, { text: '{"b":"é"}' }, { text: '' }, { text: 'last' }]);
  });

  it('reports an over-long line by its length without keeping it, and goes on', async () => {
    expect(await collect(['ok\n', 'x'.repeat(8), 'y'.repeat(8), '\nnext\n'], 10)).toEqual([
      { text: 'ok' },
      { tooLong: 16 },
      { text: 'next' },
    ]);
  });

  it('reads no further ahead than the consumer takes', async () => {
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < 1_000; i++) {
        pulled += 1;
        yield `line ${i}\n`;
      }
    }
    const lines = linesOf(source());
    await lines.next();
    await lines.next();
    expect(pulled).toBe(2);
  });
});
