/**
 * OCI mount options ("nosuid", "ro", "rbind", "mode=755", …) → the flags and
 * data string of mount(2), as runc's parseMountOptions does. Pure.
 *
 * Options that clear a flag ("rw", "suid", "dev", "exec") matter when a bind
 * mount is remounted; propagation options ("rprivate", "shared") are applied
 * by a separate mount call, because the kernel ignores them in the first one.
 */
import { MS } from '../sys/flags.ts';

/** option → [flags to set (or clear when `clear`), clear?] */
const FLAG_OPTIONS: Record<string, [number, boolean]> = {
  async: [MS.MS_SYNCHRONOUS, true],
  atime: [MS.MS_NOATIME, true],
  bind: [MS.MS_BIND, false],
  defaults: [0, false],
  dev: [MS.MS_NODEV, true],
  diratime: [MS.MS_NODIRATIME, true],
  dirsync: [MS.MS_DIRSYNC, false],
  exec: [MS.MS_NOEXEC, true],
  mand: [MS.MS_MANDLOCK, false],
  noatime: [MS.MS_NOATIME, false],
  nodev: [MS.MS_NODEV, false],
  nodiratime: [MS.MS_NODIRATIME, false],
  noexec: [MS.MS_NOEXEC, false],
  nomand: [MS.MS_MANDLOCK, true],
  norelatime: [MS.MS_RELATIME, true],
  nostrictatime: [MS.MS_STRICTATIME, true],
  nosuid: [MS.MS_NOSUID, false],
  rbind: [MS.MS_BIND | MS.MS_REC, false],
  relatime: [MS.MS_RELATIME, false],
  remount: [MS.MS_REMOUNT, false],
  ro: [MS.MS_RDONLY, false],
  rw: [MS.MS_RDONLY, true],
  strictatime: [MS.MS_STRICTATIME, false],
  suid: [MS.MS_NOSUID, true],
  sync: [MS.MS_SYNCHRONOUS, false],
};

const PROPAGATION_OPTIONS: Record<string, number> = {
  private: MS.MS_PRIVATE,
  rprivate: MS.MS_PRIVATE | MS.MS_REC,
  shared: MS.MS_SHARED,
  rshared: MS.MS_SHARED | MS.MS_REC,
  slave: MS.MS_SLAVE,
  rslave: MS.MS_SLAVE | MS.MS_REC,
  unbindable: MS.MS_UNBINDABLE,
  runbindable: MS.MS_UNBINDABLE | MS.MS_REC,
};

export interface MountOptions {
  flags: number;
  /** Propagation flags for a second mount(2) call, 0 if none. */
  propagation: number;
  /** Everything the kernel does not know as a flag: passed to the file system (mode=755,size=64k). */
  data: string;
}

export function parseMountOptions(options: readonly string[]): MountOptions {
  let flags = 0;
  let propagation = 0;
  const data: string[] = [];
  for (const o of options) {
    const flag = FLAG_OPTIONS[o];
    if (flag) {
      const [bits, clear] = flag;
      flags = clear ? flags & ~bits : flags | bits;
    } else if (PROPAGATION_OPTIONS[o] !== undefined) propagation |= PROPAGATION_OPTIONS[o];
    else data.push(o);
  }
  return { flags, propagation, data: data.join(',') };
}

/** rootfsPropagation ("rslave", "private", …) → flags; undefined when unknown. */
export function propagationFlags(name: string): number | undefined {
  return PROPAGATION_OPTIONS[name];
}
