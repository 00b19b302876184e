/**
 * The mount steps of the namespace window, in order:
 *   1. make every mount private, so nothing we do reaches the host;
 *   2. mount the rootfs: overlay (copy-on-write over the prepared image) or bind;
 *   3. /dev, /sys and the per-container /etc files;
 *   4. pivot_root (or, in the teaching mode, leave it to tiny-init's chroot).
 * /proc is *not* here: it must be mounted from inside the new PID namespace,
 * so tiny-init does it (see DESIGN.md §2).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MNT, MS } from '../sys/flags.ts';
import { chdir, mount, pivotRoot, umount2 } from '../sys/syscalls.ts';
import { setupDev } from './dev.ts';

export interface RootfsLayout {
  /** The prepared image: read-only lower layer. */
  lower: string;
  /** Per-container writable layer (overlay mode). */
  upper: string;
  work: string;
  /** Where the container's / is assembled. */
  merged: string;
}

export type RootfsMode = 'overlay' | 'bind';

export function layoutFor(containerDir: string, lower: string): RootfsLayout {
  return {
    lower,
    upper: path.join(containerDir, 'upper'),
    work: path.join(containerDir, 'work'),
    merged: path.join(containerDir, 'merged'),
  };
}

/** Create the empty directories, on the host, before the window. */
export function createLayoutDirs(l: RootfsLayout): void {
  for (const d of [l.upper, l.work, l.merged]) fs.mkdirSync(d, { recursive: true });
}

/** Step 1. MS_REC|MS_PRIVATE on "/": our mounts never propagate to the host, nor the host's to us. */
export function makeMountsPrivate(): void {
  // lab:02-namespaces begin — mount(NULL, "/", NULL, MS_REC|MS_PRIVATE) (man 7 mount_namespaces)
  mount(null, '/', null, MS.MS_REC | MS.MS_PRIVATE);
  // lab:02-namespaces end
}

/** Step 2. */
export function mountRootfs(l: RootfsLayout, mode: RootfsMode): void {
  if (mode === 'overlay') {
    // The image stays untouched: writes go to `upper`, `work` is overlayfs's scratch space.
    mount('overlay', l.merged, 'overlay', 0, `lowerdir=${l.lower},upperdir=${l.upper},workdir=${l.work}`);
  } else {
    // pivot_root needs the new root to be a mount point: a bind mount makes it one.
    mount(l.lower, l.merged, null, MS.MS_BIND | MS.MS_REC);
  }
}

/** Step 3: /dev, /sys, and empty mount points for /proc. */
export function mountSystemDirs(root: string, opts: { sysfs: boolean }): void {
  setupDev(root);
  fs.mkdirSync(path.join(root, 'proc'), { recursive: true });
  const sys = path.join(root, 'sys');
  fs.mkdirSync(sys, { recursive: true });
  // sysfs shows the network devices of the netns of whoever mounts it: we
  // are in the container's netns here, so eth0 shows up, the host's NICs do not.
  // Read-only: /sys holds knobs for the whole machine.
  if (opts.sysfs) mount('sysfs', sys, 'sysfs', MS.MS_RDONLY | MS.MS_NOSUID | MS.MS_NODEV | MS.MS_NOEXEC);
}

/** Bind one file from the container's state dir over a path in the rootfs. */
export function bindFile(source: string, root: string, target: string): void {
  const dst = path.join(root, target);
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  if (!fs.existsSync(dst)) fs.writeFileSync(dst, '');
  mount(source, dst, null, MS.MS_BIND);
}

/** Make the whole rootfs read-only (--read-only), keeping the submounts as they are. */
export function remountRootReadOnly(root: string): void {
  mount(root, root, null, MS.MS_BIND | MS.MS_REMOUNT | MS.MS_RDONLY);
}

/**
 * Step 4: pivot_root(".", ".") as runc does. It stacks the old root on top
 * of the new one at "/"; detaching it (MNT_DETACH) leaves the new root. It
 * changes the root of every process in this mount namespace whose root was
 * the old one: that is the already-spawned tiny-init *and* this thread.
 */
export function pivotInto(root: string): void {
  // lab:04-rootfs begin — chdir(root), pivot_root(".", "."), make the old root MS_SLAVE|MS_REC, umount2 it MNT_DETACH, chdir("/")
  chdir(root);
  pivotRoot('.', '.');
  // MS_SLAVE|MS_REC first, as runc does, "to make sure our unmounts don't propagate to the host"
  mount(null, '.', null, MS.MS_SLAVE | MS.MS_REC);
  umount2('.', MNT.MNT_DETACH);
  chdir('/');
  // lab:04-rootfs end
}

/** Mount points under dir, deepest first (from our own mount table). */
export function mountsUnder(dir: string): string[] {
  const prefix = path.resolve(dir) + '/';
  const points = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p && (p + '/').startsWith(prefix))
    .map((p) => p.replace(/\\040/g, ' '));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}
