/**
 * One interface over the two cgroup hierarchies, like youki's CgroupManager
 * and crun's cgroup manager struct. The v1 driver (v1.ts) keeps one
 * directory per controller; the v2 driver (v2.ts) one directory in the
 * unified tree. select.ts picks one from what detect.ts sees.
 *
 * Everything after create() works from CgroupFacts alone (absolute paths,
 * saved in state.json), so another process (a detached container's monitor,
 * `tiny-docker stats`) can kill, stat and remove a container's group.
 */
import type { InitStep } from '../init/protocol.ts';
import type { CgroupConfig } from './config.ts';

export type CgroupVersion = 'v1' | 'v2';

/** What a container's cgroup is, as saved in state.facts.cgroups. */
export interface CgroupFacts {
  version: CgroupVersion;
  /**
   * v1: controller → absolute directory (controllers mounted together share one);
   * v2: { unified: directory }.
   */
  dirs: Record<string, string>;
}

export interface CgroupStats {
  /** bytes in use now (v2 memory.current, v1 memory.usage_in_bytes) */
  memoryCurrent: number | null;
  /** the most ever used (v2 memory.peak, v1 memory.max_usage_in_bytes) */
  memoryPeak: number | null;
  /** the limit in bytes, null when unlimited */
  memoryLimit: number | null;
  /** processes now (pids.current) */
  pidsCurrent: number | null;
  pidsLimit: number | null;
  /** CPU time used, in nanoseconds (v2 cpu.stat usage_usec × 1000, v1 cpuacct.usage) */
  cpuUsageNs: number | null;
}

export interface CgroupDriver {
  readonly version: CgroupVersion;
  /** mkdir the container's group (and its parents), ready for limits. Records dirs as soon as they exist. */
  create(id: string, config: CgroupConfig, record: (facts: CgroupFacts) => void): CgroupFacts;
  /** Write the limits of config into the group's files. */
  applyLimits(facts: CgroupFacts, config: CgroupConfig): void;
  /** Move pid (and its threads) into the group: write it to cgroup.procs. */
  place(facts: CgroupFacts, pid: number): void;
  /** Pids in the group now (from cgroup.procs). */
  pids(facts: CgroupFacts): number[];
  /** SIGKILL everything in the group and wait until it is empty. */
  kill(facts: CgroupFacts): Promise<void>;
  /** rmdir the group (kill first); missing directories are fine, so it is safe to run twice. */
  destroy(facts: CgroupFacts): Promise<void>;
  stats(facts: CgroupFacts): CgroupStats;
  /** Did the kernel's OOM killer kill anything in the group? */
  oomKilled(facts: CgroupFacts): boolean;
  /** Steps for tiny-init (after unshare(CLONE_NEWCGROUP)): mount the cgroup fs read-only at /sys/fs/cgroup. */
  mountSteps(facts: CgroupFacts): InitStep[];
}
