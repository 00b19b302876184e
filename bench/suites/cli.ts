/**
 * The CLI as a user runs it: a new Node process each time. `--version` shows
 * what the CLI adds to Node's own start-up; `run … /bin/echo hello` is the
 * seed article's benchmark, directly and routed through the Lima router.
 */
import { scratchDir, type BenchContext } from '../lib/context.ts';
import type { Planned } from '../lib/measure.ts';
import { onPath, runProcess } from '../lib/process.ts';
import { unavailable } from '../lib/rows.ts';

export function cliTasks(ctx: BenchContext): Planned[] {
  const planned: Planned[] = [
    {
      row: { id: 'cli-version', group: 'cli', label: 'CLI --version', what: 'tiny-docker --version' },
      fn: () => runProcess(ctx.bin, ['--version']),
    },
  ];
  const root = scratchDir(ctx, 'cli-state');
  const args = ['--root', root, 'run', '--rm', '--net', 'none', '--rootfs', ctx.rootfs, '/bin/echo', 'hello'];
  const direct = { id: 'cli-run', group: 'cli', label: 'CLI run, direct', what: 'tiny-docker run --rm --net none /bin/echo hello' } as const;
  planned.push(ctx.isRoot ? { row: direct, fn: () => runProcess(ctx.bin, args) } : unavailable(direct.id, direct.group, direct.label, direct.what, 'needs root'));

  // Routed: on macOS bin/tiny-docker is the router into the Lima VM; on Linux
  // only with TINY_DOCKER_ROUTE=lima (see lima/README.md). The VM is the same
  // one the user runs, so this row needs a real Lima instance.
  const routed = { id: 'cli-routed', group: 'cli', label: 'CLI run, routed (Lima)', what: 'tiny-docker run --rm /bin/echo hello through the macOS → Lima router' } as const;
  const routes = process.env.TINY_DOCKER_ROUTE === 'lima' || (process.platform === 'darwin' && process.env.TINY_DOCKER_ROUTE !== 'off' && onPath('limactl'));
  if (!routes) {
    planned.push(unavailable(routed.id, routed.group, routed.label, routed.what, 'not available here: no Lima VM (the router runs on macOS, or with TINY_DOCKER_ROUTE=lima)'));
  } else {
    planned.push({ row: routed, fn: () => runProcess(ctx.bin, ['run', '--rm', '/bin/echo', 'hello']) });
  }
  return planned;
}
