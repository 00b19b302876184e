/**
 * Where things are on each side of the Mac ↔ Lima boundary, read from the
 * environment once. Everything the router decides starts here, so tests can
 * point it at a stand-in `limactl`, a temporary guest directory and this
 * machine's node.
 */
import * as path from 'node:path';

/** Should this process hand the command to Lima instead of running it? */
export function routingWanted(env: NodeJS.ProcessEnv = process.env, platform: string = process.platform): boolean {
  if (env.TINY_DOCKER_ROUTE === 'lima') return true; // forced: tests and demos on Linux
  // 'guest' is what the router sets inside the VM, so a routed command never routes again.
  if (env.TINY_DOCKER_ROUTE === 'guest' || env.TINY_DOCKER_ROUTE === 'off') return false;
  return platform === 'darwin';
}

export interface LimaConfig {
  /** `limactl` itself (a name looked up on PATH, or a path). */
  limactl: string;
  /** The Lima instance: TINY_DOCKER_LIMA_INSTANCE, default tiny-docker. */
  instance: string;
  /** The project checkout, shared at the same path in the guest. */
  projectDir: string;
  /** Guest-local disk for state, rootfs and the Linux node_modules (not the shared mount). */
  guestDir: string;
  /** Node in the guest (installed by the template's provisioning). */
  guestNode: string;
}

export function limaConfig(projectDir: string, env: NodeJS.ProcessEnv = process.env): LimaConfig {
  return {
    limactl: env.TINY_DOCKER_LIMACTL ?? 'limactl',
    instance: env.TINY_DOCKER_LIMA_INSTANCE || 'tiny-docker',
    projectDir,
    guestDir: env.TINY_DOCKER_LIMA_GUEST_DIR ?? '/var/lib/tiny-docker',
    guestNode: env.TINY_DOCKER_LIMA_NODE ?? '/usr/local/bin/node',
  };
}

/** Our arch names (build paths: linux-amd64, linux-arm64). */
export type GuestArch = 'amd64' | 'arm64';

/**
 * `limactl list --json` reports the guest's arch in uname terms. Map it to
 * the names our build paths use: aarch64 → arm64, x86_64 → amd64.
 */
export function guestArch(limaArch: string): GuestArch | null {
  if (limaArch === 'aarch64' || limaArch === 'arm64') return 'arm64';
  if (limaArch === 'x86_64' || limaArch === 'amd64') return 'amd64';
  return null;
}

/** Node/npm name the same CPUs differently: koffi's package is koffi-linux-x64 for amd64. */
export function nodeArch(arch: GuestArch): 'x64' | 'arm64' {
  return arch === 'amd64' ? 'x64' : 'arm64';
}

/** The per-arch pieces of "the Linux build" the guest needs. */
export interface ArchBuild {
  arch: GuestArch;
  /** tiny-init compiled in the guest for its arch, on the shared path (the host can see it). */
  init: string;
  /** koffi's native package for that arch, in the node_modules the guest sees. */
  koffi: string;
  /** Guest-local Linux node_modules, bind-mounted over <project>/node_modules in the guest. */
  guestNodeModules: string;
}

export function archBuild(cfg: LimaConfig, arch: GuestArch): ArchBuild {
  return {
    arch,
    init: path.join(cfg.projectDir, 'runtime', 'init', 'build', `linux-${arch}`, 'tiny-init'),
    koffi: path.join(cfg.projectDir, 'node_modules', '@koromix', `koffi-linux-${nodeArch(arch)}`),
    guestNodeModules: path.join(cfg.guestDir, 'npm', 'node_modules'),
  };
}

/** The probe file: written on the host, read in the guest to prove the path is shared. */
export function probePath(projectDir: string): string {
  return path.join(projectDir, '.tiny-docker', 'lima-probe');
}
