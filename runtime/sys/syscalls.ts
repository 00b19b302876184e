/**
 * Typed wrappers for the system calls the runtime makes. Each one:
 *   1. calls libc through koffi,
 *   2. reads errno immediately (any later call could overwrite it),
 *   3. throws SyscallError with flag names on failure,
 *   4. reports to the trace hook (free when tracing is off).
 */
import { loadLibc } from './libc.ts';
import { SyscallError } from './errors.ts';
import { CLONE, MNT, MS, S_IFCHR, flagNames } from './flags.ts';
import { syscallNumber } from './numbers.ts';
import { traced } from './trace.ts';

function check(name: string, r: number, args: () => Record<string, string>): number {
  if (r === -1) throw new SyscallError(name, loadLibc().errno(), args());
  return r;
}

const q = (s: string | null) => (s === null ? 'NULL' : JSON.stringify(s));

/** unshare(2): move the *calling thread* into new namespaces. */
export function unshare(flags: number): void {
  traced(
    () => `unshare(${flagNames(CLONE, flags)})`,
    () => check('unshare', loadLibc().unshare(flags), () => ({ flags: flagNames(CLONE, flags) })),
  );
}

/** setns(2): join the namespace behind an fd from /proc/PID/ns/*. */
export function setns(fd: number, nstype: number, label = `fd ${fd}`): void {
  traced(
    () => `setns(${label}, ${flagNames(CLONE, nstype)})`,
    () => check('setns', loadLibc().setns(fd, nstype), () => ({ fd: label, nstype: flagNames(CLONE, nstype) })),
  );
}

/** mount(2). Pass null for unused source/fstype/data, as in C. */
export function mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null = null): void {
  traced(
    () => `mount(${q(source)}, ${q(target)}, ${q(fstype)}, ${flagNames(MS, flags)}${data ? ', ' + q(data) : ''})`,
    () =>
      check('mount', loadLibc().mount(source, target, fstype, flags, data), () => ({
        src: source ?? '',
        dst: target,
        ...(fstype ? { type: fstype } : {}),
        flags: flagNames(MS, flags),
        ...(data ? { data } : {}),
      })),
  );
}

/** umount2(2). MNT_DETACH makes it lazy: detached now, freed when unused. */
export function umount2(target: string, flags: number): void {
  traced(
    () => `umount2(${q(target)}, ${flagNames(MNT, flags)})`,
    () => check('umount2', loadLibc().umount2(target, flags), () => ({ target, flags: flagNames(MNT, flags) })),
  );
}

/**
 * pivot_root(2) has no glibc wrapper, so it goes through syscall(2).
 * koffi needs a type for every variadic argument ('str').
 */
export function pivotRoot(newRoot: string, putOld: string): void {
  traced(
    () => `pivot_root(${q(newRoot)}, ${q(putOld)})`,
    () =>
      check('pivot_root', loadLibc().syscall(syscallNumber('pivot_root'), 'str', newRoot, 'str', putOld), () => ({
        new_root: newRoot,
        put_old: putOld,
      })),
  );
}

/** chroot(2): changes the root of the calling thread only. */
export function chroot(path: string): void {
  traced(() => `chroot(${q(path)})`, () => check('chroot', loadLibc().chroot(path), () => ({ path })));
}

/**
 * chdir(2) on the calling thread. We do not use process.chdir(): Node caches
 * the cwd, and the cache would lie after we move between mount namespaces.
 */
export function chdir(path: string): void {
  traced(() => `chdir(${q(path)})`, () => check('chdir', loadLibc().chdir(path), () => ({ path })));
}

export function fchdir(fd: number): void {
  traced(() => `fchdir(${fd})`, () => check('fchdir', loadLibc().fchdir(fd), () => ({ fd: String(fd) })));
}

/** sethostname(2): only affects the UTS namespace we are in. */
export function sethostname(name: string): void {
  const len = Buffer.byteLength(name);
  traced(() => `sethostname(${q(name)})`, () => check('sethostname', loadLibc().sethostname(name, len), () => ({ name })));
}

/** makedev() from sys/sysmacros.h, for the small major/minor numbers of /dev. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffn) << 8n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n) | ((ma & ~0xfffn) << 32n);
}

/** mknod(2) for a character device, e.g. /dev/null is (1, 3). */
export function mknodChar(path: string, mode: number, major: number, minor: number): void {
  traced(
    () => `mknod(${q(path)}, S_IFCHR|0${mode.toString(8)}, makedev(${major}, ${minor}))`,
    () => check('mknod', loadLibc().mknod(path, S_IFCHR | mode, makedev(major, minor)), () => ({ path })),
  );
}

