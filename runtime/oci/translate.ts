/**
 * config.json → ContainerSpec (+ spec.features.oci). Pure apart from reading
 * /proc/sys/kernel/cap_last_cap through the `env` argument, so it is unit
 * tested without root. Every field is either used, or named in a warning
 * (printed on stderr by the CLI), or refused with a ConfigError: nothing is
 * dropped silently.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { ConfigError } from '../errors.ts';
import type { NamespaceSet } from '../namespaces.ts';
import type { ContainerSpec } from '../spec.ts';
import { hostIdOf, type IdMapping } from '../userns.ts';
import { capabilityMasks } from './capabilities.ts';
import { OCI_VERSION, type OciConfig, type OciIdMapping, type OciMount, type OciUser } from './config.ts';
import type { DeviceNode, JoinableNamespace, MountStep, OciFeatureConfig } from './feature-config.ts';
import { parseMountOptions, propagationFlags } from './mount-options.ts';
import { translateResources, translateSeccomp, type Extras } from './extras.ts';

export interface TranslateInput {
  config: OciConfig;
  /** Absolute path of the bundle directory. */
  bundle: string;
  id: string;
  /** The host's hostname, used when config.json names none (runc keeps the inherited one). */
  hostHostname: string;
  lastCap: number;
  /** The runtime's permitted capabilities as a decimal mask (CapPrm of /proc/self/status). */
  runtimeCaps: string;
  /** Optional hooks into other features (cgroups, seccomp compiler), filled in once they exist. */
  extras?: Extras;
}

export interface Translation {
  spec: ContainerSpec;
  oci: OciFeatureConfig;
  warnings: string[];
}

/** OCI ids are free-form; the store wants 64 hex digits: hash the id (stable, so lookups need no index). */
export function internalId(ociId: string): string {
  return createHash('sha256').update(`tiny-runc:${ociId}`).digest('hex');
}

export const OCI_ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

const RLIMITS: Record<string, number> = {
  RLIMIT_CPU: 0, RLIMIT_FSIZE: 1, RLIMIT_DATA: 2, RLIMIT_STACK: 3, RLIMIT_CORE: 4, RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6, RLIMIT_NOFILE: 7, RLIMIT_MEMLOCK: 8, RLIMIT_AS: 9, RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11, RLIMIT_MSGQUEUE: 12, RLIMIT_NICE: 13, RLIMIT_RTPRIO: 14, RLIMIT_RTTIME: 15,
};

/** Mounts the runtime core always makes (rootfs/mounts.ts, rootfs/dev.ts, tiny-init's /proc). */
const CORE_MOUNTS: Record<string, string> = {
  '/proc': 'proc',
  '/dev': 'tmpfs',
  '/dev/pts': 'devpts',
  '/dev/shm': 'tmpfs',
  '/dev/mqueue': 'mqueue',
  '/sys': 'sysfs',
};

const NS_KINDS: Record<string, keyof NamespaceSet | 'cgroup' | 'user' | 'time'> = {
  pid: 'pid', network: 'net', ipc: 'ipc', uts: 'uts', mount: 'mnt', cgroup: 'cgroup', user: 'user', time: 'time',
};

const fail = (msg: string, hint?: string): never => {
  throw new ConfigError(msg, hint ? { hint } : {});
};

