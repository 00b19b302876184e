/**
 * User namespaces (man 7 user_namespaces), made for Node by tiny-init.
 *
 * The kernel refuses unshare(CLONE_NEWUSER) and setns() into a user
 * namespace to a multithreaded process, and Node always has threads. So:
 *
 *   Node                                   tiny-init unshare FLAGS (a helper)
 *   ───────────────────────────────────────────────────────────────────────
 *   spawn ───────────────────────────────▶ unshare(CLONE_NEWUSER|NEWNS|…)
 *                                           (the user namespace is made first
 *                                            and owns the others)
 *   ◀──────────────────────────── "R" ────
 *   write /proc/H/uid_map, gid_map
 *   open /proc/H/ns/{user,mnt,uts,ipc,net}
 *   close fd 3 ──────────────────────────▶ exit (the open fds keep the namespaces)
 *
 * Then the namespace window setns()es into mnt, uts, ipc and net instead of
 * making new ones (root on the host has every capability in every user
 * namespace below it), and spawns tiny-init there. Before the container
 * counts as created, PID 1 mounts /proc (see containerUserSteps), then joins
 * the user namespace itself (a single-threaded process may) through
 * /proc/<our pid>/fd/<user fd>, and becomes root in it.
 *
 * The PID namespace is the exception: it is still made by the window, so the
 * host's user namespace owns it. The first process in a new PID namespace
 * must be a child of whoever made it (the kernel will not even open
 * /proc/H/ns/pid_for_children before that namespace has its PID 1), and our
 * PID 1 is Node's child. What that costs: root in the container cannot mount
 * another procfs of its own (runc's can). Making PID 1 a child of the helper
 * instead, as runc's nsexec.c does with its forked children, is the way there.
 *
 * runc's nsexec.c does the same dance with a forked child; the difference is
 * only who holds the namespaces while the parent writes the maps.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import { TinyDockerError } from './errors.ts';
import { ensureInit } from './init/binary.ts';
import { onInitLines, parseInitLine, type InitStep } from './init/protocol.ts';
import { NS_FLAG, type NamespaceKind } from './namespaces.ts';
import { CLONE, MS, flagNames } from './sys/flags.ts';
import { writeKernelFile } from './sys/files.ts';
import { traced } from './sys/trace.ts';

/** One line of /proc/PID/uid_map: `containerID hostID size`. */
export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

/** The namespaces a container's user namespace owns, and that the window enters (not pid: see above). */
export type OwnedNamespace = Exclude<NamespaceKind, 'cgroup' | 'pid'>;

export interface UserNamespace {
  /** fd of /proc/H/ns/user, kept open until close(): PID 1 joins through it. */
  userFd: number;
  /** fds of the namespaces it owns, for the window's setns(). */
  owned: Map<OwnedNamespace, number>;
  close(): void;
}

