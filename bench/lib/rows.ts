/**
 * What a bench run produces: rows of latency figures, plus the throughput
 * and scaling tables. Rows that cannot run here are kept and marked, never
 * dropped: a missing peer is a finding too.
 */
import type { LifecycleFigures } from '../lifecycle.ts';
import type { BreakdownRow } from './breakdown.ts';
import type { Stats } from './stats.ts';

export type RowStatus = 'ok' | 'unavailable' | 'error';

export interface Row {
  /** Stable key, e.g. `peer-unshare`; the JSON, the table and the chart share it. */
  id: string;
  group: 'floor' | 'runtime' | 'cli' | 'peer' | 'trace';
  /** What a reader sees in the table. */
  label: string;
  /** The command or API call measured. */
  what: string;
  status: RowStatus;
  /** Why a row is unavailable or failed, or a remark about an ok row. */
  note?: string;
  stats?: Stats;
  /** CPU time (user + system, this process and its children) per run, in ms: what the machine's load does not inflate much. */
  cpuMsPerRun?: number;
}

export interface ThroughputRow {
  parallel: number;
  containers: number;
  wallMs: number;
  perSecond: number;
  /** Median start-to-exit latency of one container under this load. */
  medianMs: number;
}

export interface ScalingRow {
  existing: number;
  /** How the existing containers exist: `exited` state entries, or `running` (detached). */
  kind: 'exited' | 'running';
  run: Stats | null;
  ps: Stats | null;
  /** `run --net bridge` (takes an IP lease) when the network feature exists. */
  bridge?: Stats | null;
  psNote?: string;
  ipNote?: string;
}

export interface Environment {
  date: string;
  host: string;
  kernel: string;
  arch: string;
  cpu: string;
  cpus: number;
  node: string;
  cgroupMode: string;
  commit: string;
  /** 1-minute load average before and after the run: other work on the machine skews every row. */
  load: [number, number];
  /** The bench's nice value (negative: it ran ahead of other work on a shared machine). */
  nice: number;
  quick: boolean;
}

export interface BenchResult {
  version: 1;
  env: Environment;
  /** The suites that ran (`--only` can skip some). */
  suites: string[];
  rows: Row[];
  throughput: ThroughputRow[];
  scaling: ScalingRow[];
  /** Detached containers: tiny-monitor's memory and run -d vs run (bench/lifecycle.ts). */
  lifecycle?: LifecycleFigures;
  /** Where the milliseconds of an in-process run go, averaged over the traced runs. */
  breakdown?: { runs: number; rows: BreakdownRow[] };
  /** Nanoseconds per call of the trace hook when no tracer listens, vs calling the function directly. */
  hookOff?: { directNs: number; tracedNs: number; callsPerRun?: number };
}

export const unavailable = (id: string, group: Row['group'], label: string, what: string, note: string): Row => ({
  id,
  group,
  label,
  what,
  status: 'unavailable',
  note,
});
