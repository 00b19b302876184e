/**
 * The Extras (extras.ts) this build offers: linux.resources → the cgroups
 * feature's config (spec.features.cgroups), and linux.seccomp → the security
 * feature's BPF compiler. Loaded lazily so that `tiny-runc state` does not
 * pay for them.
 */
import { arch, release } from 'node:os';
import type { Extras } from './extras.ts';
import type { OciCgroupConfig } from './cgroups.ts';
import type { OciResources, OciSeccomp } from './config.ts';

export async function loadExtras(): Promise<Extras> {
  const [{ checkCgroupConfig }, { checkProfile }, { compileProfile, nodeArchToSeccomp }, x86, arm, i386] = await Promise.all([
    import('../cgroups/config.ts'),
    import('../security/seccomp/profile.ts'),
    import('../security/seccomp/compile.ts'),
    import('../security/seccomp/syscalls-x86_64.ts'),
    import('../security/seccomp/syscalls-aarch64.ts'),
    import('../security/seccomp/syscalls-i386.ts'),
  ]);
  const known = (name: string) => name in x86.SYSCALLS_X86_64 || name in arm.SYSCALLS_AARCH64 || name in i386.SYSCALLS_I386;
  return {
    cgroups: (r: OciResources, cgroupsPath: string) => {
      const warnings: string[] = [];
      const c: Record<string, number> = {};
      if (r.memory?.limit !== undefined && r.memory.limit > 0) c.memory = r.memory.limit;
      if (r.memory?.swap !== undefined && r.memory.limit !== undefined && r.memory.limit > 0) c.memorySwap = r.memory.swap;
      if (r.pids?.limit !== undefined && r.pids.limit !== 0) c.pidsLimit = r.pids.limit > 0 ? r.pids.limit : -1;
      if (r.cpu?.quota !== undefined && r.cpu.quota > 0) {
        c.cpuQuota = r.cpu.quota;
        c.cpuPeriod = r.cpu.period ?? 100000;
      }
      if (r.cpu?.shares !== undefined && r.cpu.shares > 0) c.cpuShares = r.cpu.shares;
      const used = new Set(['memory.limit', 'memory.swap', 'pids.limit', 'cpu.quota', 'cpu.period', 'cpu.shares', 'cpu.cpus', 'cpu.mems']);
      for (const [group, v] of Object.entries(r)) {
        if (v === undefined || v === null) continue;
        if (group === 'devices') {
          warnings.push('linux.resources.devices is ignored: no device cgroup (the container gets only the default /dev nodes)');
          continue;
        }
        if (typeof v !== 'object' || Array.isArray(v)) {
          warnings.push(`linux.resources.${group} is ignored`);
          continue;
        }
        for (const key of Object.keys(v)) if (!used.has(`${group}.${key}`)) warnings.push(`linux.resources.${group}.${key} is ignored`);
      }
      const config: OciCgroupConfig = { path: cgroupsPath, limits: checkCgroupConfig(c) };
      if (r.cpu?.cpus) config.cpus = r.cpu.cpus;
      if (r.cpu?.mems) config.mems = r.cpu.mems;
      return { config, warnings };
    },
    seccomp: (s: OciSeccomp, caps: readonly string[]) => {
      const warnings: string[] = [];
      if (s.flags?.length) warnings.push(`linux.seccomp.flags ${s.flags.join(',')} are ignored`);
      if (s.listenerPath) warnings.push('linux.seccomp.listenerPath is ignored (no SCMP_ACT_NOTIFY support)');
      // libseccomp (and so runc) skips names it does not know; the security
      // compiler refuses them as typos. Follow runc here, but say which.
      const unknown = new Set<string>();
      const syscalls = (s.syscalls ?? []).map((r) => ({ ...r, names: r.names.filter((n) => known(n) || !unknown.add(n)) })).filter((r) => r.names.length > 0);
      if (unknown.size) warnings.push(`linux.seccomp: unknown syscalls skipped: ${[...unknown].join(', ')}`);
      const profile = checkProfile({ defaultAction: s.defaultAction, defaultErrnoRet: s.defaultErrnoRet, architectures: s.architectures, syscalls }, 'config.json linux.seccomp');
      const program = compileProfile(profile, { arch: nodeArchToSeccomp(arch()), caps, kernel: release() }).program.toString('base64');
      return { program, warnings };
    },
  };
}
