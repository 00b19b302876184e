/**
 * The namespace window (see shared/DESIGN.md §2).
 *
 * Node cannot fork, so a container cannot be set up "in the child between
 * fork and exec" as runc does. Instead the Node *main thread* steps into new
 * namespaces with unshare(2), prepares hostname and mounts there, spawns
 * tiny-init (which inherits all of it), and then steps back with setns(2) to
 * fds of its own namespaces that it opened beforehand.
 *
 * Rules of the window:
 *   - everything inside is synchronous: an `await` would let unrelated code
 *     run inside the container's namespaces;
 *   - libuv's threadpool threads never enter it (unshare is per-thread);
 *   - CLONE_NEWUSER is not possible: the kernel refuses it for a
 *     multithreaded process, and Node always has threads;
 *   - if we cannot get back, the process must stop: continuing would run the
 *     rest of the program (and the next container) inside this container.
 */
import * as fs from 'node:fs';
import { CLONE, flagNames } from './sys/flags.ts';
import { fchdir, setns, unshare } from './sys/syscalls.ts';
import { setPhase } from './sys/trace.ts';

export type NamespaceKind = 'mnt' | 'uts' | 'ipc' | 'net' | 'pid' | 'cgroup';

/** The /proc/self/ns/<kind> name ↔ its CLONE_NEW* flag. */
export const NS_FLAG: Record<NamespaceKind, number> = {
  mnt: CLONE.CLONE_NEWNS,
  uts: CLONE.CLONE_NEWUTS,
  ipc: CLONE.CLONE_NEWIPC,
  net: CLONE.CLONE_NEWNET,
  pid: CLONE.CLONE_NEWPID,
  cgroup: CLONE.CLONE_NEWCGROUP,
};

/**
 * Order of restore matters: the mount namespace goes last among those that
 * affect paths, and the cwd is restored after it (setns to a mount namespace
 * resets root and cwd to that namespace's root).
 */
const RESTORE_ORDER: NamespaceKind[] = ['net', 'ipc', 'uts', 'pid', 'cgroup', 'mnt'];

/** fds to the host's own namespaces, opened once per process and kept. */
let home: Map<NamespaceKind, number> | null = null;
let homeCwd = -1;

function openHome(): Map<NamespaceKind, number> {
  if (home) return home;
  home = new Map();
  for (const kind of RESTORE_ORDER) {
    // Per-thread view: /proc/thread-self is the main thread here, which is
    // the thread that will enter and leave the window.
    home.set(kind, fs.openSync(`/proc/thread-self/ns/${kind === 'pid' ? 'pid_for_children' : kind}`, 'r'));
  }
  return home;
}

/** Which namespaces a container gets. `net: false` means --net host, and so on. */
export interface NamespaceSet {
  mnt: boolean;
  uts: boolean;
  ipc: boolean;
  net: boolean;
  pid: boolean;
}

export function cloneFlags(ns: NamespaceSet): number {
  // lab:02-namespaces begin — OR together NS_FLAG[kind] for every namespace the set asks for
  let flags = 0;
  for (const kind of Object.keys(ns) as (keyof NamespaceSet)[]) if (ns[kind]) flags |= NS_FLAG[kind];
  return flags;
  // lab:02-namespaces end
}

/**
 * Enter new namespaces, run `body` synchronously, and always come back.
 * Returns what body returned. If restoring fails, the process aborts.
 */
export function inNamespaceWindow<T>(ns: NamespaceSet, body: () => T): T {
  const fds = openHome();
  if (homeCwd < 0) homeCwd = fs.openSync('.', 'r');
  else {
    // The cwd may have changed since we opened it (process.chdir); reopen.
    fs.closeSync(homeCwd);
    homeCwd = fs.openSync('.', 'r');
  }
  const flags = cloneFlags(ns);
  setPhase('namespaces');
  unshare(flags);
  let result: T;
  try {
    result = body();
  } finally {
    setPhase('namespaces');
    restore(fds, flags);
  }
  return result;
}

function restore(fds: Map<NamespaceKind, number>, flags: number): void {
  try {
    for (const kind of RESTORE_ORDER) {
      const flag = NS_FLAG[kind];
      if ((flags & flag) === 0) continue;
      setns(fds.get(kind)!, flag, `/proc/self/ns/${kind}`);
    }
    // setns(CLONE_NEWNS) put us at the host's "/"; go back where we were.
    if (flags & CLONE.CLONE_NEWNS) fchdir(homeCwd);
  } catch (err) {
    // We are stuck (partly) inside a container's namespaces. Carrying on
    // would run the caller's next steps in the container: stop now. This is
    // the one place the library ends the process, on purpose.
    const msg = `tiny-docker: fatal: could not leave the container's namespaces (${flagNames(CLONE, flags)}): ${(err as Error).message}\n`;
    try {
      fs.writeSync(2, msg);
    } finally {
      process.abort();
    }
  }
}

/** Read the namespace identity (`net:[4026531840]`) of a process. */
export function namespaceId(pid: number | 'self', kind: NamespaceKind): string {
  return fs.readlinkSync(`/proc/${pid}/ns/${kind}`);
}

/**
 * Run fn with the calling thread inside the namespaces of another process,
 * e.g. to configure a container's network from the host side. Synchronous
 * for the same reason as the window.
 */
export function inNamespacesOf<T>(pid: number, kinds: NamespaceKind[], fn: () => T): T {
  const fds = openHome();
  const targets = kinds.map((k) => [k, fs.openSync(`/proc/${pid}/ns/${k}`, 'r')] as const);
  let flags = 0;
  try {
    for (const [kind, fd] of targets) {
      setns(fd, NS_FLAG[kind], `/proc/${pid}/ns/${kind}`);
      flags |= NS_FLAG[kind];
    }
    return fn();
  } finally {
    for (const [, fd] of targets) fs.closeSync(fd);
    if (homeCwd < 0) homeCwd = fs.openSync('/', 'r');
    restore(fds, flags);
  }
}
