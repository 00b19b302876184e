/**
 * tiny-docker kill [-s SIGNAL] CONTAINER...
 */
import { parseSignal, requireRunning, signalContainer } from '../../lifecycle/signal.ts';
import { StateError } from '../../errors.ts';
import { shortId } from '../../ids.ts';
import { bool, helpText, parseArgs, str, type FlagSpec } from '../args.ts';
import { forEachContainer, needRefs, openStore } from '../containers.ts';

const FLAGS: FlagSpec[] = [
  { name: 'signal', short: 's', type: 'string', value: 'SIGNAL', help: 'signal to send (default KILL)' },
  { name: 'help', type: 'bool', help: 'show this help' },
];

export default async function kill(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs('kill', argv, FLAGS);
  if (bool(flags, 'help')) {
    process.stdout.write(helpText('tiny-docker kill [OPTIONS] CONTAINER...', "Send a signal to running containers' PID 1.", FLAGS));
    return 0;
  }
  const signal = parseSignal(str(flags, 'signal') ?? 'KILL');
  needRefs('kill', positionals);
  const store = openStore();
  return forEachContainer(store, positionals, async (id, ref) => {
    requireRunning(store, id);
    if (!signalContainer(store, id, signal)) throw new StateError(`container ${shortId(id)} is not running`);
    process.stdout.write(`${ref}\n`);
  });
}
