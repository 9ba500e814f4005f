/**
 * Decimal places kept in a relative change, in percent. Published rules compare a change with
 * round thresholds (±5%, ±15%) and state that the threshold itself belongs to the inner band, but
 * binary floating point lands a hair either side of it: 0.315 against 0.3 gives
 * 5.0000000000000044%. Rounding to 1e-9 percentage points removes that noise (double error here
 * is around 1e-13) while no real change is moved: measures are published to one decimal.
 */
export const RELATIVE_CHANGE_DECIMALS = 9;

const SCALE = 10 ** RELATIVE_CHANGE_DECIMALS;

/**
 * Change of `value` against `reference`, in percent of |reference| (so the sign always follows the
 * direction of change, even for a negative reference). Null when the reference is 0, where no
 * relative change exists. Throws RangeError on non-finite input.
 */
export function relativeChangePercent(value: number, reference: number): number | null {
  if (!Number.isFinite(value) || !Number.isFinite(reference)) {
    throw new RangeError(`relative change needs finite numbers, got ${value} and ${reference}`);
  }
  if (reference === 0) return null;
  const percent = ((value - reference) * 100) / Math.abs(reference);
  // `+ 0` turns −0 into 0, so "no change" always prints as 0.
  return Math.round(percent * SCALE) / SCALE + 0;
}
