/**
 * The koffi bindings to libc, loaded on first use so that commands which
 * never touch the kernel (`--version`, `ps`) do not pay for koffi.
 * C names are kept on purpose: students can look each one up in `man 2`.
 */
import { createRequire } from 'node:module';

type Fn = (...args: unknown[]) => number;
export interface Libc {
  unshare: Fn;
  setns: Fn;
  mount: Fn;
  umount2: Fn;
  chroot: Fn;
  chdir: Fn;
  fchdir: Fn;
  sethostname: Fn;
  mknod: Fn;
  flock: Fn;
  syscall: Fn;
  prctl: Fn;
  fcntl: Fn;
  ioctl: Fn;
  socket: Fn;
  close: Fn;
  posix_openpt: Fn;
  grantpt: Fn;
  unlockpt: Fn;
  ptsname_r: Fn;
  // posix_spawn and what it needs (runtime/sys/spawn.ts)
  posix_spawn: Fn;
  posix_spawn_file_actions_init: Fn;
  posix_spawn_file_actions_adddup2: Fn;
  posix_spawn_file_actions_addopen: Fn;
  posix_spawn_file_actions_addchdir_np: Fn;
  posix_spawn_file_actions_destroy: Fn;
  posix_spawnattr_init: Fn;
  posix_spawnattr_setflags: Fn;
  posix_spawnattr_setsigmask: Fn;
  posix_spawnattr_setsigdefault: Fn;
  posix_spawnattr_destroy: Fn;
  pipe2: Fn;
  socketpair: Fn;
  waitpid: Fn;
  errno: () => number;
}

let libc: Libc | null = null;

export function loadLibc(): Libc {
  if (libc) return libc;
  // koffi is a native module; require() keeps it out of the esbuild bundle.
  const require = createRequire(import.meta.url);
  const koffi = require('koffi') as typeof import('koffi');
  const lib = koffi.load('libc.so.6');
  libc = {
    unshare: lib.func('int unshare(int flags)') as Fn,
    setns: lib.func('int setns(int fd, int nstype)') as Fn,
    mount: lib.func('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)') as Fn,
    umount2: lib.func('int umount2(const char *target, int flags)') as Fn,
    chroot: lib.func('int chroot(const char *path)') as Fn,
    chdir: lib.func('int chdir(const char *path)') as Fn,
    fchdir: lib.func('int fchdir(int fd)') as Fn,
    sethostname: lib.func('int sethostname(const char *name, size_t len)') as Fn,
    mknod: lib.func('int mknod(const char *path, uint32_t mode, uint64_t dev)') as Fn,
    flock: lib.func('int flock(int fd, int op)') as Fn,
    syscall: lib.func('long syscall(long number, ...)') as Fn,
    prctl: lib.func('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)') as Fn,
    // fcntl(2) and ioctl(2) are variadic in C; we only ever pass one int or one pointer.
    fcntl: lib.func('int fcntl(int fd, int cmd, int arg)') as Fn,
    ioctl: lib.func('int ioctl(int fd, unsigned long request, void *arg)') as Fn,
    socket: lib.func('int socket(int domain, int type, int protocol)') as Fn,
    close: lib.func('int close(int fd)') as Fn,
    posix_openpt: lib.func('int posix_openpt(int flags)') as Fn,
    grantpt: lib.func('int grantpt(int fd)') as Fn,
    unlockpt: lib.func('int unlockpt(int fd)') as Fn,
    ptsname_r: lib.func('int ptsname_r(int fd, _Out_ char *buf, size_t buflen)') as Fn,
    // posix_spawn(3): the opaque structs (file actions, attributes, sigset_t)
    // live in Buffers we allocate; koffi passes a Buffer as a pointer.
    posix_spawn: lib.func('int posix_spawn(_Out_ int *pid, const char *path, void *file_actions, void *attrp, const char **argv, const char **envp)') as Fn,
    posix_spawn_file_actions_init: lib.func('int posix_spawn_file_actions_init(void *fa)') as Fn,
    posix_spawn_file_actions_adddup2: lib.func('int posix_spawn_file_actions_adddup2(void *fa, int fd, int newfd)') as Fn,
    posix_spawn_file_actions_addopen: lib.func('int posix_spawn_file_actions_addopen(void *fa, int fd, const char *path, int oflag, uint32_t mode)') as Fn,
    posix_spawn_file_actions_addchdir_np: lib.func('int posix_spawn_file_actions_addchdir_np(void *fa, const char *path)') as Fn,
    posix_spawn_file_actions_destroy: lib.func('int posix_spawn_file_actions_destroy(void *fa)') as Fn,
    posix_spawnattr_init: lib.func('int posix_spawnattr_init(void *attr)') as Fn,
    posix_spawnattr_setflags: lib.func('int posix_spawnattr_setflags(void *attr, short flags)') as Fn,
    posix_spawnattr_setsigmask: lib.func('int posix_spawnattr_setsigmask(void *attr, void *sigmask)') as Fn,
    posix_spawnattr_setsigdefault: lib.func('int posix_spawnattr_setsigdefault(void *attr, void *sigdefault)') as Fn,
    posix_spawnattr_destroy: lib.func('int posix_spawnattr_destroy(void *attr)') as Fn,
    pipe2: lib.func('int pipe2(void *fds, int flags)') as Fn,
    socketpair: lib.func('int socketpair(int domain, int type, int protocol, void *sv)') as Fn,
    waitpid: lib.func('int waitpid(int pid, void *status, int options)') as Fn,
    errno: () => koffi.errno() as number,
  };
  return libc;
}