/** mknod(2) for any node type: S_IFCHR, S_IFBLK or S_IFIFO in `type` (OCI linux.devices). */
export function mknodDevice(path: string, type: number, mode: number, major: number, minor: number): void {
  const kind = type === 0o060000 ? 'S_IFBLK' : type === 0o010000 ? 'S_IFIFO' : 'S_IFCHR';
  traced(
    () => `mknod(${q(path)}, ${kind}|0${mode.toString(8)}, makedev(${major}, ${minor}))`,
    () => check('mknod', loadLibc().mknod(path, type | mode, makedev(major, minor)), () => ({ path })),
  );
}

export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

/** flock(2). Returns false instead of throwing when LOCK_NB finds it taken. */
export function flock(fd: number, op: number): boolean {
  const r = loadLibc().flock(fd, op);
  if (r === -1) {
    const errno = loadLibc().errno();
    if (errno === 11 /* EWOULDBLOCK */) return false;
    throw new SyscallError('flock', errno, { fd: String(fd) });
  }
  return true;
}

/** pidfd_open(2): a handle to a process that cannot be confused by pid reuse. */
export function pidfdOpen(pid: number): number {
  return traced(
    () => `pidfd_open(${pid}, 0)`,
    () => check('pidfd_open', loadLibc().syscall(syscallNumber('pidfd_open'), 'int', pid, 'unsigned int', 0), () => ({ pid: String(pid) })),
    (r) => `= ${r}`,
  );
}

/** Expose a traced prctl for the few options the parent needs. */
export function prctl(option: number, arg2 = 0): number {
  return check('prctl', loadLibc().prctl(option, arg2, 0, 0, 0), () => ({ option: String(option) }));
}

/**
 * kill(2) through Node's process.kill (it is the same system call). Returns
 * false when the process is already gone (ESRCH), which cleanup treats as done.
 */
export function killPid(pid: number, signal: NodeJS.Signals | number): boolean {
  return traced(
    () => `kill(${pid}, ${signal})`,
    () => {
      try {
        process.kill(pid, signal);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
        throw err;
      }
    },
    (r) => (r ? '= 0' : '= -1 ESRCH'),
  );
}

/** pidfd_send_signal(2): signal exactly the process behind a pidfd, never a reused pid. */
export function pidfdSendSignal(pidfd: number, signal: number): void {
  traced(
    () => `pidfd_send_signal(${pidfd}, ${signal}, NULL, 0)`,
    () =>
      check('pidfd_send_signal', loadLibc().syscall(syscallNumber('pidfd_send_signal'), 'int', pidfd, 'int', signal, 'void *', null, 'unsigned int', 0), () => ({
        pidfd: String(pidfd),
        signal: String(signal),
      })),
  );
}

const F_GETFD = 1;
const F_SETFD = 2;
const FD_CLOEXEC = 1;

/**
 * fcntl(fd, F_SETFD, FD_CLOEXEC): close fd on exec. fds we inherited (e.g. a
 * report pipe from tiny-monitor) are not close-on-exec, and would otherwise
 * leak into the container through spawn().
 */
export function setCloseOnExec(fd: number): void {
  traced(
    () => `fcntl(${fd}, F_SETFD, FD_CLOEXEC)`,
    () => {
      const flags = check('fcntl', loadLibc().fcntl(fd, F_GETFD, 0), () => ({ fd: String(fd) }));
      check('fcntl', loadLibc().fcntl(fd, F_SETFD, flags | FD_CLOEXEC), () => ({ fd: String(fd) }));
    },
  );
}

const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;

/**
 * fcntl(fd, F_SETFL, flags & ~O_NONBLOCK): blocking I/O again on an open
 * file description we are about to share with a child (runtime/sys/spawn.ts).
 * A closed fd (EBADF) is left alone: that is the child's problem, as with libuv.
 */
export function clearNonBlocking(fd: number): void {
  const libc = loadLibc();
  const flags = libc.fcntl(fd, F_GETFL, 0);
  if (flags >= 0 && flags & O_NONBLOCK) libc.fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}

/** ioctl(2) with a pointer argument (a struct in a Buffer). */
export function ioctl(fd: number, request: number, name: string, arg: Buffer | null): void {
  traced(() => `ioctl(${fd}, ${name})`, () => check('ioctl', loadLibc().ioctl(fd, request, arg), () => ({ fd: String(fd), request: name })));
}
