/**
 * Latency rows, measured with tinybench. Each iteration is one full
 * start-to-exit of the thing under test; tinybench handles warm-up, the time
 * budget and the samples, and we keep the raw samples for our own summary
 * (median, IQR, p99).
 *
 * The machines are shared, and their load drifts over minutes. So the rows
 * are measured in rounds: every row runs a slice of its budget in round 1,
 * then every row again in round 2, and so on. A busy minute then hits every
 * row a little instead of one row a lot, and the ratios stay honest.
 */
import * as fs from 'node:fs';
import { Bench } from 'tinybench';
import { ProcessError } from './process.ts';
import type { Row } from './rows.ts';
import { summarize } from './stats.ts';

export interface Budget {
  /** Time budget per row in ms, over all rounds (tinybench keeps going until both are met). */
  time: number;
  /** Minimum samples per row, over all rounds. */
  iterations: number;
  /** Warm-up iterations per row and round. */
  warmupIterations: number;
  rounds: number;
}

export const QUICK: Budget = { time: 300, iterations: 8, warmupIterations: 1, rounds: 2 };
export const FULL: Budget = { time: 3000, iterations: 60, warmupIterations: 2, rounds: 6 };

export type Progress = (message: string) => void;

/** A row to measure: what it is, and one iteration of it. */
export interface Task {
  row: Omit<Row, 'status' | 'stats'>;
  fn: () => Promise<unknown>;
  /** Called with the finished row, e.g. to add a note. */
  done?: (row: Row) => void;
}

/** A suite plans tasks, or rows already marked unavailable. */
export type Planned = Task | Row;

const isTask = (p: Planned): p is Task => 'fn' in p;

/** One tinybench run of fn; returns the samples (ms) or throws what failed. */
async function samplesOf(id: string, fn: () => Promise<unknown>, time: number, iterations: number, warmupIterations: number): Promise<number[]> {
  const bench = new Bench({ time, iterations, warmupIterations, warmupTime: 0, retainSamples: true, throws: true });
  bench.add(id, fn);
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (!('latency' in result) || !result.latency.samples?.length) throw new Error(`tinybench: ${result.state}`);
  return [...result.latency.samples];
}

/** Why a task failed, in one line: the end of the command's stderr when there is one. */
function failure(err: unknown): string {
  return err instanceof ProcessError && err.tail ? err.tail : (err as Error).message.split('\n')[0]!;
}

/**
 * CPU time used so far by this process and the children it has waited for
 * (user + system, ms), from /proc/self/stat: utime, stime, cutime, cstime in
 * clock ticks (USER_HZ = 100 on Linux). Wall time on a busy machine mostly
 * measures the queue for the CPU; CPU time measures the work.
 */
export function cpuMs(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / 100;
}

/** Measure every task in rounds; rows keep the order they were planned in. */
export async function measureAll(planned: Planned[], budget: Budget, progress: Progress): Promise<Row[]> {
  const samples = new Map<Task, number[]>();
  const failed = new Map<Task, string>();
  const cpu = new Map<Task, { ms: number; calls: number }>();
  const tasks = planned.filter(isTask);
  for (let round = 1; round <= budget.rounds; round++) {
    for (const t of tasks) {
      if (failed.has(t)) continue;
      try {
        // Count every call (warm-up included) against the CPU used over the whole tinybench run.
        const used = cpu.get(t) ?? { ms: 0, calls: 0 };
        const counted = () => (used.calls++, t.fn());
        const cpu0 = cpuMs();
        const s = await samplesOf(t.row.id, counted, budget.time / budget.rounds, Math.ceil(budget.iterations / budget.rounds), budget.warmupIterations);
        used.ms += cpuMs() - cpu0;
        cpu.set(t, used);
        samples.set(t, [...(samples.get(t) ?? []), ...s]);
        const median = summarize(samples.get(t)!).median;
        progress(`round ${round}/${budget.rounds}  ${t.row.label}: median ${median.toFixed(2)} ms so far (${samples.get(t)!.length} runs)`);
      } catch (err) {
        failed.set(t, failure(err));
        progress(`round ${round}/${budget.rounds}  ${t.row.label}: failed (${failed.get(t)})`);
      }
    }
  }
  return planned.map((p) => {
    if (!isTask(p)) return p;
    const used = cpu.get(p);
    const row: Row = failed.has(p)
      ? { ...p.row, status: 'error', note: failed.get(p)! }
      : { ...p.row, status: 'ok', stats: summarize(samples.get(p)!), ...(used?.calls ? { cpuMsPerRun: used.ms / used.calls } : {}) };
    p.done?.(row);
    return row;
  });
}

/** Measure a single row on its own (scaling steps); same budget fields, one round. */
export async function measureOne(task: Task, budget: Omit<Budget, 'rounds'>, progress: Progress): Promise<Row> {
  return (await measureAll([task], { ...budget, rounds: 1 }, progress))[0]!;
}
