/**
 * rm: remove a container and everything it owns: state, logs, the writable
 * layer, and whatever its features hold (cgroup, veth, IP lease), through
 * the features' idempotent cleanup.
 */
import { StateError, TinyDockerError } from '../errors.ts';
import { shortId } from '../ids.ts';
import { isSameProcess, type Store } from '../store.ts';
import { finishContainer } from './finish.ts';
import { signalContainer, waitForExit } from './signal.ts';
import { observe } from './status.ts';

const SIGKILL = 9;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// lab:06-lifecycle begin
export async function removeContainer(store: Store, id: string, force: boolean): Promise<void> {
  let state;
  try {
    state = store.read(id);
  } catch (err) {
    // A corrupt state file: nothing in it can be trusted, so nothing to clean but the directory.
    if (err instanceof TinyDockerError && /corrupt/.test(err.message)) {
      if (!force) throw new StateError(`${err.message}`, `remove it with tiny-docker rm -f ${shortId(id)}`);
      store.remove(id);
      return;
    }
    throw err;
  }
  const o = observe(store, state);
  if (o.running) {
    if (!force) {
      throw new StateError(`cannot remove container ${shortId(id)} (${state.name}): it is running`, `stop it first (tiny-docker stop ${shortId(id)}) or use rm -f`);
    }
    signalContainer(store, id, SIGKILL);
    if ((await waitForExit(store, id)) === null) return; // --rm: the monitor removed it
  }
  // Let a live monitor finish its own cleanup first (it exits right after).
  for (let i = 0; i < 300 && isSameProcess(state.monitorPid, state.monitorStartTime); i++) await sleep(50);
  try {
    state = store.read(id);
  } catch {
    return; // the monitor removed it (--rm)
  }
  await finishContainer(store, state, true);
}
// lab:06-lifecycle end
