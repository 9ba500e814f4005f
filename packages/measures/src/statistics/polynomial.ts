/** c[0] + c[1]·x + c[2]·x² + … by Horner's rule, highest power first as the published algorithms do. */
export function polynomial(coefficients: readonly number[], x: number): number {
  return coefficients.reduceRight((sum, coefficient) => sum * x + coefficient, 0);
}
