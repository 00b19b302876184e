/**
 * ContainerSpec: everything the runtime needs to start one container, fully
 * resolved (absolute paths, parsed sizes). The CLI and tiny-runc build one
 * from their own inputs; validateSpec() checks it as a list of small checks,
 * like runc's configs/validate.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './errors.ts';
import { NAME_PATTERN } from './ids.ts';
import type { NamespaceSet } from './namespaces.ts';
import type { RootfsMode } from './rootfs/mounts.ts';

export interface ContainerSpec {
  id: string;
  name: string;
  /** The prepared image directory (read-only lower layer). */
  rootfs: string;
  rootfsMode: RootfsMode;
  command: string[];
  /** KEY=VALUE entries, as execve(2) wants them. */
  env: string[];
  workdir: string;
  hostname: string;
  /** pivot_root is the default; chroot is the teaching mode (see lab 04). */
  isolation: 'pivot_root' | 'chroot';
  namespaces: NamespaceSet;
  readOnly: boolean;
  /** Remove the container's state when it exits (--rm). */
  autoRemove: boolean;
  /** Extra per-feature settings (cgroups, network, security) keyed by feature name. */
  features: Record<string, unknown>;
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Docker's default environment, then the user's -e values (which win). */
export function buildEnv(user: readonly string[], hostname: string, tty: boolean): string[] {
  const env = new Map<string, string>([
    ['PATH', DEFAULT_PATH],
    ['HOSTNAME', hostname],
    ['HOME', '/root'],
  ]);
  if (tty) env.set('TERM', 'xterm');
  for (const entry of user) {
    const eq = entry.indexOf('=');
    if (eq === -1) {
      // `-e NAME` passes the caller's value through, as Docker does
      const v = process.env[entry];
      if (v !== undefined) env.set(entry, v);
    } else env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}

type Check = (s: ContainerSpec) => string | null;

const checks: Check[] = [
  (s) => (s.command.length === 0 || s.command[0] === '' ? 'no command given: say what to run, e.g. tiny-docker run /bin/sh -c "echo hi"' : null),
  (s) => (NAME_PATTERN.test(s.name) ? null : `invalid container name ${JSON.stringify(s.name)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`),
  (s) => (path.isAbsolute(s.rootfs) ? null : `rootfs ${s.rootfs} must be an absolute path`),
  (s) => (path.resolve(s.rootfs) === '/' ? 'the rootfs cannot be / (the host itself): prepare one with npm run rootfs -- host' : null),
  (s) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(s.rootfs);
    } catch {
      return `rootfs ${s.rootfs} does not exist: prepare one with npm run rootfs -- host, or pass --rootfs DIR`;
    }
    return st.isDirectory() ? null : `rootfs ${s.rootfs} is not a directory (to use a tarball: tiny-docker import FILE.tar NAME)`;
  },
  (s) => (path.posix.isAbsolute(s.workdir) ? null : `the working directory ${JSON.stringify(s.workdir)} must be absolute (-w /path)`),
  (s) => (/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62})$/.test(s.hostname) ? null : `invalid hostname ${JSON.stringify(s.hostname)}`),
  (s) => (s.env.every((e) => e.includes('=') && !e.startsWith('=')) ? null : 'environment entries must look like NAME=value'),
  (s) => (s.isolation === 'chroot' || s.namespaces.mnt ? null : 'pivot_root needs a mount namespace'),
];

export function validateSpec(spec: ContainerSpec): void {
  for (const check of checks) {
    const problem = check(spec);
    if (problem) throw new ConfigError(problem);
  }
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function requireRoot(): void {
  if (!isRoot()) {
    throw new ConfigError('tiny-docker must run as root: namespaces, mounts and cgroups need CAP_SYS_ADMIN', {
      hint: 'run it with sudo, e.g. sudo ./bin/tiny-docker run …',
    });
  }
}
