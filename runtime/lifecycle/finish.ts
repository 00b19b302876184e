/**
 * After a container's init has exited: features' afterExit (e.g. was it
 * OOM-killed?) and cleanup, then the final state (or, with --rm, nothing).
 *
 * This runs in a different process from the one that started the container
 * (`tiny-docker __cleanup ID`, started by tiny-monitor; or rm/stop when the
 * monitor is gone), so everything comes from state.json: the spec rebuilds
 * the features, and state.facts says what they set up. Features' cleanup is
 * idempotent, so running this twice (monitor and `rm -f`) is safe.
 */
import { cleanupAll } from '../container.ts';
import type { ContainerContext, ExitInfo } from '../features.ts';
import { featuresFor } from '../feature-registry.ts';
import { layoutFor } from '../rootfs/mounts.ts';
import { type ContainerState, type Store } from '../store.ts';
import { readExitRecord } from './status.ts';
import { constants as osConstants } from 'node:os';

function signalName(n: number): NodeJS.Signals | null {
  const hit = Object.entries(osConstants.signals).find(([, v]) => v === n);
  return hit ? (hit[0] as NodeJS.Signals) : null;
}

export function contextFor(store: Store, state: ContainerState): ContainerContext {
  const dir = store.dir(state.id);
  // A state file without a spec (written by an older tiny-docker, or cut
  // short) still names enough to remove it: no features to clean up then.
  const spec = state.spec ?? ({ id: state.id, name: state.name, rootfs: state.rootfs, features: {} } as unknown as ContainerState['spec']);
  return { spec, dir, rootfsPath: layoutFor(dir, spec.rootfs ?? '/').merged, pid: state.pid, facts: state.facts ?? {} };
}

// lab:06-lifecycle begin
/**
 * Record how the container ended and release what its features held.
 * `removeAll`: also drop the writable layer and the state (--rm, rm).
 */
export async function finishContainer(store: Store, state: ContainerState, removeAll = state.autoRemove): Promise<void> {
  const ctx = contextFor(store, state);
  const features = state.spec ? featuresFor(state.spec) : [];
  const record = readExitRecord(ctx.dir);
  const info: ExitInfo = { exitCode: record?.exitCode ?? -1, signal: record?.signal ? signalName(record.signal) : null, oomKilled: false };
  // afterExit reads what only exists until cleanup (e.g. the cgroup's OOM counter).
  for (const f of features) await f.afterExit?.(ctx, info).catch(() => undefined);
  await cleanupAll(ctx, features, removeAll);
  if (removeAll) {
    store.remove(state.id);
    return;
  }
  store.update(state.id, (s) => {
    // Without an exit record (the monitor was killed) the code is unknown: say so.
    s.status = record ? 'exited' : 'dead';
    s.exitCode = record ? info.exitCode : null;
    s.oomKilled = info.oomKilled;
    s.finishedAt = new Date(record?.finishedAtMs ?? Date.now()).toISOString();
  });
}
// lab:06-lifecycle end
