/**
 * Pick the driver, as crun's get_cgroup_manager() does:
 *   v2      → the unified driver at /sys/fs/cgroup
 *   v1      → the v1 driver
 *   hybrid  → the v1 driver: the controllers live on v1 here; the cgroup2
 *             tree at /sys/fs/cgroup/unified has none of them (crun refuses
 *             such hosts; runc and we use v1).
 * A config may force a driver and a v2 root (tests use the unified tree).
 */
import { TinyDockerError } from '../errors.ts';
import type { CgroupConfig } from './config.ts';
import { detectCgroupMode, type CgroupMode } from './detect.ts';
import type { CgroupDriver, CgroupFacts } from './driver.ts';
import { CgroupV1Driver } from './v1.ts';
import { CgroupV2Driver } from './v2.ts';

let cachedMode: CgroupMode | null = null;

/** The host's mode, read once per process (mounts do not change under us). */
export function hostCgroupMode(): CgroupMode {
  return (cachedMode ??= detectCgroupMode());
}

export function driverFor(config: CgroupConfig = {}): CgroupDriver | null {
  if (config.driver === 'v2') return new CgroupV2Driver(config.root ? { root: config.root } : {});
  if (config.driver === 'v1') return new CgroupV1Driver();
  switch (hostCgroupMode()) {
    case 'v2':
      return new CgroupV2Driver();
    case 'v1':
    case 'hybrid':
      return new CgroupV1Driver();
    case 'none':
      return null;
  }
}

/** The driver for a container that already has a group (kill, stats, cleanup from another process). */
export function driverForFacts(facts: CgroupFacts): CgroupDriver {
  if (facts.version === 'v2') return new CgroupV2Driver({ self: '/' });
  if (facts.version === 'v1') return new CgroupV1Driver();
  throw new TinyDockerError(`unknown cgroup version ${JSON.stringify((facts as { version: unknown }).version)} in the container's state`);
}

/** facts.cgroups of a container's state, if it has a group. */
export function cgroupFactsOf(facts: Record<string, unknown>): CgroupFacts | null {
  const f = facts.cgroups as CgroupFacts | undefined;
  return f && (f.version === 'v1' || f.version === 'v2') && f.dirs ? f : null;
}
