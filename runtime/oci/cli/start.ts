/** tiny-runc start ID: the go signal for a created container. */
import { StateError } from '../../errors.ts';
import { requestStart } from '../holder.ts';
import { loadState, ociState, ociStatus, ociStore } from '../state.ts';
import type { OciFeatureConfig } from '../feature-config.ts';
import { runHooks } from '../hooks.ts';
import { oneId } from './flags.ts';
import { warn, type Globals } from './main.ts';

export default async function start(argv: string[], g: Globals): Promise<number> {
  const id = oneId('start', argv);
  const store = ociStore(g.root);
  const state = loadState(store, id);
  const status = ociStatus(state);
  if (status !== 'created') throw new StateError(`cannot start container ${id}: it is ${status}, not created`);
  await requestStart(store, state.id);
  // poststart hooks: after the command started; a failure is only a warning (runtime spec).
  const hooks = (state.spec.features.oci as OciFeatureConfig).hooks.poststart;
  if (hooks.length > 0) {
    try {
      // The lifecycle's state at this step is "running", even if a short command has already exited.
      runHooks('poststart', hooks, { ...ociState(loadState(store, id)), status: 'running', pid: state.pid! });
    } catch (err) {
      warn((err as Error).message);
    }
  }
  return 0;
}
