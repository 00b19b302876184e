/**
 * The cgroup v1 driver: one hierarchy per controller (or per group of
 * co-mounted controllers such as "cpu,cpuacct"), so one container has one
 * directory in each, all named …/tiny-docker/<id>.
 *
 *   /sys/fs/cgroup/memory/<caller's memory cgroup>/tiny-docker/<id>/memory.limit_in_bytes
 *   /sys/fs/cgroup/pids/<caller's pids cgroup>/tiny-docker/<id>/pids.max
 *   /sys/fs/cgroup/cpu/<caller's cpu cgroup>/tiny-docker/<id>/cpu.cfs_quota_us
 *
 * The parent nests under the caller's own cgroup in every hierarchy (read
 * from /proc/self/cgroup): a container can never use more than whoever
 * started it was given. v1 allows this everywhere (no "no internal
 * processes" rule as in v2).
 */
import * as path from 'node:path';
import { ConfigError } from '../errors.ts';
import type { InitStep } from '../init/protocol.ts';
import { MS } from '../sys/flags.ts';
import { mkdirKernel } from '../sys/files.ts';
import { hasLimits, type CgroupConfig } from './config.ts';
import { cgroupMounts, selfCgroups, type CgroupMount, type ProcCgroups } from './detect.ts';
import type { CgroupDriver, CgroupFacts, CgroupStats } from './driver.ts';
import { exists, killAll, readKey, readNumber, readOptional, readProcs, rmdirCgroup, waitFor, write } from './files.ts';

/** Every container gets these, limits or not: memory (stats, OOM), pids (stats), cpuacct (cpu usage), freezer (kill). */
const ALWAYS = ['memory', 'pids', 'cpuacct', 'freezer'];
export const DEFAULT_PARENT = 'tiny-docker';

export interface V1Options {
  /** The v1 mounts to use (default: from /proc/self/mountinfo). */
  mounts?: CgroupMount[];
  /** Where the caller sits (default: /proc/self/cgroup). */
  self?: ProcCgroups;
}

export class CgroupV1Driver implements CgroupDriver {
  readonly version = 'v1' as const;
  private readonly mounts: CgroupMount[];
  private readonly self: ProcCgroups;

  constructor(opts: V1Options = {}) {
    this.mounts = (opts.mounts ?? cgroupMounts()).filter((m) => m.fstype === 'cgroup');
    this.self = opts.self ?? selfCgroups();
  }

  private mountOf(controller: string): CgroupMount | undefined {
    return this.mounts.find((m) => m.controllers.includes(controller));
  }

  /** The controllers this config needs: the four above, plus cpu for --cpus/--cpu-shares. */
  controllersFor(config: CgroupConfig): string[] {
    const wanted = [...ALWAYS];
    if (config.cpuQuota !== undefined || config.cpuShares !== undefined) wanted.push('cpu');
    for (const c of wanted) {
      if (!this.mountOf(c) && (c === 'cpu' || (c === 'memory' && hasLimits(config)) || (c === 'pids' && config.pidsLimit !== undefined))) {
        throw new ConfigError(`the ${c} cgroup controller is not mounted on this machine, so its limit cannot be applied`);
      }
    }
    return wanted.filter((c) => this.mountOf(c));
  }

  /** The directory for controller c: mount point + parent (nested under the caller unless absolute) + id. */
  dirFor(controller: string, id: string, parent = DEFAULT_PARENT): string {
    const m = this.mountOf(controller)!;
    const base = parent.startsWith('/') ? '/' : (this.self.v1.get(controller) ?? '/');
    return path.join(m.mountPoint, base, parent, id);
  }

  create(id: string, config: CgroupConfig, record: (facts: CgroupFacts) => void): CgroupFacts {
    const facts: CgroupFacts = { version: 'v1', dirs: {} };
    // lab:03-cgroups begin
    for (const c of this.controllersFor(config)) {
      const dir = this.dirFor(c, id, config.parent);
      // Co-mounted controllers (cpu,cpuacct) share one directory: make it once.
      if (!Object.values(facts.dirs).includes(dir)) mkdirKernel(dir); // mkdir -p: the parent is made on demand
      facts.dirs[c] = dir;
      record(facts); // saved before the next step, so a failure below still gets cleaned up
    }
    // lab:03-cgroups end
    return facts;
  }

  applyLimits(facts: CgroupFacts, config: CgroupConfig): void {
    const { memory, pids, cpu } = facts.dirs;
    // lab:03-cgroups begin
    if (memory && config.memory !== undefined) {
      write(memory, 'memory.limit_in_bytes', config.memory);
      // memsw = memory + swap, and must never be below the memory limit (so it is written second).
      // Docker's default without --memory-swap: as much swap as memory, i.e. twice the memory.
      const memsw = config.memorySwap ?? config.memory * 2;
      if (exists(path.join(memory, 'memory.memsw.limit_in_bytes'))) write(memory, 'memory.memsw.limit_in_bytes', memsw);
    }
    if (pids && config.pidsLimit !== undefined) write(pids, 'pids.max', config.pidsLimit === -1 ? 'max' : config.pidsLimit);
    if (cpu && config.cpuQuota !== undefined) {
      // The group may run cfs_quota_us out of every cfs_period_us: 50000/100000 is half a CPU.
      write(cpu, 'cpu.cfs_period_us', config.cpuPeriod!);
      write(cpu, 'cpu.cfs_quota_us', config.cpuQuota);
    }
    if (cpu && config.cpuShares !== undefined) write(cpu, 'cpu.shares', config.cpuShares);
    // lab:03-cgroups end
  }

