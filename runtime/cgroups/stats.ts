/**
 * Resource usage of a container, read from its cgroup files (the paths
 * saved in state.facts.cgroups). Works from any process: `tiny-docker stats`
 * reads the state file, never talks to the process that started the container.
 */
import { StateError } from '../errors.ts';
import { shortId } from '../ids.ts';
import { isSameProcess, type Store } from '../store.ts';
import type { CgroupStats } from './driver.ts';
import { cgroupFactsOf, driverForFacts } from './select.ts';

export interface ContainerStats extends CgroupStats {
  id: string;
  name: string;
  /** which hierarchy the numbers came from */
  cgroup: 'v1' | 'v2';
}

/** Stats of a running container, by id, id prefix or name (as Docker resolves them). */
export function containerStats(store: Store, ref: string): ContainerStats {
  const state = store.read(store.resolve(ref));
  const facts = cgroupFactsOf(state.facts);
  if (state.status !== 'running' || !isSameProcess(state.pid, state.pidStartTime)) {
    throw new StateError(`container ${state.name} (${shortId(state.id)}) is not running`, 'stats are read from a running container\'s cgroup; see tiny-docker ps');
  }
  if (!facts) throw new StateError(`container ${state.name} has no cgroup (it was started without the cgroups feature)`);
  return { id: state.id, name: state.name, cgroup: facts.version, ...driverForFacts(facts).stats(facts) };
}
