/**
 * The container's cgroup for tiny-runc: exactly linux.cgroupsPath, as the
 * runtime spec wants (absolute = from the cgroup mount's root, relative =
 * under the runtime's own cgroup), created by the cgroups feature's driver.
 * Without cgroupsPath it is tiny-runc/<id> under our own cgroup.
 *
 * The driver names a group after the container (parent/<id>); here the last
 * component of cgroupsPath is that name. cpuset (cpus, mems), which the
 * driver does not manage, is written here: a new cpuset group starts empty,
 * and the kernel refuses tasks in it until cpus and mems are set.
 */
import * as path from 'node:path';
import { cleanupCgroups } from '../cgroups/feature.ts';
import type { CgroupConfig } from '../cgroups/config.ts';
import { cgroupMounts, selfCgroups } from '../cgroups/detect.ts';
import { driverFor } from '../cgroups/select.ts';
import { rmdirCgroup } from '../cgroups/files.ts';
import { ConfigError } from '../errors.ts';
import type { ContainerContext, Feature } from '../features.ts';
import type { ContainerSpec } from '../spec.ts';
import { mkdirKernel, readKernelFile, writeKernelFile } from '../sys/files.ts';
import type { OciFeatureConfig } from './feature-config.ts';

export interface OciCgroupConfig {
  /** linux.cgroupsPath, or tiny-runc/<id>. */
  path: string;
  /** Checked limits for the cgroups driver (no parent: path decides). */
  limits: CgroupConfig;
  cpus?: string;
  mems?: string;
}

export function ociCgroupsFeature(spec: ContainerSpec): Feature | null {
  const c = (spec.features.oci as OciFeatureConfig | undefined)?.cgroup;
  if (!c) return null;
  return {
    // Same name as the cgroups feature: its facts (facts.cgroups) and cleanup apply.
    name: 'cgroups',
    async attach(ctx: ContainerContext, pid: number) {
      const driver = driverFor(c.limits);
      if (!driver) throw new ConfigError('this machine has no cgroup file system mounted');
      const parent = path.posix.dirname(c.path);
      const config: CgroupConfig = { ...c.limits, parent: parent === '.' ? '' : parent };
      const facts = driver.create(path.posix.basename(c.path), config, (f) => (ctx.facts.cgroups = f));
      driver.applyLimits(facts, config);
      if (c.cpus !== undefined || c.mems !== undefined) ctx.facts.ociCpuset = cpusetGroup(c, pid);
      driver.place(facts, pid);
    },
    async cleanup(ctx: ContainerContext) {
      await cleanupCgroups(ctx.facts);
      const dirs = ctx.facts.ociCpuset as string[] | undefined;
      for (const d of [...(dirs ?? [])].reverse()) await rmdirCgroup(d).catch(() => undefined);
    },
  };
}

/** mkdir the cpuset group level by level, each inheriting its parent's cpus/mems; returns the dirs we made. */
function cpusetGroup(c: OciCgroupConfig, pid: number): string[] {
  const mount = cgroupMounts().find((m) => m.fstype === 'cgroup' && m.controllers.includes('cpuset'));
  if (!mount) throw new ConfigError('linux.resources.cpu.cpus/mems need the cpuset cgroup controller, which is not mounted');
  const base = c.path.startsWith('/') ? '/' : (selfCgroups().v1.get('cpuset') ?? '/');
  let dir = path.join(mount.mountPoint, base);
  const made: string[] = [];
  for (const part of c.path.split('/').filter(Boolean)) {
    const parent = dir;
    dir = path.join(dir, part);
    try {
      readKernelFile(path.join(dir, 'cpuset.cpus'));
    } catch {
      mkdirKernel(dir);
      made.push(dir);
      for (const f of ['cpuset.cpus', 'cpuset.mems']) writeKernelFile(path.join(dir, f), readKernelFile(path.join(parent, f)).trim());
    }
  }
  if (c.cpus) writeKernelFile(path.join(dir, 'cpuset.cpus'), c.cpus);
  if (c.mems) writeKernelFile(path.join(dir, 'cpuset.mems'), c.mems);
  writeKernelFile(path.join(dir, 'cgroup.procs'), String(pid));
  return made;
}
