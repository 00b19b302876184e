/**
 * The 'security' Feature: turns a SecurityConfig into tiny-init steps.
 *
 *   stage 'mounts' (after /proc is mounted inside):
 *       READONLY /proc/sys …    MASK /proc/kcore …
 *   stage 'final' (the last steps before exec, after every other feature's):
 *       without no_new_privs:  SECCOMP, CAPS
 *       with no_new_privs:     CAPS, NNP, SECCOMP
 *
 * Why that order (runc's standard_init_linux.go does the same): installing a
 * seccomp filter needs either no_new_privs or CAP_SYS_ADMIN. Without
 * no_new_privs we must install it while we still have CAP_SYS_ADMIN, i.e.
 * before dropping capabilities, and the profile must then allow what the
 * CAPS step does (prctl, capset: ours does). With no_new_privs we install it
 * as late as possible, so the fewest syscalls run under it before exec.
 *
 * Nothing here lives outside the container's own mount namespace and
 * process, so there is nothing to clean up.
 */
import { arch, release } from 'node:os';
import type { Feature, FeatureFactory, InitStage } from '../features.ts';
import type { InitStep } from '../init/protocol.ts';
import type { ContainerSpec } from '../spec.ts';
import { readKernelFile } from '../sys/files.ts';
import { traced } from '../sys/trace.ts';
import { ConfigError } from '../errors.ts';
import { capabilityMask, capabilityNames } from './capabilities.ts';
import { defaultSecurityConfig, type SecurityConfig } from './config.ts';
import { defaultProfile } from './seccomp/default-profile.ts';
import { compileProfile, nodeArchToSeccomp } from './seccomp/compile.ts';

let lastCapCache: number | null = null;

/** The highest capability this kernel knows (40 on Linux 5.9+). */
export function hostLastCap(): number {
  lastCapCache ??= Number(readKernelFile('/proc/sys/kernel/cap_last_cap').trim());
  return lastCapCache;
}

let boundingCache: bigint | null = null;

/**
 * The capabilities we ourselves may hand out: our own bounding set. A sandboxed
 * caller may lack some (a CI runner without CAP_SYS_RESOURCE), and capset(2)
 * refuses to grant what the caller cannot have.
 */
export function hostBoundingSet(): bigint {
  if (boundingCache === null) {
    const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readKernelFile('/proc/self/status'));
    boundingCache = m ? BigInt(`0x${m[1]}`) : (1n << BigInt(hostLastCap() + 1)) - 1n;
  }
  return boundingCache;
}

/** The container's capability mask: 'ALL' shrinks to what we have; a named one we lack is an error. */
export function containerCapMask(config: SecurityConfig): bigint {
  const wanted = capabilityMask(config.capabilities, hostLastCap());
  const have = hostBoundingSet();
  if (config.capabilities === 'ALL') return wanted & have;
  const missing = capabilityNames(wanted & ~have);
  if (missing.length > 0) {
    throw new ConfigError(`cannot grant ${missing.join(', ')}: tiny-docker itself runs without ${missing.length > 1 ? 'them' : 'it'} (see CapBnd in /proc/self/status)`);
  }
  return wanted;
}

const filterCache = new Map<string, Buffer>();

/** The BPF program for this config, or null for unconfined. */
export function seccompProgram(config: SecurityConfig): Buffer | null {
  const s = config.seccomp;
  if (s.mode === 'unconfined') return null;
  const profile = s.mode === 'profile' ? s.profile : defaultProfile();
  const opts = { arch: nodeArchToSeccomp(arch()), caps: config.capabilities, kernel: release() };
  // The default profile depends only on the capabilities: compile it once per set.
  const key = s.mode === 'default' ? JSON.stringify(config.capabilities) : null;
  return traced(
    () => `compile seccomp profile ${s.mode === 'profile' ? s.path : 'default'} for ${opts.arch}`,
    () => {
      const hit = key ? filterCache.get(key) : undefined;
      if (hit) return hit;
      const { program } = compileProfile(profile, opts);
      if (key) filterCache.set(key, program);
      return program;
    },
    (p) => `= ${p.length / 8} BPF instructions`,
  );
}

/** The steps for one stage: pure, given the capability mask and the kernel's last capability. */
export function securitySteps(config: SecurityConfig, stage: InitStage, capMask: bigint, lastCap: number, seccomp: Buffer | null): InitStep[] {
  if (stage === 'mounts') {
    return [
      // Read-only first, then masks, as runc: a mask inside a read-only tree still works.
      ...config.readonlyPaths.map((p): InitStep => ({ op: 'READONLY', args: [p] })),
      ...config.maskedPaths.map((p): InitStep => ({ op: 'MASK', args: [p] })),
    ];
  }
  if (stage !== 'final') return [];
  // lab:07-security begin — CAPS args, then the order: seccomp before CAPS without no_new_privs, after with it
  const mask = capMask.toString();
  // bounding, effective, permitted, inheritable, ambient, cap_last_cap.
  // Inheritable and ambient stay empty (Docker since CVE-2022-24769): after
  // exec, root's permitted set is then exactly the bounding set.
  const caps: InitStep = { op: 'CAPS', args: [mask, mask, mask, '0', '0', String(lastCap)] };
  const filter: InitStep[] = seccomp ? [{ op: 'SECCOMP', args: [seccomp] }] : [];
  if (config.noNewPrivileges) return [caps, { op: 'NNP', args: [] }, ...filter];
  return [...filter, caps];
  // lab:07-security end
}

export function securityConfigOf(spec: ContainerSpec): SecurityConfig {
  return (spec.features.security as SecurityConfig | undefined) ?? defaultSecurityConfig();
}

export const securityFeature: FeatureFactory = {
  name: 'security',
  // Always on: a spec without spec.features.security gets Docker's defaults.
  create(spec: ContainerSpec): Feature {
    const config = securityConfigOf(spec);
    // Compiled once per container: in prepare for a run, on first use for exec.
    let program: Buffer | null | undefined;
    const filter = () => (program === undefined ? (program = seccompProgram(config)) : program);
    return {
      name: 'security',
      async prepare(ctx) {
        // Refuse a capability we cannot grant before anything is built.
        containerCapMask(config);
        // Compile the filter before any namespace exists, and record what
        // inspect shows now, so the first state write already holds it.
        const bpf = filter();
        ctx.facts.security = {
          capabilities: config.capabilities,
          seccomp: config.seccomp.mode,
          seccompInstructions: bpf ? bpf.length / 8 : 0,
          noNewPrivileges: config.noNewPrivileges,
        };
      },
      initSteps(_ctx, stage) {
        if (stage === 'early') return [];
        const mask = stage === 'final' ? containerCapMask(config) : 0n;
        return securitySteps(config, stage, mask, hostLastCap(), stage === 'final' ? filter() : null);
      },
    };
  },
};
