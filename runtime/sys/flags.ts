/**
 * One table per family of kernel flags, so errors and traces print
 * `MS_BIND|MS_REC` instead of 20480. Values are from the Linux UAPI headers
 * (include/uapi/linux/sched.h, include/uapi/linux/mount.h); they are the
 * same on x86_64 and aarch64.
 */
export type FlagTable = Readonly<Record<string, number>>;

/** clone(2)/unshare(2)/setns(2) namespace flags. */
export const CLONE = {
  CLONE_NEWNS: 0x00020000, // mount namespace (the first namespace ever added, hence the vague name)
  CLONE_NEWCGROUP: 0x02000000, // cgroup namespace: /proc/self/cgroup shows "/"
  CLONE_NEWUTS: 0x04000000, // hostname and domainname
  CLONE_NEWIPC: 0x08000000, // System V IPC and POSIX message queues
  CLONE_NEWUSER: 0x10000000, // user namespace (refused in a multithreaded process)
  CLONE_NEWPID: 0x20000000, // pid namespace: applies to *children* only
  CLONE_NEWNET: 0x40000000, // network devices, routes, iptables
} as const satisfies FlagTable;

/** mount(2) flags. */
export const MS = {
  MS_RDONLY: 1,
  MS_NOSUID: 2,
  MS_NODEV: 4,
  MS_NOEXEC: 8,
  MS_SYNCHRONOUS: 16,
  MS_REMOUNT: 32,
  MS_MANDLOCK: 64,
  MS_DIRSYNC: 128,
  MS_NOSYMFOLLOW: 256,
  MS_NOATIME: 1024,
  MS_NODIRATIME: 2048,
  MS_BIND: 4096,
  MS_MOVE: 8192,
  MS_REC: 16384,
  MS_SILENT: 32768,
  MS_UNBINDABLE: 1 << 17,
  MS_PRIVATE: 1 << 18,
  MS_SLAVE: 1 << 19,
  MS_SHARED: 1 << 20,
  MS_RELATIME: 1 << 21,
  MS_STRICTATIME: 1 << 24,
} as const satisfies FlagTable;

/** umount2(2) flags. */
export const MNT = {
  MNT_FORCE: 1,
  MNT_DETACH: 2, // lazy: detach now, free when no longer busy
  MNT_EXPIRE: 4,
  UMOUNT_NOFOLLOW: 8,
} as const satisfies FlagTable;

/** File type bits for mknod(2) (from sys/stat.h). */
export const S_IFCHR = 0o020000;

/** Turn a bit set into `A|B|0x40` using a table; unknown bits stay as hex. */
export function flagNames(table: FlagTable, value: number | bigint): string {
  // `>>> 0`: JS bit operations give signed 32-bit numbers (0x80000000 | x is negative)
  let rest = typeof value === "number" ? BigInt(value >>> 0) : value;
  if (rest === 0n) return '0';
  const names: string[] = [];
  for (const [name, bit] of Object.entries(table)) {
    const b = BigInt(bit);
    if (b !== 0n && (rest & b) === b) {
      names.push(name);
      rest &= ~b;
    }
  }
  if (rest !== 0n) names.push(`0x${rest.toString(16)}`);
  return names.join('|');
}

/** Parse `A|B` back into a number: the inverse of flagNames, used by tests and config. */
export function parseFlagNames(table: FlagTable, text: string): number {
  if (text === '0') return 0;
  let value = 0;
  for (const part of text.split('|')) {
    const bit = table[part];
    if (bit !== undefined) value |= bit;
    else if (/^0x[0-9a-f]+$/i.test(part)) value |= Number.parseInt(part, 16);
    else throw new Error(`unknown flag ${part}`);
  }
  return value >>> 0;
}
