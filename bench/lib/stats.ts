/**
 * Summary statistics of latency samples (milliseconds). Every figure in a
 * report is a median with a spread: means hide the slow tail, and a single
 * number without a spread hides how much runs disagree.
 */
export interface Stats {
  samples: number;
  mean: number;
  median: number;
  p99: number;
  /** Interquartile range: the middle half of the samples lies in [p25, p75]. */
  p25: number;
  p75: number;
  min: number;
  max: number;
  /** Operations per second, from the mean: 1000 / mean. */
  opsPerSec: number;
}

/** Linear interpolation between order statistics (as tinybench and numpy do). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function summarize(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    samples: sorted.length,
    mean,
    median: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    p25: percentile(sorted, 0.25),
    p75: percentile(sorted, 0.75),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    opsPerSec: mean > 0 ? 1000 / mean : Number.POSITIVE_INFINITY,
  };
}
