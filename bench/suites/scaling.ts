/**
 * Scaling: does `run` get slower as containers pile up? Each run claims its
 * name under the store lock by listing every container, so it may grow with
 * the count; `ps` reads every state file. The existing containers are real
 * ones that ran and exited (state "exited", kept without --rm), each count in
 * its own private state root; not running detached ones, which would each
 * hold a tiny-monitor too: exited ones isolate the cost of the state store.
 * The counts are measured together in rounds, like the latency rows.
 */
import { COMMANDS } from '../../runtime/cli/main.ts';
import { scratchDir, type BenchContext } from '../lib/context.ts';
import { hasFeature, runInProcess, storeAt } from '../lib/in-process.ts';
import { measureAll, type Planned, type Task } from '../lib/measure.ts';
import { runProcess } from '../lib/process.ts';
import type { Row, ScalingRow } from '../lib/rows.ts';

export async function scalingRows(ctx: BenchContext): Promise<ScalingRow[]> {
  if (!ctx.isRoot) return [];
  const counts = ctx.quick ? [0, 20] : [0, 50, 200];
  const network = hasFeature('network');
  const psNote = COMMANDS.ps ? undefined : 'not available here: no `ps` command in this build';
  const ipNote = 'not available here: no network feature (IP allocation) in this build';
  const planned: Planned[] = [];
  const tasks = new Map<number, { run: Task; ps?: Task; bridge?: Task }>();
  for (const count of counts) {
    const root = scratchDir(ctx, `scaling-${count}`);
    const store = storeAt(root);
    ctx.progress(`scaling: creating ${count} exited containers …`);
    for (let i = 0; i < count; i++) await runInProcess(store, ctx.rootfs, ['--net', 'none', '/bin/true']); // no --rm: it stays as "exited"
    const run: Task = {
      row: { id: `scaling-run-${count}`, group: 'runtime', label: `run with ${count} existing`, what: 'run --rm --net none /bin/true' },
      fn: () => runInProcess(store, ctx.rootfs, ['--rm', '--net', 'none', '/bin/true']),
    };
    const ps: Task | undefined = COMMANDS.ps
      ? { row: { id: `scaling-ps-${count}`, group: 'cli', label: `ps -a with ${count} existing`, what: 'tiny-docker ps -a' }, fn: () => runProcess(ctx.bin, ['--root', root, 'ps', '-a']) }
      : undefined;
    // With the network feature, each --net bridge run takes an IP lease: does that search grow with the count?
    const bridge: Task | undefined = network
      ? { row: { id: `scaling-bridge-${count}`, group: 'runtime', label: `run --net bridge with ${count} existing`, what: 'run --rm --net bridge /bin/true' }, fn: () => runInProcess(store, ctx.rootfs, ['--rm', '--net', 'bridge', '/bin/true']) }
      : undefined;
    tasks.set(count, { run, ...(ps ? { ps } : {}), ...(bridge ? { bridge } : {}) });
    planned.push(...[run, ps, bridge].filter((t): t is Task => t !== undefined));
  }
  const budget = { time: 0, iterations: ctx.quick ? 6 : 30, warmupIterations: 1, rounds: ctx.quick ? 2 : 5 };
  const rows = await measureAll(planned, budget, ctx.progress);
  const rowOf = (t: Task | undefined): Row | undefined => (t ? rows.find((r) => r.id === t.row.id) : undefined);
  return counts.map((count) => {
    const t = tasks.get(count)!;
    const bridge = rowOf(t.bridge);
    return {
      existing: count,
      kind: 'exited',
      run: rowOf(t.run)?.stats ?? null,
      ps: rowOf(t.ps)?.stats ?? null,
      bridge: bridge?.stats ?? null,
      ...(psNote ? { psNote } : {}),
      ipNote: bridge ? (bridge.stats ? `run --net bridge: median ${bridge.stats.median.toFixed(2)} ms` : `run --net bridge failed here: ${bridge.note}`) : ipNote,
    };
  });
}
