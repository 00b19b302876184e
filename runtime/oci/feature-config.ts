/**
 * What tiny-runc keeps in spec.features.oci: the parts of config.json that
 * the runtime core has no field for, already checked and turned into the
 * numbers the kernel wants. Plain JSON, saved in state.json, so `delete`
 * (another process) can rebuild the feature from it.
 */
import type { CapabilityMasks } from './capabilities.ts';
import type { OciCgroupConfig } from './cgroups.ts';
import type { OciHooks } from './hooks.ts';
import type { IdMapping } from '../userns.ts';

export interface MountStep {
  destination: string;
  type: string;
  source: string;
  /** MS_* flags for mount(2). */
  flags: number;
  /** MS_SHARED/MS_SLAVE/… for a second mount(2) call; 0 = leave as is. */
  propagation: number;
  data: string;
}

export interface DeviceNode {
  path: string;
  /** c (or u), b, p */
  type: string;
  major: number;
  minor: number;
  mode: number;
  uid: number;
  gid: number;
}

export type JoinableNamespace = 'mnt' | 'net' | 'ipc' | 'uts' | 'pid';

export interface OciFeatureConfig {
  ociVersion: string;
  /** Absolute bundle directory (reported by `state`). */
  bundle: string;
  annotations: Record<string, string>;
  /** Mounts the core does not already make, in config order. */
  mounts: MountStep[];
  /**
   * Mount points listed after /proc in config.json, to bind again onto
   * themselves (MS_BIND|MS_REC) right after tiny-init has mounted /proc.
   * Why: the spec says mounts are made in the listed order, and the kernel
   * lists mounts (/proc/self/mountinfo) in the order they were created.
   * /proc can only be mounted from inside the PID namespace, i.e. after the
   * window made /dev and /sys; a fresh bind puts them after /proc again.
   * Their propagation (shared, unbindable, …) is set on the fresh mount.
   */
  rebind: { destination: string; propagation: number }[];
  /** config.json mounts proc at /proc. */
  procMount: boolean;
  /** linux.rootfsPropagation as MS_* flags; 0 = private (the core's default). */
  rootPropagation: number;
  /** Namespaces to join (setns) instead of creating them. */
  joins: { kind: JoinableNamespace; path: string }[];
  /** A new cgroup namespace, entered by tiny-init once its cgroup is set. */
  cgroupNs: boolean;
  /** A new user namespace (runtime/userns.ts) owning the others; null = the host's. */
  userns: { uidMappings: IdMapping[]; gidMappings: IdMapping[] } | null;
  user: { uid: number; gid: number; additionalGids: number[]; umask: number | null };
  caps: CapabilityMasks | null;
  /** /proc/sys/kernel/cap_last_cap when the container was created. */
  lastCap: number;
  /** The runtime's own permitted set (CapPrm): what init has before it drops any. */
  runtimeCaps: string;
  noNewPrivileges: boolean;
  rlimits: { resource: number; soft: string; hard: string }[];
  sysctl: [string, string][];
  maskedPaths: string[];
  readonlyPaths: string[];
  oomScoreAdj: number | null;
  devices: DeviceNode[];
  /** The container's cgroup (cgroups.ts); null when the machine has no cgroups. */
  cgroup: OciCgroupConfig | null;
  /** Hooks run by the runtime (hooks.ts). */
  hooks: OciHooks;
  /** A compiled classic-BPF seccomp program, base64; null = none. */
  seccomp: string | null;
}
