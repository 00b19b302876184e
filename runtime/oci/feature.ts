/**
 * The "oci" Feature: what config.json asks for beyond the core's defaults.
 *
 *   prepare    a user namespace and the namespaces it owns (runtime/userns.ts)
 *   enterNamespaces  first in the window: enter those, or a mount namespace
 *              given by path (setns)
 *   inWindow   join the other namespaces by path (setns), the
 *              config's mounts, device nodes — all in the container's mount
 *              namespace, before pivot_root, with host paths still visible
 *   createSteps before the go: unshare(CLONE_NEWCGROUP) (after the cgroup
 *              placement); with a user namespace, first rlimits (as host
 *              root), /proc, join it, and after, pivot_root (userns.ts)
 *   initSteps  mounts: rootfs propagation (after pivot_root), sysctls,
 *                      masked paths, read-only paths (need /proc)
 *              final:  rlimits, oom_score_adj, capabilities, uid/gid,
 *                      no_new_privs, seccomp (last: it filters what follows)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerContext, Feature, InitStage } from '../features.ts';
import type { InitStep } from '../init/protocol.ts';
import { NS_FLAG } from '../namespaces.ts';
import type { ContainerSpec } from '../spec.ts';
import { CLONE, MNT, MS } from '../sys/flags.ts';
import { mknodDevice, mount, setns, umount2 } from '../sys/syscalls.ts';
import type { MountStep, OciFeatureConfig } from './feature-config.ts';
import { secureJoin } from './secure-join.ts';
import { containerUserSteps, createUserNamespace, hostIdOf, type OwnedNamespace, type UserNamespace } from '../userns.ts';

const OWNED: OwnedNamespace[] = ['mnt', 'uts', 'ipc', 'net'];

export function ociConfigOf(spec: ContainerSpec): OciFeatureConfig | null {
  return (spec.features.oci as OciFeatureConfig | undefined) ?? null;
}

export function ociFeature(spec: ContainerSpec): Feature | null {
  const c = ociConfigOf(spec);
  if (!c) return null;
  // The user namespace's fds: held by this process from prepare until cleanup (or its exit).
  let userns: UserNamespace | null = null;
  return {
    name: 'oci',
    async prepare(ctx) {
      if (!c.userns) return;
      const owned = OWNED.filter((k) => spec.namespaces[k]);
      userns = await createUserNamespace(owned, c.userns.uidMappings, c.userns.gidMappings);
      ctx.initPivots = true;
    },
    enterNamespaces() {
      // The user namespace's own mnt, uts, ipc and net namespaces replace
      // the window's new ones: root on the host may enter them (it has every
      // capability in every user namespace below its own).
      for (const [kind, fd] of userns?.owned ?? []) setns(fd, NS_FLAG[kind], `the user namespace's ${kind}`);
      // A mount namespace joined by path: the rootfs is assembled (and
      // pivot_root'ed) in it, as runc does, so it must be entered before the
      // core's first mount.
      joinNamespaces(c.joins.filter((j) => j.kind === 'mnt'));
    },
    inWindow(ctx) {
      // The others are joined after the core has set the hostname and brought
      // lo up in the window's own new namespaces: a namespace joined by path is
      // someone else's, and we leave its hostname and links alone.
      joinNamespaces(c.joins.filter((j) => j.kind !== 'mnt'));
      const root = ctx.rootfsPath;
      // tiny-init mounts /proc only from inside a new PID or mount namespace.
      // In the host's PID namespace, the window's /proc is the right one.
      if (!spec.namespaces.pid && !spec.namespaces.mnt && c.procMount) {
        fs.mkdirSync(path.join(root, 'proc'), { recursive: true });
        mount('proc', path.join(root, 'proc'), 'proc', MS.MS_NOSUID | MS.MS_NOEXEC | MS.MS_NODEV);
      }
      // Mounts bound again after /proc get their propagation there (an unbindable one could not be bound again).
      const later = new Set(c.rebind.map((r) => r.destination));
      for (const m of c.mounts) mountOne(root, later.has(m.destination) ? { ...m, propagation: 0 } : m);
      for (const d of c.devices) makeDevice(root, d, c.userns);
    },
    createSteps(): InitStep[] {
      const steps = createStepsFor(c);
      return userns ? containerUserSteps(userns, steps.host, steps.inside) : steps.inside;
    },
    initSteps(_ctx: ContainerContext, stage: InitStage): InitStep[] {
      return stepsFor(c, stage);
    },
    async cleanup(ctx) {
      userns?.close();
      userns = null;
      detachHostMounts(spec, ctx.rootfsPath);
    },
  };
}

/**
 * No mount namespace: the rootfs and everything under it was mounted in the
 * host's namespace, where nothing frees it when the container exits. Detach
 * the whole tree (MNT_DETACH: lazily, even if a process still has a file open
 * there, and every submount with it). Safe to call twice: the holder calls it
 * when the container exits, `delete` calls it again.
 */
