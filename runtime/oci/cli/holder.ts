/** tiny-runc __holder: internal, started by `create` (see ../holder.ts). Not for humans. */
import { runHolder } from '../holder.ts';
import { ociStore } from '../state.ts';
import type { Globals } from './main.ts';

export default async function holder(_argv: string[], g: Globals): Promise<number> {
  return runHolder(ociStore(g.root));
}