/** The map file's text: one write, as the kernel requires (man 7 user_namespaces). */
export function mapText(mappings: readonly IdMapping[]): string {
  return mappings.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

/** The host id a container id maps to, or null when it is not mapped. */
export function hostIdOf(mappings: readonly IdMapping[], id: number): number | null {
  const m = mappings.find((x) => id >= x.containerID && id < x.containerID + x.size);
  return m ? m.hostID + (id - m.containerID) : null;
}

/**
 * Make a user namespace with uid/gid maps, and the namespaces in `kinds`
 * owned by it. Resolves once the maps are written and the fds are open.
 */
export async function createUserNamespace(kinds: readonly OwnedNamespace[], uids: readonly IdMapping[], gids: readonly IdMapping[]): Promise<UserNamespace> {
  const flags = kinds.reduce<number>((f, k) => f | NS_FLAG[k], CLONE.CLONE_NEWUSER);
  const helper = traced(
    () => `spawn(tiny-init unshare ${flagNames(CLONE, flags)})  (a single-threaded helper makes the user namespace)`,
    () => spawn(ensureInit(), ['unshare', String(flags)], { argv0: 'tiny-init', env: {}, stdio: ['ignore', 'ignore', 'ignore', 'pipe'] }),
    (c) => `= pid ${c.pid}`,
  );
  const sock = helper.stdio[3] as net.Socket;
  const exited = new Promise<void>((resolve) => helper.once('close', () => resolve()));
  const opened: number[] = [];
  try {
    await readyLine(sock);
    const pid = helper.pid!;
    // uid_map first, then gid_map. We leave /proc/PID/setgroups at "allow":
    // only an unprivileged writer must deny setgroups(2) before writing
    // gid_map, and the container's init calls setgroups() to drop the host's
    // supplementary groups.
    writeKernelFile(`/proc/${pid}/uid_map`, mapText(uids));
    writeKernelFile(`/proc/${pid}/gid_map`, mapText(gids));
    const open = (name: string) => {
      const fd = fs.openSync(`/proc/${pid}/ns/${name}`, 'r');
      opened.push(fd);
      return fd;
    };
    const userFd = open('user');
    const owned = new Map<OwnedNamespace, number>();
    for (const k of kinds) owned.set(k, open(k));
    return {
      userFd,
      owned,
      close: () => {
        for (const fd of opened.splice(0)) fs.closeSync(fd);
      },
    };
  } catch (err) {
    for (const fd of opened) fs.closeSync(fd);
    throw err instanceof TinyDockerError ? err : new TinyDockerError(`could not make the user namespace: ${(err as Error).message}`, { cause: err });
  } finally {
    // EOF on fd 3 tells the helper to exit; wait for it, so no process is left.
    sock.destroy();
    await exited;
  }
}

function readyLine(sock: net.Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = onInitLines(sock, (line) => {
      stop(); // one answer: "R", or an error
      const msg = parseInitLine(line);
      if (line === 'R') resolve();
      else reject(new TinyDockerError(msg?.kind === 'error' ? msg.message : `tiny-init unshare said ${JSON.stringify(line)}`));
    });
    sock.on('error', () => undefined);
    sock.on('close', () => reject(new TinyDockerError('tiny-init unshare died before making the user namespace')));
  });
}

/**
 * PID 1's steps before the container counts as created, in a user namespace.
 * PID 1 starts as root of the host, in the user namespace's mount namespace,
 * not yet pivoted. In order:
 *   1. `hostSteps` (from the caller): what needs host privileges, e.g.
 *      raising rlimits (CAP_SYS_RESOURCE in the *initial* user namespace).
 *   2. mount /proc at "proc" (relative to the cwd, the new root). The kernel
 *      allows a new procfs in a mount namespace owned by a user namespace only
 *      while a full one is still visible there (mount_too_revealing in
 *      fs/namespace.c): the host's, until the pivot. And it needs
 *      CAP_SYS_ADMIN over the PID namespace, which the host's user namespace
 *      owns (see above): so still as host root.
 *   3. setns() through our fd (PID 1's /proc is still the host's), which
 *      gives it every capability in the new namespace, then
 *      setgroups([]), setgid(0), setuid(0): root in it, the mapped host ids.
 *   4. `userSteps` (from the caller), e.g. unshare(CLONE_NEWCGROUP), so the
 *      user namespace owns the cgroup namespace.
 *   5. pivot_root into the new root, as root of the user namespace, which
 *      owns the mount namespace.
 */
export function containerUserSteps(ns: UserNamespace, hostSteps: InitStep[], userSteps: InitStep[], ownPid = process.pid): InitStep[] {
  return [
    ...hostSteps,
    { op: 'MOUNT', args: ['proc', 'proc', 'proc', String(MS.MS_NOSUID | MS.MS_NOEXEC | MS.MS_NODEV), ''] },
    { op: 'SETNS', args: [`/proc/${ownPid}/fd/${ns.userFd}`, String(CLONE.CLONE_NEWUSER)] },
    { op: 'IDS', args: ['0', '0'] },
    ...userSteps,
    { op: 'PIVOT', args: [] },
  ];
}
