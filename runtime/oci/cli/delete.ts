/** tiny-runc delete [--force] ID */
import { NotFoundError } from '../../errors.ts';
import { deleteContainer } from '../lifecycle.ts';
import { loadState, ociStore } from '../state.ts';
import { oneId, parseOciArgs, type OciFlag } from './flags.ts';
import { warn, type Globals } from './main.ts';

const FLAGS: OciFlag[] = [{ name: 'force', short: 'f', takesValue: false, help: 'kill the container first if it is running' }];

export default async function del(argv: string[], g: Globals): Promise<number> {
  const { flags, positionals } = parseOciArgs('delete', argv, FLAGS);
  const id = oneId('delete', positionals);
  const store = ociStore(g.root);
  let state;
  try {
    state = loadState(store, id);
  } catch (err) {
    // runc: `delete --force` of a container that does not exist succeeds.
    if (flags.force && err instanceof NotFoundError) return 0;
    throw err;
  }
  for (const w of await deleteContainer(store, state, flags.force === true)) warn(w);
  return 0;
}