export function detachHostMounts(spec: ContainerSpec, rootfsPath: string): void {
  if (spec.namespaces.mnt) return; // the kernel freed them with the container's mount namespace
  try {
    umount2(rootfsPath, MNT.MNT_DETACH);
  } catch {
    // not mounted (any more): nothing to do
  }
}

function joinNamespaces(joins: OciFeatureConfig['joins']): void {
  for (const j of joins) {
    const fd = fs.openSync(j.path, 'r');
    try {
      // For pid this sets the namespace of our *children* (pid_for_children): tiny-init is spawned next.
      setns(fd, NS_FLAG[j.kind], j.path);
    } finally {
      fs.closeSync(fd);
    }
  }
}

function mountOne(root: string, m: MountStep): void {
  const dst = secureJoin(root, m.destination);
  if (m.type === 'bind') {
    // A bind mount's target must be of the same kind as its source: a file for a file.
    const isDir = fs.statSync(m.source).isDirectory();
    if (isDir) fs.mkdirSync(dst, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      if (!fs.existsSync(dst)) fs.writeFileSync(dst, '');
    }
    mount(m.source, dst, null, MS.MS_BIND | (m.flags & MS.MS_REC));
    // Flags such as MS_RDONLY are ignored by the first bind call: apply them with a remount.
    const extra = m.flags & ~(MS.MS_BIND | MS.MS_REC | MS.MS_REMOUNT);
    if (extra) mount(m.source, dst, null, MS.MS_BIND | MS.MS_REMOUNT | extra);
  } else {
    fs.mkdirSync(dst, { recursive: true });
    mount(m.source, dst, m.type, m.flags, m.data || null);
  }
  // Propagation is a property of an existing mount: a separate call, as in runc.
  if (m.propagation) mount(null, dst, null, m.propagation);
}

const S_IFMT: Record<string, number> = { c: 0o020000, u: 0o020000, b: 0o060000, p: 0o010000 };

function makeDevice(root: string, d: OciFeatureConfig['devices'][number], userns: OciFeatureConfig['userns']): void {
  const dst = secureJoin(root, d.path);
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.rmSync(dst, { force: true });
  mknodDevice(dst, S_IFMT[d.type]!, d.mode & 0o7777, d.major, d.minor);
  fs.chmodSync(dst, d.mode & 0o7777); // mknod applies the umask
  // uid/gid are the container's: in a user namespace, the host ids they map to.
  fs.chownSync(dst, userns ? (hostIdOf(userns.uidMappings, d.uid) ?? d.uid) : d.uid, userns ? (hostIdOf(userns.gidMappings, d.gid) ?? d.gid) : d.gid);
}

/** Rlimits and oom_score_adj: raising a hard limit or lowering the score needs CAP_SYS_RESOURCE on the host. */
function resourceSteps(c: OciFeatureConfig): InitStep[] {
  const steps: InitStep[] = c.rlimits.map((r) => ({ op: 'RLIMIT', args: [String(r.resource), r.soft, r.hard] }));
  if (c.oomScoreAdj !== null) steps.push({ op: 'WRITE', args: ['/proc/self/oom_score_adj', String(c.oomScoreAdj)] });
  return steps;
}

