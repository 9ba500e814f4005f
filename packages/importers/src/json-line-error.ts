/**
 * Why a line is not valid JSON, in words that name where but never quote the line: V8's own
 * messages can carry an excerpt of the text (`Unexpected token 'x', "{"personRef": x…" is not
 * valid JSON`), and the reason is stored, printed and logged where a person reference in clear
 * must not be.
 */
export function describeJsonError(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const atPosition = /^(.*?) in JSON at position (\d+)/.exec(message);
  if (atPosition) return `not valid JSON: ${lowerFirst(atPosition[1] ?? '')} at character ${Number(atPosition[2]) + 1}`;
  const token = /^Unexpected token '(.)'/u.exec(message);
  if (token) return `not valid JSON: unexpected character ${JSON.stringify(token[1])}`;
  if (/Unexpected end of JSON input|Unterminated string/.test(message))
    return 'not valid JSON: the line ends before the JSON does';
  return 'not valid JSON';
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
