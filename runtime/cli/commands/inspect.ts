/**
 * tiny-docker inspect CONTAINER... — a JSON array, as docker inspect prints.
 */
import { inspectContainer } from '../../lifecycle/inspect.ts';
import { bool, helpText, parseArgs, type FlagSpec } from '../args.ts';
import { needRefs, openStore } from '../containers.ts';
import { printError } from '../output.ts';

const FLAGS: FlagSpec[] = [{ name: 'help', type: 'bool', help: 'show this help' }];

export default async function inspect(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs('inspect', argv, FLAGS);
  if (bool(flags, 'help')) {
    process.stdout.write(helpText('tiny-docker inspect CONTAINER...', 'Show containers as JSON.', FLAGS));
    return 0;
  }
  needRefs('inspect', positionals);
  const store = openStore();
  const found: Record<string, unknown>[] = [];
  let code = 0;
  for (const ref of positionals) {
    try {
      found.push(inspectContainer(store, store.resolve(ref)));
    } catch (err) {
      printError(err);
      code = 1; // as docker inspect: the others are still printed
    }
  }
  process.stdout.write(JSON.stringify(found, null, 2) + '\n');
  return code;
}
