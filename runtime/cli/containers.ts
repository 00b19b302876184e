/**
 * Shared by the commands that take container references (stop, kill, rm,
 * inspect, wait): resolve each by id, unique id prefix or name, run the
 * action, and report each failure on its own line, as Docker does, so one
 * bad reference never stops the others.
 */
import { ConfigError } from '../errors.ts';
import { stateRoot } from '../paths.ts';
import { Store } from '../store.ts';
import { printError } from './output.ts';

export function openStore(): Store {
  return new Store(stateRoot());
}

export function needRefs(command: string, refs: string[]): void {
  if (refs.length === 0) throw new ConfigError(`${command} needs at least one container`, { hint: `e.g. tiny-docker ${command} ID (see tiny-docker ps -a)` });
}

/** Run action for every reference; exit code 1 if any failed (after all were tried). */
export async function forEachContainer(store: Store, refs: string[], action: (id: string, ref: string) => Promise<void>): Promise<number> {
  let code = 0;
  await Promise.all(
    refs.map(async (ref) => {
      try {
        await action(store.resolve(ref), ref);
      } catch (err) {
        const c = printError(err);
        code = code || (c === 125 ? 1 : c);
      }
    }),
  );
  return code;
}
