/**
 * tiny-docker exec [-i] [-t] [-e KEY=VALUE] [-w DIR] CONTAINER COMMAND [ARG...]
 */
import * as fs from 'node:fs';
import { ConfigError } from '../../errors.ts';
import { execInContainer } from '../../lifecycle/exec.ts';
import { openPty } from '../../sys/pty.ts';
import { bool, helpText, list, parseArgs, str, type FlagSpec } from '../args.ts';
import { openStore } from '../containers.ts';
import { attachTerminal } from '../terminal.ts';

const FLAGS: FlagSpec[] = [
  { name: 'interactive', short: 'i', type: 'bool', help: 'keep stdin open and pass it to the process' },
  { name: 'tty', short: 't', type: 'bool', help: 'allocate a pseudo-terminal' },
  { name: 'env', short: 'e', type: 'list', value: 'KEY=VALUE', help: 'set an environment variable (repeatable)' },
  { name: 'workdir', short: 'w', type: 'string', value: 'DIR', help: 'working directory inside the container' },
  { name: 'help', type: 'bool', help: 'show this help' },
];

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

export default async function exec(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs('exec', argv, FLAGS, { stopAtPositional: true });
  if (bool(flags, 'help')) {
    process.stdout.write(helpText('tiny-docker exec [OPTIONS] CONTAINER COMMAND [ARG...]', 'Run a command in a running container.', FLAGS));
    return 0;
  }
  const [ref, ...command] = positionals;
  if (!ref || command.length === 0) throw new ConfigError('exec needs a container and a command', { hint: 'e.g. tiny-docker exec ID hostname' });
  const workdir = str(flags, 'workdir');
  if (workdir !== undefined && !workdir.startsWith('/')) throw new ConfigError(`the working directory ${JSON.stringify(workdir)} must be absolute (-w /path)`);
  const store = openStore();
  const id = store.resolve(ref);
  const tty = bool(flags, 'tty');
  const pty = tty ? openPty() : null;
  let proc;
  try {
    proc = await execInContainer(store, id, {
      command,
      env: list(flags, 'env'),
      ...(workdir ? { workdir } : {}),
      tty,
      stdio: pty ? [pty.slave, pty.slave, pty.slave] : [bool(flags, 'interactive') ? 'inherit' : 'ignore', 'inherit', 'inherit'],
    });
  } finally {
    if (pty) fs.closeSync(pty.slave);
  }
  const terminal = pty ? attachTerminal(pty.master) : null;
  const forward = (sig: NodeJS.Signals) => proc.child.kill(sig);
  for (const sig of FORWARDED) process.on(sig, forward);
  const code = await proc.wait();
  for (const sig of FORWARDED) process.off(sig, forward);
  if (terminal) {
    await Promise.race([terminal.closed, new Promise((r) => setTimeout(r, 500))]);
    terminal.detach();
  }
  return code;
}
