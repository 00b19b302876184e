/**
 * tiny-docker logs [-f] [--tail N] [--timestamps] CONTAINER
 */
import { ConfigError } from '../../errors.ts';
import { readLog } from '../../lifecycle/logs.ts';
import { bool, helpText, parseArgs, str, type FlagSpec } from '../args.ts';
import { openStore } from '../containers.ts';

const FLAGS: FlagSpec[] = [
  { name: 'follow', short: 'f', type: 'bool', help: 'keep printing new output until the container exits' },
  { name: 'tail', short: 'n', type: 'string', value: 'N', help: 'only the last N lines (or all)' },
  { name: 'timestamps', short: 't', type: 'bool', help: 'prefix each line with the time it was written' },
  { name: 'help', type: 'bool', help: 'show this help' },
];

export default async function logs(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs('logs', argv, FLAGS);
  if (bool(flags, 'help')) {
    process.stdout.write(helpText('tiny-docker logs [OPTIONS] CONTAINER', "Show a detached container's output.", FLAGS));
    return 0;
  }
  if (positionals.length !== 1) throw new ConfigError('logs needs exactly one container', { hint: 'e.g. tiny-docker logs -f ID' });
  const tailText = str(flags, 'tail') ?? 'all';
  if (tailText !== 'all' && !/^\d+$/.test(tailText)) throw new ConfigError(`invalid --tail ${JSON.stringify(tailText)}: expected a number of lines or "all"`);
  const store = openStore();
  const id = store.resolve(positionals[0]!);
  const stamp = bool(flags, 'timestamps');
  for await (const e of readLog(store, id, { follow: bool(flags, 'follow'), ...(tailText === 'all' ? {} : { tail: Number(tailText) }) })) {
    const out = e.stream === 'stderr' ? process.stderr : process.stdout;
    const line = `${stamp ? e.time + ' ' : ''}${e.text}\n`;
    // Respect back-pressure (a slow pipe, `| head`).
    if (!out.write(line)) await new Promise((r) => out.once('drain', r));
  }
  return 0;
}
