/**
 * The fields of config.json that belong to other features: linux.resources
 * (the cgroups feature, spec.features.cgroups) and linux.seccomp (the
 * security feature's BPF compiler). They are passed in as `Extras`, so this
 * layer works, with warnings, before those features exist, and the
 * translation stays pure for tests.
 */
import type { OciCgroupConfig } from './cgroups.ts';
import type { OciResources, OciSeccomp } from './config.ts';

export interface Extras {
  /** Turn linux.resources into the container's cgroup config; returns warnings for what it cannot apply. */
  cgroups?: (resources: OciResources, cgroupsPath: string) => { config: OciCgroupConfig; warnings: string[] } | null;
  /** Compile linux.seccomp for this machine into a BPF program (base64), with warnings. */
  seccomp?: (profile: OciSeccomp, effectiveCaps: readonly string[]) => { program: string; warnings: string[] };
}

export function translateResources(resources: OciResources | undefined, cgroupsPath: string, warnings: string[], extras: Extras): OciCgroupConfig | null {
  if (!extras.cgroups) {
    if (resources && Object.keys(resources).length > 0) warnings.push('linux.resources are ignored: this build has no cgroups feature');
    return null;
  }
  const r = extras.cgroups(resources ?? {}, cgroupsPath);
  if (!r) return null;
  warnings.push(...r.warnings);
  return r.config;
}

export function translateSeccomp(profile: OciSeccomp, effectiveCaps: readonly string[], warnings: string[], extras: Extras): string | null {
  if (!extras.seccomp) {
    warnings.push('linux.seccomp is ignored: this build has no seccomp compiler');
    return null;
  }
  const r = extras.seccomp(profile, effectiveCaps);
  warnings.push(...r.warnings);
  return r.program;
}
