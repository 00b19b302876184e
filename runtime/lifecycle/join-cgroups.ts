/**
 * `exec` puts its process in the container's cgroups, whichever feature (or
 * none) created them: read where the container's PID 1 sits
 * (/proc/PID/cgroup, one line per hierarchy: "4:memory:/tiny-docker/ID",
 * or "0::/path" for cgroup v2), find where each hierarchy is mounted
 * (/proc/self/mountinfo), and write our pid into the same cgroup.procs.
 * Parsing both files is runtime/cgroups/detect.ts's job.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cgroupMounts, parseProcCgroup, selfCgroups } from '../cgroups/detect.ts';
import { writeKernelFile } from '../sys/files.ts';

// lab:06-lifecycle begin
/** Move `pid` into every cgroup `target` is in (where they differ from ours). */
export function joinCgroupsOf(target: number, pid: number): void {
  const theirs = parseProcCgroup(fs.readFileSync(`/proc/${target}/cgroup`, 'utf8'));
  const ours = selfCgroups();
  for (const m of cgroupMounts()) {
    // v1: one hierarchy per mount (co-mounted controllers like cpu,cpuacct share it); v2: the unified tree.
    const c = m.controllers.find((x) => theirs.v1.has(x));
    const [their, our] = m.fstype === 'cgroup2' ? [theirs.v2, ours.v2] : c ? [theirs.v1.get(c), ours.v1.get(c)] : [undefined, undefined];
    if (their === undefined || their === null || their === our) continue; // already there (inherited from us)
    writeKernelFile(path.join(m.mountPoint, their, 'cgroup.procs'), String(pid));
  }
}
// lab:06-lifecycle end
