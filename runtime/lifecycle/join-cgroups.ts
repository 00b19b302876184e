/**
 * `exec` puts its process in the container's cgroups, whichever feature (or
 * none) created them: read where the container's PID 1 sits
 * (/proc/PID/cgroup, one line per hierarchy: "4:memory:/tiny-docker/ID",
 * or "0::/path" for cgroup v2), find where each hierarchy is mounted
 * (/proc/self/mountinfo), and write our pid into the same cgroup.procs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeKernelFile } from '../sys/files.ts';

interface Membership {
  /** "memory", "cpu,cpuacct", "name=systemd", or "" for cgroup v2. */
  controllers: string;
  path: string;
}

export function parseProcCgroup(text: string): Membership[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [, controllers = '', ...rest] = line.split(':');
      return { controllers, path: rest.join(':') };
    });
}

/** Mount points of cgroup hierarchies: key "" for v2, else the controllers they carry. */
function cgroupMounts(): { v2: string | null; v1: { options: Set<string>; dir: string }[] } {
  let v2: string | null = null;
  const v1: { options: Set<string>; dir: string }[] = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    // fields: id parent maj:min root mountpoint opts [optional...] - fstype source superopts
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const mountpoint = left.split(' ')[4]!;
    const [fstype, , superOpts = ''] = right.split(' ');
    if (fstype === 'cgroup2' && !v2) v2 = mountpoint;
    if (fstype === 'cgroup') v1.push({ options: new Set(superOpts.split(',')), dir: mountpoint });
  }
  return { v2, v1 };
}

function mountFor(m: Membership, mounts: ReturnType<typeof cgroupMounts>): string | null {
  if (m.controllers === '') return mounts.v2;
  const want = m.controllers.split(',');
  return mounts.v1.find((x) => want.every((c) => x.options.has(c)))?.dir ?? null;
}

// lab:06-lifecycle begin
/** Move `pid` into every cgroup `target` is in (where they differ from ours). */
export function joinCgroupsOf(target: number, pid: number): void {
  const theirs = parseProcCgroup(fs.readFileSync(`/proc/${target}/cgroup`, 'utf8'));
  const ours = new Map(parseProcCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8')).map((m) => [m.controllers, m.path]));
  const mounts = cgroupMounts();
  for (const m of theirs) {
    if (ours.get(m.controllers) === m.path) continue; // already there (inherited from us)
    const dir = mountFor(m, mounts);
    if (!dir) continue;
    writeKernelFile(path.join(dir, m.path, 'cgroup.procs'), String(pid));
  }
}
// lab:06-lifecycle end
