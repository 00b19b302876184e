/**
 * tiny-docker run [OPTIONS] COMMAND [ARG...]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runContainer, type Container } from '../../container.ts';
import { ConfigError } from '../../errors.ts';
import { featuresFor } from '../../feature-registry.ts';
import { terminalFeature } from '../../lifecycle/terminal-feature.ts';
import { projectRoot } from '../../init/binary.ts';
import { startDetached, type CliCommand } from '../../lifecycle/detach.ts';
import { Store } from '../../store.ts';
import { stateRoot } from '../../paths.ts';
import { openPty } from '../../sys/pty.ts';
import { setTracer } from '../../sys/trace.ts';
import { bool, helpText, parseArgs, str } from '../args.ts';
import { RUN_FLAGS, specFromFlags, applyFeatureFlags } from '../run-options.ts';
import { attachTerminal } from '../terminal.ts';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** How tiny-monitor runs this CLI again: the same node, the same launcher. */
export function thisCli(): CliCommand {
  return { node: process.execPath, script: path.join(projectRoot(), 'bin', 'tiny-docker') };
}


export default async function run(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs('run', argv, RUN_FLAGS, { stopAtPositional: true });
  if (bool(flags, 'help')) {
    process.stdout.write(helpText('tiny-docker run [OPTIONS] COMMAND [ARG...]', 'Run a command in a new container.', RUN_FLAGS));
    return 0;
  }
  if (positionals.length === 0) {
    throw new ConfigError('run needs a command', { hint: "e.g. tiny-docker run /bin/sh -c 'echo hello from $(hostname)'" });
  }
  const detach = bool(flags, 'detach');
  const tty = bool(flags, 'tty');
  if (detach && (tty || bool(flags, 'interactive'))) {
    throw new ConfigError('-d cannot be combined with -i or -t in tiny-docker: a detached container has no terminal to attach', {
      hint: 'use run -d for background work, and tiny-docker exec -it ID sh to get a shell in it',
    });
  }
  const traceFile = str(flags, 'trace-file');
  if (bool(flags, 'trace') || traceFile || process.env.TINY_DOCKER_TRACE === '1') {
    const { startCliTrace } = await import('../trace-output.ts');
    startCliTrace({ file: traceFile, print: bool(flags, 'trace') || process.env.TINY_DOCKER_TRACE === '1' });
  }
  const spec = await specFromFlags(flags, positionals);
  await applyFeatureFlags(flags, spec);
  const store = new Store(stateRoot());

  if (detach) {
    await startDetached(spec, store, thisCli());
    process.stdout.write(`${spec.id}\n`);
    return 0;
  }

  // Signals sent to `tiny-docker run` go to the container's PID 1, as
  // `docker run` (sig-proxy) does. Handlers go in before the container
  // starts: a signal that arrives while it starts is held, then delivered.
  let container: Container | null = null;
  const pending: NodeJS.Signals[] = [];
  const forward = (sig: NodeJS.Signals) => (container ? container.kill(sig) : pending.push(sig));
  for (const sig of FORWARDED) process.on(sig, forward);
  const pty = tty ? openPty() : null;
  try {
    try {
      container = await runContainer(spec, {
        store,
        stdio: pty ? [pty.slave, pty.slave, pty.slave] : [bool(flags, 'interactive') ? 'inherit' : 'ignore', 'inherit', 'inherit'],
        ...(pty ? { features: [...featuresFor(spec), terminalFeature(pty.path)] } : {}),
      });
    } finally {
      // Only the container keeps the slave open: its exit then closes the pty.
      if (pty) fs.closeSync(pty.slave);
    }
    for (const sig of pending) container.kill(sig);
    const terminal = pty ? attachTerminal(pty.master) : null;
    const status = await container.wait();
    if (terminal) {
      // Let the last output through (EIO ends it), but never hang on it.
      await Promise.race([terminal.closed, new Promise((r) => setTimeout(r, 500))]);
      terminal.detach();
    }
    return status.exitCode;
  } finally {
    for (const sig of FORWARDED) process.off(sig, forward);
    setTracer(null);
  }
}
