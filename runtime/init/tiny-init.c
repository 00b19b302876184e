/*
 * tiny-init: the only C in tiny-docker (see shared/DESIGN.md §3).
 *
 * The TypeScript runtime spawns this program as the container's PID 1, then
 * moves it into its rootfs (pivot_root), its cgroup and its network. Some
 * steps can only be done from *inside* the new PID namespace (mounting /proc,
 * entering the cgroup namespace, installing seccomp right before exec), and
 * Node cannot fork to run them. tiny-init does exactly those steps, in the
 * order the parent sends them, and then execs the user's command.
 *
 * Protocol on fd 3 (a socketpair made by the parent):
 *   parent -> init : one "program": magic "TDK1", u32 flags, u32 nsteps, then
 *                    steps { u32 op, u32 argc, argc x { u32 len, bytes } }.
 *                    Receiving it is the go signal.
 *   init -> parent : text lines.
 *                    "C <monotonic microseconds>"     the program arrived (if tracing)
 *                    "T <op> <microseconds> <detail>" a finished step (if tracing)
 *                    "E <exit> <errno> <message>"    a failed step; then we exit
 *                    "W"                               a WAIT step: read the next program
 *                    "X"                               about to exec
 *                    EOF (fd 3 is close-on-exec)       after X: exec succeeded
 *
 * A program may end with WAIT: tiny-runc sends the steps that make the OCI
 * "created" state (enter the user and cgroup namespaces) first, and the rest,
 * the go signal, only at `tiny-runc start`.
 *
 * Second mode, `tiny-init unshare FLAGS`: make a user namespace together
 * with the other namespaces in FLAGS and hold them until fd 3 closes (see
 * hold_namespaces below and runtime/userns.ts).
 *
 * It must be linked statically: the parent pivots the root right after
 * spawn() returns, so a dynamic loader would no longer find libc.so.6.
 * Keep it boring: no policy, no parsing beyond the flat list of steps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>

#define SYNC_FD 3
#define FLAG_TRACE 1u

/* Step opcodes: keep in sync with runtime/init/protocol.ts. */
enum op {
  OP_SETSID = 1,      /* setsid(): own session, so `kill 0` stays inside */
  OP_UNSHARE = 2,     /* unshare(flags): the cgroup namespace, once placed */
  OP_MOUNT = 3,       /* mount(src, dst, fstype, flags, data) */
  OP_MASK = 4,        /* hide a path: /dev/null over a file, empty ro tmpfs over a dir */
  OP_READONLY = 5,    /* bind a path over itself and remount it read-only */
  OP_CHDIR = 6,       /* chdir(path) */
  OP_CHROOT = 7,      /* chroot(path) + chdir("/"): the --chroot teaching mode */
  OP_CAPS = 8,        /* drop bounding set, capset(e,p,i), set ambient */
  OP_NNP = 9,         /* prctl(PR_SET_NO_NEW_PRIVS) */
  OP_SECCOMP = 10,    /* install a BPF filter compiled by the parent */
  OP_IDS = 11,        /* setgroups, setgid, setuid */
  OP_SETNS = 12,      /* setns(open(path), nstype): used by exec */
  OP_SETCTTY = 13,    /* make fd 0 (a pty) the controlling terminal */
  OP_RLIMIT = 14,     /* setrlimit(resource, soft, hard) */
  OP_WRITE = 15,      /* write a file, e.g. a sysctl under /proc/sys */
  OP_PDEATHSIG = 16,  /* prctl(PR_SET_PDEATHSIG, sig) */
  OP_SYMLINK = 17,    /* symlink(target, path), ignore EEXIST */
  OP_MKDIR = 18,      /* mkdir -p path */
  OP_WAIT = 19,       /* say "W" and read the next program from fd 3 */
  OP_PIVOT = 21,      /* pivot_root(".", ".") from the cwd (the new root), drop the old root */
  OP_EXEC = 20,       /* execve(file, argv, envp) with a $PATH search */
};

static unsigned trace_on;
static int cur_op;

static long long now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  /* Best effort: if the parent is gone there is nobody to tell. */
  ssize_t w = write(SYNC_FD, buf, (size_t)n);
  (void)w;
}

/* Report a failed step and exit with the Docker-style code. */
static void fail(int code, int err, const char *fmt, ...) __attribute__((noreturn, format(printf, 3, 4)));
static void fail(int code, int err, const char *fmt, ...) {
  char msg[3072];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  say("E %d %d %s", code, err, msg);
  _exit(code);
}