export function translate(input: TranslateInput): Translation {
  const { config: c, bundle, id } = input;
  const warnings: string[] = [];
  if (!OCI_ID_PATTERN.test(id)) fail(`invalid container id ${JSON.stringify(id)}: use letters, digits, _ . - (at most 128)`);
  const p = c.process ?? fail('config.json has no "process": say what to run');
  if (!c.root?.path) fail('config.json has no "root.path": name the rootfs directory');
  if (!p.args || p.args.length === 0) fail('process.args is empty: say what to run, e.g. ["sh"]');
  if (p.terminal) fail('process.terminal is true, but tiny-runc has no console support', 'set "terminal": false (runc spec --no-terminal does the same)');
  if (p.user?.username) fail('process.user.username is Windows-only; give uid/gid');
  if (p.apparmorProfile) fail(`process.apparmorProfile ${JSON.stringify(p.apparmorProfile)}: tiny-runc has no AppArmor support`);
  if (p.selinuxLabel) fail('process.selinuxLabel: tiny-runc has no SELinux support');
  if (p.commandLine) fail('process.commandLine is Windows-only');
  const cwd = p.cwd ?? '/';
  if (!path.posix.isAbsolute(cwd)) fail(`process.cwd ${JSON.stringify(cwd)} must be an absolute path`);
  if (p.user?.umask !== undefined) warnings.push('process.user.umask is ignored (tiny-init has no umask step)');

  const linux = c.linux ?? {};
  if (linux.mountLabel) fail('linux.mountLabel: tiny-runc has no SELinux support');
  if (linux.intelRdt) fail('linux.intelRdt is not supported');
  if (linux.personality) fail('linux.personality is not supported');
  if (linux.timeOffsets) fail('linux.timeOffsets need a time namespace, which tiny-runc does not support');

  // Namespaces: new ones go into the core's NamespaceSet; paths are joined in the window (feature.ts).
  const namespaces: NamespaceSet = { mnt: false, uts: false, ipc: false, net: false, pid: false };
  const joins: OciFeatureConfig['joins'] = [];
  let cgroupNs = false;
  let userNs = false;
  for (const ns of linux.namespaces ?? []) {
    const raw = NS_KINDS[ns.type] ?? fail(`unknown namespace type ${JSON.stringify(ns.type)} in linux.namespaces`);
    if (raw === 'user') {
      if (ns.path) fail('joining a user namespace by path is not supported by tiny-runc');
      if (userNs) fail('namespace user is listed twice in linux.namespaces');
      userNs = true;
      continue;
    }
    if (raw === 'time') fail('time namespaces are not supported by tiny-runc');
    const kind = raw as keyof NamespaceSet | 'cgroup';
    if (kind === 'cgroup') {
      if (ns.path) fail('joining a cgroup namespace by path is not supported');
      cgroupNs = true;
      continue;
    }
    if (namespaces[kind] || joins.some((j) => j.kind === kind)) fail(`namespace ${ns.type} is listed twice in linux.namespaces`);
    if (ns.path) {
      if (!path.isAbsolute(ns.path)) fail(`namespace path ${JSON.stringify(ns.path)} must be absolute`);
      joins.push({ kind: kind as JoinableNamespace, path: ns.path });
    }
    // A joined namespace is still "new" for the window: it unshares one and
    // setns()es away from it, and restoring it brings the runtime back home.
    namespaces[kind] = true;
  }
  // Without a mount namespace there is no pivot_root: tiny-init chroot()s, and
  // the rootfs mounts live in the host's namespace until the container exits
  // (its holder detaches them then; `delete` does too).
  if (!namespaces.mnt) warnings.push('no mount namespace: the container shares the host\'s mounts; tiny-runc uses chroot instead of pivot_root');
  const userns = userNs ? userNamespace(linux, namespaces, joins, p.user) : null;
  if (!userNs && (linux.uidMappings?.length || linux.gidMappings?.length)) fail('linux.uidMappings/gidMappings are set, but linux.namespaces has no user namespace (add {"type": "user"})');
  if (c.hostname && !namespaces.uts) fail('config.json sets a hostname but asks for no new UTS namespace (add {"type": "uts"})');

  const rootfs = path.resolve(bundle, c.root!.path);
  const mounts: MountStep[] = [];
  const rebind: OciFeatureConfig['rebind'] = [];
  let afterProc = false;
  for (const m of c.mounts ?? []) {
    const step = mountStep(m, bundle, namespaces, warnings);
    if (step) mounts.push(step);
    const dest = path.posix.normalize(m.destination);
    if (m.type === 'proc' && dest === '/proc') afterProc = true;
    else if (afterProc && (step || CORE_MOUNTS[dest] === m.type) && !rebind.some((r) => dest === r.destination || dest.startsWith(`${r.destination}/`))) {
      rebind.push({ destination: dest, propagation: step?.propagation ?? 0 });
    }
  }
  let rootPropagation = 0;
  if (linux.rootfsPropagation) rootPropagation = propagationFlags(linux.rootfsPropagation) ?? fail(`unknown linux.rootfsPropagation ${JSON.stringify(linux.rootfsPropagation)}`);

  const rlimits = (p.rlimits ?? []).map((r) => {
    const resource = RLIMITS[r.type] ?? fail(`unknown rlimit type ${JSON.stringify(r.type)} in process.rlimits`);
    return { resource, soft: BigInt(r.soft).toString(), hard: BigInt(r.hard).toString() };
  });
  const sysctl = Object.entries(linux.sysctl ?? {});
  for (const [key] of sysctl) if (!/^[a-zA-Z0-9_.\/-]+$/.test(key) || key.includes('..')) fail(`invalid sysctl name ${JSON.stringify(key)}`);
  const devices = (linux.devices ?? []).map(deviceNode);
  if (c.domainname) warnings.push('domainname is ignored');
  for (const phase of ['createContainer', 'startContainer'] as const) {
    if (c.hooks?.[phase]?.length) warnings.push(`${phase} hooks are not run: they must run inside the container's namespaces`);
  }
  const hooks = { prestart: c.hooks?.prestart ?? [], createRuntime: c.hooks?.createRuntime ?? [], poststart: c.hooks?.poststart ?? [], poststop: c.hooks?.poststop ?? [] };
  for (const h of Object.values(hooks).flat()) if (!h.path || !path.isAbsolute(h.path)) fail(`hook path ${JSON.stringify(h.path)} must be absolute`);

  const extras: Extras = input.extras ?? {};
  const features: Record<string, unknown> = {};
  if (linux.cgroupsPath !== undefined && (linux.cgroupsPath.split('/').includes('..') || !/^[A-Za-z0-9_.:@\/-]+$/.test(linux.cgroupsPath))) fail(`invalid linux.cgroupsPath ${JSON.stringify(linux.cgroupsPath)}`);
  const cgroup = translateResources(linux.resources, linux.cgroupsPath || `tiny-runc/${id}`, warnings, extras);
  const seccomp = linux.seccomp ? translateSeccomp(linux.seccomp, p.capabilities?.effective ?? [], warnings, extras) : null;

  const oci: OciFeatureConfig = {
    ociVersion: c.ociVersion ?? OCI_VERSION,
    bundle,
    annotations: c.annotations ?? {},
    mounts,
    rebind,
    procMount: afterProc,
    rootPropagation,
    joins,
    cgroupNs,
    userns,
    user: { uid: p.user?.uid ?? 0, gid: p.user?.gid ?? 0, additionalGids: p.user?.additionalGids ?? [], umask: p.user?.umask ?? null },
    caps: p.capabilities ? capabilityMasks(p.capabilities, input.lastCap) : null,
    lastCap: input.lastCap,
    runtimeCaps: input.runtimeCaps,
    noNewPrivileges: p.noNewPrivileges ?? false,
    rlimits,
    sysctl,
    maskedPaths: linux.maskedPaths ?? [],
    readonlyPaths: linux.readonlyPaths ?? [],
    oomScoreAdj: p.oomScoreAdj ?? null,
    devices,
    cgroup,
    hooks,
    seccomp,
  };
  features.oci = oci;
  const spec: ContainerSpec = {
    id: internalId(id),
    name: id,
    rootfs,
    // The bundle's rootfs is used in place (runc does the same): no overlay.
    rootfsMode: 'bind',
    command: p.args!,
    env: p.env ?? [],
    workdir: cwd,
    hostname: c.hostname || input.hostHostname,
    isolation: namespaces.mnt ? 'pivot_root' : 'chroot',
    namespaces,
    readOnly: c.root!.readonly ?? false,
    autoRemove: false,
    features,
  };
  return { spec, oci, warnings };
}

