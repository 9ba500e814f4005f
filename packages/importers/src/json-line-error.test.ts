import { describe, expect, it } from 'vitest';
import { describeJsonError } from './json-line-error.ts';

const errorOf = (text: string) => {
  try {
    JSON.parse(text);
  } catch (error) {
    return error;
  }
  throw new Error('parsed');
};

describe('describeJsonError', () => {
  it('says where a line stops being JSON without quoting any of it', () => {
    const cases: [string, RegExp][] = [
      ['{"personRef": "PNC-1" "x": 1}', /^not valid JSON: expected ',' or '}' after property value at character \d+$/],
      ['{"personRef": PNC-1}', /^not valid JSON: unexpected character "P"$/],
      [
        '{"personRef": "PNC-1',
        /^not valid JSON: (the line ends before the JSON does|unterminated string .*at character \d+)$/,
      ],
      ['{"a":1,}', /^not valid JSON: expected double-quoted property name at character 8$/],
    ];
    for (const [text, expected] of cases) {
      const reason = describeJsonError(errorOf(text));
      expect(reason).toMatch(expected);
      expect(reason).not.toContain('PNC-1');
    }
  });
});
