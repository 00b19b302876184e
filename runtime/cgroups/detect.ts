/**
 * Which cgroup hierarchy does this machine use?
 *   v2      one unified cgroup2 tree at /sys/fs/cgroup (Lima's Ubuntu, modern distros)
 *   v1      one cgroup v1 mount per controller
 *   hybrid  v1 controllers plus an (empty) cgroup2 tree at /sys/fs/cgroup/unified
 *           — our CI machines. crun refuses these; runc and we handle them.
 */
import * as fs from 'node:fs';

export type CgroupMode = 'v1' | 'v2' | 'hybrid' | 'none';

export interface CgroupMount {
  fstype: 'cgroup' | 'cgroup2';
  mountPoint: string;
  /** v1: the controllers of this hierarchy (memory, pids, cpu, …). */
  controllers: string[];
}

/** Parse /proc/self/mountinfo for cgroup mounts. */
export function cgroupMounts(mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8')): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    // fields: id parent maj:min root mountpoint opts [optional…] - fstype source superopts
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const controllers = fstype === 'cgroup' ? superOpts.split(',').filter((o) => !['rw', 'ro', 'relatime', 'noatime', 'nosuid', 'nodev', 'noexec'].includes(o) && !o.startsWith('release_agent')) : [];
    mounts.push({ fstype, mountPoint: left[4]!, controllers });
  }
  return mounts;
}

export function detectCgroupMode(mounts = cgroupMounts()): CgroupMode {
  const v1 = mounts.some((m) => m.fstype === 'cgroup' && m.controllers.some((c) => !c.startsWith('name=')));
  const v2 = mounts.some((m) => m.fstype === 'cgroup2');
  if (v1 && v2) return 'hybrid';
  if (v1) return 'v1';
  if (v2) return 'v2';
  return 'none';
}
