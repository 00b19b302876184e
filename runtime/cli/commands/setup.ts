/**
 * tiny-docker setup lima: prepare a Lima VM so a Mac can run tiny-docker
 * (see lima/README.md). Runs on the host even when other commands are routed.
 */
import { ConfigError } from '../../errors.ts';
import { chalk } from '../output.ts';
import { projectRoot } from '../../init/binary.ts';

const HELP = `Usage: tiny-docker setup lima

Create (or start) the Lima VM "tiny-docker" from lima/tiny-docker.yaml, install
what the runtime needs in it, build tiny-docker for the guest's arch, prepare a
rootfs on the guest's disk, check that this directory is shared at the same
path, and run a hello-world container. Safe to run again.

Environment:
  TINY_DOCKER_LIMA_INSTANCE   instance name (default tiny-docker)
`;

export default async function setup(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  if (argv[0] !== 'lima' || argv.length > 1) {
    throw new ConfigError(`unknown setup target ${JSON.stringify(argv.join(' '))}`, { hint: 'the only target is lima: tiny-docker setup lima' });
  }
  const { limaConfig } = await import('../../../lima/config.ts');
  const { setupLima } = await import('../../../lima/setup.ts');
  const cfg = limaConfig(projectRoot());
  const steps = await setupLima(cfg);
  const changed = steps.filter((s) => s.changed).length;
  process.stdout.write(
    chalk.green(`\n✔ Lima instance "${cfg.instance}" is ready`) +
      (changed ? ` (${changed} step(s) changed something)` : ' (nothing to change)') +
      `\n  try: ./bin/tiny-docker run /bin/sh -c 'echo hello from $(hostname)'\n       npm run lab 02-namespaces\n`,
  );
  return 0;
}
