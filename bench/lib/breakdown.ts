/**
 * Where the milliseconds of one in-process run go, from its trace: each
 * event falls into one category; parallel steps (the three rm of cleanup)
 * count as the span they cover together; what no step covers is "between
 * steps" (JavaScript, the event loop, the scheduler).
 */
import type { TraceEvent } from '../../runtime/sys/trace.ts';

export interface BreakdownRow {
  category: string;
  meanMs: number;
  /** Share of the mean run, in percent. */
  share: number;
}

export const CATEGORIES: { name: string; match: (e: TraceEvent) => boolean }[] = [
  // Removing the container's directory is deletion work like the layers', not state bookkeeping.
  { name: 'cleanup: rm -rf of the layers and the container dir', match: (e) => e.call.startsWith('rm -rf') || e.call.startsWith('state: remove') },
  { name: 'state file (flock, read, write, rename)', match: (e) => e.call.startsWith('state:') },
  { name: 'spawn of tiny-init (libuv fork + exec)', match: (e) => e.call.startsWith('spawn(') },
  { name: 'go signal → EOF (tiny-init: setsid, /proc, exec)', match: (e) => e.call.startsWith('read(fd 3)') },
  { name: 'command life → exit event (waitpid)', match: (e) => e.call.startsWith('waitpid(') },
  { name: 'cgroups: mkdir, write cgroup.procs, rmdir (v1: one dir per controller)', match: (e) => e.phase === 'cgroups' || e.call.includes('/sys/fs/cgroup/') },
  { name: 'network: veth, addresses, routes, NAT', match: (e) => e.phase === 'network' },
  { name: 'mounts, mknod, pivot_root', match: (e) => /^(mount|mknod|pivot_root|umount2|chdir|sethostname)\(/.test(e.call) },
  { name: 'unshare + setns back (the window)', match: (e) => /^(unshare|setns|fchdir)\(/.test(e.call) },
  { name: 'layer dirs and /etc files', match: (e) => e.call.startsWith('mkdir ') || e.call.startsWith('write etc/') },
  { name: 'validate', match: (e) => e.phase === 'validate' && !e.call.startsWith('state:') },
];
const OTHER = 'other traced steps';
const BETWEEN = 'between steps (JavaScript, event loop, scheduler)';

/** Milliseconds per category for one run (runtime-side events only: init's sit inside go → EOF). */
export function breakdownOf(events: readonly TraceEvent[]): Map<string, number> {
  const own = events.filter((e) => e.source === 'runtime');
  const spans = new Map<string, [number, number][]>();
  for (const e of own) {
    const name = CATEGORIES.find((c) => c.match(e))?.name ?? OTHER;
    spans.set(name, [...(spans.get(name) ?? []), [e.at, e.at + e.durationMs]]);
  }
  const out = new Map<string, number>();
  let covered = 0;
  for (const [name, list] of spans) {
    const ms = union(list);
    out.set(name, ms);
    covered += ms;
  }
  const start = Math.min(...own.map((e) => e.at));
  const end = Math.max(...own.map((e) => e.at + e.durationMs));
  out.set(BETWEEN, Math.max(0, end - start - covered));
  return out;
}

function union(list: [number, number][]): number {
  const sorted = [...list].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [s, e] = sorted[0]!;
  for (const [a, b] of sorted.slice(1)) {
    if (a > e) {
      total += e - s;
      [s, e] = [a, b];
    } else e = Math.max(e, b);
  }
  return total + (e - s);
}

/** Average many runs' breakdowns, biggest first. */
export function meanBreakdown(runs: readonly Map<string, number>[]): BreakdownRow[] {
  const sums = new Map<string, number>();
  for (const run of runs) for (const [k, v] of run) sums.set(k, (sums.get(k) ?? 0) + v);
  const total = [...sums.values()].reduce((a, b) => a + b, 0);
  return [...sums]
    .map(([category, sum]) => ({ category, meanMs: sum / runs.length, share: total > 0 ? (100 * sum) / total : 0 }))
    .sort((a, b) => b.meanMs - a.meanMs);
}
