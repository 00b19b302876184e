/** tiny-runc state ID: the runtime-spec state as JSON on stdout. */
import { loadState, ociState, ociStore } from '../state.ts';
import { oneId } from './flags.ts';
import type { Globals } from './main.ts';

export default async function state(argv: string[], g: Globals): Promise<number> {
  const id = oneId('state', argv);
  process.stdout.write(JSON.stringify(ociState(loadState(ociStore(g.root), id)), null, '  ') + '\n');
  return 0;
}
