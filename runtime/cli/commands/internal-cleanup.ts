/**
 * tiny-docker __cleanup ID — internal: run by tiny-monitor after it reaped a
 * detached container (see runtime/lifecycle/finish.ts). Not for humans.
 */
import { finishContainer } from '../../lifecycle/finish.ts';
import { stateRoot } from '../../paths.ts';
import { Store } from '../../store.ts';

export default async function cleanup(argv: string[]): Promise<number> {
  const store = new Store(stateRoot());
  const id = argv[0] ?? '';
  let state;
  try {
    state = store.read(id);
  } catch {
    return 0; // already removed (rm -f): nothing left to do
  }
  await finishContainer(store, state);
  return 0;
}
