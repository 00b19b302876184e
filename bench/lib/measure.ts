/**
 * One latency row, measured with tinybench. Each iteration is one full
 * start-to-exit of the thing under test; tinybench handles warm-up, the time
 * budget and the samples, and we keep the raw samples for our own summary
 * (median, IQR, p99).
 */
import { Bench } from 'tinybench';
import { ProcessError } from './process.ts';
import type { Row } from './rows.ts';
import { summarize } from './stats.ts';

export interface Budget {
  /** Time budget per row in ms (tinybench keeps going until both are met). */
  time: number;
  /** Minimum samples per row. */
  iterations: number;
  warmupIterations: number;
}

export const QUICK: Budget = { time: 300, iterations: 8, warmupIterations: 2 };
export const FULL: Budget = { time: 3000, iterations: 60, warmupIterations: 5 };

export type Progress = (message: string) => void;

/** Measure fn and return an ok row, or an error row that says what failed. */
export async function measure(row: Omit<Row, 'status' | 'stats'>, fn: () => Promise<unknown>, budget: Budget, progress: Progress): Promise<Row> {
  progress(`${row.label} …`);
  const bench = new Bench({
    time: budget.time,
    iterations: budget.iterations,
    warmupIterations: budget.warmupIterations,
    warmupTime: 0,
    retainSamples: true,
    throws: true,
  });
  bench.add(row.id, fn);
  try {
    await bench.run();
  } catch (err) {
    // The end of the command's stderr says why; the full command line is in the "what" column.
    const msg = err instanceof ProcessError && err.tail ? err.tail : (err as Error).message.split('\n')[0]!;
    progress(`${row.label}: failed (${msg})`);
    return { ...row, status: 'error', note: msg };
  }
  const result = bench.tasks[0]!.result;
  if (!('latency' in result) || !result.latency.samples?.length) return { ...row, status: 'error', note: `tinybench: ${result.state}` };
  const stats = summarize(result.latency.samples);
  progress(`${row.label}: median ${stats.median.toFixed(2)} ms (${stats.samples} runs)`);
  return { ...row, status: 'ok', stats };
}
