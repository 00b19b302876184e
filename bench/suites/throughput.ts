/**
 * Throughput: containers started (and finished) per second with N starts in
 * flight at once, in this process. The namespace window itself is
 * synchronous, so parallelism only overlaps the asynchronous parts: the wait
 * for tiny-init, the command's life and the cleanup.
 */
import { scratchDir, type BenchContext } from '../lib/context.ts';
import { runInProcess, storeAt } from '../lib/in-process.ts';
import type { ThroughputRow } from '../lib/rows.ts';
import { summarize } from '../lib/stats.ts';

export async function throughputRows(ctx: BenchContext): Promise<ThroughputRow[]> {
  if (!ctx.isRoot) return [];
  const store = storeAt(scratchDir(ctx, 'throughput-state'));
  const start = () => runInProcess(store, ctx.rootfs, ['--rm', '--net', 'none', '/bin/true']);
  const total = ctx.quick ? 8 : 48;
  await start(); // warm-up: caches, JIT, the first koffi calls
  const rows: ThroughputRow[] = [];
  for (const parallel of [1, 2, 4]) {
    ctx.progress(`throughput with ${parallel} in parallel (${total} containers) …`);
    const latencies: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < total) {
        next++;
        const t0 = performance.now();
        await start();
        latencies.push(performance.now() - t0);
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: parallel }, worker));
    const wallMs = performance.now() - t0;
    const row = { parallel, containers: total, wallMs, perSecond: (total * 1000) / wallMs, medianMs: summarize(latencies).median };
    ctx.progress(`throughput with ${parallel} in parallel: ${row.perSecond.toFixed(1)} containers/s`);
    rows.push(row);
  }
  return rows;
}
