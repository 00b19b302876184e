/**
 * A Feature adds one concern (cgroups, network, security) to the container
 * lifecycle without the core knowing its details. The core calls the hooks
 * in this order:
 *
 *   prepare   before the window, async: allocate (cgroup dir, IP lease)
 *   inWindow  inside the namespace window, sync: mounts into the rootfs
 *   attach    after spawn, before the go signal: place the pid (cgroup, veth)
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
  /** Facts features record for inspect/state (e.g. { ip: '10.88.0.2' }). */
  facts: Record<string, unknown>;
}

export interface ExitInfo {
  exitCode: number;
  signal: NodeJS.Signals | null;
  oomKilled: boolean;
}

export interface Feature {
  readonly name: string;
  prepare?(ctx: ContainerContext): Promise<void>;
  inWindow?(ctx: ContainerContext): void;
  attach?(ctx: ContainerContext, pid: number): Promise<void>;
  initSteps?(ctx: ContainerContext, stage: InitStage): InitStep[];
  afterExit?(ctx: ContainerContext, exit: ExitInfo): Promise<void>;
  cleanup?(ctx: ContainerContext): Promise<void>;
}
