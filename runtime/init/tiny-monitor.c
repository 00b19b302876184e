/*
 * tiny-monitor: the small process that stays behind a detached container
 * (`tiny-docker run -d`), as containerd-shim and conmon do for Docker and
 * Podman. Node is far too heavy (~40 MB) to keep one per container; this
 * static C program costs a few hundred KiB.
 *
 *   tiny-docker run -d  ──spawn (setsid)──▶ tiny-monitor DIR NODE CLI ROOT ID
 *                                             │ prctl(PR_SET_CHILD_SUBREAPER)
 *                                             │ fork+exec: node CLI __create ID
 *                                             │   (namespace window, spawns the
 *                                             │    container's init, then exits:
 *                                             │    the init is reparented to us)
 *                                             │ stdout/stderr pipes → DIR/container.log
 *                                             │ waitpid(init) → DIR/exit.json
 *                                             └ fork+exec: node CLI __cleanup ID
 *
 * fds on entry: 0 = the spec (a pipe from `run -d`, passed on to __create),
 * 3 = the report channel to `run -d` (also passed on; we close our copy so
 * `run -d` sees EOF as soon as __create is done).
 *
 * fd 4 of __create is a pipe back to us: "pid N" (the container's init, now
 * ours to reap) or "exited CODE SIGNAL" (the init died so fast that Node
 * reaped it before handing it over).
 *
 * Keep it boring: no JSON parsing, no policy; TypeScript does the rest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REPORT_FD 3
#define LINE_MAX_BYTES 16384

static const char *dir, *node, *cli, *root, *id;

/* Tell `run -d` what went wrong (only useful before __create starts). */
static void die(const char *what) {
  dprintf(REPORT_FD, "error 125 tiny-monitor: %s: %s\n", what, strerror(errno));
  _exit(125);
}

/* fork + exec `node CLI --root ROOT <command> ID` with the given stdio. */
static pid_t run_node(const char *command, int in, int out, int err, int status_fd) {
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid > 0) return pid;
  /* Give node a clean start: signal masks and ignored signals survive exec,
   * and a blocked SIGCHLD would stop libuv from ever seeing its children exit. */
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGHUP, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  if (status_fd >= 0) dup2(status_fd, 4);
  execl(node, node, cli, "--root", root, command, id, (char *)NULL);
  _exit(127);
}

/* One stream (stdout or stderr) of the container, split into log lines. */
struct stream {
  const char *name;
  int fd;
  char buf[LINE_MAX_BYTES];
  size_t len;
};

static int log_fd = -1;

/* "<RFC3339Nano> stdout <line>\n": the timestamp is kept for `logs --timestamps`. */
static void log_line(struct stream *s, const char *line, size_t len) {
  struct timespec ts;
  struct tm tm;
  char head[96];
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  int n = (int)strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
  n += snprintf(head + n, sizeof head - (size_t)n, ".%09ldZ %s ", ts.tv_nsec, s->name);
  char out[sizeof head + LINE_MAX_BYTES + 1];
  memcpy(out, head, (size_t)n);
  memcpy(out + n, line, len);
  out[(size_t)n + len] = '\n';
  /* O_APPEND: one write(2) per line, so a reader never sees half a line. */
  ssize_t w = write(log_fd, out, (size_t)n + len + 1);
  (void)w;
}

/* Read what is there; returns 0 at EOF. */
static int pump(struct stream *s) {
  ssize_t n = read(s->fd, s->buf + s->len, sizeof s->buf - s->len);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
  if (n <= 0) {
    if (s->len) log_line(s, s->buf, s->len); /* a last line without "\n" */
    s->len = 0;
    close(s->fd);
    s->fd = -1;
    return 0;
  }
  s->len += (size_t)n;
  char *start = s->buf, *nl;
  while ((nl = memchr(start, '\n', s->len - (size_t)(start - s->buf)))) {
    log_line(s, start, (size_t)(nl - start));
    start = nl + 1;
  }
  s->len -= (size_t)(start - s->buf);
  memmove(s->buf, start, s->len);
  if (s->len == sizeof s->buf) { /* a very long line: log it in pieces */
    log_line(s, s->buf, s->len);
    s->len = 0;
  }
  return 1;
}