/** Checks for a new user namespace: what the kernel would refuse, said before anything is made. */
function userNamespace(linux: NonNullable<OciConfig['linux']>, ns: NamespaceSet, joins: OciFeatureConfig['joins'], user: OciUser | undefined): NonNullable<OciFeatureConfig['userns']> {
  const uidMappings = idMappings('uidMappings', linux.uidMappings);
  const gidMappings = idMappings('gidMappings', linux.gidMappings);
  // The namespaces it owns are made together with it (runtime/userns.ts); one
  // joined by path belongs to another user namespace, and the mount namespace
  // is where /proc and pivot_root happen as its root.
  if (!ns.mnt || joins.length > 0) fail('a user namespace needs new namespaces in tiny-runc: a new mount namespace, and none joined by path');
  // PID 1 becomes root (0:0) in the namespace, then the configured user.
  const need: [string, number, IdMapping[]][] = [
    ['uid 0 (the container\'s root)', 0, uidMappings],
    ['gid 0', 0, gidMappings],
    [`process.user.uid ${user?.uid ?? 0}`, user?.uid ?? 0, uidMappings],
    [`process.user.gid ${user?.gid ?? 0}`, user?.gid ?? 0, gidMappings],
    ...(user?.additionalGids ?? []).map((g): [string, number, IdMapping[]] => [`additional gid ${g}`, g, gidMappings]),
  ];
  for (const [what, id, maps] of need) {
    if (hostIdOf(maps, id) === null) fail(`${what} is not mapped by linux.${maps === uidMappings ? 'uid' : 'gid'}Mappings`);
  }
  return { uidMappings, gidMappings };
}

