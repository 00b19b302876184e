/**
 * /dev for a container: a small tmpfs with only the safe devices, as runc
 * and Docker give. The host's /dev is never shared: it would expose disks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MS } from '../sys/flags.ts';
import { mknodChar, mount } from '../sys/syscalls.ts';

/** name, major, minor (see Documentation/admin-guide/devices.txt). */
export const DEVICES: readonly [string, number, number][] = [
  ['null', 1, 3],
  ['zero', 1, 5],
  ['full', 1, 7],
  ['random', 1, 8],
  ['urandom', 1, 9],
  ['tty', 5, 0],
];

export const DEV_SYMLINKS: readonly [string, string][] = [
  ['fd', '/proc/self/fd'],
  ['stdin', '/proc/self/fd/0'],
  ['stdout', '/proc/self/fd/1'],
  ['stderr', '/proc/self/fd/2'],
  ['ptmx', 'pts/ptmx'], // each container gets its own devpts instance
  ['core', '/proc/kcore'],
];

/** Build /dev under `root` (the container's rootfs, seen from the window). */
export function setupDev(root: string): void {
  const dev = path.join(root, 'dev');
  fs.mkdirSync(dev, { recursive: true });
  // nosuid: no setuid binaries here; strictatime as runc; 64 KiB is plenty for nodes
  mount('tmpfs', dev, 'tmpfs', MS.MS_NOSUID | MS.MS_STRICTATIME, 'mode=755,size=65536k');
  for (const [name, major, minor] of DEVICES) mknodChar(path.join(dev, name), 0o666, major, minor);
  // mknod applies the umask; make the modes what every program expects
  for (const [name] of DEVICES) fs.chmodSync(path.join(dev, name), 0o666);
  for (const [name, target] of DEV_SYMLINKS) fs.symlinkSync(target, path.join(dev, name));
  for (const dir of ['pts', 'shm', 'mqueue']) fs.mkdirSync(path.join(dev, dir));
  // newinstance: a private pty namespace, so the container cannot see the host's ptys
  mount('devpts', path.join(dev, 'pts'), 'devpts', MS.MS_NOSUID | MS.MS_NOEXEC, 'newinstance,ptmxmode=0666,mode=0620,gid=5');
  mount('shm', path.join(dev, 'shm'), 'tmpfs', MS.MS_NOSUID | MS.MS_NODEV | MS.MS_NOEXEC, 'mode=1777,size=65536k');
  // mqueue shows the IPC namespace's POSIX queues; we are in a new IPC namespace
  mount('mqueue', path.join(dev, 'mqueue'), 'mqueue', MS.MS_NOSUID | MS.MS_NODEV | MS.MS_NOEXEC);
}
