/**
 * A Feature adds one concern (cgroups, network, security) to the container
 * lifecycle without the core knowing its details. The core calls the hooks
 * in this order:
 *
 *   prepare   before the window, async: allocate (cgroup dir, IP lease)
 *   enterNamespaces  first thing in the window, sync: join namespaces made
 *             elsewhere (a path in config.json), so the core's mounts land there
 *   inWindow  inside the namespace window, sync: mounts into the rootfs
 *   attach    after spawn, before the go signal: place the pid (cgroup, veth)
 *   createSteps  right after attach: steps tiny-init runs before the go, so
 *             a "created" container is already in its user/cgroup namespaces
 *   initSteps the steps tiny-init runs inside, per stage
 *   afterExit after the container's PID 1 exited: read OOM, stats
 *   cleanup   always, in reverse order, also when a step above failed
 */
import type { InitStep } from './init/protocol.ts';
import type { ContainerSpec } from './spec.ts';

export type InitStage =
  /** after setsid (and chroot), before /proc: e.g. unshare(CLONE_NEWCGROUP) */
  | 'early'
  /** after /proc: mounts that need it (cgroupfs, masked paths, sysctls) */
  | 'mounts'
  /** last, just before exec: ids, capabilities, no_new_privs, seccomp */
  | 'final';

export interface ContainerContext {
  spec: ContainerSpec;
  /** The container's state directory. */
  dir: string;
  /** The rootfs as seen inside the window (before pivot_root). */
  rootfsPath: string;
  pid: number | null;
  /**
   * Facts features record, keyed by feature name (facts.network = { ip: '10.88.0.2' }).
   * Saved in the state file before the go signal, so cleanup can run later in another process.
   */
  facts: Record<string, unknown>;
  /**
   * Set in prepare() by a feature whose createSteps make tiny-init mount
   * /proc and pivot_root itself, so the window does neither: in a mount
   * namespace owned by a user namespace, the kernel allows a new /proc only
   * while a full one is still visible (mount_too_revealing in fs/namespace.c).
   */
  initPivots?: boolean;
}

export interface ExitInfo {
  exitCode: number;
  signal: NodeJS.Signals | null;
  oomKilled: boolean;
}

export interface Feature {
  readonly name: string;
  prepare?(ctx: ContainerContext): Promise<void>;
  enterNamespaces?(ctx: ContainerContext): void;
  inWindow?(ctx: ContainerContext): void;
  attach?(ctx: ContainerContext, pid: number): Promise<void>;
  createSteps?(ctx: ContainerContext): InitStep[];
  initSteps?(ctx: ContainerContext, stage: InitStage): InitStep[];
  afterExit?(ctx: ContainerContext, exit: ExitInfo): Promise<void>;
  cleanup?(ctx: ContainerContext): Promise<void>;
}

/**
 * Makes a Feature from the container's spec. spec.features[name] holds the
 * feature's own checked config (plain JSON, stored in state.json), so the
 * same feature can be rebuilt later in another process, e.g. to clean up
 * after a detached container: create(spec) + the saved facts is enough.
 */
export interface FeatureFactory {
  readonly name: string;
  /** null when the spec does not use this feature (no limits, --net host, …). */
  create(spec: ContainerSpec): Feature | null;
}