static void read_full(void *buf, size_t len) {
  char *p = buf;
  while (len > 0) {
    ssize_t n = read(SYNC_FD, p, len);
    if (n < 0 && errno == EINTR) continue;
    /* EOF before the program arrived: the parent died or gave up. */
    if (n <= 0) _exit(125);
    p += n;
    len -= (size_t)n;
  }
}

static uint32_t read_u32(void) {
  uint32_t v;
  read_full(&v, sizeof v);
  return v;
}

struct step {
  uint32_t op;
  uint32_t argc;
  char **argv;
  uint32_t *lens;
};

static unsigned long long num(const char *s) { return strtoull(s, NULL, 10); }

static void mkdir_p(const char *path) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p == '/') {
      *p = 0;
      mkdir(tmp, 0755);
      *p = '/';
    }
  }
  mkdir(tmp, 0755);
}

static int capset_v3(uint64_t eff, uint64_t perm, uint64_t inh) {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  data[0].effective = (uint32_t)eff;
  data[1].effective = (uint32_t)(eff >> 32);
  data[0].permitted = (uint32_t)perm;
  data[1].permitted = (uint32_t)(perm >> 32);
  data[0].inheritable = (uint32_t)inh;
  data[1].inheritable = (uint32_t)(inh >> 32);
  return (int)syscall(SYS_capset, &hdr, data);
}

/* Search $PATH like execvpe, but with the *container's* PATH from envp. */
static void do_exec(const char *file, char **argv, char **envp) {
  if (strchr(file, '/')) {
    execve(file, argv, envp);
    int e = errno;
    if (e == ENOENT) fail(127, e, "exec: \"%s\": stat %s: no such file or directory", file, file);
    if (e == EACCES || e == EISDIR || e == ENOEXEC) fail(126, e, "exec: \"%s\": permission denied", file);
    fail(126, e, "exec: \"%s\": %s", file, strerror(e));
  }
  const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (char **e = envp; *e; e++)
    if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
  int saw_eacces = 0;
  char candidate[4096];
  const char *p = path;
  while (1) {
    const char *end = strchr(p, ':');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == 0) snprintf(candidate, sizeof candidate, "%s", file);
    else snprintf(candidate, sizeof candidate, "%.*s/%s", (int)len, p, file);
    execve(candidate, argv, envp);
    if (errno == EACCES) saw_eacces = 1;
    else if (errno != ENOENT && errno != ENOTDIR) {
      int e = errno;
      fail(126, e, "exec: \"%s\": %s", file, strerror(e));
    }
    if (!end) break;
    p = end + 1;
  }
  if (saw_eacces) fail(126, EACCES, "exec: \"%s\": permission denied", file);
  fail(127, ENOENT, "exec: \"%s\": executable file not found in $PATH", file);
}

