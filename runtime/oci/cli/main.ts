/**
 * `tiny-runc`: the OCI runtime command line (runtime-spec's runtime.md, and
 * runc's flags) on top of the tiny-docker runtime library. One file per
 * subcommand, as youki's liboci-cli.
 *
 *   tiny-runc spec                      write a default config.json
 *   tiny-runc create --bundle B ID      container waits, before the user's command
 *   tiny-runc start ID                  run the command
 *   tiny-runc state ID                  the state JSON
 *   tiny-runc kill ID [SIGNAL]
 *   tiny-runc delete [--force] ID
 */
import { TinyDockerError } from '../../errors.ts';

declare const TINY_DOCKER_VERSION: string | undefined;
const VERSION = typeof TINY_DOCKER_VERSION === 'string' ? TINY_DOCKER_VERSION : '0.0.0-dev';

/** Global options every subcommand sees. */
export interface Globals {
  /** State root (runc's --root); undefined = /run/tiny-runc or $TINY_RUNC_ROOT. */
  root: string | undefined;
  /** How to run this CLI again (for the holder process). */
  self: { node: string; script: string };
}

export type OciCommand = (argv: string[], g: Globals) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ default: OciCommand }> }> = {
  spec: { summary: 'create a new specification file (config.json)', load: () => import('./spec.ts') },
  create: { summary: 'create a container (its command waits for start)', load: () => import('./create.ts') },
  start: { summary: 'run the user-defined process of a created container', load: () => import('./start.ts') },
  state: { summary: 'output the state of a container', load: () => import('./state.ts') },
  kill: { summary: "send a signal to the container's init process", load: () => import('./kill.ts') },
  delete: { summary: 'delete the resources held by a container', load: () => import('./delete.ts') },
  __holder: { summary: '', load: () => import('./holder.ts') },
};

function usage(): string {
  const rows = Object.entries(COMMANDS)
    .filter(([n]) => !n.startsWith('__'))
    .map(([n, c]) => `  ${n.padEnd(8)} ${c.summary}`);
  return [
    'Usage: tiny-runc [global options] COMMAND [options] [ID]',
    '',
    'An OCI runtime (runc-compatible command line) built on tiny-docker.',
    '',
    'Commands:',
    ...rows,
    '',
    'Global options:',
    '  --root DIR         state directory (default /run/tiny-runc, or $TINY_RUNC_ROOT)',
    '  --log FILE         accepted for runc compatibility; errors go to stderr',
    '  --log-format F     accepted (text|json); ignored',
    '  --systemd-cgroup   accepted; ignored with a warning (cgroupfs is used)',
    '  --debug            accepted; ignored',
    '  --version',
    '',
  ].join('\n');
}

export function printOciError(err: unknown): number {
  if (err instanceof TinyDockerError) {
    process.stderr.write(`tiny-runc: ${err.message}\n`);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    // runc exits 1 on every error; keep Docker's finer codes where we have them.
    return err.exitCode;
  }
  process.stderr.write(`tiny-runc: internal error: ${(err as Error)?.message ?? String(err)}\n`);
  if (process.env.TINY_DOCKER_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  return 125;
}

export function warn(message: string): void {
  process.stderr.write(`tiny-runc: warning: ${message}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const g: Globals = { root: undefined, self: { node: process.execPath, script: process.argv[1] ?? '' } };
  let i = 0;
  for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
    const a = argv[i]!.replace(/^--?/, '--');
    const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (name === '--version' || name === '-v') {
      process.stdout.write(`tiny-runc version ${VERSION}\nspec: 1.0.2\n`);
      return 0;
    }
    if (name === '--help' || name === '-h') {
      process.stdout.write(usage());
      return 0;
    }
    if (name === '--root') g.root = value();
    else if (name === '--log' || name === '--log-format' || name === '--criu') value();
    else if (name === '--systemd-cgroup') warn('--systemd-cgroup is ignored: tiny-runc manages cgroups through cgroupfs');
    else if (name === '--debug' || name === '--rootless') {
      if (inline === undefined && (argv[i + 1] === 'true' || argv[i + 1] === 'false')) i++;
    } else return printOciError(new TinyDockerError(`unknown global flag: ${argv[i]}`, { hint: "see 'tiny-runc --help'" }));
  }
  const name = argv[i];
  if (!name) {
    process.stdout.write(usage());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) return printOciError(new TinyDockerError(`unknown command: ${name}`, { hint: "see 'tiny-runc --help'" }));
  try {
    const mod = await command.load();
    return await mod.default(argv.slice(i + 1), g);
  } catch (err) {
    return printOciError(err);
  }
}
