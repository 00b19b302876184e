/**
 * tiny-docker run [OPTIONS] COMMAND [ARG...]
 */
import { runContainer, type Container } from '../../container.ts';
import { ConfigError } from '../../errors.ts';
import { Store } from '../../store.ts';
import { stateRoot } from '../../paths.ts';
import { setTracer } from '../../sys/trace.ts';
import { bool, helpText, parseArgs, str } from '../args.ts';
import { RUN_FLAGS, specFromFlags, applyFeatureFlags } from '../run-options.ts';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

export default async function run(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs('run', argv, RUN_FLAGS, { stopAtPositional: true });
  if (bool(flags, 'help')) {
    process.stdout.write(helpText('tiny-docker run [OPTIONS] COMMAND [ARG...]', 'Run a command in a new container.', RUN_FLAGS));
    return 0;
  }
  if (positionals.length === 0) {
    throw new ConfigError('run needs a command', { hint: "e.g. tiny-docker run /bin/sh -c 'echo hello from $(hostname)'" });
  }
  if (bool(flags, 'detach')) {
    throw new ConfigError('-d (detached containers) is not available in this build yet', { hint: 'run in the foreground for now' });
  }
  const traceFile = str(flags, 'trace-file');
  if (bool(flags, 'trace') || traceFile || process.env.TINY_DOCKER_TRACE === '1') {
    const { startCliTrace } = await import('../trace-output.ts');
    startCliTrace({ file: traceFile, print: bool(flags, 'trace') || process.env.TINY_DOCKER_TRACE === '1' });
  }
  const spec = await specFromFlags(flags, positionals);
  await applyFeatureFlags(flags, spec);
  const store = new Store(stateRoot());
  // Signals sent to `tiny-docker run` go to the container's PID 1, as
  // `docker run` (sig-proxy) does. Handlers go in before the container
  // starts: a signal that arrives while it starts is held, then delivered.
  let container: Container | null = null;
  const pending: NodeJS.Signals[] = [];
  const forward = (sig: NodeJS.Signals) => (container ? container.kill(sig) : pending.push(sig));
  for (const sig of FORWARDED) process.on(sig, forward);
  try {
    container = await runContainer(spec, {
      store,
      stdio: [bool(flags, 'interactive') ? 'inherit' : 'ignore', 'inherit', 'inherit'],
    });
    for (const sig of pending) container.kill(sig);
    const status = await container.wait();
    return status.exitCode;
  } finally {
    for (const sig of FORWARDED) process.off(sig, forward);
    setTracer(null);
  }
}