static void run_step(struct step *s) {
  char **a = s->argv;
  switch (s->op) {
  case OP_SETSID:
    if (setsid() < 0) fail(125, errno, "setsid: %s", strerror(errno));
    break;
  case OP_UNSHARE:
    if (unshare((int)num(a[0])) < 0) fail(125, errno, "unshare(%s): %s", a[0], strerror(errno));
    break;
  case OP_MOUNT: {
    /* Empty strings stand for NULL, as the kernel wants for unused args. */
    const char *src = a[0][0] ? a[0] : NULL, *fstype = a[2][0] ? a[2] : NULL, *data = a[4][0] ? a[4] : NULL;
    mkdir_p(a[1]);
    if (mount(src, a[1], fstype, num(a[3]), data) < 0)
      fail(125, errno, "mount %s on %s (type %s): %s", a[0], a[1], a[2], strerror(errno));
    break;
  }
  case OP_MASK: {
    struct stat st;
    if (stat(a[0], &st) < 0) break; /* nothing to hide */
    int r = S_ISDIR(st.st_mode) ? mount("tmpfs", a[0], "tmpfs", MS_RDONLY, "size=0")
                                : mount("/dev/null", a[0], NULL, MS_BIND, NULL);
    if (r < 0) fail(125, errno, "mask %s: %s", a[0], strerror(errno));
    break;
  }
  case OP_READONLY: {
    struct stat st;
    if (stat(a[0], &st) < 0) break;
    /* A bind mount's flags can only be changed by a second, remount call. */
    if (mount(a[0], a[0], NULL, MS_BIND | MS_REC, NULL) < 0 ||
        mount(a[0], a[0], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL) < 0)
      fail(125, errno, "make %s read-only: %s", a[0], strerror(errno));
    break;
  }
  case OP_CHDIR:
    if (chdir(a[0]) < 0) fail(125, errno, "chdir to cwd (\"%s\"): %s", a[0], strerror(errno));
    break;
  case OP_CHROOT:
    if (chroot(a[0]) < 0 || chdir("/") < 0) fail(125, errno, "chroot %s: %s", a[0], strerror(errno));
    break;
  case OP_CAPS: {
    /* a: bounding, effective, permitted, inheritable, ambient (64-bit masks) */
    uint64_t bnd = num(a[0]), eff = num(a[1]), perm = num(a[2]), inh = num(a[3]), amb = num(a[4]);
    int last = (int)num(a[5]);
    for (int c = 0; c <= last; c++) {
      if (bnd & (1ULL << c)) continue;
      /* The bounding set limits what any later exec can ever gain. */
      if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
        fail(125, errno, "drop capability %d from the bounding set: %s", c, strerror(errno));
    }
    if (capset_v3(eff, perm, inh) < 0) fail(125, errno, "capset: %s", strerror(errno));
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    for (int c = 0; c <= last; c++)
      if (amb & (1ULL << c)) prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0);
    break;
  }
  case OP_NNP:
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail(125, errno, "no_new_privs: %s", strerror(errno));
    break;
  case OP_SECCOMP: {
    struct sock_fprog prog = {(unsigned short)(s->lens[0] / sizeof(struct sock_filter)), (struct sock_filter *)a[0]};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
      fail(125, errno, "seccomp: %s", strerror(errno));
    break;
  }
  case OP_IDS: {
    /* a: uid, gid, then supplementary gids */
    gid_t groups[64];
    size_t n = 0;
    for (uint32_t i = 2; i < s->argc && n < 64; i++) groups[n++] = (gid_t)num(a[i]);
    if (setgroups(n, groups) < 0) fail(125, errno, "setgroups: %s", strerror(errno));
    /* Keep the permitted capabilities across setuid(non-root), so a later
       CAPS step can set the effective and ambient sets again (as runc does).
       execve() resets this flag. */
    prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
    if (setgid((gid_t)num(a[1])) < 0) fail(125, errno, "setgid %s: %s", a[1], strerror(errno));
    if (setuid((uid_t)num(a[0])) < 0) fail(125, errno, "setuid %s: %s", a[0], strerror(errno));
    break;
  }
  case OP_SETNS: {
    int fd = open(a[0], O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, (int)num(a[1])) < 0) fail(125, errno, "setns %s: %s", a[0], strerror(errno));
    close(fd);
    break;
  }
  case OP_SETCTTY:
    if (ioctl(0, TIOCSCTTY, 0) < 0) fail(125, errno, "set controlling terminal: %s", strerror(errno));
    break;
  case OP_RLIMIT: {
    struct rlimit rl = {(rlim_t)num(a[1]), (rlim_t)num(a[2])};
    if (setrlimit((int)num(a[0]), &rl) < 0) fail(125, errno, "setrlimit %s: %s", a[0], strerror(errno));
    break;
  }
  case OP_WRITE: {
    int fd = open(a[0], O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, a[1], s->lens[1]) < 0) fail(125, errno, "write %s: %s", a[0], strerror(errno));
    close(fd);
    break;
  }
  case OP_PDEATHSIG:
    prctl(PR_SET_PDEATHSIG, (unsigned long)num(a[0]), 0, 0, 0);
    break;
  case OP_SYMLINK:
    if (symlink(a[0], a[1]) < 0 && errno != EEXIST) fail(125, errno, "symlink %s: %s", a[1], strerror(errno));
    break;
  case OP_MKDIR:
    mkdir_p(a[0]);
    break;
  case OP_PIVOT:
    /* The parent pivots for us, except in a user namespace: there the kernel
       allows a new /proc only while a full one is still visible in the mount
       namespace (mount_too_revealing in fs/namespace.c), so /proc is mounted
       first, from inside, and then we pivot, as runc's init does. The cwd is
       the new root (the parent spawned us there): pivot_root(".", ".")
       stacks the old root on top of it, and detaching that leaves the new. */
    if (syscall(SYS_pivot_root, ".", ".") < 0) fail(125, errno, "pivot_root: %s", strerror(errno));
    /* MS_SLAVE|MS_REC first, so our unmount does not propagate to the host. */
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) fail(125, errno, "make the old root a slave: %s", strerror(errno));
    if (umount2(".", MNT_DETACH) < 0) fail(125, errno, "detach the old root: %s", strerror(errno));
    if (chdir("/") < 0) fail(125, errno, "chdir /: %s", strerror(errno));
    break;
  default:
    fail(125, EINVAL, "tiny-init: unknown step %u (runtime and init out of sync? run npm run build:init)", s->op);
  }
}