  place(facts: CgroupFacts, pid: number): void {
    // lab:03-cgroups begin
    // Writing a pid to cgroup.procs moves the whole process (all its threads).
    // Its children, forked later, start in the same groups.
    for (const dir of distinct(facts)) write(dir, 'cgroup.procs', pid);
    // lab:03-cgroups end
  }

  pids(facts: CgroupFacts): number[] {
    return [...new Set(distinct(facts).flatMap(readProcs))];
  }

  /**
   * v1 has no cgroup.kill. Freeze the group first, so nothing in it can fork
   * while we go through the list, then SIGKILL each pid, then thaw: a frozen
   * process cannot act on SIGKILL until it runs again.
   */
  async kill(facts: CgroupFacts): Promise<void> {
    const freezer = facts.dirs.freezer;
    if (this.pids(facts).length === 0) return;
    if (freezer && exists(freezer)) {
      write(freezer, 'freezer.state', 'FROZEN');
      await waitFor(() => readOptional(freezer, 'freezer.state')?.trim() === 'FROZEN', 1000);
      killAll(this.pids(facts));
      write(freezer, 'freezer.state', 'THAWED');
    }
    // Without a freezer (or for anything that slipped through): kill until empty.
    await waitFor(() => {
      const left = this.pids(facts);
      killAll(left);
      return left.length === 0;
    }, 5000);
  }

  async destroy(facts: CgroupFacts): Promise<void> {
    await this.kill(facts);
    for (const dir of distinct(facts)) await rmdirCgroup(dir);
  }

  stats(facts: CgroupFacts): CgroupStats {
    const { memory, pids, cpuacct } = facts.dirs;
    return {
      memoryCurrent: memory ? readNumber(memory, 'memory.usage_in_bytes') : null,
      memoryPeak: memory ? readNumber(memory, 'memory.max_usage_in_bytes') : null,
      memoryLimit: memory ? unlimitedAsNull(readNumber(memory, 'memory.limit_in_bytes')) : null,
      pidsCurrent: pids ? readNumber(pids, 'pids.current') : null,
      pidsLimit: pids ? readNumber(pids, 'pids.max') : null,
      cpuUsageNs: cpuacct ? readNumber(cpuacct, 'cpuacct.usage') : null,
    };
  }

  /**
   * memory.oom_control counts OOM kills in "oom_kill N" (Linux 4.13+). Older
   * kernels lack that line: then memory.failcnt (times the limit was hit)
   * is the best hint there is.
   */
  oomKilled(facts: CgroupFacts): boolean {
    const memory = facts.dirs.memory;
    if (!memory) return false;
    const kills = readKey(memory, 'memory.oom_control', 'oom_kill');
    if (kills !== null) return kills > 0;
    return (readNumber(memory, 'memory.failcnt') ?? 0) > 0;
  }

  /**
   * Inside the container (after unshare(CLONE_NEWCGROUP)), as runc does: a
   * tmpfs at /sys/fs/cgroup and one read-only cgroup mount per hierarchy.
   * Mounted from inside a cgroup namespace, a hierarchy shows the
   * namespace's root, i.e. the container's own group, not the host's tree.
   */
  mountSteps(facts: CgroupFacts): InitStep[] {
    const hidden = MS.MS_NOSUID | MS.MS_NODEV | MS.MS_NOEXEC;
    const steps: InitStep[] = [{ op: 'MOUNT', args: ['tmpfs', '/sys/fs/cgroup', 'tmpfs', String(hidden), 'mode=755'] }];
    const done = new Set<string>();
    for (const c of Object.keys(facts.dirs)) {
      const m = this.mountOf(c);
      if (!m || done.has(m.mountPoint)) continue;
      done.add(m.mountPoint);
      const name = path.basename(m.mountPoint); // "memory", or "cpu,cpuacct" when co-mounted
      // The data string names the hierarchy by its controllers: it must match the host's exactly.
      steps.push({ op: 'MOUNT', args: ['cgroup', `/sys/fs/cgroup/${name}`, 'cgroup', String(MS.MS_RDONLY | hidden), m.controllers.join(',')] });
      // "cpu,cpuacct" is also reachable as cpu and cpuacct, as on the host.
      if (m.controllers.length > 1) for (const alias of m.controllers) steps.push({ op: 'SYMLINK', args: [name, `/sys/fs/cgroup/${alias}`] });
    }
    // Last, the tmpfs itself becomes read-only (a bind remount changes only this mount's flags).
    steps.push({ op: 'MOUNT', args: ['', '/sys/fs/cgroup', '', String(MS.MS_REMOUNT | MS.MS_BIND | MS.MS_RDONLY | hidden), ''] });
    return steps;
  }
}

/** The distinct directories (co-mounted controllers share one). */
function distinct(facts: CgroupFacts): string[] {
  return [...new Set(Object.values(facts.dirs))];
}

/** v1 reports "no limit" as a huge number (PAGE_COUNTER_MAX pages); show it as null. */
function unlimitedAsNull(n: number | null): number | null {
  return n === null || n >= 2 ** 62 ? null : n;
}
