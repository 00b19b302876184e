/**
 * The exact `limactl shell` command line for running something in the guest.
 * Pure: tests assert on it (an aarch64 guest must get the arm64 build), and
 * the router prints it with TINY_DOCKER_DEBUG=1.
 *
 *   limactl shell --workdir <same dir> <instance>
 *     sudo env PATH=… TINY_DOCKER_ROUTE=guest TINY_DOCKER_ROOT=<guest disk> …
 *     /bin/sh -c '<guest checks>; exec "$@"' tiny-docker-guest <program> <args…>
 *
 * - `--workdir`: the host's cwd when it is inside the project (same path in
 *   the guest), else the project itself. limactl does `cd DIR || exit 1`.
 * - `sudo`: containers need root in the guest; Lima's user has passwordless sudo.
 *   sudo resets the environment, so everything we need is passed with `env`.
 * - `exec "$@"`: the checks' shell becomes the program (same pid), so exit
 *   codes and signals belong to the program, not to a wrapper.
 */
import * as path from 'node:path';
import { buildCheckScript, sharedCheckScript } from './checks.ts';
import type { ArchBuild, LimaConfig } from './config.ts';

/** Host variables worth carrying into the guest (colour, tracing, debugging). */
export const PASSTHROUGH_ENV = ['TERM', 'COLORTERM', 'FORCE_COLOR', 'NO_COLOR', 'TINY_DOCKER_TRACE', 'TINY_DOCKER_DEBUG', 'CI'];

export interface GuestPlan {
  cfg: LimaConfig;
  build: ArchBuild;
  /** The program and its arguments, as the guest should run them. */
  argv: string[];
  /** Host cwd; mapped to --workdir. */
  cwd: string;
  /** The probe file's token (see ensureProbe). */
  probeToken: string;
  /** Marks the routed process in the guest so a signal can find it (see router). */
  routeToken: string;
  hostEnv?: NodeJS.ProcessEnv;
  /** Which guest checks run before the program (default both; doctor runs them one by one). */
  checks?: Array<'shared' | 'build'>;
}

export function workdirFor(cfg: LimaConfig, cwd: string): string {
  const rel = path.relative(cfg.projectDir, cwd);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel)) ? cwd : cfg.projectDir;
}

/** The environment of the routed program in the guest. */
export function guestEnv(plan: GuestPlan): Record<string, string> {
  const { cfg, build } = plan;
  const env: Record<string, string> = {
    // sudo's secure_path may not include the provisioned node's directory
    PATH: `${path.dirname(cfg.guestNode)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    TINY_DOCKER_ROUTE: 'guest', // never route again from inside
    TINY_DOCKER_ROUTE_TOKEN: plan.routeToken,
    TINY_DOCKER_PROBE: plan.probeToken,
    // State and rootfs on the guest's own disk: a macOS share loses device
    // nodes and ownership, and overlayfs will not stack on virtiofs/sshfs.
    TINY_DOCKER_ROOT: cfg.guestDir,
    TINY_DOCKER_IMAGES: path.join(cfg.guestDir, 'images'),
    // tiny-init built for THIS guest's arch (never the host's binary)
    TINY_DOCKER_INIT: build.init,
  };
  const host = plan.hostEnv ?? process.env;
  for (const k of PASSTHROUGH_ENV) if (host[k] !== undefined) env[k] = host[k]!;
  return env;
}

export function guestScript(plan: GuestPlan): string {
  const which = plan.checks ?? ['shared', 'build'];
  const parts = which.map((c) => (c === 'shared' ? sharedCheckScript(plan.cfg) : buildCheckScript(plan.cfg, plan.build)));
  return [...parts, 'exec "$@"'].join('\n');
}

/** argv for limactl (without the limactl path itself). */
export function limactlShellArgs(plan: GuestPlan): string[] {
  const env = Object.entries(guestEnv(plan)).map(([k, v]) => `${k}=${v}`);
  return [
    'shell',
    '--workdir',
    workdirFor(plan.cfg, plan.cwd),
    plan.cfg.instance,
    'sudo',
    'env',
    ...env,
    '/bin/sh',
    '-c',
    guestScript(plan),
    'tiny-docker-guest', // $0 of the checks' shell, shown in its error messages
    ...plan.argv,
  ];
}

/** The CLI in the guest: the guest's node runs the same bin/tiny-docker from the shared path. */
export function tinyDockerArgv(cfg: LimaConfig, args: string[]): string[] {
  return [cfg.guestNode, path.join(cfg.projectDir, 'bin', 'tiny-docker'), ...args];
}
