/**
 * Scaling: does `run` get slower as containers pile up? Each run claims its
 * name under the store lock by listing every container, so it should grow
 * with the count; `ps` reads every state file. The existing containers are
 * real ones that ran and exited (state "exited", kept without --rm) in a
 * private state root: detached (running) containers are not in this build.
 */
import { COMMANDS } from '../../runtime/cli/main.ts';
import { scratchDir, type BenchContext } from '../lib/context.ts';
import { hasFeature, runInProcess, storeAt } from '../lib/in-process.ts';
import { measureOne, type Budget } from '../lib/measure.ts';
import { runProcess } from '../lib/process.ts';
import type { ScalingRow } from '../lib/rows.ts';

export async function scalingRows(ctx: BenchContext): Promise<ScalingRow[]> {
  if (!ctx.isRoot) return [];
  const root = scratchDir(ctx, 'scaling-state');
  const store = storeAt(root);
  const counts = ctx.quick ? [0, 20] : [0, 50, 200];
  const budget: Omit<Budget, 'rounds'> = { time: 0, iterations: ctx.quick ? 5 : 20, warmupIterations: 1 };
  const psNote = COMMANDS.ps ? undefined : 'not available here: no `ps` command in this build';
  const ipNote = 'not available here: no network feature (IP allocation) in this build';
  const rows: ScalingRow[] = [];
  let existing = 0;
  for (const count of counts) {
    ctx.progress(`scaling: creating exited containers up to ${count} …`);
    while (existing < count) {
      await runInProcess(store, ctx.rootfs, ['--net', 'none', '/bin/true']); // no --rm: it stays as "exited"
      existing++;
    }
    const run = await measureOne(
      {
        row: { id: `scaling-run-${count}`, group: 'runtime', label: `run with ${count} existing`, what: 'run --rm --net none /bin/true' },
        fn: () => runInProcess(store, ctx.rootfs, ['--rm', '--net', 'none', '/bin/true']),
      },
      budget,
      ctx.progress,
    );
    const ps = COMMANDS.ps
      ? await measureOne(
          { row: { id: `scaling-ps-${count}`, group: 'cli', label: `ps -a with ${count} existing`, what: 'tiny-docker ps -a' }, fn: () => runProcess(ctx.bin, ['--root', root, 'ps', '-a']) },
          budget,
          ctx.progress,
        )
      : null;
    // With the network feature, each --net bridge run takes an IP lease: does that search grow with the count?
    const bridge = hasFeature('network')
      ? await measureOne(
          { row: { id: `scaling-bridge-${count}`, group: 'runtime', label: `run --net bridge with ${count} existing`, what: 'run --rm --net bridge /bin/true' }, fn: () => runInProcess(store, ctx.rootfs, ['--rm', '--net', 'bridge', '/bin/true']) },
          budget,
          ctx.progress,
        )
      : null;
    rows.push({
      existing: count,
      kind: 'exited',
      run: run.stats ?? null,
      ps: ps?.stats ?? null,
      bridge: bridge?.stats ?? null,
      ...(psNote ? { psNote } : {}),
      ipNote: bridge ? (bridge.stats ? `run --net bridge: median ${bridge.stats.median.toFixed(2)} ms` : `run --net bridge failed here: ${bridge.note}`) : ipNote,
    });
  }
  return rows;
}
