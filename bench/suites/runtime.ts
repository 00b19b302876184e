/**
 * The runtime API in this process: runContainer + wait of /bin/true, as
 * `tiny-docker run --rm` does it minus Node's start-up. Also the trace's
 * promise: tracing off costs nothing measurable.
 */
import { setTracer, traced, type TraceEvent } from '../../runtime/sys/trace.ts';
import { scratchDir, tmpfsScratch, type BenchContext } from '../lib/context.ts';
import { hasFeature, runInProcess, storeAt } from '../lib/in-process.ts';
import { breakdownOf } from '../lib/breakdown.ts';
import type { Planned } from '../lib/measure.ts';
import { unavailable, type BenchResult } from '../lib/rows.ts';

/** One breakdown per traced run, filled while the traced row is measured. */
export const breakdowns: Map<string, number>[] = [];
/** The events of the last traced run, drawn as a timeline next to the report. */
export let lastTrace: TraceEvent[] = [];

export function runtimeTasks(ctx: BenchContext): Planned[] {
  const none = { id: 'runtime-none', group: 'runtime', label: 'tiny-docker in-process, --net none', what: 'runContainer + wait: run --rm --net none /bin/true' } as const;
  const bridge = { id: 'runtime-bridge', group: 'runtime', label: 'tiny-docker in-process, --net bridge', what: 'runContainer + wait: run --rm --net bridge /bin/true' } as const;
  const traced = { id: 'trace-on', group: 'trace', label: 'in-process, traced', what: 'as --net none, with a tracer collecting every event' } as const;
  const untraced = { id: 'trace-off', group: 'trace', label: 'in-process, untraced', what: 'as --net none, no tracer (the same task as the --net none row, measured next to the traced one)' } as const;
  const privileged = { id: 'runtime-unconfined', group: 'runtime', label: 'in-process, --privileged seccomp=unconfined', what: 'as --net none, without the capability and seccomp setup (the cost of the security defaults)' } as const;
  const core = { id: 'runtime-core', group: 'runtime', label: 'in-process, core only (no features)', what: 'runContainer with no cgroup, network or security feature: namespaces, overlay, pivot_root, tiny-init' } as const;
  const shm = { id: 'runtime-none-tmpfs', group: 'runtime', label: 'in-process, state root on tmpfs', what: 'as --net none, with --root (state and overlay layers) on /dev/shm instead of the disk' } as const;
  if (!ctx.isRoot) return [none, privileged, core, shm, bridge, traced, untraced].map((r) => unavailable(r.id, r.group, r.label, r.what, 'needs root'));
  const shmRoot = tmpfsScratch(ctx);

  const store = storeAt(scratchDir(ctx, 'runtime-state'));
  const run = (net: string) => () => runInProcess(store, ctx.rootfs, ['--rm', '--net', net, '/bin/true']);
  const events: TraceEvent[] = [];
  const sink = { event: (e: TraceEvent) => void events.push(e) };
  breakdowns.length = 0;
  return [
    { row: none, fn: run('none') },
    { row: privileged, fn: () => runInProcess(store, ctx.rootfs, ['--rm', '--net', 'none', '--privileged', '--security-opt', 'seccomp=unconfined', '/bin/true']) },
    // What issue 2 measured against unshare: the namespace window, rootfs and init, nothing else.
    { row: core, fn: () => runInProcess(store, ctx.rootfs, ['--rm', '--net', 'none', '/bin/true'], { features: [] }) },
    // The same run with its state root in RAM: how much of a start is the disk (state.json, overlay dirs)?
    shmRoot
      ? { row: shm, fn: () => runInProcess(storeAt(shmRoot), ctx.rootfs, ['--rm', '--net', 'none', '/bin/true']) }
      : unavailable(shm.id, shm.group, shm.label, shm.what, 'not available here: /dev/shm is not a tmpfs'),
    // Other branches add the network feature; until it is merged, --net bridge is just an empty net namespace.
    hasFeature('network')
      ? { row: bridge, fn: run('bridge') }
      : unavailable(bridge.id, bridge.group, bridge.label, bridge.what, 'not available here: no network feature in runtime/feature-registry.ts on this build'),
    {
      row: traced,
      fn: async () => {
        events.length = 0;
        setTracer(sink);
        try {
          await run('none')();
        } finally {
          setTracer(null);
        }
        breakdowns.push(breakdownOf(events));
        lastTrace = [...events];
      },
      done: (row) => {
        if (row.status === 'ok') row.note = `${events.length} events per run`;
      },
    },
    { row: untraced, fn: run('none') },
  ];
}

/**
 * The hook itself when nobody listens: traced(describe, fn) vs fn(). The
 * describe closure is never called; what remains is one null check.
 */
export function hookOffCost(): NonNullable<BenchResult['hookOff']> {
  setTracer(null);
  const n = 2_000_000;
  let sink = 0;
  const fn = () => ++sink;
  const time = (body: () => void) => {
    body(); // warm up the JIT
    const t0 = process.hrtime.bigint();
    body();
    return Number(process.hrtime.bigint() - t0) / n;
  };
  const directNs = time(() => {
    for (let i = 0; i < n; i++) fn();
  });
  const tracedNs = time(() => {
    for (let i = 0; i < n; i++) traced(() => `call ${i}`, fn);
  });
  if (sink < 0) throw new Error('unreachable'); // keep the work observable
  return { directNs, tracedNs };
}
