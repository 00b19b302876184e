/**
 * kill and delete for OCI containers. Both work from state.json alone (the
 * process that created the container is long gone), like runc's.
 */
import { constants as osConstants } from 'node:os';
import { ConfigError, StateError } from '../errors.ts';
import type { ContainerContext } from '../features.ts';
import { layoutFor } from '../rootfs/mounts.ts';
import { isSameProcess, type ContainerState, type Store } from '../store.ts';
import { ociFeatures } from './holder.ts';
import { ociState, ociStatus } from './state.ts';
import type { OciFeatureConfig } from './feature-config.ts';
import { runHooks } from './hooks.ts';

const SIGNALS = osConstants.signals as Record<string, number>;

/** "KILL", "SIGKILL", "9" → 9. */
export function parseSignal(raw: string): number {
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    if (n < 1 || n > 64) throw new ConfigError(`invalid signal number ${raw}`);
    return n;
  }
  const name = raw.toUpperCase().startsWith('SIG') ? raw.toUpperCase() : `SIG${raw.toUpperCase()}`;
  const n = SIGNALS[name];
  if (n === undefined) throw new ConfigError(`unknown signal ${JSON.stringify(raw)}`, { hint: 'use a name such as TERM or KILL, or a number' });
  return n;
}

/** Send a signal to the container's init (created or running only, as the spec says). */
export function killContainer(state: ContainerState, signal: number): void {
  const status = ociStatus(state);
  if (status !== 'created' && status !== 'running') throw new StateError(`cannot kill container ${state.name}: it is ${status}`);
  process.kill(state.pid!, signal);
}

async function waitGone(state: ContainerState, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isSameProcess(state.pid, state.pidStartTime)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !isSameProcess(state.pid, state.pidStartTime);
}

/**
 * Delete: a stopped container is cleaned up. A created or running one only
 * with force (SIGKILL first): the runtime spec says deleting a container that
 * is not stopped MUST fail and have no effect (runc 1.1 deletes a created
 * one anyway, and fails runtime-tools' `delete` program for it).
 */
/** Returns warnings (failed poststop hooks) for the caller to print. */
export async function deleteContainer(store: Store, state: ContainerState, force: boolean): Promise<string[]> {
  const status = ociStatus(state);
  if (status !== 'stopped' && !force) {
    throw new StateError(`cannot delete container ${state.name}: it is ${status}`, 'stop it with tiny-runc kill, or use delete --force');
  }
  if (status === 'created' || status === 'running' || status === 'creating') {
    if (state.pid) {
      try {
        process.kill(state.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      if (!(await waitGone(state, 5000))) throw new StateError(`container ${state.name} (pid ${state.pid}) did not die after SIGKILL`);
    }
  }
  const dir = store.dir(state.id);
  const ctx: ContainerContext = { spec: state.spec, dir, rootfsPath: layoutFor(dir, state.spec.rootfs).merged, pid: state.pid, facts: state.facts ?? {} };
  for (const f of ociFeatures(state.spec).reverse()) {
    try {
      await f.cleanup?.(ctx);
    } catch {
      // keep going: one failed step must not leak everything after it
    }
  }
  // poststop hooks: after the container's resources are gone; failures are warnings (runtime spec).
  const warnings: string[] = [];
  const hooks = (state.spec.features.oci as OciFeatureConfig).hooks?.poststop ?? [];
  if (hooks.length > 0) {
    const s = ociState({ ...state, status: 'exited' });
    for (const h of hooks) {
      try {
        runHooks('poststop', [h], s);
      } catch (err) {
        warnings.push((err as Error).message);
      }
    }
  }
  store.remove(state.id);
  return warnings;
}