/* Docker's exit code: the status, or 128 + the signal that killed it. */
static void write_exit(int code, int sig) {
  char tmp[4096], final[4096];
  snprintf(tmp, sizeof tmp, "%s/exit.json.tmp", dir);
  snprintf(final, sizeof final, "%s/exit.json", dir);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return; /* the directory is gone (rm -f): nobody to tell */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  dprintf(fd, "{\"exitCode\":%d,\"signal\":%d,\"finishedAtMs\":%lld}\n", code, sig,
          (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
  fsync(fd);
  close(fd);
  rename(tmp, final); /* atomic: readers see no file or a whole one */
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: tiny-monitor DIR NODE CLI ROOT ID (started by tiny-docker run -d)\n");
    return 125;
  }
  dir = argv[1], node = argv[2], cli = argv[3], root = argv[4], id = argv[5];

  /* Orphans below us are reparented to us, not to PID 1: so when __create
   * exits, the container's init becomes our child and we can waitpid() it. */
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) die("prctl(PR_SET_CHILD_SUBREAPER)");

  /* SIGCHLD arrives as a readable fd, so one poll() waits for output and exits. */
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) die("signalfd");
  /* A `tiny-docker run -d` in a terminal must not take us down with it. */
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);

  int out[2], err[2], st[2];
  if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(st, O_CLOEXEC) < 0) die("pipe2");
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) die("open /dev/null");

  /* __create reads the spec from our fd 0 and reports to `run -d` on fd 3. */
  pid_t creator = run_node("__create", 0, out[1], err[1], st[1]);
  close(out[1]);
  close(err[1]);
  close(st[1]);
  close(REPORT_FD);
  dup2(devnull, 0);

  int status;
  while (waitpid(creator, &status, 0) < 0 && errno == EINTR) {}
  char msg[128] = {0};
  ssize_t n = read(st[0], msg, sizeof msg - 1);
  close(st[0]);
  pid_t init = 0;
  int code = -1, sig = 0;
  if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 0; /* it cleaned up and reported */
  if (sscanf(msg, "pid %d", &init) != 1 && sscanf(msg, "exited %d %d", &code, &sig) != 2) return 0;

  char path[4096];
  snprintf(path, sizeof path, "%s/container.log", dir);
  log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log_fd < 0) log_fd = devnull;

  struct stream streams[2] = {{"stdout", out[0], {0}, 0}, {"stderr", err[0], {0}, 0}};
  int alive = init > 0;
  /* Until the init is gone and both pipes are closed (every process in the
   * container's PID namespace dies with its init, so EOF follows quickly). */
  while (alive || streams[0].fd >= 0 || streams[1].fd >= 0) {
    struct pollfd p[3] = {{streams[0].fd, POLLIN, 0}, {streams[1].fd, POLLIN, 0}, {sfd, POLLIN, 0}};
    /* After the init is gone, stop waiting for stray writers after 2 s. */
    int r = poll(p, 3, alive ? -1 : 2000);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) break;
    for (int i = 0; i < 2; i++)
      if (p[i].revents) pump(&streams[i]);
    if (p[2].revents) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) > 0) {}
      pid_t w;
      while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
        if (w != init) continue; /* an orphan handed to us: just reap it */
        alive = 0;
        if (WIFEXITED(status)) code = WEXITSTATUS(status), sig = 0;
        else if (WIFSIGNALED(status)) sig = WTERMSIG(status), code = 128 + sig;
      }
    }
  }
  for (int i = 0; i < 2; i++)
    if (streams[i].fd >= 0) pump(&streams[i]);
  write_exit(code, sig);

  /* Features' afterExit (OOM) and cleanup, the final state, --rm: in TypeScript. */
  pid_t cleaner = run_node("__cleanup", devnull, devnull, devnull, -1);
  while (waitpid(cleaner, &status, 0) < 0 && errno == EINTR) {}
  return 0;
}