/** One mappings list: numbers in range, at most 340 lines, no overlap (man 7 user_namespaces). */
function idMappings(field: string, list: OciIdMapping[] | undefined): IdMapping[] {
  if (!list?.length) fail(`a user namespace needs linux.${field} (e.g. [{"containerID": 0, "hostID": 100000, "size": 65536}])`);
  if (list!.length > 340) fail(`linux.${field} has ${list!.length} entries; the kernel allows at most 340`);
  const maps = list!.map((m, i) => {
    const ok = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) < 2 ** 32;
    if (!ok(m.containerID) || !ok(m.hostID) || !ok(m.size) || m.size < 1 || m.containerID + m.size > 2 ** 32 || m.hostID + m.size > 2 ** 32) {
      fail(`linux.${field}[${i}] must have integer containerID, hostID and size (size at least 1, ranges below 2^32), got ${JSON.stringify(m)}`);
    }
    return { containerID: m.containerID, hostID: m.hostID, size: m.size };
  });
  for (const side of ['containerID', 'hostID'] as const) {
    const sorted = [...maps].sort((a, b) => a[side] - b[side]);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i - 1]![side] + sorted[i - 1]!.size > sorted[i]![side]) fail(`linux.${field} has overlapping ${side} ranges`);
    }
  }
  return maps;
}

function mountStep(m: OciMount, bundle: string, ns: NamespaceSet, warnings: string[]): MountStep | null {
  if (!m.destination || !path.posix.isAbsolute(m.destination)) fail(`mount destination ${JSON.stringify(m.destination)} must be an absolute path`);
  const dest = path.posix.normalize(m.destination);
  const opts = parseMountOptions(m.options ?? []);
  const isBind = m.type === 'bind' || (opts.flags & 4096) !== 0; // MS_BIND
  const type = isBind ? 'bind' : (m.type ?? fail(`mount ${dest} has no type`));
  // The core makes these already (with the same options runc's default config asks for).
  if (CORE_MOUNTS[dest] === type && (type !== 'sysfs' || ns.net)) return null;
  if (type === 'proc') {
    warnings.push(`mount of proc at ${dest} is ignored: tiny-init mounts /proc itself, from inside the PID namespace`);
    return null;
  }
  if (type === 'cgroup' || type === 'cgroup2') {
    warnings.push(`mount of ${type} at ${dest} is ignored: tiny-runc does not mount the cgroup file system inside`);
    return null;
  }
  const source = isBind ? path.resolve(bundle, m.source ?? fail(`bind mount ${dest} has no source`)) : (m.source ?? type);
  return { destination: dest, type, source, flags: opts.flags, propagation: opts.propagation, data: opts.data };
}

function deviceNode(d: NonNullable<OciConfig['linux']>['devices'] extends (infer T)[] | undefined ? T : never): DeviceNode {
  if (!path.posix.isAbsolute(d.path) || !d.path.startsWith('/dev/')) fail(`device path ${JSON.stringify(d.path)} must be under /dev`);
  if (!['c', 'u', 'b', 'p'].includes(d.type)) fail(`device ${d.path} has unknown type ${JSON.stringify(d.type)} (c, b, u or p)`);
  if (d.type !== 'p' && (d.major === undefined || d.minor === undefined)) fail(`device ${d.path} needs major and minor numbers`);
  return { path: d.path, type: d.type, major: d.major ?? 0, minor: d.minor ?? 0, mode: d.fileMode ?? 0o666, uid: d.uid ?? 0, gid: d.gid ?? 0 };
}
