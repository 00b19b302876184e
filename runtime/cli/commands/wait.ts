/**
 * tiny-docker wait CONTAINER... — block until each stops, print its exit code.
 */
import { StateError } from '../../errors.ts';
import { shortId } from '../../ids.ts';
import { waitForExit } from '../../lifecycle/signal.ts';
import { readExitRecord } from '../../lifecycle/status.ts';
import { bool, helpText, parseArgs, type FlagSpec } from '../args.ts';
import { forEachContainer, needRefs, openStore } from '../containers.ts';

const FLAGS: FlagSpec[] = [{ name: 'help', type: 'bool', help: 'show this help' }];

export default async function wait(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs('wait', argv, FLAGS);
  if (bool(flags, 'help')) {
    process.stdout.write(helpText('tiny-docker wait CONTAINER...', 'Wait for containers to stop, then print their exit codes.', FLAGS));
    return 0;
  }
  needRefs('wait', positionals);
  const store = openStore();
  return forEachContainer(store, positionals, async (id) => {
    const dir = store.dir(id);
    // Read the monitor's record as we go: with --rm the state vanishes right after.
    let lastSeen: number | null = null;
    const o = await (async () => {
      const r = waitForExit(store, id);
      const t = setInterval(() => (lastSeen = readExitRecord(dir)?.exitCode ?? lastSeen), 20);
      try {
        return await r;
      } finally {
        clearInterval(t);
      }
    })();
    const code = o ? o.exitCode : lastSeen;
    if (o?.status === 'created') throw new StateError(`container ${shortId(id)} was never started`);
    if (code === null || code === undefined) throw new StateError(`container ${shortId(id)} exited, but its exit code is unknown (its monitor was killed)`);
    process.stdout.write(`${code}\n`);
  });
}
