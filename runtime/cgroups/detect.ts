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

/** Where a process sits, from /proc/PID/cgroup: "4:memory:/process_api/abc", "0::/". */
export interface ProcCgroups {
  /** v1: controller → path inside that controller's hierarchy ("cpu,cpuacct" lines give both). */
  v1: Map<string, string>;
  /** v2: the path in the unified tree (the "0::" line), or null. */
  v2: string | null;
}

/**
 * Parse /proc/self/cgroup. Lines are `hierarchy-id:controllers:path`; the
 * v2 line has id 0 and no controllers. Paths are relative to the reader's
 * cgroup namespace root, which for the host is the hierarchy's root.
 */
export function parseProcCgroup(text: string): ProcCgroups {
  const out: ProcCgroups = { v1: new Map(), v2: null };
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const [, id, controllers, p] = m as unknown as [string, string, string, string];
    if (id === '0' && controllers === '') out.v2 = p;
    else for (const c of controllers.split(',')) if (c) out.v1.set(c, p);
  }
  return out;
}

export function selfCgroups(): ProcCgroups {
  return parseProcCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8'));
}
