/**
 * tiny-docker rm [-f] CONTAINER...
 */
import { removeContainer } from '../../lifecycle/remove.ts';
import { bool, helpText, parseArgs, type FlagSpec } from '../args.ts';
import { forEachContainer, needRefs, openStore } from '../containers.ts';

const FLAGS: FlagSpec[] = [
  { name: 'force', short: 'f', type: 'bool', help: 'kill a running container first' },
  { name: 'help', type: 'bool', help: 'show this help' },
];

export default async function rm(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs('rm', argv, FLAGS);
  if (bool(flags, 'help')) {
    process.stdout.write(helpText('tiny-docker rm [OPTIONS] CONTAINER...', 'Remove containers: state, logs, writable layer, cgroup and network.', FLAGS));
    return 0;
  }
  needRefs('rm', positionals);
  const store = openStore();
  return forEachContainer(store, positionals, async (id, ref) => {
    await removeContainer(store, id, bool(flags, 'force'));
    process.stdout.write(`${ref}\n`);
  });
}
