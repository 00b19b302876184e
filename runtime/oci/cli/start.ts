/** tiny-runc start ID: the go signal for a created container. */
import { StateError } from '../../errors.ts';
import { requestStart } from '../holder.ts';
import { loadState, ociStatus, ociStore } from '../state.ts';
import { oneId } from './flags.ts';
import type { Globals } from './main.ts';

export default async function start(argv: string[], g: Globals): Promise<number> {
  const id = oneId('start', argv);
  const store = ociStore(g.root);
  const state = loadState(store, id);
  const status = ociStatus(state);
  if (status !== 'created') throw new StateError(`cannot start container ${id}: it is ${status}, not created`);
  await requestStart(store, state.id);
  return 0;
}
