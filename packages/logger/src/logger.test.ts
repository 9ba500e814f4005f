import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes JSON with the service name and a level label', () => {
    const { lines, stream } = capture();
    createLogger({ service: 'worker', destination: stream }).child({ feed: 'dvpo' }).info({ count: 3 }, 'batch stored');
    expect(lines[0]).toMatchObject({ service: 'worker', feed: 'dvpo', count: 3, level: 'info', msg: 'batch stored' });
  });

  it('redacts person references and tokens wherever they sit', () => {
    const { lines, stream } = capture();
    const log = createLogger({ service: 'worker', destination: stream });
    log.info({ event: { payload: { personRef: 'PNC-123', subjectRef: 'S-9' } }, token: 'secret-token' }, 'x');
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('PNC-123');
    expect(text).not.toContain('S-9');
    expect(text).not.toContain('secret-token');
    expect(text).toContain('[redacted]');
  });
});
