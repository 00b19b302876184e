/**
 * The flags of `tiny-docker run` and how they become a ContainerSpec plus
 * the features (cgroups, network, security) that carry them out.
 */
import * as fs from 'node:fs';
import { ConfigError } from '../errors.ts';
import { checkName, newId, randomName, shortId } from '../ids.ts';
import { bestImage, resolveRootfs } from '../rootfs/images.ts';
import { imagesDir } from '../paths.ts';
import { securityConfigFromFlags } from '../security/config.ts';
import { buildEnv, type ContainerSpec } from '../spec.ts';
import { cgroupConfigFromFlags } from '../cgroups/config.ts';
import { networkConfigFromFlags } from '../network/config.ts';
import { bool, list, str, type FlagSpec, type ParsedFlags } from './args.ts';

export const RUN_FLAGS: FlagSpec[] = [
  { name: 'rootfs', type: 'string', value: 'DIR|NAME', help: 'root filesystem: a directory, or a prepared image name (alpine, busybox, host)' },
  { name: 'rootfs-mode', type: 'string', value: 'overlay|bind', help: 'overlay (copy-on-write, default) or bind (use the directory itself)' },
  { name: 'name', type: 'string', value: 'NAME', help: 'assign a name to the container' },
  { name: 'hostname', type: 'string', value: 'NAME', help: 'container hostname (default: the short id)' },
  { name: 'env', short: 'e', type: 'list', value: 'KEY=VALUE', help: 'set an environment variable (repeatable)' },
  { name: 'workdir', short: 'w', type: 'string', value: 'DIR', help: 'working directory inside the container' },
  { name: 'rm', type: 'bool', help: 'remove the container when it exits' },
  { name: 'detach', short: 'd', type: 'bool', help: 'run in the background and print the container id' },
  { name: 'interactive', short: 'i', type: 'bool', help: 'keep stdin open and pass it to the container' },
  { name: 'tty', short: 't', type: 'bool', help: 'allocate a pseudo-terminal' },
  { name: 'chroot', type: 'bool', help: 'teaching mode: chroot instead of pivot_root (see lab 04; escapable!)' },
  { name: 'read-only', type: 'bool', help: "mount the container's root filesystem read-only" },
  { name: 'memory', short: 'm', type: 'string', value: 'SIZE', help: 'memory limit, e.g. 128m' },
  { name: 'memory-swap', type: 'string', value: 'SIZE', help: 'memory + swap limit (-1: unlimited)' },
  { name: 'pids-limit', type: 'string', value: 'N', help: 'maximum number of processes' },
  { name: 'cpus', type: 'string', value: 'N', help: 'CPU quota, e.g. 0.5' },
  { name: 'cpu-shares', short: 'c', type: 'string', value: 'N', help: 'relative CPU weight (default 1024)' },
  { name: 'cgroup-parent', type: 'string', value: 'PATH', help: 'parent cgroup (default: tiny-docker under the caller\'s cgroup)' },
  { name: 'net', type: 'string', value: 'MODE', help: 'network: bridge (default, alias isolated), none (lo only), host (the host\'s: isolates nothing)' },
  { name: 'network', type: 'string', value: 'MODE', help: 'same as --net' },
  { name: 'publish', short: 'p', type: 'list', value: '[IP:]HOST:CTR[/proto]', help: 'publish a container port on the host' },
  { name: 'cap-add', type: 'list', value: 'CAP', help: 'add a Linux capability (or ALL)' },
  { name: 'cap-drop', type: 'list', value: 'CAP', help: 'drop a Linux capability (or ALL)' },
  { name: 'privileged', type: 'bool', help: 'keep every capability, no seccomp, no masked paths' },
  { name: 'security-opt', type: 'list', value: 'OPT', help: 'no-new-privileges, seccomp=unconfined|PATH.json' },
  { name: 'trace', type: 'bool', help: 'print every kernel step as it happens (teaching trace)' },
  { name: 'trace-file', type: 'string', value: 'FILE', help: 'write the trace events as JSON' },
  { name: 'help', type: 'bool', help: 'show this help' },
];

/** Resolve the rootfs: --rootfs, else the best prepared image, else build the host one now. */
async function chooseRootfs(flag: string | undefined): Promise<string> {
  if (flag !== undefined) {
    if (flag === '') throw new ConfigError('--rootfs needs a directory or an image name');
    return resolveRootfs(flag);
  }
  const best = bestImage();
  if (best) return best;
  const { info, progress, progressDone } = await import('./output.ts');
  info(`no prepared rootfs yet: building the offline "host" rootfs in ${imagesDir()} (first run only)`);
  const { buildHostRootfs } = await import('../../rootfs/host.ts');
  fs.mkdirSync(imagesDir(), { recursive: true });
  const dir = await buildHostRootfs(`${imagesDir()}/host`, progress);
  progressDone();
  return dir;
}

export async function specFromFlags(flags: ParsedFlags, command: string[]): Promise<ContainerSpec> {
  const id = newId();
  const name = checkName(str(flags, 'name') ?? randomName());
  const mode = str(flags, 'rootfs-mode') ?? 'overlay';
  if (mode !== 'overlay' && mode !== 'bind') throw new ConfigError(`invalid --rootfs-mode ${JSON.stringify(mode)}: use overlay or bind`);
  const hostname = str(flags, 'hostname') ?? shortId(id);
  const net = str(flags, 'net') ?? str(flags, 'network') ?? 'bridge';
  return {
    id,
    name,
    rootfs: await chooseRootfs(str(flags, 'rootfs')),
    rootfsMode: mode,
    command,
    env: buildEnv(list(flags, 'env'), hostname, bool(flags, 'tty')),
    workdir: str(flags, 'workdir') ?? '/',
    hostname,
    isolation: bool(flags, 'chroot') ? 'chroot' : 'pivot_root',
    namespaces: { mnt: true, uts: true, ipc: true, pid: true, net: net !== 'host' },
    readOnly: bool(flags, 'read-only'),
    autoRemove: bool(flags, 'rm'),
    features: {},
  };
}

/**
 * Turn the resource, network and security flags into checked feature
 * configs in spec.features (plain JSON, saved in state.json). The runtime
 * then builds the Features from them (runtime/feature-registry.ts).
 * Each concern adds one line here, calling its own pure parser.
 */
export async function applyFeatureFlags(flags: ParsedFlags, spec: ContainerSpec): Promise<void> {
  spec.features.cgroups = cgroupConfigFromFlags({
    memory: str(flags, 'memory'),
    memorySwap: str(flags, 'memory-swap'),
    pidsLimit: str(flags, 'pids-limit'),
    cpus: str(flags, 'cpus'),
    cpuShares: str(flags, 'cpu-shares'),
    cgroupParent: str(flags, 'cgroup-parent'),
  });
  spec.features.security = securityConfigFromFlags({
    capAdd: list(flags, 'cap-add'),
    capDrop: list(flags, 'cap-drop'),
    privileged: bool(flags, 'privileged'),
    securityOpt: list(flags, 'security-opt'),
  });
  spec.features.network = networkConfigFromFlags({ net: str(flags, 'net') ?? str(flags, 'network'), publish: list(flags, 'publish') });
}
