/**
 * tiny-docker stop [-t SECONDS] CONTAINER...
 */
import { parseGracePeriod, stopContainer } from '../../lifecycle/signal.ts';
import { bool, helpText, parseArgs, str, type FlagSpec } from '../args.ts';
import { forEachContainer, needRefs, openStore } from '../containers.ts';

const FLAGS: FlagSpec[] = [
  { name: 'time', short: 't', type: 'string', value: 'SECONDS', help: 'seconds to wait after SIGTERM before SIGKILL (default 10)' },
  { name: 'help', type: 'bool', help: 'show this help' },
];

export default async function stop(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs('stop', argv, FLAGS);
  if (bool(flags, 'help')) {
    process.stdout.write(helpText('tiny-docker stop [OPTIONS] CONTAINER...', 'Stop running containers: SIGTERM, then SIGKILL after the grace period.', FLAGS));
    return 0;
  }
  const grace = parseGracePeriod(str(flags, 'time') ?? '10');
  needRefs('stop', positionals);
  const store = openStore();
  return forEachContainer(store, positionals, async (id, ref) => {
    await stopContainer(store, id, grace);
    process.stdout.write(`${ref}\n`);
  });
}
