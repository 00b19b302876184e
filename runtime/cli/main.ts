/**
 * `tiny-docker` entry point. Start-up stays light: only the module of the
 * command being run is loaded (dynamic import), so `--version` costs little
 * more than `node -e 0`.
 */
// Nothing heavy is imported at the top: chalk, koffi and the runtime load
// only when a command needs them.
async function printError(err: unknown): Promise<number> {
  return (await import('./output.ts')).printError(err);
}

declare const TINY_DOCKER_VERSION: string | undefined;
const VERSION = typeof TINY_DOCKER_VERSION === 'string' ? TINY_DOCKER_VERSION : '0.0.0-dev';

export type CommandMain = (argv: string[]) => Promise<number>;

/** name → loader; one file per subcommand, as youki's liboci-cli. */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<{ default: CommandMain }> }> = {
  run: { summary: 'Run a command in a new container', load: () => import('./commands/run.ts') },
  doctor: { summary: 'Check that this machine can run containers', load: () => import('./commands/doctor.ts') },
  import: { summary: 'Import a rootfs tarball (e.g. docker export output)', load: () => import('./commands/import.ts') },
  stats: { summary: "Show a running container's memory, pids and CPU usage", load: () => import('./commands/stats.ts') },
  images: { summary: 'List prepared root filesystems', load: () => import('./commands/images.ts') },
  setup: { summary: 'Prepare a Lima VM to run tiny-docker on macOS (setup lima)', load: () => import('./commands/setup.ts') },
  ps: { summary: 'List containers', load: () => import('./commands/ps.ts') },
  logs: { summary: "Show a container's output", load: () => import('./commands/logs.ts') },
  stop: { summary: 'Stop running containers (SIGTERM, then SIGKILL)', load: () => import('./commands/stop.ts') },
  kill: { summary: 'Send a signal to running containers', load: () => import('./commands/kill.ts') },
  rm: { summary: 'Remove containers', load: () => import('./commands/rm.ts') },
  exec: { summary: 'Run a command in a running container', load: () => import('./commands/exec.ts') },
  inspect: { summary: 'Show containers as JSON', load: () => import('./commands/inspect.ts') },
  wait: { summary: 'Wait for containers to stop, print their exit codes', load: () => import('./commands/wait.ts') },
  // Internal, started by tiny-monitor for `run -d` (hidden from the usage text).
  __create: { summary: '', load: () => import('./commands/internal-create.ts') },
  __cleanup: { summary: '', load: () => import('./commands/internal-cleanup.ts') },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).filter(([name]) => !name.startsWith('__')).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return [
    'Usage: tiny-docker [--root DIR] COMMAND [OPTIONS]',
    '',
    'A Docker-like container runtime, small enough to read.',
    '',
    'Commands:',
    ...rows,
    '',
    'Global options:',
    '  --root DIR   where container state lives (default /var/lib/tiny-docker, or $TINY_DOCKER_ROOT)',
    '  --version    print the version',
    '',
    "Run 'tiny-docker COMMAND --help' for a command's options.",
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  // macOS (or TINY_DOCKER_ROUTE=lima): the command runs in the Lima VM. The
  // test is two property reads, so Linux start-up loads nothing extra.
  if (process.platform === 'darwin' || process.env.TINY_DOCKER_ROUTE === 'lima') {
    const { routingWanted } = await import('../../lima/config.ts');
    if (routingWanted()) {
      const routed = await (await import('../../lima/router.ts')).routeCli(argv);
      if (routed !== null) return routed;
    }
  }
  // Global options come before the command, as with docker.
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-')) {
    const a = argv[i]!;
    if (a === '--version' || a === '-v') {
      process.stdout.write(`tiny-docker version ${VERSION}\n`);
      return 0;
    }
    if (a === '--help' || a === '-h') {
      process.stdout.write(usage());
      return 0;
    }
    if (a === '--root' || a.startsWith('--root=')) {
      const v = a.includes('=') ? a.slice(7) : argv[++i];
      if (!v) return printError(new (await import('../errors.ts')).ConfigError('flag needs an argument: --root'));
      process.env.TINY_DOCKER_ROOT = v;
      i++;
      continue;
    }
    const { ConfigError } = await import('../errors.ts');
    return printError(new ConfigError(`unknown flag: ${a}`, { hint: "see 'tiny-docker --help'" }));
  }
  const name = argv[i];
  if (!name) {
    process.stdout.write(usage());
    return 0;
  }
  if (name === 'version') {
    process.stdout.write(`tiny-docker version ${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    const { ConfigError } = await import('../errors.ts');
    return printError(new ConfigError(`unknown command: ${name}`, { hint: "see 'tiny-docker --help'" }));
  }
  try {
    const mod = await command.load();
    return await mod.default(argv.slice(i + 1));
  } catch (err) {
    return printError(err);
  }
}