/**
 * Before the go: what a "created" container has done (runtime-tools looks at
 * its /proc/PID/ns/* then). `host`: steps that need host privileges, run
 * before PID 1 joins a user namespace (userns.ts puts them in order with
 * the join, /proc and the pivot). `inside`: entering a new cgroup namespace
 * *after* the parent put us in our cgroup makes that cgroup the root of what
 * the container sees (and inside a user namespace, makes it its owner).
 */
export function createStepsFor(c: OciFeatureConfig): { host: InitStep[]; inside: InitStep[] } {
  const host = c.userns ? resourceSteps(c) : [];
  const inside: InitStep[] = c.cgroupNs ? [{ op: 'UNSHARE', args: [String(CLONE.CLONE_NEWCGROUP)] }] : [];
  return { host, inside };
}

export function stepsFor(c: OciFeatureConfig, stage: InitStage): InitStep[] {
  const steps: InitStep[] = [];
  if (stage === 'early') {
    // nothing: the cgroup namespace is entered before the go (createStepsFor)
  } else if (stage === 'mounts') {
    // rootfsPropagation ("shared", "rslave", …) of the container's "/": only
    // after pivot_root, which refuses (EINVAL) a shared new root. (Here, after
    // /proc: in a user namespace tiny-init pivots only once /proc is mounted.)
    if (c.rootPropagation) steps.push({ op: 'MOUNT', args: ['', '/', '', String(c.rootPropagation), ''] });
    // See OciFeatureConfig.rebind: the config's order, in /proc/self/mountinfo too.
    for (const r of c.rebind) {
      steps.push({ op: 'MOUNT', args: [r.destination, r.destination, '', String(MS.MS_BIND | MS.MS_REC), ''] });
      if (r.propagation) steps.push({ op: 'MOUNT', args: ['', r.destination, '', String(r.propagation), ''] });
    }
    // Sysctls first: /proc/sys becomes read-only below.
    for (const [key, value] of c.sysctl) steps.push({ op: 'WRITE', args: [`/proc/sys/${key.replace(/\./g, '/')}`, value] });
    for (const p of c.maskedPaths) steps.push({ op: 'MASK', args: [p] });
    for (const p of c.readonlyPaths) steps.push({ op: 'READONLY', args: [p] });
  } else {
    // Before the capabilities go (in a user namespace: already done, before joining it).
    if (!c.userns) steps.push(...resourceSteps(c));
    const ids: InitStep = { op: 'IDS', args: [String(c.user.uid), String(c.user.gid), ...c.user.additionalGids.map(String)] };
    const seccomp: InitStep | null = c.seccomp ? { op: 'SECCOMP', args: [Buffer.from(c.seccomp, 'base64')] } : null;
    // Installing a filter needs no_new_privs or CAP_SYS_ADMIN: without
    // no_new_privs it goes in first, while we still have every capability
    // (runc does the same); with it, last, so the fewest syscalls run under it.
    if (seccomp && !c.noNewPrivileges) steps.push(seccomp);
    if (c.caps) {
      // runc's order: (1) shrink the bounding set while still root with every
      // capability (dropping needs CAP_SETPCAP), (2) setgroups/setgid/setuid
      // (need CAP_SETGID/CAP_SETUID; tiny-init keeps the permitted set across
      // setuid with PR_SET_KEEPCAPS), (3) set the five sets as configured,
      // leaving the bounding set alone (all ones = drop nothing more).
      const full = c.runtimeCaps;
      const all = ((1n << 64n) - 1n).toString();
      steps.push({ op: 'CAPS', args: [c.caps.bounding, full, full, '0', '0', String(c.lastCap)] });
      steps.push(ids);
      steps.push({ op: 'CAPS', args: [all, c.caps.effective, c.caps.permitted, c.caps.inheritable, c.caps.ambient, String(c.lastCap)] });
    } else steps.push(ids);
    if (c.noNewPrivileges) steps.push({ op: 'NNP', args: [] });
    if (seccomp && c.noNewPrivileges) steps.push(seccomp);
  }
  return steps;
}