/*
 * `tiny-init unshare FLAGS`: Node cannot make a user namespace (the kernel
 * refuses unshare(CLONE_NEWUSER) to a multithreaded process), so this
 * single-threaded helper makes it, with the other namespaces, in one call.
 * unshare(2) creates the user namespace first, so it owns the others: root in
 * the container then has its capabilities over its mounts, hostname, network
 * and PID namespace, as in runc. The parent writes uid_map/gid_map, opens
 * the files in /proc/PID/ns, enters them, and closes fd 3: our job is done.
 */
static int hold_namespaces(unsigned long flags) {
  if (unshare((int)flags) < 0) fail(125, errno, "unshare(%#lx) with a user namespace: %s", flags, strerror(errno));
  /* "R": the namespaces exist; the parent may now write our uid_map and gid_map. */
  say("R");
  /* The open files in /proc/PID/ns keep them alive once we are gone. */
  char c;
  while (read(SYNC_FD, &c, 1) > 0) {
  }
  return 0;
}

/* Read one program from fd 3 (blocking: this is where we wait for the parent). */
static struct step *read_program(uint32_t *nsteps) {
  char magic[4];
  read_full(magic, 4);
  if (memcmp(magic, "TDK1", 4) != 0) fail(125, EINVAL, "tiny-init: bad program magic");
  trace_on = read_u32() & FLAG_TRACE;
  *nsteps = read_u32();

  struct step *steps = calloc(*nsteps, sizeof *steps);
  for (uint32_t i = 0; i < *nsteps; i++) {
    steps[i].op = read_u32();
    steps[i].argc = read_u32();
    /* One spare slot per step: OP_EXEC needs NULL after argv and after env. */
    steps[i].argv = calloc(steps[i].argc + 2, sizeof(char *));
    steps[i].lens = calloc(steps[i].argc + 1, sizeof(uint32_t));
    for (uint32_t j = 0; j < steps[i].argc; j++) {
      uint32_t len = read_u32();
      steps[i].lens[j] = len;
      steps[i].argv[j] = malloc(len + 1);
      read_full(steps[i].argv[j], len);
      steps[i].argv[j][len] = 0;
    }
  }
  return steps;
}

int main(int nargs, char **args) {
  /* Until the go signal, die with the parent: a half-built container must not outlive it. */
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (fcntl(SYNC_FD, F_GETFD) < 0) {
    fprintf(stderr, "tiny-init: run me through tiny-docker (no sync channel on fd 3)\n");
    return 125;
  }
  if (nargs == 3 && strcmp(args[1], "unshare") == 0) return hold_namespaces(strtoul(args[2], NULL, 0));

  uint32_t nsteps;
  struct step *steps = read_program(&nsteps);

  /* CLOCK_MONOTONIC is the clock Node's performance.now() counts on: this
     lets the parent place our steps on its own timeline. */
  if (trace_on) say("C %lld", now_us());
  for (uint32_t i = 0; i < nsteps; i++) {
    struct step *s = &steps[i];
    cur_op = (int)s->op;
    if (s->op == OP_WAIT) {
      /* The steps so far made the "created" container; the rest is the go. */
      say("W");
      steps = read_program(&nsteps);
      if (trace_on) say("C %lld", now_us());
      i = (uint32_t)-1; /* the loop's i++ starts the new program at 0 */
      continue;
    }
    if (s->op == OP_EXEC) {
      int argc = (int)num(s->argv[1]);
      /* Rebuild argv/envp as NULL-terminated arrays. */
      char **argv = calloc((size_t)argc + 1, sizeof(char *));
      for (int k = 0; k < argc; k++) argv[k] = s->argv[2 + k];
      int nenv = (int)s->argc - 2 - argc;
      char **envp = calloc((size_t)nenv + 1, sizeof(char *));
      for (int k = 0; k < nenv; k++) envp[k] = s->argv[2 + argc + k];
      if (trace_on) say("T %u %lld exec %s", s->op, 0LL, s->argv[0]);
      /* "X": we got as far as exec. Then EOF (close-on-exec) means it worked,
       * an E line means it failed, and EOF without X means init itself died. */
      say("X");
      /* fd 3 closes when exec succeeds: that EOF is the parent's "started". */
      fcntl(SYNC_FD, F_SETFD, FD_CLOEXEC);
      do_exec(s->argv[0], argv, envp);
    }
    long long t0 = trace_on ? now_us() : 0;
    run_step(s);
    if (trace_on) say("T %u %lld %s", s->op, now_us() - t0, s->argc > 0 && s->op != OP_SECCOMP ? s->argv[s->op == OP_MOUNT ? 1 : 0] : "");
  }
  fail(125, EINVAL, "tiny-init: the program ended without an exec step");
}
